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

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.core.paginator import Page
from django.db.models import Model, QuerySet

from cpcases.accounts.models import User
from cpcases.children.scoping import visible_children_sql
from cpcases.core import compiled
from deadlines import selectors
from deadlines.filters import DeadlineFilter
from deadlines.models import Deadline
from deadlines.mywork import _dates, slim


def _key_value(value: Any) -> Any:
    return value.pk if isinstance(value, Model) else value


def kept_query(*, user: User, found: DeadlineFilter, ordering: tuple[str, ...]
               ) -> compiled.Compiled | None:
    """The kept query of the deadlines `found` selects in `ordering`, each row with their
    number; None when the ORM must answer (no child in sight, filters not valid)."""
    scope = visible_children_sql(user)
    if scope is None or not found.form.is_valid():
        return None
    return compiled.cached(("deadlines", scope, user.pk, cleaned_key(found.form.cleaned_data),
                            ordering),
                           lambda: _compile(user, found.data, found.request, ordering))


def cleaned_key(cleaned: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A filter's cleaned values as part of a kept query's key (a person by their key)."""
    return tuple(sorted((name, _key_value(value)) for name, value in cleaned.items()))


def team_query(*, user: User, cleaned: Mapping[str, Any], data: Any, request: Any,
               ordering: tuple[str, ...]) -> compiled.Compiled | None:
    """The team page's kept query of the filter whose valid `data` cleaned to `cleaned`:
    kept_query's, its page's ids and count chosen in one pass over the team's deadlines
    (compiled.counted_once; the deadlines API keeps kept_query's own). None when no child
    is in sight."""
    scope = visible_children_sql(user)
    if scope is None:
        return None
    return compiled.cached(
        ("team deadlines", scope, user.pk, cleaned_key(cleaned), ordering),
        lambda: compiled.counted_once(_compile(user, data, request, ordering, team_slim)))


def unfiltered_query(*, user: User, request: Any, ordering: tuple[str, ...]
                     ) -> compiled.Compiled | None:
    """kept_query of a list asked with no filter at all, without building the FilterSet
    (its form deep-copies every field: about 1 ms a request) but where the SQL is first
    compiled; None when no child is in sight."""
    scope = visible_children_sql(user)
    if scope is None:
        return None
    return compiled.cached(("deadlines", scope, user.pk, None, ordering),
                           lambda: _compile(user, {}, request, ordering))


def _compile(user: User, data: Any, request: Any, ordering: tuple[str, ...],
             shape: Callable[[QuerySet[Deadline]], QuerySet[Deadline]] = slim
             ) -> compiled.Compiled:
    marked = DeadlineFilter(data, queryset=selectors.deadlines_visible(user=user),
                            request=request)
    marked.now, marked.today = compiled.NOW, compiled.TODAY
    return compiled.compile_once(compiled.narrow_page(marked.qs, ordering, shape),
                                 {"now": compiled.NOW, "today": compiled.TODAY})


# What the team page's rows show (deadlines.presentation, deadline_tables): `slim`'s columns
# less the closing, delay and anchor ones and the delay's authoriser (the API's).
TEAM_COLUMNS = (
    "id", "authority_id", "child_id", "rule_id", "content_type_id", "object_id", "due_date",
    "due_at", "status", "responsible_id",
    "child__id", "child__first_name", "child__last_name", "child__la_child_id",
    "child__is_restricted", "child__is_unborn",
    "responsible__id", "responsible__full_name", "responsible__username")


def team_slim(deadlines: QuerySet[Deadline]) -> QuerySet[Deadline]:
    """The team page's rows: their child and responsible person, only the columns shown
    (a third fewer instances than `slim`: no authoriser of a delay)."""
    return deadlines.select_related("child", "responsible").only(*TEAM_COLUMNS)


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
    query = team_query(user=user, cleaned=cleaned, data=data, request=request,
                       ordering=ordering)
    if query is None:
        return None
    return compiled.page_of(query, _dates(now), number=number, per_page=per_page)
