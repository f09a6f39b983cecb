"""Writes to deadlines and to the authority's policy. Other apps call these; they never
compute a due date themselves (STYLE: business rules live in one place).

Every write checks its preconditions, writes in one transaction (pghistory's triggers record
who changed what), recomputes the sweep's next action, and leaves notices to the sweep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from cpcases.accounts.models import Authority, User
from cpcases.accounts.roles import MANAGEMENT_LADDER, Capability
from cpcases.children.models import Child
from cpcases.children.scoping import visible_children
from cpcases.core.errors import NotPermitted, ServiceError
from deadlines import closures, holders
from deadlines.calendar import WorkingDayCalendar
from deadlines.models import (
    REASSIGNED,
    AuthorityPolicy,
    ClosureDay,
    ClosureDayChange,
    Deadline,
    DeadlineReassignment,
    DeadlineStatus,
    Escalation,
    Notification,
    NotificationDigest,
    PolicyProfile,
    RuleOverride,
)
from deadlines.policy import (
    LADDER,
    QUEUE_HOLDERS,
    RULE_FIELDS,
    RULE_IDS,
    Direction,
    Level,
    RuleSpec,
    Unit,
)
from deadlines.policy import lifecycle as lifecycle_of
from deadlines.selectors import EffectiveRule, effective_rule, effective_rules, icpc_delay_role

LONDON = ZoneInfo("Europe/London")

Anchor = date | datetime


# --- the calendar -------------------------------------------------------------------------------


def calendar_for(authority: Authority | int) -> WorkingDayCalendar:
    """The authority's working-day calendar: England's plus its closure days (DOMAIN §3)."""
    return closures.calendar_for(authority)


# --- due dates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """When a deadline falls due: a day, and for hour rules also the moment."""

    date: date
    at: datetime | None = None

    @property
    def value(self) -> date | datetime:
        return self.at if self.at is not None else self.date


def start_of_day(d: date) -> datetime:
    """Midnight in Europe/London (it exists on both clock-change days)."""
    return datetime.combine(d, time(0), tzinfo=LONDON)


def _anchor_parts(anchor: Anchor) -> tuple[date, datetime | None]:
    if isinstance(anchor, datetime):
        if timezone.is_naive(anchor):
            raise ServiceError("A date and time anchor must carry its time zone.")
        return anchor.astimezone(LONDON).date(), anchor
    return anchor, None


def compute_due(rule: RuleSpec, anchor: Anchor, calendar: WorkingDayCalendar, *,
                variant: str = "") -> Due:
    """DOMAIN §3: working days through the authority's calendar; months by calendar
    arithmetic clamped to the month's end; hours in clock hours in Europe/London."""
    offset = rule.variants.get(variant, rule.offset) if variant else rule.offset
    if variant and variant not in rule.variants:
        raise ServiceError(f"The rule {rule.rule_id} has no variant {variant!r}.")
    sign = -1 if rule.direction == Direction.BEFORE else 1
    anchor_date, anchor_at = _anchor_parts(anchor)
    if rule.unit == Unit.HOURS:
        # A date alone is read as the start of that day.
        start = anchor_at or start_of_day(anchor_date)
        # Clock hours: arithmetic in UTC, shown in London time (a 24-hour rule across the
        # October change ends at 23 wall-clock hours later).
        at = (start.astimezone(ZoneInfo("UTC")) + sign * timedelta(hours=offset)
              ).astimezone(LONDON)
        return Due(at.date(), at)
    if rule.unit == Unit.WORKING_DAYS:
        return Due(calendar.add_working_days(anchor_date, sign * offset))
    if rule.unit == Unit.CALENDAR_DAYS:
        return Due(anchor_date + timedelta(days=sign * offset))
    if rule.unit == Unit.WEEKS:
        return Due(anchor_date + timedelta(weeks=sign * offset))
    if rule.unit == Unit.MONTHS:
        return Due(anchor_date + relativedelta(months=sign * offset))
    raise ServiceError(f"Unknown unit {rule.unit!r} in rule {rule.rule_id}.")


