""""My work", the home page of every role (issue 9 point 7): the signed-in user's open
deadlines in four groups (overdue, due today, due this week, later), and the queues of their
role that the workflow apps register (approvals, consultations to assign, dates to offer…).

Bounded whatever the caseload: each group is one count (all four in one aggregate query)
and its first few items; each queue one count and its first few items. Every queryset starts
from the user's scope (deadlines_visible / the workflow apps' own scoped queue selectors).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    F,
    Field,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.safestring import SafeString

from cpcases.accounts.models import User
from cpcases.accounts.roles import Capability, Role
from cpcases.children.models import Child
from cpcases.children.scoping import visible_children_sql
from cpcases.core import compiled
from cpcases.core.addresses import reversed_once
from deadlines.models import Deadline, DeadlineStatus
from deadlines.presentation import LONDON, RuleContext, State, present, state_filter
from deadlines.selectors import POLICY_VERSION_SQL

FIRST_ITEMS = 5

# The columns a deadline list needs (pages, My work, API): nothing else is read.
DEADLINE_COLUMNS = (
    "id", "authority_id", "child_id", "rule_id", "content_type_id", "object_id", "due_date",
    "due_at", "status", "responsible_id", "met_at", "anchor_date", "anchor_at",
    "cancelled_at", "cancelled_reason", "delay_authorised_by_id", "delay_authorised_at",
    "delay_reason",
    "child__id", "child__first_name", "child__last_name", "child__la_child_id",
    "child__is_restricted", "child__is_unborn",
    "responsible__id", "responsible__full_name", "responsible__username",
    "delay_authorised_by__id", "delay_authorised_by__full_name",
    "delay_authorised_by__username",
)


def slim(deadlines: QuerySet[Deadline]) -> QuerySet[Deadline]:
    """The deadlines with their child and responsible person, only the columns shown. The
    subject's type comes from Django's content type cache (worklinks, the API), not a join
    and a row per deadline (issue 13 §2)."""
    return deadlines.select_related("child", "responsible",
                                    "delay_authorised_by").only(*DEADLINE_COLUMNS)


def child_label(child: Child) -> str:
    """A child as lists name them: a restricted record by its ID alone."""
    if child.is_restricted:
        return f"Child {child.la_child_id}"
    return f"{child.display_name} ({child.la_child_id})"


# --- the groups ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupSpec:
    key: str
    title: str
    empty: str


GROUPS = (
    GroupSpec("overdue", "Overdue", "Nothing is overdue."),
    GroupSpec("due_today", "Due today", "Nothing is due today."),
    GroupSpec("this_week", "Due this week", "Nothing else is due this week."),
    GroupSpec("later", "Later", "Nothing later."),
)
GROUP_KEYS = tuple(g.key for g in GROUPS)


def end_of_week(today: date) -> date:
    """The Sunday ending this week: "due this week" runs to the end of it."""
    return today + timedelta(days=6 - today.weekday())


def group_filter(key: str, *, now: datetime) -> Q:
    """The open deadlines in one group; the groups never overlap and cover every open one."""
    today = now.astimezone(LONDON).date()
    week_end = end_of_week(today)
    if key == "overdue":
        return state_filter(State.OVERDUE, now=now)
    if key == "due_today":
        return state_filter(State.DUE_TODAY, now=now)
    if key == "this_week":
        return state_filter(State.NOT_YET_DUE, now=now) & Q(due_date__lte=week_end)
    if key == "later":
        return state_filter(State.NOT_YET_DUE, now=now) & Q(due_date__gt=week_end)
    raise ValueError(f"Unknown group {key!r}")


@dataclass
class Group:
    key: str
    title: str
    empty: str
    count: int
    items: list[Deadline]
    show_all_url: str

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)


def _team_rules(user: User) -> tuple[str, ...]:
    """Business support's team queue: the rules whose responsible role is business support
    (nobody named yet: anyone in the team may pick one up). None for other roles."""
    from deadlines.selectors import effective_rules

    if user.role != Role.BUSINESS_SUPPORT or not user.authority_id:
        return ()
    return tuple(r for r, spec in effective_rules(user.authority_id).items()
                 if spec.responsible_role == Role.BUSINESS_SUPPORT)


def my_deadlines(*, user: User, team_rules: tuple[str, ...] | None = None
                 ) -> QuerySet[Deadline]:
    """The open deadlines the user must act on: theirs, and for business support the team
    queue (a business support rule with nobody named yet: anyone in the team may pick it up).
    Always within the children the user may see. `team_rules`: _team_rules(user), if read."""
    from deadlines.selectors import deadlines_visible

    mine = Q(responsible=user)
    if user.role == Role.BUSINESS_SUPPORT and user.authority_id:
        rules = _team_rules(user) if team_rules is None else team_rules
        mine |= Q(responsible__isnull=True, rule_id__in=list(rules))
    return (deadlines_visible(user=user).filter(mine, status=DeadlineStatus.OPEN)
            .order_by("due_date", "due_at", "id"))


def _group_of(now: datetime, today: date, week_end: date) -> Case:
    """Each open deadline's group key as one CASE: group_filter's conditions, lean because
    the first matching branch wins (so none repeats the ones before it); NULL for a closed
    deadline. `today` and `week_end` are `now`'s (see _dates), passed apart so that the
    compiled query takes each as a parameter."""
    return Case(
        When(~Q(status=DeadlineStatus.OPEN), then=None),
        When(Q(due_at__lt=now) | Q(due_at__isnull=True, due_date__lt=today),
             then=Value("overdue")),
        When(due_date=today, then=Value("due_today")),
        When(due_date__gt=today, due_date__lte=week_end, then=Value("this_week")),
        When(due_date__gt=week_end, then=Value("later")),
        default=None, output_field=CharField())


def _dates(now: datetime) -> dict[str, object]:
    """The values a compiled query's markers stand for (cpcases.core.compiled.MARKERS)."""
    today = now.astimezone(LONDON).date()
    return {"now": now, "today": today, "week_end": end_of_week(today)}


