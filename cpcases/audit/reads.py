"""Every read of child data through the API is logged, without each endpoint having to
remember (issue 12 §5).

Three global hooks, all in settings (REST_FRAMEWORK):
- lists: the paginator (every list is paged) logs the children on the page it returns;
- records: an object permission (DRF calls it from get_object() for every record) logs the
  children of the record read;
- refusals: the exception handler (cpcases.core.api) logs every 404/403 a signed-in
  caller gets.
Pages log through children.selectors.child_for_view and, for lists, `record_children_shown`;
Django's 404/403 handlers log refusals of pages.

One entry per (request, child): a child already logged in this request is not logged again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Model
from django.db.models.expressions import RawSQL
from django.http import HttpRequest
from rest_framework import permissions
from rest_framework.pagination import PageNumberPagination

from cpcases.audit.events import insert_access_events
from cpcases.audit.models import AccessAction
from cpcases.core.client import client_address as client_ip
from cpcases.core.compiled import prepared_cursor

# How a record leads to its children, tried in order (one query per page of records).
CHILD_PATHS = ("child", "children", "plan__child", "conference__children",
               "child_links__child", "meeting__plan__child", "discussion__children",
               "request__children", "day__conference__children", "deadline__child",
               "kept", "merged")  # a merge of duplicate records names both


# Rows that lead to children without being about them: the authority has every child.
NOT_CHILD_RECORDS = frozenset({"accounts.Authority"})


def _valid_path(model: type[Model], path: str) -> bool:
    if model._meta.label in NOT_CHILD_RECORDS:
        return False
    current = model
    previous = None
    for part in path.split("__"):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if not field.is_relation or field.related_model is None:
            return False
        if field.one_to_one and previous is not None and field.remote_field is previous:
            # One-to-one there and straight back (a conference's `day__conference`): the
            # row itself, whose children a shorter path finds (issue 13 §2: no query).
            return False
        previous, current = field, field.related_model
    return current._meta.label == "children.Child"


def child_ids_of(objects: Sequence[Any]) -> dict[int, set[int]]:
    """{record pk: child ids} for records of one or more models."""
    by_model: dict[type[Model], list[Model]] = defaultdict(list)
    for obj in objects:
        if isinstance(obj, Model):
            by_model[type(obj)].append(obj)
    found: dict[int, set[int]] = defaultdict(set)
    for model, rows in by_model.items():
        if model._meta.label == "children.Child":
            for row in rows:
                found[row.pk].add(row.pk)
            continue
        pks = [row.pk for row in rows]
        if hasattr(model, "child_ids"):  # kept as plain ids (documents as sent)
            for pk, row in zip(pks, rows, strict=True):
                found[pk].update(row.child_ids)  # type: ignore[attr-defined]
        # Every way the record leads to children (an invitation names its child, if any,
        # and its conference's children): one query per way, per page of records.
        for path, along, steps in _ways(model):
            # Along foreign keys already loaded (select_related, or the parent a prefetch
            # set on its rows), without a query; the other rows in one query.
            unresolved = []
            for pk, row in zip(pks, rows, strict=True):
                known = row.__dict__.get(along)
                if known is not None:  # read with the row itself: no query
                    for child_id in known:
                        if child_id is not None:
                            found[pk].add(child_id)
                    continue
                resolved, child_id = _follow_loaded(row, steps)
                if not resolved:
                    unresolved.append(pk)
                elif child_id is not None:
                    found[pk].add(child_id)
            if not unresolved:
                continue
            for pk, child_id in _rows_children(model, path, unresolved):
                if child_id is not None:
                    found[pk].add(child_id)
    return found


# A step of a path: its field, and whether it is a foreign key or one-to-one column of the
# row (read from the row, its related row from the row's cache); else the database's.
_Step = tuple[Any, bool]


@cache
def _ways(model: type[Model]) -> tuple[tuple[str, str, tuple[_Step, ...]], ...]:
    """(path, `shown_along(path)`, the path's steps) of each of CHILD_PATHS the model leads
    along: worked out once per model (issue 13 §2: a list's every row asked the model's
    fields of each path again)."""
    ways = []
    for path in CHILD_PATHS:
        if not _valid_path(model, path):
            continue
        steps: list[_Step] = []
        current: Any = model
        for part in path.split("__"):
            field = current._meta.get_field(part)
            steps.append((field, bool(field.concrete and (field.many_to_one
                                                          or field.one_to_one))))
            current = field.related_model
        ways.append((path, shown_along(path), tuple(steps)))
    return tuple(ways)


def shown_along(path: str) -> str:
    """The name of an annotation that carries a row's children along `path` (their ids, an
    array: an ArraySubquery of the link table in the row's own query). The read audit takes
    them from the row and asks no query for that path (issue 13 §2: on a record tab that
    lists conferences or plans, the children of those rows were a query a path, about as
    long as the tab's own). The array must be every child along the path, as the path's
    own lookup would find them."""
    return "audit_shown_" + path.replace("__", "_")


# A stand-in for the page's record ids while the SQL is built.
_PKS_MARK = [-771_234_567]


def _rows_children(model: type[Model], path: str, pks: list[Any]) -> list[tuple[Any, Any]]:
    """(pk, child id) of these records along the path: SQL the ORM builds once per process
    per model and path, the ids passed as one array (issue 13 §2: compiling it cost more
    than running it, on every page that shows conferences or plans), run prepared."""
    sql, params, at = _children_sql(model, path)
    values = list(params)
    values[at] = [int(pk) for pk in pks]
    with prepared_cursor(connections[model._default_manager.db]) as cursor:
        cursor.execute(sql, values)
        return cursor.fetchall()


@lru_cache(maxsize=256)
def _children_sql(model: type[Model], path: str) -> tuple[str, tuple[Any, ...], int]:
    ids = RawSQL("SELECT unnest(%s::bigint[])", (_PKS_MARK,))
    query = model._default_manager.filter(pk__in=ids).values_list("pk", path).query
    sql, params = query.sql_with_params()
    return sql, tuple(params), next(i for i, p in enumerate(params) if p == _PKS_MARK)


def _follow_loaded(row: Model, steps: tuple[_Step, ...]) -> tuple[bool, int | None]:
    """(True, the child's id or None) when the path is foreign keys whose rows are loaded
    (or empty); (False, None) when it needs the database (a many-to-many, a row not loaded)."""
    current = row
    last = len(steps) - 1
    for i, (field, column) in enumerate(steps):
        if not column:
            return False, None
        value = getattr(current, field.attname)
        if value is None or i == last:
            return True, value
        if not field.is_cached(current):
            return False, None
        current = field.get_cached_value(current)
    return False, None


def record_children_shown(*, request: HttpRequest, child_ids: Iterable[int], section: str,
                          action: str = AccessAction.VIEW) -> int:
    """Log that the signed-in user was shown these children (once per request)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    seen: set[int] = request.__dict__.setdefault("_audited_children", set())
    new = sorted(set(child_ids) - seen)
    if not new:
        return 0
    seen.update(new)
    _insert_events(user_id=user.pk, child_ids=new, action=action,
                   path=request.get_full_path()[:500], section=section[:64],
                   ip=client_ip(request))
    return len(new)


def _insert_events(*, user_id: int, child_ids: list[int], action: str, path: str,
                   section: str, ip: str | None) -> None:
    insert_access_events(user_id=user_id, child_ids=child_ids, action=action, path=path,
                         section=section, ip=ip)


def mark_logged(request: HttpRequest, rows: Iterable[Any]) -> None:
    """These loaded rows' children are logged (by a hook that saw them): the middleware
    need not look their children up again (issue 13 §2: one lookup per row, not two)."""
    request.__dict__.setdefault("_audited_rows", set()).update(id(row) for row in rows)


def record_rows_shown(request: HttpRequest, rows: Iterable[Any],
                      child_ids: Iterable[int]) -> None:
    """A page's loaded rows whose children (along CHILD_PATHS: all of them) it read in the
    rows' own query: logged now as the read audit would have logged them after the view
    (the route's name as the section), and the rows marked, so their children are not
    looked up again (issue 13 §2)."""
    match = getattr(request, "resolver_match", None)
    route = (match.view_name or match.url_name or "page") if match is not None else "page"
    record_children_shown(request=request, child_ids=child_ids, section=route)
    mark_logged(request, rows)


def not_yet_logged(request: HttpRequest, rows: list[Any]) -> list[Any]:
    """The loaded rows no hook has logged the children of (the rows are kept alive by the
    list, so an id() cannot be reused within the request)."""
    done = request.__dict__.get("_audited_rows")
    return [row for row in rows if id(row) not in done] if done else rows


def record_refusal(request: HttpRequest, *, section: str) -> None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.__dict__.get("_refusal_logged"):
        return
    request.__dict__["_refusal_logged"] = True
    insert_access_events(user_id=user.pk, child_ids=[None], action=AccessAction.REFUSED,
                         path=request.get_full_path()[:500], section=section[:64],
                         ip=client_ip(request))


def _section(view: Any, kind: str) -> str:
    name = getattr(view, "basename", None) or type(view).__name__
    return f"api {kind} {name}"


class _Paginator(Paginator):
    def page(self, number: Any) -> Page:
        """An empty list's page without asking for its rows: slicing the queryset to nothing
        still compiled the whole query (its joins and ordering) to learn it was empty
        (issue 13 §2)."""
        if self.count == 0:
            return self._get_page([], self.validate_number(number), self)
        return super().page(number)


class AuditedPageNumberPagination(PageNumberPagination):
    django_paginator_class = _Paginator

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None
                          ) -> list[Any] | None:
        page = super().paginate_queryset(queryset, request, view)
        if page:
            shown = {c for ids in child_ids_of(page).values() for c in ids}
            record_children_shown(request=request._request, child_ids=shown,
                                  section=_section(view, "list"))
            mark_logged(request._request, page)
        return page


class LogsRecordReads(permissions.BasePermission):
    """Not a gate (always True): DRF calls it for every record fetched by get_object()."""

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            shown = {c for ids in child_ids_of([obj]).values() for c in ids}
            record_children_shown(request=request._request, child_ids=shown,
                                  section=_section(view, "record"))
            mark_logged(request._request, [obj])
        return True