def due_date_for(authority: Authority | int, rule_id: str, anchor: Anchor, *,
                 variant: str = "") -> date | datetime:
    """The due date (a datetime for hour rules) under the authority's policy, without saving:
    e.g. to show business support which slots fall inside the ICPC deadline."""
    return compute_due(_rule(authority, rule_id), anchor, calendar_for(authority),
                       variant=variant).value


def _rule(authority: Authority | int, rule_id: str) -> EffectiveRule:
    try:
        return effective_rule(authority, rule_id)
    except KeyError as exc:
        raise ServiceError(f"There is no timescale rule called {rule_id!r}.") from exc


# --- the escalation ladder's timetable ----------------------------------------------------------


def action_times(rule: RuleSpec, due: Due, calendar: WorkingDayCalendar
                 ) -> dict[str, datetime]:
    """When each notice of the ladder is due (DOMAIN §4): a reminder before the due date, the
    breach notice when it passes, then the service manager and the head of service after
    further working days. Day rules act at midnight, Europe/London."""
    times: dict[str, datetime] = {}
    if due.at is not None:
        if rule.reminder_before:
            times[Level.REMINDER] = due.at - timedelta(hours=rule.reminder_before)
        times[Level.BREACH] = due.at
    else:
        if rule.reminder_before:
            times[Level.REMINDER] = start_of_day(
                calendar.add_working_days(due.date, -rule.reminder_before))
        # "Met when the event happens on or before that day": breached once the day is over.
        times[Level.BREACH] = start_of_day(due.date + timedelta(days=1))
    for level, after in ((Level.SERVICE_MANAGER, rule.service_manager_after),
                         (Level.HEAD_OF_SERVICE, rule.head_of_service_after)):
        if after:
            times[level] = start_of_day(
                calendar.add_working_days(due.date, after) + timedelta(days=1))
    return times


def next_action(times: dict[str, datetime], *, after: str | None, now: datetime,
                done: set[str] = frozenset()) -> tuple[str, datetime | None]:
    """The next notice to send after `after` (None: from the start of the ladder), skipping
    levels already sent; a reminder is pointless once the breach time has passed."""
    start = LADDER.index(after) + 1 if after else 0
    for level in LADDER[start:]:
        if level not in times or level in done:
            continue
        if level == Level.REMINDER and times.get(Level.BREACH, now) <= now:
            continue
        return level, times[level]
    return "", None


# --- deadlines ----------------------------------------------------------------------------------


def _subject_key(subject: models.Model | None) -> tuple[ContentType | None, int | None]:
    if subject is None:
        return None, None
    if subject.pk is None:
        raise ServiceError("Save the record before setting its deadlines.")
    return ContentType.objects.get_for_model(subject), subject.pk


def _holding(child: Child, rule_id: str, subject: models.Model | None) -> holders.Holding:
    """Who must act on the rule for this child now (policy LIFECYCLES' holder)."""
    return holders.resolve(child, lifecycle_of(rule_id).holder, subject)


def _schedule(deadline: Deadline, rule: RuleSpec, calendar: WorkingDayCalendar,
              now: datetime) -> None:
    """Set next_action_at/next_level for an open deadline from the start of its ladder,
    leaving out notices already sent for this due date."""
    if deadline.status != DeadlineStatus.OPEN:
        deadline.next_action_at, deadline.next_level = None, ""
        return
    done = set()
    if deadline.pk:
        done = set(Escalation.objects.filter(deadline=deadline, due_date=deadline.due_date)
                   .values_list("level", flat=True))
    due = Due(deadline.due_date, deadline.due_at)
    level, at = next_action(action_times(rule, due, calendar), after=None, now=now, done=done)
    deadline.next_level, deadline.next_action_at = level, at


def _is_late(deadline: Deadline, at: datetime) -> bool:
    if deadline.due_at is not None:
        return at > deadline.due_at
    return at.astimezone(LONDON).date() > deadline.due_date