def _first_of_each_group_query(deadlines: QuerySet[Deadline], *, now: datetime, today: date,
                               week_end: date, first: int) -> QuerySet[Deadline]:
    """Rank within the group and count the group, keep the first ranks."""
    order = [F("due_date").asc(), F("due_at").asc(), F("id").asc()]
    return (slim(deadlines).order_by()
            .annotate(work_group=_group_of(now, today, week_end))
            .annotate(group_rank=Window(RowNumber(), partition_by=[F("work_group")],
                                        order_by=order),
                      group_count=Window(Count("id"), partition_by=[F("work_group")]))
            .filter(group_rank__lte=first))


# My work's statement (`_first_rows_query`): narrow rows found once, under these names, and
# read in several places. Each is SQL of constant names only (the values are the ORM's
# parameters, in the named rows' own SQL).
_MINE_IDS = "SELECT id FROM my_work_mine"
_MINE_AND_BREACH_IDS = "SELECT id FROM my_work_mine UNION ALL SELECT id FROM my_work_first_breaches"
_MINE_VALUE = ("SELECT m.{} FROM my_work_mine m "
               'WHERE m.id = "deadlines_deadline"."id"')
_FIRST_BREACHES = "SELECT id FROM my_work_breaches ORDER BY due_date, due_at, id LIMIT {:d}"
_AMONG_FIRST_BREACHES = '"deadlines_deadline"."id" IN (SELECT id FROM my_work_first_breaches)'
_BREACH_TOTAL = "SELECT COUNT(*) FROM my_work_breaches"
_AMONG = '"deadlines_deadline"."id" = ANY(ARRAY({}))'
# The policy's version read with the rows (deadlines.selectors.policy_version_read).


def _unseen(value: object, field: Field[Any, Any]) -> Any:
    """`value` as a parameter in a scalar subquery: the same value, but one whose plan
    PostgreSQL makes without knowing it, for each request's values as for none."""
    return RawSQL("SELECT %s", (value,), output_field=field)


