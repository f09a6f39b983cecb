"""Which children a user may see. Every child queryset in views, API and selectors starts here.

Two layers (capability by role, then object scope), as in cpcases.accounts.roles:
- social workers and team managers: children currently allocated to their team;
- service managers and heads of service: children allocated to a team of their service;
- CP chairs and business support: children with an active child protection process in
  their authority;
- partner professionals: children whose strategy discussion, conference or core group they
  are part of (PartnerInvolvement rows, added by those workflows);
- administrators: none (they manage the policy, not cases).
Restricted records are visible only to their named users and vanish from every other
list, search and count. A case-working user who opened a record outside their scope with a
stated reason (break-glass, frontdoor.services.break_glass_open) sees it for the rest of that
day. A restricted record can be opened so only by someone whose role gives them a case
reason (it is in `case_scope_children`), and the manager who restricted it is told
(lifeevents.restriction); an opening made before it was restricted does not admit them.
A duplicate merged into another record is in nobody's scope.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import Capability, Role
from cpcases.children.models import (
    Allocation,
    BreakGlassAccess,
    Child,
    CpStage,
    PartnerInvolvement,
    RestrictedAccess,
    TeamChild,
)


# Each rule below is `pk IN (the children a small table names)`, not a correlated EXISTS:
# PostgreSQL then hashes the team's (the user's) children once instead of probing the table
# once for every child of the authority (issue 13 §2: the caseload's count 5.3 → 3.3 ms at
# 10,000 children). The two say the same: the child columns are never null, and no rule is
# negated.
# For one child (`child`), each set is narrowed to that child's rows: then each is a probe of
# the child's few rows by index, not a hash of the team's thousands (issue 13 §2: a record
# page's read of its child 0.37 → 0.05 ms in PostgreSQL). The answer is the same: the outer
# query asks only about that child. `child` may also be a queryset of a few children's ids
# (the children of one child's conferences): each set is narrowed to theirs alike.
def _children_of(queryset: QuerySet[Any], child: object = None) -> QuerySet[Any]:
    if child is not None:
        queryset = queryset.filter(**_is(child, "child_id"))
    return queryset.order_by().values("child_id")


def _is(child: object, field: str) -> dict[str, object]:
    """The filter `field` is the child, or one of a queryset's children's ids."""
    return {f"{field}__in" if isinstance(child, QuerySet) else field: child}


def _role_scope(user: User) -> Q | None:
    key = _scope_key(user)
    return None if key is None else _scope_q(user.role, key[1], user.pk)


def _scope_q(role: str, scope: object, user_id: int, child: object = None) -> Q:
    rows = _role_rows(role, scope, user_id)
    if rows is None:  # Role.CP_CHAIR, Role.BUSINESS_SUPPORT
        return ~Q(cp_stage=CpStage.NONE)
    return Q(pk__in=_children_of(rows, child))


def _role_rows(role: str, scope: object, user_id: int) -> QuerySet[Any] | None:
    """The rows of the small table naming the children the role's rule admits (None for a
    rule of the child's own row): a team's or service's current allocations, a partner's
    involvements."""
    if role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER):
        return Allocation.objects.filter(ended_on__isnull=True, team_id=scope)
    if role in (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE):
        return Allocation.objects.filter(ended_on__isnull=True, team__service_id=scope)
    if role in (Role.CP_CHAIR, Role.BUSINESS_SUPPORT):
        return None
    # Role.PARTNER
    return PartnerInvolvement.objects.filter(user_id=user_id, ended_on__isnull=True)


def visible_children(user: User) -> QuerySet[Child]:
    """The children the user may see (the module's rules), as `pk IN (the scope's SQL)`.

    The scope's SQL is built by the ORM once per process for each (user, role, team,
    service, day) and reused (issue 13 §2): building it through the ORM (its EXISTS
    subqueries are deep-copied at every filter) cost more than the query itself, on every
    list, count and page. Only the SQL text is kept, never which children it finds: each
    query asks the database afresh, so an allocation, restriction or opening changes what
    the very next query sees."""
    scope = visible_children_sql(user)
    if scope is None:
        return Child.objects.none()
    # The SQL is the ORM's own, its values passed as parameters: nothing from a request.
    return Child.objects.filter(pk__in=RawSQL(*scope))  # noqa: S611


def of_visible_children(queryset: QuerySet[Any], user: User, field: str = "child_id"
                        ) -> QuerySet[Any]:
    """`queryset.filter(<child>__in=visible_children(user))` said as `field IN (<the scope's
    SQL>)` (`field` the child's key column): through `visible_children` the scope was
    nested in a subquery of the child table, which PostgreSQL joined to the child table once
    more in every list and count (issue 13 §2; as deadlines_visible)."""
    scope = visible_children_sql(user)
    if scope is None:
        return queryset.none()
    # The SQL is the ORM's own, its values passed as parameters: nothing from a request.
    return queryset.filter(**{f"{field}__in": RawSQL(*scope)})  # noqa: S611


def visible_children_sql(user: User, *, looked_up: bool = False, rules: bool = False
                         ) -> tuple[str, tuple[object, ...]] | None:
    """The SQL selecting the ids of `visible_children` (and its parameters), None when the
    user sees no children: for a scope built once per process on top of it (issue 13 §2:
    the conference and request scopes test each row's children against it in one pass).

    `looked_up`: the same ids found as `all_children_in_scope` finds them, each candidate
    looked up by key, for a query that hashes the whole scope once (`child_id NOT IN
    (scope)`: the conference lists), where it costs PostgreSQL 2 ms at 1,500 children of
    10,000 instead of the 3.8 ms of a pass over every child of the authority. Where the
    scope is joined (the deadline, plan and visit lists) PostgreSQL plans the pass better:
    the looked-up form made those lists 1.5-3 times slower (issue 13 §2, decision 83).

    A team's or service's user's scope is read from the kept table (TeamChild), whatever
    `looked_up` says (decision 88), unless `rules`: the rules asked of every child's row, as
    for the other roles. The deadline lists ask for that: PostgreSQL walks their index in
    the page's order, testing each row against the scope, and a pass over the kept table
    made it count the open deadlines child by child, 1.7-2.3 ms slower."""
    key = scope_key(user)
    if key is None:
        return None
    if looked_up or (not rules and key[0] in _BY_TEAM):
        return _looked_up_sql(key)
    return _visible_sql(key)


def scope_key(user: User) -> ScopeKey | None:
    """Everything the user's scope depends on (None when they see no children): the key
    under which SQL built on the scope may be kept (cpcases.core.compiled)."""
    if not user.is_authenticated or not user.can(Capability.VIEW_CHILD):
        return None
    return _scope_key(user)


def child_in_scope(key: ScopeKey, child: object) -> QuerySet[Child]:
    """`visible_children(user).filter(pk=child)` of a user with this scope key, each rule
    asked of that child alone (of those children alone, for a queryset of ids)."""
    return _visible_queryset(*key, child=child)


def children_in_scope(key: ScopeKey) -> QuerySet[Child]:
    """`visible_children` of a user with this scope key as the rules themselves, not
    `pk IN (the scope's SQL)`: for SQL built once per process (cpcases.core.compiled) that
    narrows the children further. PostgreSQL then tests the scope only on the rows the
    query's own filter finds (by its index), instead of finding the whole scope in a second
    pass over the table and joining the two (issue 13 §2: a search by name 7.5 → 1.2 ms in
    PostgreSQL at 10,000 children)."""
    return _visible_queryset(*key)


def all_children_in_scope(key: ScopeKey, among: QuerySet[Any] | None = None,
                          rules: QuerySet[Child] | None = None) -> QuerySet[Child]:
    """`children_in_scope` for a list of the whole scope (a count, a sorted page of it), or
    of those of it among the ids `among` gives (a social worker's own children): the rules
    asked only of the children they could admit, each looked up by key. PostgreSQL
    otherwise read every child of the authority (10,000 wide rows, each unpacked to its last
    columns for the merged and restricted flags) to keep a team's 1,500 (issue 13 §2). The
    candidates are `among`, or the children the rules name: a team's or service's current
    allocations, a partner's involvements, named access, today's openings. The same
    children: only the CP chair's and business support's rule (`cp_stage`, kept as it was)
    admits a child none of these names."""
    role, scope, user_id, _authority, today = key
    if among is None and rules is None and role in _BY_TEAM:
        # A team's or service's scope is its own SQL's ids, each already decided: nothing
        # is asked of the children's rows but to read them (decision 88).
        return Child.objects.filter(_among_ids(RawSQL(*_looked_up_sql(key))))  # noqa: S611 - the ORM's own SQL
    children = _visible_queryset(*key) if rules is None else rules
    if among is None:
        rows = _role_rows(role, scope, user_id)
        if rows is None:
            return children
        named = RestrictedAccess.objects.filter(user_id=user_id)
        opened = BreakGlassAccess.objects.filter(user_id=user_id, opened_on=today)
        among = _children_of(rows).union(
            *(_children_of(more) for more in (named, opened)), all=True)
    # `pk = ANY(ARRAY(<candidates>))`: PostgreSQL looks each up by the primary key (the
    # array sorted once); `pk IN (<candidates>)` was hashed and probed by every child of the
    # authority, the rules evaluated on each first.
    return children.filter(_among_ids(Subquery(among)))


def _among_ids(ids: Subquery | RawSQL) -> Func:
    """`pk = ANY(ARRAY(<ids>))`."""
    return Func(F("pk"), ids, arg_joiner=" = ANY(ARRAY", template="(%(expressions)s))",
                output_field=BooleanField())


ScopeKey = tuple[str, object, int, "int | None", date]


def _scope_key(user: User) -> ScopeKey | None:
    """What the scope's SQL depends on; None when the role sees no children."""
    role = user.role
    if role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER):
        scope: object = user.team_id
    elif role in (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE):
        scope = user.effective_service_id
    elif role in (Role.CP_CHAIR, Role.BUSINESS_SUPPORT, Role.PARTNER):
        scope = role
    else:
        return None
    if scope is None:
        return None
    return (str(role), scope, user.pk, user.authority_id, timezone.localdate())


@lru_cache(maxsize=2048)
def _visible_sql(key: ScopeKey) -> tuple[str, tuple[object, ...]]:
    query = _visible_queryset(*key).order_by().values("pk").query  # no sort in a subquery
    sql, params = query.sql_with_params()
    return sql, tuple(params)


@lru_cache(maxsize=2048)
def _looked_up_sql(key: ScopeKey) -> tuple[str, tuple[object, ...]]:
    by_team = _by_team_sql(key)
    if by_team is not None:
        return by_team
    sql, params = all_children_in_scope(key).order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


# The roles whose rule is a team's or a service's current allocations (TeamChild).
_BY_TEAM = frozenset({Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.SERVICE_MANAGER,
                      Role.HEAD_OF_SERVICE})


def _by_team_sql(key: ScopeKey) -> tuple[str, tuple[object, ...]] | None:
    """A team's or service's user's scope as two parts (None for the other roles): the
    children the team rule admits, read from the kept table (TeamChild: allocated to the
    team now, neither restricted nor merged, with their authority), then those the user's
    named access and openings admit, the rules asked of those few alone (looked up by key).

    The same children as the rules (`_visible_queryset`): its first disjunct, the team's
    unrestricted children of the authority, not merged, is TeamChild's by construction; the
    second, the named and opened, is the rules' rest. PostgreSQL reads a large team's 1,500
    from an index instead of asking each child's row (issue 13 §2, decision 88)."""
    team = _team_children(key)
    if team is None:
        return None
    others = _beyond_team(key)
    sql, params = team.values("child_id").union(others.values("pk"), all=True
                                                ).query.sql_with_params()
    return sql, tuple(params)


def _team_children(key: ScopeKey) -> QuerySet[TeamChild] | None:
    """The kept table's rows of the team's (or service's) children in the user's authority
    (`_by_team_sql`'s first part); None for a role whose scope is not a team's."""
    role, scope, _user_id, authority_id, _today = key
    if role not in _BY_TEAM:
        return None
    if role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER):
        team = TeamChild.objects.filter(team_id=scope)
    else:
        team = TeamChild.objects.filter(team__service_id=scope)
    return team.filter(authority_id=authority_id).order_by()


