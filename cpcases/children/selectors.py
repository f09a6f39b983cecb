"""Reads of the child's record, always through the user's scope."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.paginator import Page
from django.db.models import OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, JSONArray, NullIf
from django.http import Http404, HttpRequest

from cpcases.accounts.models import User
from cpcases.audit.models import AccessAction
from cpcases.audit.services import access_record
from cpcases.children.models import Allocation, Child, ChildPerson, Person
from cpcases.children.scoping import (
    all_children_in_scope,
    child_in_scope,
    children_in_scope,
    scope_key,
    visible_children,
)
from cpcases.core import compiled
from cpcases.core.compiled import CompiledQuery, first


def _worker_shown() -> Subquery:
    """The caseload's social worker column as the page names them: the child's current
    allocation's social worker as `str()` gives them (their full name, else their
    username); NULL when the child has no current allocation or it names no one. A child
    has one current allocation at most (allocation_one_current). Issue 13 §2: read in the
    page's own query, where a prefetch was a query of its own and 50 model instances."""
    return Subquery(Allocation.objects.filter(child=OuterRef("pk"), ended_on__isnull=True)
                    .order_by().values(shown=_shown_name("social_worker"))[:1])


# The annotation carrying a listed child's current allocation (`current_allocation_row`).
CURRENT_ALLOCATION_ROW = "current_allocation_row"


def current_allocation_row() -> Subquery:
    """The child's current allocation as the children API shows it, one JSON array of the
    row's own query: [id, the team's name, the social worker as `str()` names them (full
    name, else username; null: none), started_on, ended_on (ISO dates), reason]; NULL when
    the child has none. `Child.current_allocation`'s allocation: a child has one current
    allocation at most (allocation_one_current). Issue 13 §2: a prefetch of its own was a
    query and three model instances a child (the allocation, its team and worker)."""
    return Subquery(Allocation.objects.filter(child=OuterRef("pk"), ended_on__isnull=True)
                    .order_by().values(row=JSONArray(
                        "id", "team__name", _shown_name("social_worker"), "started_on",
                        "ended_on", "reason"))[:1])


def _shown_name(user: str) -> Coalesce:
    """A user as `str()` names them: their full name, else their username (NULL: no one)."""
    return Coalesce(NullIf(f"{user}__full_name", Value("")), f"{user}__username")


def child_list(*, user: User) -> QuerySet[Child]:
    """The children API's list: by name, then id (a total order: two children of one name
    fall on the same side of a page's boundary on every request). The scope's rules are
    asked of each child's own row (`children_in_scope`), not `pk IN (the scope's SQL)`,
    which read the child table twice (issue 13 §2). Each child carries their current
    allocation (`current_allocation_row`), which the API's list writes
    (`api.ChildListSerializer`)."""
    key = scope_key(user)
    children = Child.objects.none() if key is None else all_children_in_scope(key)
    return (children.select_related("household")
            .annotate(**{CURRENT_ALLOCATION_ROW: current_allocation_row()})
            .order_by("last_name", "first_name", "id"))


# What the caseload and search pages show of a child (templates/children/caseload.html,
# search.html): issue 13 §2, only these columns are read.
_LISTED = ("id", "la_child_id", "first_name", "last_name", "is_unborn", "date_of_birth",
           "expected_delivery_date", "cp_stage")


def caseload(*, user: User) -> QuerySet[Child]:
    """A social worker's own children; everyone else's whole scope. Each with their current
    allocations' social workers, as the page shows them."""
    children = _shown(visible_children(user))
    own = _own_children(user)
    return children if own is None else children.filter(pk__in=own)


def _own_children(user: User) -> QuerySet[Allocation] | None:
    """A social worker's own children (None for anyone else): the ids of their current
    allocations. A child has one current allocation at most, so `pk IN` these keeps the
    children a join to it kept, and joins nothing that could repeat a row."""
    if user.role != "social_worker":
        return None
    return Allocation.objects.filter(ended_on__isnull=True, social_worker=user).values(
        "child_id")


