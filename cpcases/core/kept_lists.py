"""An API list asked plainly, read through SQL kept per process (issue 13 §2).

A list such as /api/v1/visits/ ran two queries the ORM compiled at every request, a COUNT
and the page, each testing every row against the user's scope (the children's scope SQL,
hashed over 10,000 children) and each planned afresh by PostgreSQL: compiling them cost
more CPU than the rows' serialization, and the scope was evaluated twice. Asked with
nothing but `?page=` (how the lists are read almost always), the page and its count now
come from one query (`compiled.with_total`), compiled once per process for the view and
what its SQL depends on (`kept_list_key`, the user's scope key) and run prepared; its
prefetches are asked of the page's rows afterwards, as the queryset would have. Any filter
or `?ordering=` goes the ORM's way, as does an odd page number (DRF's paginator answers it).

The SQL compiled is the one the ORM would have run: the view's own queryset after its own
filter backends (which change nothing for a plain request), so the rows, their order and
the count are the same; only SQL text is kept, so every request asks the database afresh.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from django.db.models import Model, QuerySet, prefetch_related_objects

from cpcases.core import compiled


class _PrefetchingRows(compiled.CountedRows):
    """A kept query's rows, with the queryset's prefetches asked of each slice read."""

    def __init__(self, query: compiled.Compiled, *, offset: int, limit: int,
                 lookups: Sequence[Any]) -> None:
        super().__init__(query, {}, offset=offset, limit=limit)
        self.lookups = lookups

    def __getitem__(self, window: slice) -> list[Model]:
        rows = super().__getitem__(window)
        if self.lookups:
            prefetch_related_objects(rows, *self.lookups)
        return rows


class KeptListMixin:
    """For a GenericViewSet: a list asked with `?page=` at most is read through its SQL kept
    per (view, `kept_list_key()`) (module docstring)."""

    request: Any
    action: str | None
    paginator: Any

    def kept_list_key(self) -> Hashable | None:
        """Everything the list's SQL depends on for this request beside the view itself (the
        user's scope key); None where the list is not to be kept."""
        raise NotImplementedError

    def filter_queryset(self, queryset: QuerySet[Any]) -> Any:
        found = super().filter_queryset(queryset)  # type: ignore[misc]
        paginator, request = self.paginator, self.request
        if (self.action != "list" or paginator is None or not isinstance(found, QuerySet)
                or found.query.is_empty()):
            return found
        number = request.query_params.get(paginator.page_query_param) or "1"
        size = paginator.get_page_size(request)
        if not (size and number.isdigit() and int(number) >= 1
                and set(request.query_params) <= {paginator.page_query_param}):
            return found
        key = self.kept_list_key()
        if key is None:
            return found
        query = compiled.cached(
            ("kept_list", type(self), key),
            lambda: compiled.compile_once(
                compiled.with_total(found.prefetch_related(None)), {}))
        return _PrefetchingRows(query, offset=(int(number) - 1) * size, limit=size,
                                lookups=found._prefetch_related_lookups)