def _beyond_team(key: ScopeKey) -> QuerySet[Child]:
    """The children a team's user sees by named access or an opening today, the rules asked
    of those few alone (`_by_team_sql`'s second part)."""
    _role, _scope, user_id, _authority_id, today = key
    named = RestrictedAccess.objects.filter(user_id=user_id)
    opened = BreakGlassAccess.objects.filter(user_id=user_id, opened_on=today)
    return all_children_in_scope(key, among=_children_of(named).union(
        _children_of(opened), all=True), rules=_beyond_team_rules(key)).order_by()


def visible_child_condition(user: User, field: str = "child_id") -> Q | None:
    """A filter of rows whose child (`field`, the child's key column) the user may see; None
    when they see no children. The same rows as `field IN (visible_children_sql(user))`.

    A team's or service's user's is said as two tests of the row, `EXISTS (its child's
    TeamChild row of the team) OR field IN (<the named and opened>)`, not as membership of
    one list of both: PostgreSQL hashes the team's children once and probes the hash with
    each row, where the list's two parts had it de-duplicate the 1,500 and hash-join them,
    once for each place the scope is asked (issue 13 §2: My work's statement for a team
    manager 7.0 -> 4.7 ms, it asks it twice; decision 94)."""
    key = scope_key(user)
    if key is None:
        return None
    team = _team_children(key)
    if team is None:
        # The SQL is the ORM's own, its values passed as parameters.
        return Q(**{f"{field}__in": RawSQL(*visible_children_sql(user))})  # noqa: S611
    others = _beyond_team_sql(key)
    return (Q(Exists(team.filter(child_id=OuterRef(field))))
            | Q(**{f"{field}__in": RawSQL(*others)}))  # noqa: S611 - the ORM's own SQL