@transaction.atomic
def deadline_set(*, child: Child, rule_id: str, anchor: Anchor,
                 subject: models.Model | None = None, responsible: User | None = None,
                 user: User | None = None, variant: str = "") -> Deadline:
    """Create the deadline for (child, rule, subject), or recompute it when its anchor moved
    (a rescheduled conference, a corrected strategy discussion date: DOMAIN §4).

    `responsible` defaults to the child's allocated social worker (or team manager for the
    rules a manager owns). A met deadline whose anchor moves is re-judged met or missed.
    """
    rule = _rule(child.authority_id, rule_id)
    calendar = calendar_for(child.authority)
    due = compute_due(rule, anchor, calendar, variant=variant)
    anchor_date, anchor_at = _anchor_parts(anchor)
    content_type, object_id = _subject_key(subject)
    now = timezone.now()
    deadline = (Deadline.objects.select_for_update()
                .filter(child=child, rule_id=rule_id, content_type=content_type,
                        object_id=object_id)
                .exclude(status=DeadlineStatus.CANCELLED).order_by("-id").first())
    if deadline is None or deadline.status == DeadlineStatus.OPEN:
        # The policy names who must act: whoever holds that role now (a queue has nobody in
        # particular). `responsible` is only a fallback when nobody holds a person's role.
        holding = _holding(child, rule_id, subject)
        holder = lifecycle_of(rule_id).holder
        person = holding.user or (None if holder in QUEUE_HOLDERS else responsible)
        if deadline is None:
            deadline = Deadline(authority_id=child.authority_id, child=child,
                                rule_id=rule_id, content_type=content_type,
                                object_id=object_id, created_by=user)
        deadline.responsible, deadline.holder = person, holder
        deadline.responsible_team_id = holding.team_id
    deadline.variant = variant
    deadline.anchor_date, deadline.anchor_at = anchor_date, anchor_at
    deadline.due_date, deadline.due_at = due.date, due.at
    deadline.updated_by = user
    if deadline.met_at is not None and deadline.status in (DeadlineStatus.MET,
                                                           DeadlineStatus.MISSED):
        deadline.status = (DeadlineStatus.MISSED if _is_late(deadline, deadline.met_at)
                           else DeadlineStatus.MET)
    _schedule(deadline, rule, calendar, now)
    deadline.save()
    return deadline


def _find(deadline: Deadline | None, child: Child | None, rule_id: str | None,
          subject: models.Model | None) -> Deadline:
    if deadline is not None:
        found = Deadline.objects.select_for_update().filter(pk=deadline.pk).first()
    else:
        if child is None or rule_id is None:
            raise ServiceError("Name the deadline, or its child and rule.")
        content_type, object_id = _subject_key(subject)
        found = (Deadline.objects.select_for_update()
                 .filter(child=child, rule_id=rule_id, content_type=content_type,
                         object_id=object_id)
                 .exclude(status=DeadlineStatus.CANCELLED).order_by("-id").first())
    if found is None:
        raise ServiceError("There is no such deadline.")
    return found


def _close(deadline: Deadline, user: User | None, **fields: Any) -> Deadline:
    for name, value in fields.items():
        setattr(deadline, name, value)
    deadline.next_action_at, deadline.next_level = None, ""
    deadline.updated_by = user
    deadline.save()
    return deadline


@transaction.atomic
def deadline_meet(*, deadline: Deadline | None = None, child: Child | None = None,
                  rule_id: str | None = None, subject: models.Model | None = None,
                  at: datetime | None = None, user: User | None = None) -> Deadline:
    """Record that the event happened at `at` (default now): met if on time, otherwise
    missed, keeping met_at (DOMAIN §4). A delay-authorised deadline keeps that status."""
    deadline = _find(deadline, child, rule_id, subject)
    if deadline.status == DeadlineStatus.CANCELLED:
        raise ServiceError("This deadline was cancelled.")
    at = at or timezone.now()
    if deadline.status == DeadlineStatus.DELAY_AUTHORISED:
        return _close(deadline, user, met_at=at)
    status = DeadlineStatus.MISSED if _is_late(deadline, at) else DeadlineStatus.MET
    return _close(deadline, user, met_at=at, status=status)