def _first_rows_query(user: User, *, team_rules: tuple[str, ...], first: int, breaches: bool,
                      queues: tuple[WorkQueue, ...] = ()
                      ) -> tuple[QuerySet[Deadline], list[compiled.Named]]:
    """The rows My work shows, whole, in one statement over narrow rows found first (issue 13
    §2: the groups' windows and the breaches' count ran over every row joined to its child
    and people, 300 and 1,421 of them for the benchmark's manager, to keep 20 and 5):
    - `my_work_mine`: the first `first` of each group of the user's deadlines, with the
      group and its count (`_first_of_each_group_query`'s, ids only);
    - `my_work_breaches` (`breaches`): the team's breaches' ids and order, counted once,
      and `my_work_first_breaches` the first `first` of them;
    and only those rows read whole, each carrying its group and count (none for a breach),
    whether it is among the first breaches, the breaches' count, and the count of each of
    `queues` (kept counts: `_queue_count_column`)."""
    mine = _first_of_each_group_query(
        my_deadlines(user=user, team_rules=team_rules), now=compiled.NOW,
        today=compiled.TODAY, week_end=compiled.WEEK_END, first=first)
    named = [compiled.Named("my_work_mine", ("id", "work_group", "group_count"),
                            mine.values_list("id", "work_group", "group_count"))]
    ids = _MINE_IDS
    annotations: dict[str, Any] = {
        "work_group": RawSQL(_MINE_VALUE.format("work_group"), (), CharField()),  # noqa: S611
        "group_count": RawSQL(_MINE_VALUE.format("group_count"), (),  # noqa: S611
                              IntegerField())}
    if breaches:
        # The moment as values the planner does not look into (`_unseen`): then the plan
        # made for a request's values costs what the prepared statement's generic plan
        # costs, and PostgreSQL keeps the generic one instead of planning every run (0.8 ms,
        # as long as the run); the plan is the same either way.
        found = team_breaches(user, now=_unseen(compiled.NOW, DateTimeField()),
                              today=_unseen(compiled.TODAY, DateField())).order_by()
        named += [
            compiled.Named("my_work_breaches", ("id", "due_date", "due_at"),
                           found.values_list("id", "due_date", "due_at")),
            compiled.Named("my_work_first_breaches", ("id",), _FIRST_BREACHES.format(first))]
        ids = _MINE_AND_BREACH_IDS
        annotations["in_breaches"] = RawSQL(_AMONG_FIRST_BREACHES, (),  # noqa: S611
                                            BooleanField())
        annotations["breach_total"] = RawSQL(_BREACH_TOTAL, (), IntegerField())  # noqa: S611
    annotations["policy_version"] = RawSQL(POLICY_VERSION_SQL, (), IntegerField())  # noqa: S611
    for queue in queues:
        annotations[_queue_count_column(queue)] = _counted(queue.items(user))
    among = RawSQL(_AMONG.format(ids), (), BooleanField())  # noqa: S611
    rows = slim(Deadline.objects.filter(among)).annotate(**annotations)
    return rows.order_by("due_date", "due_at", "id"), named


def _queue_count_column(queue: WorkQueue) -> str:
    return f"my_work_queue_{queue.key}"


def _counted(items: QuerySet[Any]) -> RawSQL:
    """The number of a queue's rows as a column: the ORM's SQL of their ids, counted (its
    values are constants of the user and their scope: `WorkQueue.kept_count`)."""
    ids = items.prefetch_related(None).order_by().values_list("pk").query
    sql, params = ids.sql_with_params()
    # The ORM's own SQL and values, nothing from a request.
    return RawSQL(f"SELECT COUNT(*) FROM ({sql}) AS counted", params,  # noqa: S608,S611
                  IntegerField())


@dataclass
class _FirstRows:
    counts: dict[str, int]
    items: dict[str, list[Deadline]]
    breach_count: int = 0
    breaches: list[Deadline] = field(default_factory=list)
    # The kept counts of the user's queues (`queues`), by queue: read with the rows, so
    # missing when there are none.
    queue_counts: dict[str, int] = field(default_factory=dict)


