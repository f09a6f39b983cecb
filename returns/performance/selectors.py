"""Performance figures (issue 16 point 6): by month and by team, for a chosen period, each
number the count of rows of one queryset, so that the drill-down (the same queryset,
filtered) lists exactly the children counted.

Who sees which children (`performance_children`): the performance and data officer the whole
authority (restricted records counted, their names never shown); service managers and heads
of service the children allocated to a team of their own service; team managers their own
team's; everyone else is refused. A child counts under the team that holds them now (their
current allocation): the figures answer "how is this team's caseload doing", and a manager
sees the children a figure counts (docs/decisions.md §30).

Timeliness comes from the deadline engine's stored outcome (met, missed, delay authorised),
never from a number of days typed here: the ICPC (`icpc`), reviews (`first_review`,
`next_review`, `prebirth_first_review`), first core groups (`core_group_first`) and visits
(`child_seen`). Two figures are national measures rather than an authority's timescale: plans
lasting two years or more (DfE CIN census, plans ended in the year) and repeat plans within
two years of the previous one; their two years are the constants below.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from cpcases.accounts.models import Team, User
from cpcases.accounts.roles import Capability, Role
from cpcases.children.models import (
    Allocation,
    BreakGlassAccess,
    Child,
    RestrictedAccess,
    TeamChild,
)
from cpcases.children.scoping import children_in_scope, visible_children
from cpcases.children.scoping import scope_key as children_scope_key
from cpcases.core.compiled import ROW_ID, prepared_cursor

# DfE measures, not authority timescales (the CIN census's "plans lasting two years or more"
# and the "repeat plan within two years" of the children's social care performance tables).
LONG_PLAN_YEARS = 2
REPEAT_PLAN_YEARS = 2

CLOSED = ("met", "missed", "delay_authorised")


def may_view_performance(user: User) -> bool:
    return user.is_authenticated and user.can(Capability.VIEW_PERFORMANCE)


def performance_children(user: User) -> QuerySet[Child]:
    """The children whose figures the user may see (module docstring)."""
    if not may_view_performance(user):
        raise PermissionDenied
    if user.role == Role.PERFORMANCE_OFFICER:
        return Child.objects.filter(authority_id=user.authority_id, merged_into__isnull=True)
    return visible_children(user).filter(**{f"allocations__{name}": value for name, value
                                            in _managed_allocation(user).items()})


def _managed_allocation(user: User) -> dict[str, object]:
    """A manager's children's current allocation: to their team (a team manager), else to a
    team of their service."""
    if user.role == Role.TEAM_MANAGER:
        return {"ended_on__isnull": True, "team_id": user.team_id}
    return {"ended_on__isnull": True, "team__service_id": user.effective_service_id}


def performance_scope_sql(user: User) -> tuple[str, list[object]]:
    """The SQL selecting the ids of `performance_children(user)`, each with the team of the
    child's open allocation (and its parameters), for the counts statement (`_counts_sql`).
    A manager's children as their managed allocations (`_managed_allocation`), each child
    kept if the visibility rules (cpcases.children.scoping.children_in_scope) hold for that
    child: a LATERAL probe of the child's row by its key. The same children as
    `performance_children`, which asks the rules of every child of the authority and then
    keeps the allocated ones: PostgreSQL scanned all 10,000 to keep a team's 1,500 (it
    cannot tell how few the rules keep), the scope costing as much as counting the rows
    (issue 13 §2: a team manager's scope 3.9 → 1.9 ms of the database's CPU). LATERAL with
    LIMIT 1 keeps the probe one per allocation (an EXISTS would be turned back into a join
    over every child). The managed allocation is the child's one open allocation (the
    unique index allocation_one_current), so its team is the child's team: the counts need
    no second look at the allocations. OFFSET 0 keeps the probes one per child: joined to
    the rows, PostgreSQL would probe once per row (three times as many on the bench)."""
    if user.role == Role.PERFORMANCE_OFFICER:
        return _scope_with_team(_ids_sql(performance_children(user)))
    key = children_scope_key(user)
    if key is None:  # sees no children (as visible_children): the ORM has no SQL for none
        return "SELECT NULL::bigint, NULL::bigint WHERE false", []
    # The managed children the rules admit are (decision 88) those of the kept table
    # (TeamChild: allocated to the team now, unrestricted, not merged; of the authority),
    # and apart from them only restricted records the manager is named on or opened since
    # they were restricted: probed as above, but only among the manager's named and opened.
    kept = TeamChild.objects.filter(
        authority_id=user.authority_id,
        **{name: value for name, value in _managed_allocation(user).items()
           if name != "ended_on__isnull"}  # the same names: team_id, team__service_id
    ).order_by().values("child_id", "team_id")
    kept_sql, kept_params = kept.query.sql_with_params()
    named = RestrictedAccess.objects.filter(user_id=user.pk).values("child_id")
    opened = BreakGlassAccess.objects.filter(user_id=user.pk).values("child_id")
    allocations = Allocation.objects.filter(
        **_managed_allocation(user), child__is_restricted=True,
        child_id__in=named.union(opened, all=True)).order_by().values("child_id", "team_id")
    allocated_sql, allocated_params = allocations.query.sql_with_params()
    rules_sql, rules_params = children_in_scope(key).filter(pk=ROW_ID).order_by().values(
        "pk")[:1].query.sql_with_params()
    rules_sql, rules_params = _param_as_column(rules_sql, rules_params, ROW_ID, "m.child_id")
    return (f"{kept_sql} UNION ALL (SELECT m.child_id, m.team_id FROM ({allocated_sql}) m "  # noqa: S608 - the ORM's SQL
            f"CROSS JOIN LATERAL ({rules_sql}) v OFFSET 0)",
            [*kept_params, *allocated_params, *rules_params])


def _ids_sql(children: QuerySet[Child]) -> tuple[str, list[object]]:
    sql, params = children.order_by().values("pk").query.sql_with_params()
    return sql, list(params)


def _param_as_column(sql: str, params: Sequence[object], marker: object, column: str
                     ) -> tuple[str, list[object]]:
    """The SQL with the one parameter equal to `marker` replaced by a column of the outer
    query (the ORM cannot refer to a LATERAL join's left side)."""
    found = [i for i, param in enumerate(params)
             if type(param) is type(marker) and param == marker]
    placeholders = [m for m in re.finditer(r"%[s%]", sql) if m.group() == "%s"]
    if len(found) != 1 or len(placeholders) != len(params):
        raise ValueError("The marker is not one parameter of the SQL")
    at = placeholders[found[0]]
    return (sql[:at.start()] + column + sql[at.end():],
            [param for i, param in enumerate(params) if i != found[0]])


def scope_teams(user: User) -> QuerySet[Team]:
    teams = Team.objects.filter(service__authority_id=user.authority_id)
    if user.role == Role.TEAM_MANAGER:
        return teams.filter(pk=user.team_id)
    if user.role != Role.PERFORMANCE_OFFICER:
        return teams.filter(service_id=user.effective_service_id)
    return teams


def scope_teams_key(user: User) -> Hashable:
    """What the SQL of `scope_teams(user)` depends on."""
    if user.role == Role.TEAM_MANAGER:
        return ("team", user.authority_id, user.team_id)
    if user.role == Role.PERFORMANCE_OFFICER:
        return ("authority", user.authority_id)
    return ("service", user.authority_id, user.effective_service_id)


def scope_label(user: User, team_names: Mapping[int, str] | None = None) -> str:
    """`team_names`: the names of `scope_teams(user)` if the caller has read them (a team
    manager's team is among them: its name without reading the team again)."""
    if user.role == Role.PERFORMANCE_OFFICER:
        return user.authority.name
    if user.role == Role.TEAM_MANAGER and user.team_id:
        if team_names is not None and user.team_id in team_names:
            return f"{team_names[user.team_id]} (your team)"  # as str(Team): its name
        return f"{user.team} (your team)"
    service = user.service or (user.team.service if user.team_id else None)
    return f"{service} (your service)" if service else "your service"


class _Years(Func):
    """`date ± interval 'N years'` in PostgreSQL, as a date."""

    output_field = DateField()

    def __init__(self, expression: object, years: int) -> None:
        sign = "+" if years >= 0 else "-"
        super().__init__(expression, template=f"(%(expressions)s {sign} interval "
                                              f"'{abs(years)} years')::date")


@dataclass(frozen=True)
class Part:
    key: str
    label: str
    q: Q


@dataclass(frozen=True)
class Figure:
    """One figure: `rows(children)` is every row it may count, annotated with `p_date` (the
    day it falls on) and filtered to the children in scope by `child_path`; a rate figure's
    first part is the rows counted "within" and the second the rest (the counts rely on it:
    `_asked`)."""

    key: str
    title: str
    noun: str  # what one row is, plural ("initial conferences")
    rows: Callable[[QuerySet[Child]], QuerySet]
    child_path: str
    rate: bool = False
    parts: tuple[Part, ...] = field(default_factory=tuple)
    summary_phrase: str = ""  # a rate figure: "were held within 15 working days"

    def __post_init__(self) -> None:
        if self.rate and len(self.parts) != 2:
            raise ValueError(f"{self.key}: a rate figure has two parts, within and the rest")

    def in_period(self, children: QuerySet[Child], start: dt.date, end: dt.date) -> QuerySet:
        """The rows of the period, each with its month (`p_month`), before the scope and the
        team: `queryset` adds them per row, the counts once for every figure
        (`_counts_sql`)."""
        return (self.rows(children).filter(p_date__gte=start, p_date__lte=end)
                .annotate(p_month=TruncMonth("p_date", output_field=DateField())))

    def queryset(self, children: QuerySet[Child], start: dt.date, end: dt.date) -> QuerySet:
        team = Subquery(Allocation.objects.filter(
            child_id=OuterRef(f"{self.child_path}_id"), ended_on__isnull=True)
            .order_by("-started_on").values("team_id")[:1], output_field=IntegerField())
        return (self.in_period(children, start, end)
                .filter(**{f"{self.child_path}__in": children.values("pk")})
                .annotate(p_team=team))


def _deadlines(rule_ids: tuple[str, ...]) -> Callable[[QuerySet[Child]], QuerySet]:
    def rows(children: QuerySet[Child]) -> QuerySet:
        from deadlines.models import Deadline

        return Deadline.objects.filter(rule_id__in=rule_ids, status__in=CLOSED).annotate(
            p_date=F("due_date"))
    return rows


def _met() -> tuple[Part, ...]:
    return (Part("within", "On time", Q(status="met")),
            Part("late", "Late or not held", ~Q(status="met")))


def _contacts(children: QuerySet[Child]) -> QuerySet:
    from frontdoor.models import ContactChild

    return ContactChild.objects.annotate(p_date=TruncDate("contact__received_at"))


def _referrals(children: QuerySet[Child]) -> QuerySet:
    from frontdoor.models import Referral

    return Referral.objects.annotate(p_date=F("referral_date"))


def _s47s(children: QuerySet[Child]) -> QuerySet:
    from strategy.models import Section47Enquiry

    return Section47Enquiry.objects.annotate(p_date=F("started_on"))


def _icpcs(children: QuerySet[Child]) -> QuerySet:
    from conferences.models import Conference, ConferenceKind, ConferenceStatus

    return Conference.children.through.objects.filter(
        conference__kind__in=[ConferenceKind.INITIAL, ConferenceKind.PRE_BIRTH],
        conference__status=ConferenceStatus.HELD).annotate(p_date=F("conference__date"))


def _plans_started(children: QuerySet[Child]) -> QuerySet:
    """The plans started, with whether each is a repeat (`p_repeat`): an alias, asked only
    where a part names it. The repeat plans and the plans by category count these same rows,
    so the counts read them once for both (`_branches`)."""
    from cpcases.plans.models import ChildProtectionPlan

    return ChildProtectionPlan.objects.annotate(p_date=F("started_on")).alias(
        p_repeat=_repeat())


def _plans_ended(children: QuerySet[Child]) -> QuerySet:
    from cpcases.plans.models import ChildProtectionPlan

    return ChildProtectionPlan.objects.filter(ended_on__isnull=False).annotate(
        p_date=F("ended_on"), p_long_from=_Years(F("started_on"), LONG_PLAN_YEARS))


def _repeat() -> Case:
    """Whether a plan followed another of the child's plans that had ended within the two
    years before it started. Only a child with an ended plan can have one: that is asked
    first, of one hashed list of those children, so the search for the earlier plan runs
    for their plans alone, not once for every plan started (issue 13 §2; the same
    answer, as CASE keeps the order)."""
    from cpcases.plans.models import ChildProtectionPlan

    earlier = ChildProtectionPlan.objects.filter(
        child_id=OuterRef("child_id"), ended_on__isnull=False,
        ended_on__lte=OuterRef("started_on"),
        ended_on__gte=_Years(OuterRef("started_on"), -REPEAT_PLAN_YEARS)).exclude(
        pk=OuterRef("pk"))
    ended = ChildProtectionPlan.objects.filter(ended_on__isnull=False).order_by().values(
        "child_id")
    return Case(When(child_id__in=ended, then=Exists(earlier)), default=Value(False),
                output_field=BooleanField())


# The rules whose timescales name figures (`figures`).
_TITLE_RULES = ("icpc", "core_group_first", "child_seen")


def figures(rules: dict) -> list[Figure]:
    """Every figure, titled with the authority's own timescales (`rules`: the effective
    rules, deadlines.selectors.effective_rules): made once per process for each set of
    timescales (issue 13 §2: eleven figures' querysets, conditions and titles made on every
    request were a tenth of the API's CPU). A figure is immutable, so all share them."""
    return list(_figures(tuple((rule_id, rules[rule_id].span()) for rule_id in _TITLE_RULES)))


@functools.lru_cache(maxsize=64)
def _figures(spans: tuple[tuple[str, str], ...]) -> tuple[Figure, ...]:
    from cpcases.plans.models import PlanCategory

    named = dict(spans)

    def span(rule_id: str) -> str:
        return named[rule_id]

    return (
        Figure("icpc-timeliness",
               f"Initial conferences within {span('icpc')} of the strategy discussion",
               "initial conferences due", _deadlines(("icpc",)), "child", rate=True,
               parts=_met(), summary_phrase=f"were held within {span('icpc')}"),
        Figure("review-timeliness", "Review conferences on time", "reviews due",
               _deadlines(("first_review", "next_review", "prebirth_first_review")), "child",
               rate=True, parts=_met(), summary_phrase="were held on time"),
        Figure("core-group-timeliness",
               f"First core groups within {span('core_group_first')} of the conference",
               "first core groups due", _deadlines(("core_group_first",)), "child", rate=True,
               parts=_met(), summary_phrase=f"met within {span('core_group_first')}"),
        Figure("visit-timeliness", f"Visits within {span('child_seen')}",
               "visits due", _deadlines(("child_seen",)), "child", rate=True, parts=_met(),
               summary_phrase=f"took place within {span('child_seen')}"),
        Figure("long-plans", f"Plans lasting {LONG_PLAN_YEARS} years or more",
               "plans ended", _plans_ended, "child", rate=True,
               parts=(Part("within", f"{LONG_PLAN_YEARS} years or more",
                           Q(ended_on__gte=F("p_long_from"))),
                      Part("late", f"Less than {LONG_PLAN_YEARS} years",
                           Q(ended_on__lt=F("p_long_from")))),
               summary_phrase=f"had lasted {LONG_PLAN_YEARS} years or more"),
        Figure("repeat-plans", f"Repeat plans within {REPEAT_PLAN_YEARS} years",
               "plans started", _plans_started, "child", rate=True,
               parts=(Part("within", f"Repeat within {REPEAT_PLAN_YEARS} years",
                           Q(p_repeat=True)),
                      Part("late", "First plan, or the last one ended longer ago",
                           Q(p_repeat=False))),
               summary_phrase=f"followed a plan that had ended within {REPEAT_PLAN_YEARS} "
                              "years"),
        Figure("contacts", "Contacts", "contacts (one per child named)", _contacts,
               "child"),
        Figure("referrals", "Referrals", "referrals", _referrals, "child"),
        Figure("s47-enquiries", "Section 47 enquiries started", "section 47 enquiries",
               _s47s, "child"),
        Figure("icpcs", "Initial conferences held", "children at initial conferences",
               _icpcs, "child"),
        Figure("plans-by-category", "Plans started, by category", "plans started",
               _plans_started, "child",
               parts=tuple(Part(code.lower(), label, Q(category=code))
                           for code, label in PlanCategory.choices)),
    )


@dataclass
class Cell:
    total: int = 0
    parts: dict[str, int] = field(default_factory=dict)

    def add(self, total: int, parts: dict[str, int]) -> None:
        self.total += total
        for key, count in parts.items():
            self.parts[key] = self.parts.get(key, 0) + count

    @property
    def counted(self) -> int:
        """A rate figure's numerator (its first part); a count's total."""
        return self.parts.get("within", 0) if "within" in self.parts else self.total

    @property
    def percent(self) -> int | None:
        return round(100 * self.counted / self.total) if self.total else None


@dataclass
class Result:
    figure: Figure
    total: Cell
    by_month: dict[dt.date, Cell]
    by_team: dict[int | None, Cell]


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


ScopeKey = tuple[str, tuple[object, ...], str]

# The SQL counting every figure at once, as built from the figures' querysets, kept per (the
# figures, what the children's SQL depends on, period): issue 13 §2, building it through the
# ORM on every request cost more than running it. Only SQL text is kept, never a number:
# every request asks the database afresh. Bounded: emptied when full (each entry is the
# eleven figures' SQL, about 8 KB: 64 of them, as much as the 512 single figures kept before).
# The values are written into the text (`_with_values`), so the statement has no parameters.
_COUNT_SQL: dict[tuple[object, ...], str] = {}
_COUNT_SQL_MAX = 64


def scope_key(children: QuerySet[Child]) -> ScopeKey:
    """What a figure's SQL depends on besides the figure and the period: the SQL of the
    children in scope, and the time zone days are counted in."""
    sql, params = children.query.sql_with_params()
    return sql, tuple(params), timezone.get_current_timezone_name()


def user_scope_key(user: User) -> Hashable:
    """What the SQL of `performance_children(user)` depends on (each of its branches), and
    the time zone: `scope_key` without compiling the children's SQL on every request (a
    tenth of the page's CPU). The visibility rules are keyed as their own SQL is kept
    (cpcases.children.scoping.scope_key)."""
    zone = timezone.get_current_timezone_name()
    if user.role == Role.PERFORMANCE_OFFICER:
        return ("authority", user.authority_id, zone)
    if user.role == Role.TEAM_MANAGER:
        return ("team", user.team_id, children_scope_key(user), zone)
    return ("service", user.effective_service_id, children_scope_key(user), zone)


def _asked(figure: Figure) -> tuple[Part, ...]:
    """The parts the database counts: a rate figure's second part is the rest of its rows
    (`Figure`), its total less the first, so its condition (the repeat plans' search for an
    earlier plan) is not asked of every row a second time."""
    return figure.parts[:1] if figure.rate else figure.parts


def _branches(figs: Sequence[Figure]) -> list[list[int]]:
    """The figures' indexes grouped by the rows they count (the same `rows` of the same
    child): each group is one branch of the counts' union, the rows read once with a column
    for each part of each of its figures (the repeat plans and the plans by category: one
    scan of the plans started, and a third fewer rows to join and group, issue 13 §2)."""
    groups: dict[tuple[object, str], list[int]] = {}
    for index, figure in enumerate(figs):
        groups.setdefault((figure.rows, figure.child_path), []).append(index)
    return list(groups.values())


def _counts_sql(figs: Sequence[Figure], children: QuerySet[Child], start: dt.date,
                end: dt.date, scope: tuple[str, Sequence[object]] | None = None
                ) -> tuple[str, list[object]]:
    """One statement counting every figure's rows per (branch, month, team) and per part:
    each figure's rows of the period (`Figure.in_period`) with a column per part (true where
    the part's condition holds), the figures counting the same rows in one branch
    (`_branches`), all of them one UNION ALL, joined to the children in scope with the team
    that holds each now: the rows and the team `Figure.queryset` gives the drill-down.

    Issue 13 §2: eleven statements, each with its own copy of the scope (a team manager's is
    the visibility rules) and each row's team asked by a subquery, were the slowest page
    under load: eleven round trips, eleven plans (7 ms for a team manager's), the team looked
    up row by row. This one is planned once per connection (run prepared) and applies the
    scope once, to the union (a branch with its own copy of the scope cost more in planning
    than the rows it saved). The scope gives each child the team the drill-down's subquery
    gives it (the latest started of the child's open allocations): the unique index
    allocation_one_current allows a child one open allocation at most, so the join finds
    that one or none and never doubles a row (`_scope_with_team`, `performance_scope_sql`).
    `scope`: the SQL selecting the children's ids and teams, if the caller has a faster one
    than `children`'s (`performance_scope_sql`)."""
    groups = _branches(figs)
    width = max(sum(len(_asked(figs[i])) for i in group) for group in groups)
    branches, params = [], []
    for index, group in enumerate(groups):
        first = figs[group[0]]
        parts = {f"p{n}": ExpressionWrapper(part.q, output_field=BooleanField())
                 for n, part in enumerate(part for i in group for part in _asked(figs[i]))}
        rows = (first.in_period(children, start, end).order_by()
                .values("p_month", p_child=F(f"{first.child_path}_id"), **parts))
        sql, branch_params = rows.query.sql_with_params()
        columns = "".join([f", q.{name}" for name in parts]
                          + [", NULL::boolean"] * (width - len(parts)))
        branches.append(f"SELECT {index}, q.p_child, q.p_month{columns} "  # noqa: S608 - the ORM's SQL
                        f"FROM ({sql}) q")
        params.extend(branch_params)
    scope_sql, scope_params = scope or _scope_with_team(_ids_sql(children))
    names = "".join(f", p{i}" for i in range(width))
    counts = "".join(f", COUNT(*) FILTER (WHERE r.p{i})" for i in range(width))
    sql = (f"SELECT r.branch, r.p_month, s.team, COUNT(*){counts} "  # noqa: S608 - as above
           f"FROM ({' UNION ALL '.join(branches)}) r (branch, p_child, p_month{names}) "
           f"JOIN ({scope_sql}) s (child, team) ON s.child = r.p_child GROUP BY 1, 2, 3")
    return sql, [*params, *scope_params]


def _scope_with_team(ids: tuple[str, Sequence[object]]) -> tuple[str, list[object]]:
    """The children of the SQL `ids` selects, each with the team of their open allocation
    (None if they have none), for `_counts_sql`."""
    allocation = Allocation._meta
    quote = connection.ops.quote_name
    table = quote(allocation.db_table)
    child = quote(allocation.get_field("child").column)
    ended = quote(allocation.get_field("ended_on").column)
    team = quote(allocation.get_field("team").column)
    sql, params = ids
    return (f"SELECT c.id, a.{team} FROM ({sql}) c (id) "  # noqa: S608 - the ORM's SQL
            f"LEFT JOIN {table} a ON a.{child} = c.id AND a.{ended} IS NULL", list(params))


def _with_values(sql: str, params: Sequence[object]) -> str:
    """The statement with its values written in as literals (quoted by psycopg), once when it
    is kept: every value is already part of its key (the period, the user's scope key, the
    day), so the text is no more specific than the key. Issue 13 §2: with parameters
    PostgreSQL ran it with a generic plan that expected 75 rows where the bench has 4,500
    (it sorted them twice instead of hashing) after planning it afresh on each of the first
    five runs of every connection (12 ms each), and psycopg, which keeps the parsed form of
    statements under 4 KB only, re-parsed its 7 KB on every run (0.25 ms). Without
    parameters PostgreSQL plans it once per connection, for the values it runs with."""
    return connection.ops.compose_sql(sql, list(params))


def compute_all(figs: Sequence[Figure],
                children: QuerySet[Child] | Callable[[], QuerySet[Child]], start: dt.date,
                end: dt.date, key: Hashable | None = None,
                scope: Callable[[], tuple[str, Sequence[object]]] | None = None
                ) -> list[Result]:
    """Every figure's counts per (month, team) and per part, in one query
    (`counts_statement`, its rows read by `counted_results`)."""
    found = counts_statement(figs, children, start, end, key, scope)
    if found is None:
        return counted_results(figs, [], start, end)
    with prepared_cursor(connection) as cursor:  # planned once per connection
        cursor.execute(found)
        return counted_results(figs, cursor.fetchall(), start, end)


def counts_statement(figs: Sequence[Figure],
                     children: QuerySet[Child] | Callable[[], QuerySet[Child]],
                     start: dt.date, end: dt.date, key: Hashable | None = None,
                     scope: Callable[[], tuple[str, Sequence[object]]] | None = None
                     ) -> str | None:
    """The statement counting every figure's rows (`_counts_sql`, its values written in),
    kept per figures, scope and period; None when no child is in scope (a manager who sees
    none, as the drill-down: nothing to ask). `key`: what the children's SQL depends on
    (`user_scope_key`), if the caller knows it; else their `scope_key`. `children` may be a
    function giving them: with `key` it is called only to build the statement the first
    time (building the scope's queryset on every request was a tenth of the page's CPU).
    `scope`: a function giving the SQL of the children's ids and teams
    (`performance_scope_sql`), called alike; only with `key`, which must say what it
    depends on."""
    # The figures, and whether the children's ids come from `scope`: the same numbers, but
    # not the same SQL.
    figures_key = (tuple((f.key, tuple(p.key for p in f.parts)) for f in figs),
                   scope is not None and key is not None)
    found = None if key is None else _COUNT_SQL.get((figures_key, key, start, end))
    if found is None:
        scoped = children() if callable(children) else children
        if scoped.query.is_empty():
            return None
        cache_key = (figures_key, key or scope_key(scoped), start, end)
        found = _COUNT_SQL.get(cache_key)
        if found is None:
            sql = _with_values(*_counts_sql(figs, scoped, start, end,
                                            scope() if scope and key else None))
            if len(_COUNT_SQL) >= _COUNT_SQL_MAX:
                _COUNT_SQL.clear()
            found = _COUNT_SQL[cache_key] = sql
    return found


def counted_results(figs: Sequence[Figure], rows: Sequence[Sequence[Any]], start: dt.date,
                    end: dt.date) -> list[Result]:
    """The figures' results from the rows of their `counts_statement`: (branch, month, team,
    total, the parts' counts...), a row whose branch is NULL skipped (a statement that read
    the counts beside other values, LEFT JOINed, when there were none)."""
    months = months_between(start, end)
    results = [Result(f, Cell(), {m: Cell() for m in months}, {}) for f in figs]
    # Each branch's columns, figure by figure (`_counts_sql`): where each figure's start.
    branches = []
    for group in _branches(figs):
        offset, located = 0, []
        for index in group:
            located.append((results[index], offset))
            offset += len(_asked(figs[index]))
        branches.append(located)
    for branch, month, team, total, *counted in rows:
        if branch is None:
            continue
        month = month.date() if isinstance(month, dt.datetime) else month
        for result, offset in branches[branch]:
            figure = result.figure
            asked = _asked(figure)
            parts = {part.key: counted[offset + n] for n, part in enumerate(asked)}
            if figure.rate:
                parts[figure.parts[1].key] = total - counted[offset]
            for cell in (result.total, result.by_month.setdefault(month, Cell()),
                         result.by_team.setdefault(team, Cell())):
                cell.add(total, parts)
    return results


def compute(figure: Figure, children: QuerySet[Child], start: dt.date, end: dt.date,
            key: Hashable | None = None) -> Result:
    """One figure's counts (`compute_all`)."""
    return compute_all([figure], children, start, end, key)[0]


def drill_rows(figure: Figure, children: QuerySet[Child], start: dt.date, end: dt.date, *,
               month: dt.date | None = None, team: int | str | None = "",
               part: str = "") -> QuerySet:
    """The rows one number counts (the drill-down): the figure's queryset narrowed to a
    month, a team (None: not allocated; "": any) and a part."""
    rows = figure.queryset(children, start, end)
    if month is not None:
        rows = rows.filter(p_month=month)
    if team is None:
        rows = rows.filter(p_team__isnull=True)
    elif team != "":
        rows = rows.filter(p_team=team)
    for p in figure.parts:
        if p.key == part:
            rows = rows.filter(p.q)
    if figure.parts:
        rows = rows.annotate(p_part=Case(*(When(p.q, then=Value(p.key)) for p in figure.parts),
                                         default=Value(""), output_field=CharField()))
    return rows.select_related(figure.child_path).order_by("p_date", "pk")