@transaction.atomic
def deadline_miss(*, deadline: Deadline | None = None, child: Child | None = None,
                  rule_id: str | None = None, subject: models.Model | None = None,
                  reason: str, user: User | None = None, event: str = "") -> Deadline:
    """Close an open deadline that will never be met (missed, with no met_at), with the
    reason; `event` names what ended it (deadlines.lifecycle). No notice follows: the sweep
    only reads open deadlines."""
    if not reason.strip():
        raise ServiceError("Give the reason the deadline is missed.")
    deadline = _find(deadline, child, rule_id, subject)
    if deadline.status != DeadlineStatus.OPEN:
        raise ServiceError("Only an open deadline can be closed as missed.")
    return _close(deadline, user, status=DeadlineStatus.MISSED, cancelled_reason=reason,
                  cancelled_at=timezone.now(), ended_by_event=event)


@transaction.atomic
def deadline_cancel(*, deadline: Deadline | None = None, child: Child | None = None,
                    rule_id: str | None = None, subject: models.Model | None = None,
                    reason: str, user: User | None = None, event: str = "") -> Deadline:
    """The anchor was undone (e.g. the conference was cancelled): no further notices."""
    if not reason.strip():
        raise ServiceError("Give the reason the deadline is cancelled.")
    deadline = _find(deadline, child, rule_id, subject)
    if deadline.status == DeadlineStatus.CANCELLED:
        return deadline
    return _close(deadline, user, status=DeadlineStatus.CANCELLED,
                  cancelled_at=timezone.now(), cancelled_reason=reason, ended_by_event=event)


def may_authorise_delay(user: User, deadline: Deadline) -> bool:
    """ICPC beyond 15 working days: the policy's role or above (000: head of service; 002
    §3.5, 003: team manager). Other rules: any manager. Always within the user's scope."""
    if not user.can(Capability.AUTHORISE_DELAY):
        return False
    if deadline.rule_id == "icpc":
        required = icpc_delay_role(deadline.authority_id)
        if required in MANAGEMENT_LADDER:
            if user.role not in MANAGEMENT_LADDER:
                return False
            return MANAGEMENT_LADDER.index(user.role) >= MANAGEMENT_LADDER.index(required)
        return user.role == required
    return True


@transaction.atomic
def deadline_authorise_delay(*, deadline: Deadline | None = None, child: Child | None = None,
                             rule_id: str | None = None, subject: models.Model | None = None,
                             by: User, reason: str) -> Deadline:
    """A written authorisation to go beyond the deadline, with reasons (000, 002 §3.5)."""
    deadline = _find(deadline, child, rule_id, subject)
    if not visible_children(by).filter(pk=deadline.child_id).exists():
        raise NotPermitted("You do not have access to this child's record.")
    if not may_authorise_delay(by, deadline):
        raise NotPermitted(f"A {by.role_label.lower()} cannot authorise this delay.")
    if deadline.status != DeadlineStatus.OPEN:
        raise ServiceError("Only an open deadline can be delayed.")
    if not reason.strip():
        raise ServiceError("Give the reasons for the delay.")
    return _close(deadline, by, status=DeadlineStatus.DELAY_AUTHORISED,
                  delay_authorised_by=by, delay_authorised_at=timezone.now(),
                  delay_reason=reason)


def _recompute(deadlines: models.QuerySet[Deadline], user: User | None) -> int:
    count = 0
    for deadline in deadlines.select_related("child"):
        anchor = deadline.anchor_at or deadline.anchor_date
        deadline_set(child=deadline.child, rule_id=deadline.rule_id, anchor=anchor,
                     subject=deadline.subject, user=user, variant=deadline.variant)
        count += 1
    return count


@transaction.atomic
def deadlines_recompute_for(subject: models.Model, *, user: User | None = None) -> int:
    """Recompute the subject's open deadlines from their stored anchors (after a policy or
    calendar change). Returns how many were recomputed."""
    content_type, object_id = _subject_key(subject)
    return _recompute(Deadline.objects.filter(content_type=content_type, object_id=object_id,
                                              status=DeadlineStatus.OPEN), user)


@transaction.atomic
def deadlines_recompute_for_authority(authority: Authority, *, rule_id: str | None = None,
                                      user: User | None = None) -> int:
    """After the authority changes its policy or closure days: its open deadlines again."""
    deadlines = Deadline.objects.filter(authority=authority, status=DeadlineStatus.OPEN)
    if rule_id:
        deadlines = deadlines.filter(rule_id=rule_id)
    return _recompute(deadlines, user)


