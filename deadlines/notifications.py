"""Who is told what, for a batch of escalations: in-app notices and e-mails.

Recipients follow DOMAIN §4's ladder: the reminder to the responsible person; the breach to
them and their line manager (User.line_manager(): social worker → team manager → service
manager → head of service); then the service manager and the head of service of the service
holding the child. Everything is looked up in a handful of queries per batch, never per row.
E-mails name the child only by their ID: the record itself is behind sign-in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse

from cpcases.accounts.models import Team, User
from cpcases.accounts.roles import Role
from cpcases.children.models import Allocation, Child
from cpcases.outbox.services import outbox_enqueue_many
from deadlines.models import Notification
from deadlines.policy import Level

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Notice:
    """One escalation to announce."""

    deadline_id: int
    child_id: int
    level: str
    rule_name: str
    due_date: date
    due_at: datetime | None
    responsible_id: int | None


def _due_text(notice: Notice) -> str:
    if notice.due_at is not None:
        return notice.due_at.astimezone(LONDON).strftime("%-d %B %Y at %H:%M")
    return notice.due_date.strftime("%-d %B %Y")


def _child_text(child: Child) -> str:
    # A restricted record's name goes only to its named users: notices carry the ID alone.
    if child.is_restricted:
        return f"child {child.la_child_id}"
    return f"{child.display_name} ({child.la_child_id})"


_TEXTS = {
    Level.REMINDER: "Reminder: {rule} for {child} is due {due}.",
    Level.BREACH: "Overdue: {rule} for {child} was due {due}.",
    Level.SERVICE_MANAGER: "Escalated to service manager: {rule} for {child} was due {due} "
                           "and is still not done.",
    Level.HEAD_OF_SERVICE: "Escalated to head of service: {rule} for {child} was due {due} "
                           "and is still not done.",
}


class _Directory:
    """The people a batch of notices may go to, loaded in bulk."""

    def __init__(self, notices: list[Notice]) -> None:
        child_ids = {n.child_id for n in notices}
        self.children = {c.pk: c for c in Child.objects.filter(pk__in=child_ids).only(
            "id", "first_name", "last_name", "is_unborn", "la_child_id", "is_restricted")}
        self.child_team: dict[int, int] = {}
        self.team_service: dict[int, int] = {}
        for child_id, team_id, service_id in Allocation.objects.filter(
                child_id__in=child_ids, ended_on__isnull=True).values_list(
                "child_id", "team_id", "team__service_id"):
            self.child_team[child_id] = team_id
            self.team_service[team_id] = service_id
        self.users = {u.pk: u for u in User.objects.filter(
            pk__in={n.responsible_id for n in notices if n.responsible_id})}
        user_teams = {u.team_id for u in self.users.values() if u.team_id}
        for team_id, service_id in Team.objects.filter(
                pk__in=user_teams - set(self.team_service)).values_list("id", "service_id"):
            self.team_service[team_id] = service_id
        team_ids = set(self.team_service)
        service_ids = set(self.team_service.values()) | {
            u.service_id for u in self.users.values() if u.service_id}
        self.team_manager: dict[int, User] = {}
        self.service_manager: dict[int, User] = {}
        self.head_of_service: dict[int, User] = {}
        managers = User.objects.filter(
            Q(role=Role.TEAM_MANAGER, team_id__in=team_ids)
            | Q(role__in=[Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE],
                service_id__in=service_ids), is_active=True).order_by("full_name", "id")
        for user in managers:
            if user.role == Role.TEAM_MANAGER:
                self.team_manager.setdefault(user.team_id, user)
            elif user.role == Role.SERVICE_MANAGER:
                self.service_manager.setdefault(user.service_id, user)
            else:
                self.head_of_service.setdefault(user.service_id, user)

    def _service_of(self, user: User | None) -> int | None:
        if user is None:
            return None
        return user.service_id or self.team_service.get(user.team_id)

    def line_manager(self, user: User) -> User | None:
        """As User.line_manager(), from the loaded tables."""
        if user.role == Role.SOCIAL_WORKER and user.team_id:
            return self.team_manager.get(user.team_id)
        if user.role == Role.TEAM_MANAGER:
            return self.service_manager.get(self._service_of(user))
        if user.role == Role.SERVICE_MANAGER:
            return self.head_of_service.get(self._service_of(user))
        return None

    def recipients(self, notice: Notice) -> list[User]:
        responsible = self.users.get(notice.responsible_id) if notice.responsible_id else None
        if responsible is not None and not responsible.is_active:
            responsible = None
        team_id = self.child_team.get(notice.child_id)
        service_id = self.team_service.get(team_id) if team_id else self._service_of(
            responsible)
        team_manager = self.team_manager.get(team_id) if team_id else None
        people: list[User | None]
        if notice.level == Level.REMINDER:
            people = [responsible or team_manager]
        elif notice.level == Level.BREACH:
            manager = self.line_manager(responsible) if responsible else None
            people = [responsible, manager or team_manager]
        elif notice.level == Level.SERVICE_MANAGER:
            people = [self.service_manager.get(service_id)]
        else:
            people = [self.head_of_service.get(service_id)]
        seen: set[int] = set()
        unique = []
        for person in people:
            if person is not None and person.pk not in seen:
                seen.add(person.pk)
                unique.append(person)
        return unique


def build(notices: list[Notice]) -> tuple[list[Notification], list[EmailMessage]]:
    """The in-app notices, and one e-mail per recipient listing theirs (nothing saved or
    sent). One digest per person per batch: a manager told of forty breaches at once gets
    one e-mail, not forty."""
    if not notices:
        return [], []
    directory = _Directory(notices)
    rows: list[Notification] = []
    digests: dict[int, tuple[User, list[str]]] = {}
    link = reverse("deadlines:child", args=[0]).replace("/0/", "/{}/")
    for notice in notices:
        child = directory.children[notice.child_id]
        due = _due_text(notice)
        template = _TEXTS[notice.level]
        text = template.format(rule=notice.rule_name, child=_child_text(child), due=due)
        line = None
        for person in directory.recipients(notice):
            rows.append(Notification(recipient=person, deadline_id=notice.deadline_id,
                                     level=notice.level, text=text))
            if person.email:
                if line is None:
                    line = (template.format(rule=notice.rule_name,
                                            child=f"child {child.la_child_id}", due=due)
                            + f" {link.format(notice.child_id)}")
                digests.setdefault(person.pk, (person, []))[1].append(line)
    emails = [EmailMessage(
        subject=(f"{len(lines)} deadline notices" if len(lines) > 1
                 else "A deadline notice"),
        body="\n".join(["Deadlines that need your attention:", "", *lines, "",
                        settings.SERVICE_NAME]),
        from_email=settings.DEFAULT_FROM_EMAIL, to=[person.email])
        for person, lines in digests.values()]
    return rows, emails


def send_emails(emails: Iterable[EmailMessage]) -> int:
    """Write to the outbox in the sweep's transaction (issue 12 §1): sent after commit by a
    retried task, so a killed worker or a failing relay delays a notice but never loses it."""
    return len(outbox_enqueue_many(messages=emails, kind="deadline notice"))
