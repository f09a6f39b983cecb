"""A paginator told its list's size (issue 13 §2): the size counted by a query of the
caller's own (with another list's, or through SQL built once), and an empty list's page not
read at all (slicing a queryset to nothing still built its whole query)."""

from __future__ import annotations

import re
from typing import Any

from django.core.paginator import Page, Paginator


class CountedPaginator(Paginator):
    """Django's Paginator (the same pages, the same answer to a page number out of range)
    over `object_list` of `count` rows."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self._count = count

    @property
    def count(self) -> int:  # type: ignore[override]
        return self._count

    def page(self, number: Any) -> Page:
        if self._count == 0:
            return self._get_page([], self.validate_number(number), self)
        return super().page(number)


# Up to six digits, no leading zero: a page past any list (50 a page), yet its OFFSET far
# inside PostgreSQL's bigint; ASCII digits only (str.isdigit() admits "²", which int() refuses).
_PLAIN_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


def page_number_to_read(raw: str | None) -> int | None:
    """The page number asked for (`?page=`; none: the first) when a kept query may read that
    page at once; None for anything else (a word, 0, "last", a number whose OFFSET would
    overflow a bigint), which is left to the paginator to answer (a 404 past the end)."""
    if raw in (None, ""):
        return 1
    return int(raw) if _PLAIN_NUMBER.fullmatch(raw) else None