@lru_cache(maxsize=2048)
def _beyond_team_sql(key: ScopeKey) -> tuple[str, tuple[object, ...]]:
    sql, params = _beyond_team(key).values("pk").query.sql_with_params()
    return sql, tuple(params)


def _beyond_team_rules(key: ScopeKey) -> QuerySet[Child]:
    """The rules without the team's (or service's) own: the children a team's user sees by
    named access or an opening today (`_by_team_sql`'s second part)."""
    _role, _scope, user_id, authority_id, today = key
    return _rules(None, user_id, authority_id, today)


def _visible_queryset(role: str, scope: object, user_id: int, authority_id: int | None,
                      today: date, child: object = None) -> QuerySet[Child]:
    """The rules as the ORM says them (the SQL `visible_children` reuses); with `child`, the
    one child (or those of a queryset of ids) if the user may see them (`child_in_scope`)."""
    return _rules(_scope_q(role, scope, user_id, child), user_id, authority_id, today, child)


def _rules(role_scope: Q | None, user_id: int, authority_id: int | None, today: date,
           child: object = None) -> QuerySet[Child]:
    """The module's rules, the role's own (`role_scope`) among them unless None."""
    named = Q(pk__in=_children_of(RestrictedAccess.objects.filter(user_id=user_id), child))
    openings = BreakGlassAccess.objects.filter(user_id=user_id, opened_on=today)
    if child is not None:
        openings = openings.filter(**_is(child, "child_id"))
    opened = Q(pk__in=_children_of(openings))
    since_restricted = Q(pk__in=_children_of(_since_restricted(openings)))
    children = Child.objects.all() if child is None else Child.objects.filter(
        **_is(child, "pk"))
    return children.filter(authority_id=authority_id, merged_into__isnull=True).filter(
        ((opened if role_scope is None else role_scope | opened) & Q(is_restricted=False))
        | (Q(is_restricted=True) & (named | since_restricted))
    )


def _since_restricted(openings: QuerySet[BreakGlassAccess]) -> QuerySet[BreakGlassAccess]:
    """The openings made since the record's current restriction was marked: one made earlier
    (of the record before it was restricted, or before it was marked again) does not admit
    the user to it (lifeevents.RecordRestriction keeps when it was marked)."""
    try:
        restriction = apps.get_model("lifeevents", "RecordRestriction")
    except LookupError:
        return openings
    return openings.exclude(Exists(restriction.objects.filter(
        child=OuterRef("child"), lifted_at__isnull=True, marked_at__gt=OuterRef("opened_at"))))


def case_scope_children(user: User) -> QuerySet[Child]:
    """The children the user's role gives them a case reason to see, restricted or not (who
    may break the glass on a restricted record). Never a list to show: use visible_children."""
    if not user.is_authenticated or not user.can(Capability.VIEW_CHILD):
        return Child.objects.none()
    scope = _role_scope(user)
    if scope is None:
        return Child.objects.none()
    return Child.objects.filter(authority_id=user.authority_id, merged_into__isnull=True
                                ).filter(scope)


def can_view_child(user: User, child_id: int) -> bool:
    return visible_children(user).filter(pk=child_id).exists()
