"""The audit tab's "who has looked at this record" list, read as plain rows (issue 13 §2).

`audit.selectors.child_access_log` gave the page AccessEvent rows with their users' names
(only those columns), paged by Django over the sliced queryset: a count and a page query,
each compiled by the ORM, and fifty model instances with deferred fields. Here the same
rows (the latest `limit` accesses, newest first) are counted and read through SQL built once
per process, each page's as plain values; CountedPaginator pages them as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.core.paginator import Page
from django.db import connection

from cpcases.audit.models import AccessEvent
from cpcases.audit.selectors import last_result
from cpcases.core.compiled import prepared_cursor
from cpcases.core.paging import CountedPaginator, page_number_to_read
from cpcases.core.presence import CHILD

_INDEX_ORDER = "SET LOCAL enable_bitmapscan TO off"
_SHOWN = ("at", "action", "path", "section", "user__full_name", "user__username")


@dataclass(frozen=True)
class Named:
    """A user as the list names them: str() of the User (full name, else username)."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class AccessShown:
    """One row of the list: what the AccessEvent and its user's names showed."""

    at: datetime
    action: str
    path: str
    section: str
    user: Named | None  # None: no user, or their row is gone (as select_related said)


def _bound(sql_params: tuple[str, tuple[object, ...]], child_id: int
           ) -> tuple[str, list[object]]:
    sql, params = sql_params
    return sql, [child_id if p == CHILD else p for p in params]


@lru_cache(maxsize=8)
def _count_sql(limit: int) -> tuple[str, tuple[object, ...]]:
    # In the index's order (audit_access_child_at), so the count stops at the cap: unordered,
    # PostgreSQL read every access of a much-viewed child to count 200 (issue 13 §2).
    capped = AccessEvent.objects.filter(child_id=CHILD).order_by("-at", "-id").values(
        "pk")[:limit]
    sql, params = capped.query.sql_with_params()
    return f"SELECT COUNT(*) FROM ({sql}) AS capped", tuple(params)  # noqa: S608 - the ORM's


@lru_cache(maxsize=256)
def _rows_sql(bottom: int, top: int) -> tuple[str, tuple[object, ...]]:
    rows = (AccessEvent.objects.filter(child_id=CHILD).order_by("-at", "-id")
            .values_list(*_SHOWN)[bottom:top])
    sql, params = rows.query.sql_with_params()
    return sql, tuple(params)


@lru_cache(maxsize=256)
def _counted_rows_sql(limit: int, bottom: int, top: int) -> tuple[str, tuple[object, ...]]:
    """The count of `_count_sql` and the rows of `_rows_sql`, as one statement: the count on
    every row (one row with no accesses, when the page has none)."""
    count_sql, count_params = _count_sql(limit)
    rows_sql, rows_params = _rows_sql(bottom, top)
    return (f"SELECT counted.total, shown.* FROM ({count_sql}) AS counted(total) "  # noqa: S608 - the ORM's
            f"LEFT JOIN LATERAL ({rows_sql}) AS shown ON true", count_params + rows_params)


class AccessRows:
    """The child's latest `limit` accesses as a paginator's list: its length counted in one
    query, a page's slice read in another; or both at once (`counted_page`)."""

    def __init__(self, child_id: int, *, limit: int = 200) -> None:
        self.child_id = child_id
        self.limit = limit
        self._read: tuple[int, list[AccessShown]] | None = None  # (bottom, its rows)

    def count(self) -> int:
        return self._in_index_order(_count_sql(self.limit))[0][0]

    def counted_page(self, number: int, per_page: int) -> int:
        """The count, with page `number`'s rows read in the same statement (issue 13 §2: one
        round trip, not two, for the page a paginator then asks for; any other slice it asks
        is read as before)."""
        bottom = (number - 1) * per_page
        if bottom >= self.limit:  # past the cap: the paginator answers with another page
            return self.count()
        found = self._in_index_order(_counted_rows_sql(
            self.limit, bottom, min(bottom + per_page, self.limit)))
        self._read = (bottom, [_shown(row[1:]) for row in found if row[1] is not None])
        return found[0][0]

    def _in_index_order(self, sql_params: tuple[str, tuple[object, ...]]
                        ) -> list[tuple[Any, ...]]:
        sql, params = _bound(sql_params, self.child_id)
        if connection.in_atomic_block:  # SET LOCAL would outlast the count: as it comes
            with prepared_cursor(connection) as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        # Read in the index's order whatever the statistics say (issue 13 §2): with the
        # child's accesses estimated under the cap (a table never analysed, or an average
        # child's), PostgreSQL chose a bitmap scan of every access of the child and a sort,
        # so a much-viewed child's count slowed with each view (3.4 ms at 4,600 accesses,
        # 0.14 ms in the index's order). One simple query, one implicit transaction: the
        # setting holds for the count alone.
        with connection.cursor() as cursor:
            cursor.execute(f"{_INDEX_ORDER}; {sql}", params)
            return last_result(cursor)

    def __getitem__(self, page: slice) -> list[AccessShown]:
        # The paginator asks for [bottom:top] of the first `limit` rows, top <= the count.
        bottom, top = page.start or 0, min(page.stop, self.limit)
        if self._read is not None and self._read[0] == bottom:  # read with the count
            return self._read[1][:top - bottom]
        with prepared_cursor(connection) as cursor:  # planned once per connection
            cursor.execute(*_bound(_rows_sql(bottom, top), self.child_id))
            return [_shown(row) for row in cursor.fetchall()]


def access_page(child_id: int, asked: str | None, per_page: int) -> Page:
    """The page of the child's latest accesses `?page=` asked for (`asked`), as Django's
    paginator answers any page number; the count and that page's rows read in one
    statement (any other number: the first page is read with the count, and the page the
    paginator answers read after)."""
    rows = AccessRows(child_id)
    count = rows.counted_page(page_number_to_read(asked) or 1, per_page)
    return CountedPaginator(rows, per_page, count).get_page(asked)


def _shown(row: tuple[Any, ...]) -> AccessShown:
    at, action, path, section, full_name, username = row
    return AccessShown(at, action, path, section,
                       None if username is None else Named(full_name or username))