def _first_rows(user: User, *, now: datetime, first: int, breaches: bool,
                queues: tuple[WorkQueue, ...] = ()) -> _FirstRows:
    """The first `first` deadlines of every group, each group's count, with `breaches` the
    team's breaches' count and first rows, and the count of each of `queues` (kept counts,
    issue 13 §2: a round trip of their own before): one statement (`_first_rows_query`),
    compiled once per process for the user's scope, the user, `first`, `breaches` and the
    queues (cpcases.core.compiled), run with `now`'s values."""
    found = _FirstRows({}, {g.key: [] for g in GROUPS})
    team_rules = _team_rules(user)
    if visible_children_sql(user) is None:  # no child in sight: nothing to ask the database
        return found
    # Built once for every user of the scope, the user's id its parameter (decision 96): a
    # web worker serves many users, and compiling it cost each one's first My work 30-50 ms.
    anyone = compiled.as_any_user(user)

    def build() -> compiled.Compiled:
        rows, named = _first_rows_query(anyone, team_rules=team_rules, first=first,
                                        breaches=breaches, queues=queues)
        return compiled.constants_written_in(compiled.compile_with(
            named, rows, {**compiled.MARKERS, "user": compiled.USER}))

    query = compiled.cached(("my_work.rows", visible_children_sql(anyone), user.role,
                             user.authority_id, team_rules, first, breaches,
                             tuple(q.key for q in queues)), build)
    rows = query.instances({**_dates(now), "user": user.pk})
    if rows:  # the same on every row
        found.queue_counts = {q.key: getattr(rows[0], _queue_count_column(q)) for q in queues}
    # In the statement's order already (compiled.compile_with); sorted again, for certainty.
    rows.sort(key=_soonest_first)
    if rows:  # the policy's version came with them: not asked again for this page
        from deadlines.selectors import policy_version_read

        for authority_id in {d.authority_id for d in rows}:
            policy_version_read(authority_id, rows[0].policy_version)  # type: ignore[attr-defined]
    for d in rows:
        group = d.work_group  # type: ignore[attr-defined]
        if group is not None:  # none: a breach, or in no group (a closed deadline)
            found.counts[group] = d.group_count  # type: ignore[attr-defined]
            found.items[group].append(d)
        if breaches:
            found.breach_count = d.breach_total  # type: ignore[attr-defined]
            if d.in_breaches:  # type: ignore[attr-defined]
                found.breaches.append(d)
    return found


_NO_TIME = datetime.min.replace(tzinfo=UTC)


def _soonest_first(d: Deadline) -> tuple[date, bool, datetime, int]:
    """The lists' order (due date, due time with none last, id) as a sort key."""
    return (d.due_date, d.due_at is None, d.due_at or _NO_TIME, d.pk)


def groups(user: User, *, now: datetime, show_all: Callable[[str], str],
           first: int = FIRST_ITEMS, context: RuleContext | None = None,
           found: _FirstRows | None = None) -> list[Group]:
    """Counts and the first items of each group of the user's deadlines: one query (or
    `found`, `_first_rows`' answer already read)."""
    if first:
        if found is None:
            found = _first_rows(user, now=now, first=first, breaches=False)
        counts, items = found.counts, found.items
    else:
        counts = my_deadlines(user=user).order_by().aggregate(**{
            g.key: Count("id", filter=group_filter(g.key, now=now)) for g in GROUPS})
        items = {g.key: [] for g in GROUPS}
    # present() decorates the deadlines themselves: the groups' lists hold them.
    present([d for key in GROUP_KEYS for d in items[key]], now=now, context=context)
    return [Group(spec.key, spec.title, spec.empty, counts.get(spec.key, 0), items[spec.key],
                  show_all(spec.key)) for spec in GROUPS]


# --- queues the workflow apps register ----------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """One thing to do in a queue: what, for whom, by when, and the page where it is done."""

    action: str
    who: str
    url: str
    when: str = ""


@dataclass(frozen=True)
class WorkQueue:
    """A role's queue on "My work". `items(user)` is the app's scoped queue selector;
    `describe` turns one of its rows into a QueueItem without further queries; `url_name`
    is the queue's own page ("show all"), or empty where the first items are all there is
    to see elsewhere."""

    key: str
    title: str
    visible: Callable[[User], bool]
    items: Callable[[User], QuerySet[Any]]
    describe: Callable[[Any], QueueItem]
    url_name: str
    order: int = 50
    empty: str = "Nothing waiting."
    # The queue's SQL depends on nothing but the user (their id, role, authority and scope):
    # its count is kept compiled per user and scope and run prepared (issue 13 §2: building
    # a manager's approvals count through the ORM cost more than asking it).
    kept_count: bool = False


_QUEUES: dict[str, WorkQueue] = {}


def register_queue(queue: WorkQueue) -> None:
    _QUEUES[queue.key] = queue


def queues_for(user: User) -> list[WorkQueue]:
    return sorted((q for q in _QUEUES.values() if q.visible(user)), key=lambda q: q.order)


@dataclass
class QueueView:
    key: str
    title: str
    count: int
    items: list[QueueItem]
    show_all_url: str
    empty: str


def _kept_queues(user: User) -> tuple[WorkQueue, ...]:
    """The user's queues whose count is kept (`WorkQueue.kept_count`), in the page's order:
    counted in My work's statement (`_first_rows`)."""
    return tuple(q for q in sorted(_QUEUES.values(), key=lambda q: q.order)
                 if q.kept_count and q.visible(user))