def caseload_page(*, user: User, ordering: tuple[str, ...], number: str | None,
                  per_page: int) -> Page | None:
    """Page `number` of the caseload sorted by `ordering` (ending with the id: a total
    order): the children and their number in one query, its SQL kept per process for the
    user's scope, the user and the sort (cpcases.core.compiled; issue 13 §2: the count and
    the page each compiled by the ORM on every request), then their current allocations.
    None where the caller pages the ORM's queryset (a page number not plain, a page past the
    end).

    The scope is found once (`compiled.compile_narrow`: its ids and sort keys counted by a
    window, sorted to the page) from its candidates looked up by key
    (`all_children_in_scope`): a count of its own (`narrow_page`) read every child of the
    authority, and the page's walk of the name index hundreds more (3.9 → 2.0 ms in
    PostgreSQL at 10,000 children, a team manager)."""
    if scope_key(user) is None:
        return None
    # Built once for every user of the scope, the user's id its parameter (decision 96).
    anyone = compiled.as_any_user(user)
    key = scope_key(anyone)
    markers = {"user": compiled.USER}

    def build() -> compiled.Compiled:
        found = all_children_in_scope(key, among=_own_children(anyone))
        return (compiled.compile_narrow(_shown(found), ordering, markers)
                or compiled.compile_once(compiled.narrow_page(found, ordering, _shown),
                                         markers))

    query = compiled.cached(("caseload", key, ordering), build)
    return compiled.page_of(query, {"user": user.pk}, number=number, per_page=per_page)


def _shown(children: QuerySet[Child]) -> QuerySet[Child]:
    """What the caseload shows of each child (`caseload`'s columns)."""
    return children.only(*_LISTED).annotate(worker_shown=_worker_shown())


def _term_matches(term: str | Value) -> Q:
    """A child whose first or last name holds the word, or whose child ID is the word, in
    any case."""
    return (Q(first_name__icontains=term) | Q(last_name__icontains=term)
            | Q(la_child_id__iexact=term))


def search_filter(queryset: QuerySet[Child], *, text: str = "",
                  date_of_birth: date | None = None) -> QuerySet[Child]:
    return _searched(queryset, text.split(), date_of_birth)


def _searched(queryset: QuerySet[Child], terms: Sequence[str | Value],
              date_of_birth: object) -> QuerySet[Child]:
    for term in terms:
        queryset = queryset.filter(_term_matches(term))
    if date_of_birth:
        queryset = queryset.filter(date_of_birth=date_of_birth)
    return queryset


SEARCH_LIMIT = 50  # the children the search page lists


def child_search(*, user: User, text: str = "", date_of_birth: date | None = None
                 ) -> list[Child]:
    """The first SEARCH_LIMIT children `search_filter` finds in the user's scope, by name:
    names, IDs and dates only (issue 13 §2).

    Its SQL is built once per process for the user's scope, the number of words and whether
    a date is given (cpcases.core.compiled), with the scope's rules on the child's own row
    (`children_in_scope`): PostgreSQL finds the names by their trigram index and tests the
    scope on those alone. Each word is a parameter, matched as the ORM matches a word given
    as a value: `'%' || UPPER(the word, its \\ % _ escaped) || '%'`, built in SQL rather than
    in Python (pinned against `search_filter`)."""
    if scope_key(user) is None:  # no scope: nothing to find
        return []
    # Built once for every user of the scope, the user's id its parameter (decision 96).
    key = scope_key(compiled.as_any_user(user))
    terms = text.split()
    if len(terms) > len(compiled.POSITIONAL):  # more words than markers: the ORM's own query
        return list(search_filter(visible_children(user).only(*_LISTED), text=text,
                                  date_of_birth=date_of_birth)[:SEARCH_LIMIT])
    # A word's marker: a string no search matches, which compiling finds among the
    # parameters as itself (not made into a pattern in Python, see above).
    markers: dict[str, object] = {f"term{i}": str(marker)
                                  for i, marker in enumerate(compiled.POSITIONAL[:len(terms)])}
    markers["user"] = compiled.USER
    values: dict[str, object] = {f"term{i}": term for i, term in enumerate(terms)}
    values["user"] = user.pk
    if date_of_birth:
        markers["date_of_birth"], values["date_of_birth"] = compiled.TODAY, date_of_birth

    def build() -> compiled.Compiled:
        words = [Value(markers[f"term{i}"]) for i in range(len(terms))]
        searched = _searched(children_in_scope(key).only(*_LISTED), words,
                             markers.get("date_of_birth"))
        return compiled.compile_once(searched[:SEARCH_LIMIT], markers)

    query = compiled.cached(("child_search", key, len(terms), bool(date_of_birth)), build)
    return query.instances(values)  # type: ignore[return-value]


