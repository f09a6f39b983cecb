"""The one place this app tells people and sends letters.

In-app notices use the deadline engine's Notification (each notice belongs to the deadline
the event started, so it is listed, counted and marked read like any other), saved through
deadlines.notifications.deliver like every notice, each in a digest of its own; e-mails go out
on commit through deadlines.notifications.send_emails, the product's send path. Letters are
kept as sent (Letter rows) before anything is sent.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import Role
from cpcases.children.models import Child
from deadlines import notifications as deadline_notifications
from deadlines.models import Deadline, Notification
from deadlines.policy import Level
from lifeevents.models import Letter, LetterMethod, SafeguardingContacts


def child_label(child: Child) -> str:
    """As the deadline notices: a restricted record is named by its ID alone."""
    if child.is_restricted:
        return f"child {child.la_child_id}"
    return f"{child.display_name} ({child.la_child_id})"


def _send_on_commit(emails: list[EmailMessage]) -> None:
    if emails:
        deadline_notifications.send_emails(emails)  # the outbox: in this transaction


def tell(people: Iterable[User | None], *, deadline: Deadline, text: str,
         level: str = Level.REMINDER) -> list[User]:
    """An in-app notice and an e-mail, now (not at the sweep), to each active person once.
    The e-mail names the child by ID only: the record is behind sign-in."""
    seen: dict[int, User] = {}
    for person in people:
        if person is not None and person.is_active and person.pk not in seen:
            seen[person.pk] = person
    # Saved through the one delivery path, each in its own digest (the e-mail below is sent
    # here, not by the sweep's digest e-mail).
    deadline_notifications.deliver(
        [Notification(recipient=p, deadline=deadline, level=level, text=text)
         for p in seen.values()], title="A child protection notice", emailed=True)
    email_text = text.replace(child_label(deadline.child),
                              f"child {deadline.child.la_child_id}")
    _send_on_commit([EmailMessage(subject="A child protection notice",
                                  body=f"{email_text}\n\n{settings.SERVICE_NAME}",
                                  from_email=settings.DEFAULT_FROM_EMAIL, to=[p.email])
                     for p in seen.values() if p.email])
    return list(seen.values())


def email_people(people: Iterable[User | None], *, subject: str, body: str) -> None:
    """An e-mail (no in-app notice: there is no deadline to hang it on) to each active
    person with an address, on commit. Callers name the child by ID only."""
    addresses = sorted({p.email for p in people if p is not None and p.is_active and p.email})
    _send_on_commit([EmailMessage(subject=subject, body=f"{body}\n\n{settings.SERVICE_NAME}",
                                  from_email=settings.DEFAULT_FROM_EMAIL, to=[a])
                     for a in addresses])


def letter_send(*, child: Child, kind: str, about: models.Model, recipient_name: str,
                method: str, subject: str, body: str, user: User, recipient_email: str = "",
                recipient_address: str = "") -> Letter:
    """Keep the letter as sent; e-mail it on commit when it goes by e-mail."""
    if method == LetterMethod.EMAIL and not recipient_email:
        method = LetterMethod.POST  # nothing to send to: it goes by post
    letter = Letter.objects.create(
        child=child, kind=kind, about=about, recipient_name=recipient_name,
        recipient_email=recipient_email, recipient_address=recipient_address, method=method,
        subject=subject, body=body, sent_at=timezone.now(), sent_by=user)
    if method == LetterMethod.EMAIL:
        _send_on_commit([EmailMessage(subject=subject, body=body,
                                      from_email=settings.DEFAULT_FROM_EMAIL,
                                      to=[recipient_email])])
    return letter


def senior_cp_manager(authority_id: int) -> User | None:
    """The authority's senior child protection manager (SafeguardingContacts), or else its
    first head of service: somebody senior is always told."""
    contacts = SafeguardingContacts.objects.filter(authority_id=authority_id).select_related(
        "senior_cp_manager").first()
    if contacts and contacts.senior_cp_manager and contacts.senior_cp_manager.is_active:
        return contacts.senior_cp_manager
    return User.objects.filter(authority_id=authority_id, role=Role.HEAD_OF_SERVICE,
                               is_active=True).order_by("id").first()
