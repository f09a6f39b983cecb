"""Who is told what, for a batch of escalations: in-app notices and e-mails.

Recipients follow DOMAIN §4's ladder: the reminder to the responsible person; the breach to
them and their line manager (User.line_manager(): social worker → team manager → service
manager → head of service); then the service manager and the head of service of the service
holding the child. Everything is looked up in a handful of queries per batch, never per row.
E-mails name the child only by their ID: the record itself is behind sign-in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, Protocol
from zoneinfo import ZoneInfo

import psycopg
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from cpcases.accounts.models import Team, User
from cpcases.accounts.roles import Role
from cpcases.children.models import Allocation, Child
from cpcases.outbox.services import outbox_enqueue_many
from deadlines import presentation, worklinks
from deadlines.models import Notification, NotificationDigest
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


class NoticeRow(NamedTuple):
    """One in-app notice to save (deliver()): a row, not a model instance, so a sweep's tens
    of thousands of notices cost no more than their values (issue 13 §4)."""

    recipient_id: int
    deadline_id: int
    level: str
    text: str


class _Saveable(Protocol):
    recipient_id: int
    deadline_id: int
    level: str
    text: str


def build(notices: list[Notice]) -> list[NoticeRow]:
    """The in-app notices of a batch, one per (notice, recipient), unsaved and not yet in a
    digest (deliver() puts them in one)."""
    if not notices:
        return []
    directory = _Directory(notices)
    rows: list[NoticeRow] = []
    for notice in notices:
        child = directory.children[notice.child_id]
        text = _TEXTS[notice.level].format(rule=notice.rule_name, child=_child_text(child),
                                           due=_due_text(notice))
        for person in directory.recipients(notice):
            rows.append(NoticeRow(person.pk, notice.deadline_id, notice.level, text))
    return rows


@contextmanager
def arrays_cursor() -> Iterator[psycopg.Cursor[Any]]:
    """A cursor on Django's connection (so inside its transaction) that sends parameters
    apart from the SQL, in binary (`%b`): a batch's arrays of thousands of values are packed
    in C, where Django's cursor quotes each value into the SQL text in Python (≈ 6 times slower,
    2 s of a 5,000,000-deadline sweep; issue 13 §4)."""
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        yield cursor


# One statement for a whole batch, whatever its size (issue 13 §4).
_INSERT_NOTIFICATIONS = """
    INSERT INTO deadlines_notification (recipient_id, digest_id, deadline_id, level, text,
                                        created_at)
    SELECT r, g, d, l, t, %b
    FROM unnest(%b::bigint[], %b::bigint[], %b::bigint[], %b::varchar[], %b::text[])
         AS v(r, g, d, l, t)
"""


def deliver(rows: Sequence[_Saveable], *, digests: dict[int, int] | None = None,
            title: str = "", emailed: bool = False,
            tally: dict[int, Counter[str]] | None = None) -> set[int]:
    """Save notices (NoticeRow or unsaved Notification), each in its recipient's digest: the
    one in `digests` (recipient id → digest id, filled in here: a sweep passes the same
    mapping to every batch, so each person gets one digest per sweep), or a new one.
    `emailed`: the caller sends its own e-mail. `tally` (digest id → notices per level, kept
    here): a caller whose digests all began in `digests` keeps their counts, so the titles
    need no count of the digest's rows — the sweep, whose digests grow batch by batch (a
    recount per batch is quadratic). Returns the digests written to. Every in-app notice is
    saved through here."""
    if not rows:
        return set()
    digests = {} if digests is None else digests
    new = [pk for pk in dict.fromkeys(r.recipient_id for r in rows) if pk not in digests]
    now = timezone.now()
    created = NotificationDigest.objects.bulk_create(
        [NotificationDigest(recipient_id=pk, title=title, emailed_at=now if emailed else None)
         for pk in new])
    digests.update({d.recipient_id: d.pk for d in created})
    with arrays_cursor() as cursor:
        cursor.execute(_INSERT_NOTIFICATIONS, [
            now, [r.recipient_id for r in rows], [digests[r.recipient_id] for r in rows],
            [r.deadline_id for r in rows], [r.level for r in rows], [r.text for r in rows]])
    touched = {digests[r.recipient_id] for r in rows}
    if tally is not None:
        for r in rows:
            tally.setdefault(digests[r.recipient_id], Counter())[
                _LEVEL_WORDS.get(r.level, r.level)] += 1
    _retitle(touched, keep_title=bool(title), counted=tally)
    return touched


_LEVEL_WORDS = {Level.REMINDER: "due soon", Level.BREACH: "overdue",
                Level.SERVICE_MANAGER: "escalated", Level.HEAD_OF_SERVICE: "escalated"}


def _retitle(digest_ids: set[int], *, keep_title: bool = False,
             counted: dict[int, Counter[str]] | None = None) -> None:
    """Each digest's size and title ("3 deadlines: 2 overdue, 1 due soon"), from `counted`
    when the caller kept the counts (deliver()), else counted here."""
    counts: dict[int, Counter[str]] = {}
    if counted is not None:
        counts = {pk: counted[pk] for pk in digest_ids if pk in counted}
    else:
        for digest_id, level, n in (Notification.objects.filter(digest_id__in=digest_ids)
                                    .values_list("digest_id", "level")
                                    .annotate(n=Count("id")).order_by()):
            counts.setdefault(digest_id, Counter())[_LEVEL_WORDS.get(level, level)] += n
    digests = list(NotificationDigest.objects.filter(pk__in=digest_ids))
    for digest in digests:
        words = counts.get(digest.pk, Counter())
        digest.size = sum(words.values())
        if not keep_title:
            parts = ", ".join(f"{n} {word}" for word, n in words.most_common())
            noun = "deadline" if digest.size == 1 else "deadlines"
            digest.title = f"{digest.size} {noun}: {parts}"
    NotificationDigest.objects.bulk_update(digests, ["size", "title"])


def _email_line(row: tuple[Any, ...], context: Any, now: datetime) -> str:
    (_digest, level, authority_id, rule_id, status, due_date, due_at, child_id,
     content_type_id, object_id, la_child_id) = row
    rule = context.rule_name(authority_id, rule_id)
    count = presentation.countdown(status=status, due_date=due_date, due_at=due_at,
                                   calendar=context.calendar(authority_id), now=now)
    due = presentation.due_text(due_date, due_at)
    # E-mails name the child only by their ID: the record itself is behind sign-in.
    text = _TEXTS[level].format(rule=rule, child=f"child {la_child_id}", due=due)
    link = worklinks.link_for_row(rule_id=rule_id, content_type_id=content_type_id,
                                  object_id=object_id, child_id=child_id)
    return f"{text} ({count.text}) {link.url}"


# A digest still unsent this long after it was made was left by a sweep that died between
# its commit and its e-mails: the next sweep sends it. Operational, not a timescale.
ORPHANED_AFTER = timedelta(minutes=15)


# An e-mail lists at most this many notices, then says how many more the notifications page
# holds: after an outage a digest may hold tens of thousands, which nobody reads in an
# e-mail and which would otherwise all be held in memory (issue 13 §6).
EMAIL_LINES = 200


def _more_line(count: int) -> list[str]:
    if not count:
        return []
    noun = "notice" if count == 1 else "notices"
    return ["", f"…and {count:,} more deadline {noun}: see your notifications "
                f"{reverse('deadlines:notifications')}"]


_BY_KEY = ("SET LOCAL enable_seqscan = off; SET LOCAL enable_hashjoin = off; "
           "SET LOCAL enable_mergejoin = off; SET LOCAL enable_material = off; "
           "SET LOCAL jit = off")
_PLANNER_DEFAULTS = ("RESET enable_seqscan; RESET enable_hashjoin; RESET enable_mergejoin; "
                     "RESET enable_material; RESET jit")


_COUNTS = """
    SELECT digest_id, count(*) FROM deadlines_notification WHERE digest_id = ANY(%s)
    GROUP BY digest_id