# --- policy ------------------------------------------------------------------------------------


def _require_policy_admin(user: User, authority: Authority) -> None:
    if not user.can(Capability.MANAGE_POLICY) or user.authority_id != authority.pk:
        raise NotPermitted("Only the authority's administrators may change its policy.")


@transaction.atomic
def policy_choose_profile(*, authority: Authority, profile: PolicyProfile,
                          user: User) -> AuthorityPolicy:
    """The authority follows `profile`; its own overrides stay on top. Open deadlines are
    recomputed."""
    _require_policy_admin(user, authority)
    choice, _ = AuthorityPolicy.objects.update_or_create(
        authority=authority, defaults={"profile": profile, "updated_by": user})
    deadlines_recompute_for_authority(authority, user=user)
    return choice


OVERRIDE_FIELDS = tuple(f for f in RULE_FIELDS if f != "variants")


@transaction.atomic
def policy_override_rule(*, authority: Authority, rule_id: str, user: User, reason: str,
                         **values: Any) -> RuleOverride:
    """The authority's own value for one rule (any field), with the reason; history kept."""
    _require_policy_admin(user, authority)
    if rule_id not in RULE_IDS:
        raise ServiceError(f"There is no timescale rule called {rule_id!r}.")
    if not reason.strip():
        raise ServiceError("Give the reason for the change.")
    unknown = set(values) - set(OVERRIDE_FIELDS) - {"variants"}
    if unknown:
        raise ServiceError(f"Unknown rule fields: {', '.join(sorted(unknown))}.")
    current = effective_rules(authority)[rule_id]
    data = {f: getattr(current, f) for f in RULE_FIELDS}
    variants = values.pop("variants", None)
    data.update(values)
    if variants is not None:
        # Named alternatives (the strategy discussion's urgency: 1/3/5 working days) are
        # overridden like any other value; the names stay the policy's.
        extra = set(variants) - set(current.variants)
        if extra:
            raise ServiceError(f"The rule {rule_id} has no variant "
                               f"{', '.join(sorted(extra))}.")
        if any(not isinstance(v, int) or v < 0 for v in variants.values()):
            raise ServiceError("Each variant is a whole number of the rule's unit.")
        data["variants"] = {**current.variants, **variants}
    if data["unit"] not in Unit.values or data["direction"] not in Direction.values:
        raise ServiceError("Choose a unit and a direction from the list.")
    if data["head_of_service_after"] and data["service_manager_after"] \
            and data["head_of_service_after"] <= data["service_manager_after"]:
        raise ServiceError("The head of service is told after the service manager.")
    override, _ = RuleOverride.objects.update_or_create(
        authority=authority, rule_id=rule_id,
        defaults={**data, "reason": reason, "updated_by": user})
    deadlines_recompute_for_authority(authority, rule_id=rule_id, user=user)
    return override


@transaction.atomic
def policy_remove_override(*, authority: Authority, rule_id: str, user: User) -> None:
    """Back to the profile's value (the deletion is in the history)."""
    _require_policy_admin(user, authority)
    RuleOverride.objects.filter(authority=authority, rule_id=rule_id).delete()
    deadlines_recompute_for_authority(authority, rule_id=rule_id, user=user)


# --- notifications ------------------------------------------------------------------------------


@transaction.atomic
def notifications_mark_read(*, user: User, notification_id: int | None = None,
                            notification_ids: list[int] | None = None,
                            digest_ids: list[int] | None = None) -> int:
    """Mark the user's notices read: one, several (and whole digests, with their notices), or
    with no ids at all, everything. Never anyone else's. Returns the entries marked."""
    now = timezone.now()
    digests = NotificationDigest.objects.filter(recipient=user, read_at__isnull=True)
    notices = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        notification_ids = [*(notification_ids or []), notification_id]
    if notification_ids is None and digest_ids is None:  # everything
        loose = notices.filter(digest__isnull=True).count()
        notices.update(read_at=now)
        return digests.update(read_at=now) + loose
    marked = 0
    if digest_ids:
        chosen = list(digests.filter(pk__in=digest_ids).values_list("pk", flat=True))
        notices.filter(digest_id__in=chosen).update(read_at=now)
        marked += digests.filter(pk__in=chosen).update(read_at=now)
    if notification_ids:
        chosen = notices.filter(pk__in=notification_ids)
        touched = set(chosen.exclude(digest__isnull=True).values_list("digest_id", flat=True))
        marked += chosen.update(read_at=now)
        # A digest with nothing left unread is read.
        digests.filter(pk__in=touched).exclude(
            items__read_at__isnull=True).update(read_at=now)
    return marked


