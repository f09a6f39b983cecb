"""Telling the manager and the core group that access to a child was refused (003 "Seeing
the Child": "the Children's Social Care line manager must be informed, as well as other Core
Group members").

In-app notices are deadlines.models.Notification rows, attached to the child's `child_seen`
deadline (the clock the refused visit leaves running); e-mails go on commit and name the
child only by their ID, as the engine's notices do.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.chronology.models import Visit
from cpcases.chronology.selectors import core_group_users
from cpcases.outbox.services import outbox_enqueue_many
from deadlines.models import Deadline, DeadlineStatus, Notification
from deadlines.notifications import deliver
from deadlines.policy import Level


def _managers(visit: Visit) -> list[User]:
    """The visitor's line manager and the allocated social worker's (usually the same)."""
    people = [visit.visited_by]
    allocation = visit.child.current_allocation
    if allocation and allocation.social_worker:
        people.append(allocation.social_worker)
    managers = [p.line_manager() for p in people]
    return [m for m in managers if m is not None]


def recipients(visit: Visit, user: User) -> list[User]:
    seen: set[int] = {visit.visited_by_id, user.pk}
    found = []
    for person in [*_managers(visit), *core_group_users(visit.child)]:
        if person.pk not in seen and person.is_active:
            seen.add(person.pk)
            found.append(person)
    return found


def _clock(visit: Visit) -> Deadline | None:
    deadlines = Deadline.objects.filter(child=visit.child, rule_id="child_seen")
    return (deadlines.filter(status=DeadlineStatus.OPEN).order_by("-id").first()
            or deadlines.order_by("-id").first())


def access_refused(*, visit: Visit, user: User) -> list[User]:
    child = visit.child
    when = timezone.localtime(visit.visited_at).strftime("%-d %B %Y at %H:%M")
    name = (f"child {child.la_child_id}" if child.is_restricted
            else f"{child.display_name} ({child.la_child_id})")
    text = (f"Access refused: {visit.visited_by} could not see {name} on {when}. "
            f"{visit.access_refused_details}")
    people = recipients(visit, user)
    clock = _clock(visit)
    if clock is not None:
        # One digest per person (issue 9): its own e-mail is sent below.
        deliver([Notification(recipient=p, deadline=clock, level=Level.BREACH, text=text)
                 for p in people], title="Access to a child refused", emailed=True)
    link = reverse("chronology:visits", args=[child.pk])
    body = "\n".join([
        f"Access to child {child.la_child_id} was refused at a statutory visit on {when}.",
        "As the child's manager or a member of their core group, you are asked to consider "
        "what to do next.", "", f"Details: {link}", "", settings.SERVICE_NAME])
    emails = [EmailMessage(subject="Access to a child refused", body=body,
                           from_email=settings.DEFAULT_FROM_EMAIL, to=[p.email])
              for p in people if p.email]
    outbox_enqueue_many(messages=emails, kind="access refused")
    return people