def child_for_view(*, request: HttpRequest, child_id: int, section: str) -> Child:
    """The child, if the user may see them; every view and every refusal is audit-logged.

    Refusals answer 404 so that a restricted child's existence is not revealed.
    """
    child = _child_in_scope(request.user, child_id)
    if child is None:
        access_record(request=request, child_id=child_id, action=AccessAction.REFUSED,
                      section=section)
        raise Http404("No child found")
    access_record(request=request, child_id=child.pk, action=AccessAction.VIEW,
                  section=section)
    return child


def _child_in_scope(user: User, child_id: int) -> Child | None:
    """The child by pk within the user's scope, with household and authority. Every tab of
    the record reads it: its SQL is built once per scope (issue 13 §2; cpcases.core.compiled)."""
    key = scope_key(user)
    if key is None:  # no scope: nothing to see (visible_children is empty)
        return None
    return first(_CHILD_IN_SCOPE.run(key, child_id))


# One row by pk: no ORDER BY (`.first()` sorts by name).
_CHILD_IN_SCOPE: CompiledQuery[Child] = CompiledQuery(
    lambda key, pk: child_in_scope(key, pk).select_related(
        "household", "authority").order_by()[:1])


def household_children(*, user: User, child: Child) -> QuerySet[Child]:
    """All children in the household, as far as the user may see them (002 §2.2)."""
    if not child.household_id:
        return Child.objects.none()
    return visible_children(user).filter(household_id=child.household_id).exclude(pk=child.pk)


def people_around(*, child: Child) -> list[ChildPerson]:
    """The people around the child, with each person (SQL built once: issue 13 §2)."""
    return _PEOPLE_AROUND.run("people_around", child.pk)


_PEOPLE_AROUND: CompiledQuery[ChildPerson] = CompiledQuery(
    lambda key, pk: ChildPerson.objects.filter(child_id=pk).select_related("person")
    .order_by("relationship"))


def people_list(*, user: User) -> QuerySet[Person]:
    return Person.objects.filter(
        child_links__child__in=visible_children(user)).distinct().order_by("last_name")


def current_allocation(*, child: Child) -> Allocation | None:
    """Child.current_allocation with its team and social worker in the same query (issue 13
    §2: the summary names both; SQL built once)."""
    return first(_CURRENT_ALLOCATION.run("current_allocation", child.pk))


_CURRENT_ALLOCATION: CompiledQuery[Allocation] = CompiledQuery(
    lambda key, pk: Allocation.objects.filter(child_id=pk, ended_on__isnull=True)
    .select_related("team", "social_worker").order_by("-started_on")[:1])


def allocation_history(*, child: Child) -> list[Allocation]:
    """Every allocation of the child, newest first, with team, worker and who made it (SQL
    built once: issue 13 §2)."""
    return _ALLOCATION_HISTORY.run("allocation_history", child.pk)


_ALLOCATION_HISTORY: CompiledQuery[Allocation] = CompiledQuery(
    lambda key, pk: Allocation.objects.filter(child_id=pk).select_related(
        "team", "social_worker", "created_by"))


def audit_trail(*, child: Child) -> list[dict]:
    """Changes (pghistory events) to the child and their record, newest first."""
    from cpcases.audit.selectors import child_audit_entries

    return child_audit_entries(child)