# --- moving deadlines with their holders ------------------------------------------------------


def _reassign_text(deadline: Deadline, *, to_you: bool, other: User | None,
                   reason: str) -> str:
    rule = lifecycle_rule_name(deadline)
    child = deadline.child
    who = (f"child {child.la_child_id}" if child.is_restricted
           else f"{child.display_name} ({child.la_child_id})")
    due = deadline.due_date.strftime("%-d %B %Y")
    if to_you:
        was = f", previously with {other}" if other else ""
        return f"Now yours: {rule} for {who}, due {due}{was}. {reason}"
    now = f" It is now with {other}." if other else " It is now in the team's queue."
    return f"No longer yours: {rule} for {who}, due {due}.{now} {reason}"


def lifecycle_rule_name(deadline: Deadline) -> str:
    try:
        return effective_rule(deadline.authority_id, deadline.rule_id).name
    except KeyError:
        return deadline.rule_id


@transaction.atomic
def deadlines_reassign_for(*, child: Child | None = None, conference: models.Model | None = None,
                           actor: User | None, reason: str) -> int:
    """Move the open deadlines of a child (or of a conference's children) to whoever holds
    each rule's role now (deadlines.policy.LIFECYCLES), after the allocation, the lead social
    worker, the chair or the team changed. Each move is recorded (DeadlineReassignment, with
    the reason; the row history too) and both the old and the new holder are told in the
    service and by e-mail (one e-mail each, on commit). Returns how many moved."""
    if child is None and conference is None:
        raise ServiceError("Name the child or the conference whose deadlines move.")
    if not reason.strip():
        raise ServiceError("Give the reason the deadlines move.")
    queryset = Deadline.objects.select_for_update(of=("self",)).filter(
        status=DeadlineStatus.OPEN)
    if child is not None:
        queryset = queryset.filter(child=child)
    if conference is not None:
        ids = list(conference.children.values_list("pk", flat=True))  # type: ignore[attr-defined]
        queryset = queryset.filter(child_id__in=ids)
    moved = 0
    notices: list[Notification] = []
    mail: dict[int, tuple[User, list[str]]] = {}
    for deadline in queryset.select_related("child", "responsible").order_by("id"):
        holder = deadline.holder or lifecycle_of(deadline.rule_id).holder
        holding = holders.resolve(deadline.child, holder, deadline.subject)
        person = holding.user
        if holder not in QUEUE_HOLDERS and person is None:
            person = deadline.responsible  # nobody holds the role: leave it where it is
        if (person.pk if person else None) == deadline.responsible_id \
                and holding.team_id == deadline.responsible_team_id:
            continue
        old, old_team = deadline.responsible, deadline.responsible_team_id
        deadline.responsible, deadline.holder = person, holder
        deadline.responsible_team_id, deadline.updated_by = holding.team_id, actor
        deadline.save(update_fields=["responsible", "holder", "responsible_team",
                                     "updated_by", "updated_at"])
        DeadlineReassignment.objects.create(deadline=deadline, from_user=old, to_user=person,
                                            from_team_id=old_team, to_team_id=holding.team_id,
                                            reason=reason, actor=actor)
        moved += 1
        for recipient, to_you, other in ((old, False, person), (person, True, old)):
            if recipient is None or (old == person):
                continue
            text = _reassign_text(deadline, to_you=to_you, other=other, reason=reason)
            notices.append(Notification(recipient=recipient, deadline=deadline,
                                        level=REASSIGNED, text=text))
            if recipient.email and recipient.is_active:
                mail.setdefault(recipient.pk, (recipient, []))[1].append(text)
    Notification.objects.bulk_create(notices)
    if mail:
        from django.conf import settings
        from django.core.mail import EmailMessage

        from deadlines.notifications import send_emails

        emails = [EmailMessage(subject="Deadlines moved", body="\n".join(
            ["Deadlines have moved to or from you:", "", *lines, "",
             settings.SERVICE_NAME]), from_email=settings.DEFAULT_FROM_EMAIL,
            to=[person.email]) for person, lines in mail.values()]
        send_emails(emails)  # the outbox: in this transaction
    return moved


