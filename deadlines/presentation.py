"""How a deadline is shown, once, for pages, API and e-mail (issue 9 point 6).

- One status vocabulary (`State`): an open deadline is *overdue*, *due today* or *not yet
  due*; a closed one is *met*, *missed*, *cancelled* or *delay authorised*. Pages show the
  label as a tag, the API gives the key and the label, e-mails the label.
- One countdown (`countdown`): working days through the authority's working-day calendar
  (deadlines.services.calendar_for, so bank holidays and closure days count as in the due
  date itself: DOMAIN §3); clock hours for hour rules.
- Readable rule names from the authority's policy (never a raw rule id).

`present()` decorates a page of deadlines with all of that in a constant number of queries
(the rules and calendar of each authority on the page, read once).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import models
from django.utils import timezone

from deadlines.calendar import WorkingDayCalendar
from deadlines.models import Deadline, DeadlineStatus

if TYPE_CHECKING:
    from deadlines.selectors import PolicySnapshot

LONDON = ZoneInfo("Europe/London")

# Hour rules count down in hours up to two days ahead, then in whole days (clock days: an
# hour rule runs through weekends and holidays, DOMAIN §3). Presentation only.
HOURS_SHOWN = 48


class State(models.TextChoices):
    """The one status vocabulary of a deadline as people see it."""

    OVERDUE = "overdue", "Overdue"
    DUE_TODAY = "due_today", "Due today"
    NOT_YET_DUE = "not_yet_due", "Not yet due"
    MET = "met", "Met"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"
    DELAY_AUTHORISED = "delay_authorised", "Delay authorised"


# MOJ Frontend badge colours for each state (pages only). The words carry the meaning; the
# colour only repeats it (MOJ badges have no orange or yellow: due today is black).
BADGE_CLASS = {
    State.OVERDUE: "moj-badge--red", State.DUE_TODAY: "moj-badge--black",
    State.NOT_YET_DUE: "moj-badge--blue", State.MET: "moj-badge--green",
    State.MISSED: "moj-badge--red", State.CANCELLED: "moj-badge--grey",
    State.DELAY_AUTHORISED: "moj-badge--purple",
}

_CLOSED = {DeadlineStatus.MET: State.MET, DeadlineStatus.MISSED: State.MISSED,
           DeadlineStatus.CANCELLED: State.CANCELLED,
           DeadlineStatus.DELAY_AUTHORISED: State.DELAY_AUTHORISED}


@dataclass(frozen=True)
class Countdown:
    """Where an open deadline stands: its state, the words, and the number behind them
    (working days, or hours for hour rules; negative when overdue)."""

    state: str
    text: str
    working_days: int | None = None
    hours: int | None = None

    @property
    def label(self) -> str:
        return State(self.state).label

    @property
    def badge_class(self) -> str:
        return BADGE_CLASS[State(self.state)]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def countdown(*, status: str, due_date: date, due_at: datetime | None,
              calendar: WorkingDayCalendar, now: datetime | None = None) -> Countdown:
    """"Due today", "3 working days left", "2 working days overdue"; for hour rules
    "5 hours left" / "3 hours overdue". Closed deadlines: their state, no count."""
    if status != DeadlineStatus.OPEN:
        state = _CLOSED[DeadlineStatus(status)]
        return Countdown(state, state.label)
    now = now or timezone.now()
    today = now.astimezone(LONDON).date()
    if due_at is not None:
        # Hour rules: clock hours (DOMAIN §3), rounded towards the person (a part hour left
        # counts as an hour left; a part hour late as an hour late).
        seconds = (due_at - now).total_seconds()
        if seconds < 0:
            hours = math.ceil(-seconds / 3600)
            return Countdown(State.OVERDUE, f"{_plural(hours, 'hour')} overdue", hours=-hours)
        hours = math.ceil(seconds / 3600)
        state = State.DUE_TODAY if due_at.astimezone(LONDON).date() == today \
            else State.NOT_YET_DUE
        if hours > HOURS_SHOWN:  # "134 hours left" reads badly: whole days, as the clock runs
            return Countdown(state, f"{_plural(hours // 24, 'day')} left", hours=hours)
        return Countdown(state, f"{_plural(hours, 'hour')} left", hours=hours)
    if due_date == today:
        return Countdown(State.DUE_TODAY, "Due today", working_days=0)
    if due_date > today:
        days = calendar.working_days_between(today, due_date)
        if days == 0:  # due on a non-working day before the next working day
            return Countdown(State.NOT_YET_DUE, f"Due {due_date:%A} {due_date.day} "
                                                f"{due_date:%B}", working_days=0)
        return Countdown(State.NOT_YET_DUE, f"{_plural(days, 'working day')} left",
                         working_days=days)
    days = calendar.working_days_between(due_date, today)
    if days == 0:  # e.g. due on Saturday, today is Sunday: late, but no working day lost
        return Countdown(State.OVERDUE, f"Overdue since {due_date.day} {due_date:%B}",
                         working_days=0)
    return Countdown(State.OVERDUE, f"{_plural(days, 'working day')} overdue",
                     working_days=-days)


def due_text(due_date: date, due_at: datetime | None) -> str:
    """The due date as written in pages and e-mails."""
    if due_at is not None:
        return due_at.astimezone(LONDON).strftime("%-d %B %Y at %H:%M")
    return due_date.strftime("%-d %B %Y")


class RuleContext:
    """Each authority's rule names and calendar, loaded once per page or e-mail batch (one
    policy snapshot per authority: deadlines.selectors.policy_snapshot)."""

    def __init__(self) -> None:
        self._names: dict[int, dict[str, str]] = {}
        self._calendars: dict[int, WorkingDayCalendar] = {}

    def _load(self, authority_id: int) -> None:
        from deadlines.selectors import policy_snapshot

        self.use(authority_id, policy_snapshot(authority_id))

    def use(self, authority_id: int, snapshot: PolicySnapshot) -> None:
        """The authority's names and calendar from a snapshot the page already read."""
        self._names[authority_id] = {r: spec.name for r, spec in snapshot.rules.items()}
        self._calendars[authority_id] = snapshot.calendar

    def rule_name(self, authority_id: int, rule_id: str) -> str:
        if authority_id not in self._names:
            self._load(authority_id)
        return self._names[authority_id].get(rule_id) or rule_id.replace("_", " ").capitalize()

    def calendar(self, authority_id: int) -> WorkingDayCalendar:
        if authority_id not in self._calendars:
            self._load(authority_id)
        return self._calendars[authority_id]