"""

# Each digest's first notices by id (its index on digest_id, LIMIT per digest), with what a
# line says about the deadline and the child.
_FIRST_LINES = """
    SELECT n.digest_id, n.level, d.authority_id, d.rule_id, d.status, d.due_date, d.due_at,
           d.child_id, d.content_type_id, d.object_id, c.la_child_id
    FROM unnest(%s::bigint[]) AS g(id)
    CROSS JOIN LATERAL (SELECT id, digest_id, level, deadline_id FROM deadlines_notification
                        WHERE digest_id = g.id ORDER BY id LIMIT %s) AS n
    JOIN deadlines_deadline AS d ON d.id = n.deadline_id
    JOIN children_child AS c ON c.id = d.child_id
    ORDER BY n.id
"""


def send_digests(digest_ids: Iterable[int], *, now: datetime | None = None) -> int:
    """One e-mail per digest (its person's notices of the sweep), each sent once: digests are
    claimed with SKIP LOCKED and marked sent in the same transaction."""
    now = now or timezone.now()
    pending = (NotificationDigest.objects
               .filter(Q(pk__in=list(digest_ids))
                       | Q(created_at__lt=timezone.now() - ORPHANED_AFTER),
                       emailed_at__isnull=True))
    with transaction.atomic():
        digests = list(pending.select_for_update(skip_locked=True, of=("self",))
                       .select_related("recipient"))
        if not digests:
            return 0
        # Only the lines an e-mail lists are read: each digest's first EMAIL_LINES notices
        # (a digest after an outage may hold tens of thousands), as plain rows with only the
        # columns a line needs, and the rest counted (issue 13 §4, §6).
        keys = [d.pk for d in digests]
        context = presentation.RuleContext()
        lines: dict[int, list[str]] = {}
        with connection.cursor() as cursor:
            cursor.execute(_COUNTS, [keys])
            total = dict(cursor.fetchall())
            # Each notice's deadline by its key, whatever the statistics say: a hash join
            # would read the whole deadline table (millions of rows) for a few thousand.
            cursor.execute(_BY_KEY)
            cursor.execute(_FIRST_LINES, [keys, EMAIL_LINES])
            for row in cursor.fetchall():
                lines.setdefault(row[0], []).append(_email_line(row, context, now))
        with connection.cursor() as cursor:
            cursor.execute(_PLANNER_DEFAULTS)
        more = {pk: total.get(pk, 0) - len(lines.get(pk, [])) for pk in keys}  # not listed
        emails = [EmailMessage(
            subject=(f"{len(body) + more[digest.pk]} deadline notices"
                     if len(body) + more[digest.pk] > 1 else "A deadline notice"),
            body="\n".join(["Deadlines that need your attention:", "", *body,
                            *_more_line(more[digest.pk]), "", settings.SERVICE_NAME]),
            from_email=settings.DEFAULT_FROM_EMAIL, to=[digest.recipient.email])
            for digest in digests if digest.recipient.email
            for body in [lines.get(digest.pk, [])] if body]
        NotificationDigest.objects.filter(pk__in=[d.pk for d in digests]).update(
            emailed_at=timezone.now())
        sent = send_emails(emails)
    return sent


def send_emails(emails: Iterable[EmailMessage]) -> int:
    """Write to the outbox in the sweep's transaction (issue 12 §1): sent after commit by a
    retried task, so a killed worker or a failing relay delays a notice but never loses it."""
    return len(outbox_enqueue_many(messages=emails, kind="deadline notice"))