def _kept_count(queue: WorkQueue, user: User) -> int | None:
    """The queue's count kept compiled (`WorkQueue.kept_count`); None for the ORM's."""
    scope = visible_children_sql(user)
    if not queue.kept_count or scope is None:
        return None
    query = compiled.cached(
        ("my_work.queue", queue.key, user.pk, user.role, user.authority_id, scope),
        lambda: compiled.counted(queue.items(user), {}))
    return query.rows({})[0][0]  # type: ignore[no-any-return]


def _queue_view(queue: WorkQueue, user: User, first: int, count: int | None = None
                ) -> QueueView:
    """The queue's count (`count` if already read) and first rows."""
    if count is None:
        count = _kept_count(queue, user)
    queryset = None
    if count is None:
        queryset = queue.items(user)
        count = queryset.count()
    if count and first:  # the rows through the ORM, only when there are any
        rows = list((queue.items(user) if queryset is None else queryset)[:first])
    else:
        rows = []
    return QueueView(queue.key, queue.title, count, [queue.describe(r) for r in rows],
                     reversed_once(queue.url_name) if queue.url_name else "", queue.empty)


# --- managers: the team's breaches --------------------------------------------------------------


def _sees_team(user: User) -> bool:
    return user.can(Capability.VIEW_TEAM_DEADLINES)


def team_breaches(user: User, *, now: datetime, today: date | None = None
                  ) -> QuerySet[Deadline]:
    """Overdue deadlines of the children in the manager's scope that are someone else's."""
    from deadlines.selectors import deadlines_visible

    return (deadlines_visible(user=user)
            .filter(state_filter(State.OVERDUE, now=now, today=today))
            .exclude(responsible=user).order_by("due_date", "due_at", "id"))


def _first_breaches(user: User, *, now: datetime, first: int) -> tuple[int, list[Deadline]]:
    """How many team breaches there are and the first `first` of them (`_first_rows`)."""
    found = _first_rows(user, now=now, first=first, breaches=True)
    return found.breach_count, found.breaches


@dataclass
class MyWork:
    groups: list[Group]
    queues: list[QueueView] = field(default_factory=list)
    breaches: list[Deadline] = field(default_factory=list)
    breach_count: int = 0
    breaches_url: str = ""
    mine_url: str = ""  # all the user's deadlines

    @property
    def nothing(self) -> bool:
        return not (any(g.count for g in self.groups) or any(q.count for q in self.queues)
                    or self.breach_count)

    @property
    def body(self) -> SafeString:
        """The page's HTML from its counts to its queues (deadlines.mywork_page)."""
        from deadlines.mywork_page import body

        return body(self)


def my_work(*, user: User, now: datetime | None = None, first: int = FIRST_ITEMS) -> MyWork:
    """The user's deadlines by urgency, their role's queues and, for managers, the team's
    breaches: the home page's and the API's one answer."""
    from deadlines.selectors import policy_read_once

    # The policy once for the whole page: the deadlines' names and calendar, and the delay
    # queue's question whether the user may authorise (two reads of its version before).
    with policy_read_once():
        return _my_work(user=user, now=now or timezone.now(), first=first)


def _my_work(*, user: User, now: datetime, first: int) -> MyWork:
    context = RuleContext()  # the rules and calendar, read once for the whole page
    mine_url = reversed_once("deadlines:mine")
    team = _sees_team(user)
    # The groups and the team's breaches from one statement (`_first_rows`).
    found = _first_rows(user, now=now, first=first, breaches=team,
                        queues=_kept_queues(user)) if first else None
    counted = found.queue_counts if found is not None else {}
    work = MyWork(groups=groups(user, now=now, first=first,
                                show_all=lambda key: f"{mine_url}?group={key}",
                                context=context, found=found), mine_url=mine_url)
    work.queues = [_queue_view(q, user, first, counted.get(q.key)) for q in queues_for(user)]
    if team:
        if found is not None:
            work.breach_count = found.breach_count
            work.breaches = present(found.breaches, now=now, context=context)
        else:
            work.breach_count = team_breaches(user, now=now).count()
        work.breaches_url = f"{reversed_once('deadlines:team')}?status={State.OVERDUE}"
    return work


def children_text(children: Iterable[Child]) -> str:
    """The children of a request or conference, as queue items name them."""
    return ", ".join(child_label(c) for c in children) or "No child"