# --- deadlines born missed ---------------------------------------------------------------------


@dataclass(frozen=True)
class Impossible:
    """A deadline that would already be past the moment it is set."""

    rule_id: str
    name: str
    due: date | datetime

    def describe(self) -> str:
        if isinstance(self.due, datetime):
            return f"{self.name} (due {self.due.astimezone(LONDON):%-d %B %Y at %H:%M})"
        return f"{self.name} (due {self.due:%-d %B %Y})"


def deadlines_impossible(authority: Authority, anchors: dict[str, Anchor], *,
                         now: datetime | None = None) -> list[Impossible]:
    """Which of these rules (rule id → anchor) would be overdue as soon as they are set: e.g.
    the preparation deadlines of a conference booked for the same day. The caller shows them
    before confirming and records them missed with the reason given (issue 9 point 5)."""
    now = now or timezone.now()
    calendar = calendar_for(authority)
    rules = effective_rules(authority)
    found = []
    for rule_id, anchor in anchors.items():
        rule = rules[rule_id]
        due = compute_due(rule, anchor, calendar)
        late = (now > due.at) if due.at is not None else (now.astimezone(LONDON).date()
                                                         > due.date)
        if late:
            found.append(Impossible(rule_id, rule.name, due.value))
    return found


def deadlines_record_impossible(*, child: Child, rule_ids: list[str], subject: models.Model,
                                reason: str, user: User | None) -> list[Deadline]:
    """Close as missed, with the reason, the just-set deadlines that could never be met: no
    notice follows (the sweep reads only open deadlines)."""
    content_type, object_id = _subject_key(subject)
    closed = []
    for deadline in Deadline.objects.filter(child=child, rule_id__in=rule_ids,
                                            content_type=content_type, object_id=object_id,
                                            status=DeadlineStatus.OPEN):
        if deadline.is_overdue:
            closed.append(deadline_miss(deadline=deadline, reason=reason, user=user))
    return closed


# --- closure days (configuration without code) ------------------------------------------------


@transaction.atomic
def closure_day_add(*, authority: Authority, on: date, reason: str, user: User
                    ) -> ClosureDay:
    """The authority is closed on `on` (DOMAIN §3, e.g. 24 December); its open deadlines are
    recomputed at once. Administrators only."""
    _require_policy_admin(user, authority)
    if not reason.strip():
        raise ServiceError("Give the reason the authority is closed that day.")
    if ClosureDay.objects.filter(authority=authority, date=on).exists():
        raise ServiceError(f"{on:%-d %B %Y} is already a closure day.")
    day = ClosureDay.objects.create(authority=authority, date=on, reason=reason.strip())
    count = deadlines_recompute_for_authority(authority, user=user)
    ClosureDayChange.objects.create(authority=authority, date=on, reason=reason.strip(),
                                    action=ClosureDayChange.Action.ADDED, user=user,
                                    recomputed=count)
    return day


@transaction.atomic
def closure_day_remove(*, authority: Authority, closure_day: ClosureDay, reason: str,
                       user: User) -> int:
    """The authority is open that day after all; its open deadlines are recomputed."""
    _require_policy_admin(user, authority)
    if closure_day.authority_id != authority.pk:
        raise NotPermitted("That closure day belongs to another authority.")
    if not reason.strip():
        raise ServiceError("Give the reason the day is no longer a closure day.")
    on = closure_day.date
    closure_day.delete()
    count = deadlines_recompute_for_authority(authority, user=user)
    ClosureDayChange.objects.create(authority=authority, date=on, reason=reason.strip(),
                                    action=ClosureDayChange.Action.REMOVED, user=user,
                                    recomputed=count)
    return count
