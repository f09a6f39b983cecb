"""The team deadlines page's list: a page of deadlines and their number in one query, its
SQL compiled once per process (issue 13 §2).

The page counted the filtered deadlines and then read its 50, each query compiled by the ORM
(about 5 ms of CPU a request, the filter's queryset built first). Here the page's rows carry
the count (cpcases.core.compiled.narrow_page: the page's ids chosen by LIMIT in a subquery,
the count a scalar subquery, only the page's rows joined; a window's count over the list
had PostgreSQL join and hold all 7,500 of a team's deadlines for 50), and the SQL is kept
per (user's scope, user, the filter's cleaned values, sort) with markers for the moment the
status filter judges at (cpcases.core.compiled); the page's LIMIT and OFFSET are
parameters. Anything out of the ordinary (filters not valid, a page number that is not a
plain number, a page past the end) goes the ORM's way, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.core.paginator import Page
from django.db.models import IntegerField, Model, QuerySet
from django.db.models.expressions import RawSQL

from cpcases.accounts.models import User
from cpcases.children.scoping import visible_children_sql
from cpcases.core import compiled
from cpcases.core.paging import page_number_to_read
from deadlines import selectors
from deadlines.filters import SORTS, DeadlineFilter
from deadlines.models import Deadline
from deadlines.mywork import _dates, slim


def _key_value(value: Any) -> Any:
    return value.pk if isinstance(value, Model) else value


def kept_query(*, user: User, found: DeadlineFilter, ordering: tuple[str, ...],
               page: tuple[int, int] | None = None) -> compiled.Compiled | None:
    """The kept query of the deadlines `found` selects in `ordering`, each row with their
    number (with `page`, of that page alone: `one_page`); None when the ORM must answer (no
    child in sight, filters not valid)."""
    scope = visible_children_sql(user, rules=True)  # decision 88
    if scope is None or not found.form.is_valid():
        return None
    cleaned = found.form.cleaned_data
    if any(value not in (None, "", [], ()) for value in cleaned.values()):
        # Filtered: the rules' form (`_compile`), for this user.
        key = ("deadlines", scope, user.pk, cleaned_key(cleaned), ordering)
        return one_page(key, compiled.cached(
            key, lambda: _compile(user, found.data, found.request, ordering)), page)
    # Every filter empty: the unfiltered list's query (`unfiltered_query`), every user's.
    return _every_users("deadlines", user, cleaned_key(cleaned), found.data, found.request,
                        ordering, page)


def one_page(key: tuple[Any, ...], query: compiled.Compiled, page: tuple[int, int] | None
             ) -> compiled.Compiled:
    """`query` (kept under `key`), or with `page` (limit, offset) its query of that page
    alone, every value written in where no request's moment is a parameter
    (compiled.page_written_in), kept beside it. A statement with no parameter left is
    planned once per connection: the lists' statements were planned afresh at every run
    (issue 13 §2: about 1 ms of the team page's 4 in PostgreSQL). The callers ask it for
    the first page only, the page most asked for: one statement more a list, not one a
    page."""
    if page is None:
        return query
    limit, offset = page
    return compiled.cached((*key, "page", page), lambda: compiled.page_written_in(
        query, limit=limit, offset=offset) or query)


def cleaned_key(cleaned: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A filter's cleaned values as part of a kept query's key (a person by their key)."""
    return tuple(sorted((name, _key_value(value)) for name, value in cleaned.items()))


# The orders of the open deadlines' index (Deadline.Meta, deadline_open_due), read either
# way.
_INDEX_ORDERS = frozenset({SORTS["due"], SORTS["-due"]})


def walks_the_open_index(cleaned: Mapping[str, Any], ordering: tuple[str, ...]) -> bool:
    """Whether the page's rows are the open deadlines (the page as first shown) in the order
    of deadline_open_due, so that PostgreSQL finds the page's ids by walking that index and
    stopping at them. (Not the overdue ones: their conditions are no range of the index,
    and one pass over them, sorted, measured quicker.)"""
    return cleaned.get("status") == "open" and ordering in _INDEX_ORDERS


def team_query(*, user: User, cleaned: Mapping[str, Any], data: Any, request: Any,
               ordering: tuple[str, ...], page: tuple[int, int] | None = None
               ) -> compiled.Compiled | None:
    """The team page's kept query of the filter whose valid `data` cleaned to `cleaned`
    (only the columns its rows show: team_slim; with `page`, of that page alone:
    `one_page`). None when no child is in sight.

    Its page's ids and its count are asked apart (narrow_page) where the page walks the
    open deadlines' index (`walks_the_open_index`: the page as first shown): the ids are
    the index's first rows in scope, the count an index-only pass (about 4.5 → 2 ms in
    PostgreSQL for a team's 7,500; counted by a window there, PostgreSQL walked the index
    over every row, 9 ms). Otherwise both come from one pass over the list
    (compiled.counted_once: the list joined to the scope and sorted once, not twice)."""
    scope = visible_children_sql(user, rules=True)  # decision 88
    if scope is None:
        return None
    if walks_the_open_index(cleaned, ordering):
        return _every_users("team deadlines", user, cleaned_key(cleaned), data, request,
                            ordering, page, team_slim)

    def build() -> compiled.Compiled:
        return compiled.counted_once(_compile(user, data, request, ordering, team_slim))

    key = ("team deadlines", scope, user.pk, cleaned_key(cleaned), ordering)
    return one_page(key, compiled.cached(key, build), page)


def _every_users(kind: str, user: User, filters: Any, data: Any, request: Any,
                 ordering: tuple[str, ...], page: tuple[int, int] | None,
                 shape: Callable[[QuerySet[Deadline]], QuerySet[Deadline]] | None = None
                 ) -> compiled.Compiled:
    """The list's kept query (with `page`, of that page alone: `one_page`) built once for
    every user of `user`'s scope, for a stand-in whose id is a marker (decision 96), and
    kept under that stand-in's scope (its role, team or service and authority), with the
    scope as `visible_child_condition`'s two tests of each deadline (decision 94)."""
    anyone = compiled.as_any_user(user)
    key = (kind, visible_children_sql(anyone), filters, ordering)
    return one_page(key, compiled.cached(key, lambda: _compile(
        anyone, data, request, ordering, shape, rules=False)), page)


def values(user: User, now: datetime) -> dict[str, object]:
    """The markers' values of a kept deadline list for `user` at `now`."""
    return {**_dates(now), "user": user.pk}


def unfiltered_query(*, user: User, request: Any, ordering: tuple[str, ...],
                     page: tuple[int, int] | None = None) -> compiled.Compiled | None:
    """kept_query of a list asked with no filter at all, without building the FilterSet
    (its form deep-copies every field: about 1 ms a request) but where the SQL is first
    compiled; None when no child is in sight."""
    scope = visible_children_sql(user, rules=True)  # decision 88
    if scope is None:
        return None
    return _every_users("deadlines", user, None, {}, request, ordering, page)


def _compile(user: User, data: Any, request: Any, ordering: tuple[str, ...],
             shape: Callable[[QuerySet[Deadline]], QuerySet[Deadline]] | None = None, *,
             rules: bool = True) -> compiled.Compiled:
    """The list's kept query. `rules`: the scope asked of each child's row (decision 88);
    otherwise `visible_child_condition`'s two tests of each deadline (decision 94), which
    the list as first shown (the open deadlines in due order) and the API's unfiltered
    list answer quicker (the team page's statement 4.3 -> 3.2 ms, the API's 4.6 -> 3.8),
    and a filtered one slower (the overdue: 7.2 -> 11 ms, the whole index walked)."""
    marked = DeadlineFilter(data, queryset=selectors.deadlines_visible(user=user, rules=rules),
                            request=request)
    marked.now, marked.today = compiled.NOW, compiled.TODAY
    return compiled.compile_once(compiled.narrow_page(marked.qs, ordering, shape or api_slim),
                                 {"now": compiled.NOW, "today": compiled.TODAY,
                                  "user": compiled.USER})


# What the team page's rows show (deadlines.presentation, deadline_tables): `slim`'s columns
# less the closing, delay and anchor ones and the delay's authoriser (the API's).
TEAM_COLUMNS = (
    "id", "authority_id", "child_id", "rule_id", "content_type_id", "object_id", "due_date",
    "due_at", "status", "responsible_id",
    "child__id", "child__first_name", "child__last_name", "child__la_child_id",
    "child__is_restricted", "child__is_unborn",
    "responsible__id", "responsible__full_name", "responsible__username")


def _with_policy_version(deadlines: QuerySet[Deadline]) -> QuerySet[Deadline]:
    """Each row with the policy's version (a scalar subquery, run once): the rows' names and
    countdowns then need no query of their own for it (`note_policy_version`)."""
    version = RawSQL(selectors.POLICY_VERSION_SQL, (),  # noqa: S611 - constant SQL
                     output_field=IntegerField())
    return deadlines.annotate(policy_version=version)


def note_policy_version(rows: Sequence[Deadline]) -> None:
    """Inside selectors.policy_read_once: the policy version the kept query's `rows` came
    with, so that their presentation does not ask it again."""
    for authority_id in {d.authority_id for d in rows}:
        selectors.policy_version_read(authority_id,
                                      rows[0].policy_version)  # type: ignore[attr-defined]


def team_slim(deadlines: QuerySet[Deadline]) -> QuerySet[Deadline]:
    """The team page's rows: their child and responsible person, only the columns shown
    (a third fewer instances than `slim`: no authoriser of a delay), with the policy's
    version."""
    return _with_policy_version(
        deadlines.select_related("child", "responsible").only(*TEAM_COLUMNS))


def api_slim(deadlines: QuerySet[Deadline]) -> QuerySet[Deadline]:
    """The API's rows (mywork.slim: what its serializer reads), with the policy's version."""
    return _with_policy_version(slim(deadlines))


def team_page(*, user: User, found: DeadlineFilter, ordering: tuple[str, ...],
              number: str | None, per_page: int, now: datetime) -> Page | None:
    """The page `number` of the deadlines `found` selects, sorted by `ordering`; None where
    the caller must page the ORM's queryset instead."""
    if not found.form.is_valid():
        return None
    return plain_team_page(user=user, cleaned=found.form.cleaned_data, data=found.data,
                           request=found.request, ordering=ordering, number=number,
                           per_page=per_page, now=now)


def plain_team_page(*, user: User, cleaned: Mapping[str, Any], data: Any, request: Any,
                    ordering: tuple[str, ...], number: str | None, per_page: int,
                    now: datetime) -> Page | None:
    """team_page of the filter whose valid `data` cleaned to `cleaned`, without the
    FilterSet (deadlines.teamfilter reads an ordinary request's filters itself)."""
    # The first page's statement planned once (`one_page`).
    first = page_number_to_read(number) == 1
    query = team_query(user=user, cleaned=cleaned, data=data, request=request,
                       ordering=ordering, page=(per_page, 0) if first else None)
    if query is None:
        return None
    page = compiled.page_of(query, values(user, now), number=number, per_page=per_page)
    if page is not None:
        note_policy_version(page.object_list)
    return page
