"""Server-side sorting of paged lists, shown as MOJ Frontend sortable-table headers.

A paged list (the caseload, the team's deadlines) cannot be sorted in the browser: the rows
of one page are not the list. So each sortable column's header is a link that asks the server
for the list in that order, and carries `aria-sort` as the MOJ sortable table does; tables
that hold their whole list use the MOJ component itself (data-module="moj-sortable-table").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class SortHeader:
    label: str
    href: str = ""  # empty: the column is not sortable
    aria_sort: str = ""  # "ascending", "descending" or "none" on sortable columns


def sort_key(request: HttpRequest, allowed: Sequence[str], default: str) -> str:
    """The sort asked for, if it is one of `allowed` (keys, "-key" for descending)."""
    asked = request.GET.get("sort", default)
    return asked if asked in allowed else default


def sort_headers(request: HttpRequest, columns: Sequence[tuple[str, str | None]],
                 current: str) -> list[SortHeader]:
    """One header per (label, key) column; a key of None leaves the column unsortable. The
    link of the sorted column turns its order round; the others sort ascending. Filters in
    the query string are kept; the page goes back to the first."""
    headers = []
    for label, key in columns:
        if key is None:
            headers.append(SortHeader(label))
            continue
        if current == key:
            aria, target = "ascending", f"-{key}"
        elif current == f"-{key}":
            aria, target = "descending", key
        else:
            aria, target = "none", key
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = target
        headers.append(SortHeader(label, f"?{query.urlencode()}", aria))
    return headers