def rule_names(authority_id: int) -> dict[str, str]:
    """rule id → readable name in the authority's policy."""
    from deadlines.selectors import policy_snapshot

    return {r: spec.name for r, spec in policy_snapshot(authority_id).rules.items()}


def present(deadlines: Iterable[Deadline], *, now: datetime | None = None,
            links: bool = True, context: RuleContext | None = None) -> list[Deadline]:
    """Give each deadline `rule_name`, `countdown` (with state and label), `due_text`,
    `child_url` (its child's deadlines tab) and, with `links`, `action` and `action_url`
    (deadlines.worklinks): the whole page in a constant number of queries."""
    from deadlines import worklinks

    now = now or timezone.now()
    context = context or RuleContext()
    items = list(deadlines)
    # Each countdown and due date's words worked out once per page (issue 13 §2: a page's
    # rows share a few due dates, most of them one); a Countdown is immutable.
    shown: dict[tuple[object, ...], tuple[Countdown, str]] = {}
    for d in items:
        d.rule_name = context.rule_name(d.authority_id, d.rule_id)  # type: ignore[attr-defined]
        key = (d.authority_id, d.status, d.due_date, d.due_at)
        found = shown.get(key)
        if found is None:
            found = shown[key] = (
                countdown(status=d.status, due_date=d.due_date, due_at=d.due_at,
                          calendar=context.calendar(d.authority_id), now=now),
                due_text(d.due_date, d.due_at))
        d.countdown, d.due_text = found  # type: ignore[attr-defined]
        # Issue 13 §2: reversed once per page, not once per row in the template.
        d.child_url = worklinks.child_deadlines_url(d.child_id)  # type: ignore[attr-defined]
        if links:
            link = worklinks.link_for(d)
            d.action, d.action_url = link.action, link.url  # type: ignore[attr-defined]
    return items


def state_filter(state: str, *, now: datetime | None = None, today: date | None = None
                 ) -> models.Q:
    """The deadlines in a state (or "open": any open one), as a query: the same boundaries
    as `countdown`, so a filter and a tag never disagree. `today` is `now`'s day in London
    unless given (a compiled query passes a marker for each: cpcases.core.compiled)."""
    now = now or timezone.now()
    today = today or now.astimezone(LONDON).date()
    is_open = models.Q(status=DeadlineStatus.OPEN)
    hour_rule = models.Q(due_at__isnull=False)
    day_rule = models.Q(due_at__isnull=True)
    overdue = is_open & ((hour_rule & models.Q(due_at__lt=now))
                         | (day_rule & models.Q(due_date__lt=today)))
    if state == "open":
        return is_open
    if state == State.OVERDUE:
        return overdue
    if state == State.DUE_TODAY:
        return is_open & models.Q(due_date=today) & ~overdue
    if state == State.NOT_YET_DUE:
        return is_open & models.Q(due_date__gt=today)
    for status, closed in _CLOSED.items():
        if state == closed:
            return models.Q(status=status)
    raise ValueError(f"Unknown state {state!r}")


# The filter choices of pages and API: the vocabulary, plus "open" (any open deadline).
STATE_FILTER_CHOICES = [("open", "Open (any)"), *State.choices]
