"""An API list asked plainly, read through SQL kept per process (issue 13 §2).

A list such as /api/v1/visits/ ran two queries the ORM compiled at every request, a COUNT
and the page, each testing every row against the user's scope (the children's scope SQL,
hashed over 10,000 children) and each planned afresh by PostgreSQL: compiling them cost
more CPU than the rows' serialization, and the scope was evaluated twice. Asked with
nothing but `?page=` (how the lists are read almost always), the page and its count now
come from one query, compiled once per process for the view and what its SQL depends on
(`kept_list_key`, the user's scope key) and run prepared: the list's ids and sort keys
counted and cut to the page, then the page's rows alone (`compiled.compile_narrow`) where
the list's order is total, a window's count over the whole rows (`compiled.with_total`)
otherwise. Its prefetches are asked of the page's rows afterwards, as the queryset would
have. Once kept, a plain list is read without building the view's queryset at all. Any
filter or `?ordering=` goes the ORM's way, as does an odd page number (DRF's paginator
answers it).

A prefetch into a plain list (`Prefetch(relation, queryset, to_attr)`, as
cpcases.core.prefetched makes) of a one-to-many relation is kept too: its queryset with
`<key> IN (SELECT unnest(<the page's keys>))`, compiled once per (view, relation), the
page's keys one array parameter; each row's list set as Django's prefetch sets it (in the
queryset's order, each related row's parent cached on it). Django compiled the prefetch's
query afresh for every page (its IN list as long as the page). A view's prefetch querysets
must not depend on the request (they are kept per view); the related rows' own prefetches
are Django's, asked of all of them at once; any other prefetch (a path through a relation,
a to-many through a join) is Django's.

The SQL compiled is the one the ORM would have run: the view's own queryset after its own
filter backends (which change nothing for a plain request), so the rows, their order and
the count are the same; only SQL text is kept, so every request asks the database afresh.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Prefetch, QuerySet, prefetch_related_objects
from django.db.models.expressions import RawSQL

from cpcases.children.scoping import scope_key
from cpcases.core import compiled
from cpcases.core.paging import page_number_to_read

# The marker of a prefetch's parent keys (one array parameter).
PARENTS = [compiled.ROW_ID]

# A kept prefetch's attribute naming a column of the list's rows that is False where a row
# has no related row (an EXISTS read with the row): those rows are not asked about.
ASKED_WHERE = "asked_where"


class _PrefetchingRows(compiled.CountedRows):
    """A kept query's rows, with the queryset's prefetches asked of each slice read."""

    def __init__(self, query: compiled.Compiled, *, offset: int, limit: int,
                 lookups: Sequence[Any], view: type) -> None:
        super().__init__(query, {}, offset=offset, limit=limit)
        self.lookups, self.view = lookups, view

    def __getitem__(self, window: slice) -> list[Model]:
        rows = super().__getitem__(window)
        if rows:
            for lookup in self.lookups:
                if not _kept_prefetch(self.view, rows, lookup):
                    prefetch_related_objects(rows, lookup)
        return rows


def _kept_prefetch(view: type, rows: list[Model], lookup: Any) -> bool:
    """Set `lookup`'s plain lists on `rows` through a kept query, if it is a one-to-many
    relation's into a plain list; False (nothing done) for any other."""
    if not isinstance(lookup, Prefetch) or not lookup.to_attr or "__" in lookup.prefetch_to:
        return False
    try:
        relation = type(rows[0])._meta.get_field(lookup.prefetch_through)
    except FieldDoesNotExist:
        return False
    if not relation.one_to_many or relation.concrete:  # a reverse foreign key
        return False
    related = relation.related_model
    queryset = (lookup.queryset if lookup.queryset is not None
                else related._default_manager.all())  # type: ignore[union-attr]
    # The related rows' own prefetches (a decision's agency views) are Django's, asked of
    # them all once they are read, as evaluating that queryset would have.
    nested = queryset._prefetch_related_lookups
    field = relation.field  # type: ignore[union-attr]  # the foreign key to the rows
    query = compiled.cached(
        ("kept_prefetch", view, lookup.prefetch_to),
        lambda: compiled.compile_once(queryset.prefetch_related(None).filter(**{
            f"{field.attname}__in": RawSQL("SELECT unnest(%s)", (PARENTS,))}),
            {"parents": PARENTS}))
    by_parent: dict[Any, list[Model]] = {row.pk: [] for row in rows}
    # A row whose own query said it has no related row (`ASKED_WHERE`: its column false) is
    # given its empty list without asking; none to ask, no query (issue 13 §2).
    asked = getattr(lookup, ASKED_WHERE, None)
    parents = {row.pk: row for row in rows
               if asked is None or row.__dict__.get(asked, True) is not False}
    related_rows = query.instances({"parents": list(parents)}) if parents else []
    if nested and related_rows:
        prefetch_related_objects(related_rows, *nested)
    for found in related_rows:
        key = getattr(found, field.attname)
        if not field.is_cached(found):  # as Django's prefetch: the parent on its row
            field.set_cached_value(found, parents[key])
        by_parent[key].append(found)
    for row in rows:
        setattr(row, lookup.to_attr, by_parent[row.pk])
    return True


class KeptListMixin:
    """For a GenericViewSet: a list asked with `?page=` at most is read through its SQL kept
    per (view, `kept_list_key()`) (module docstring)."""

    request: Any
    action: str | None
    paginator: Any

    def kept_list_key(self) -> Hashable | None:
        """Everything the list's SQL depends on for this request beside the view itself;
        None where the list is not to be kept. The user's scope key (the key their scope's
        SQL is kept under: role, team or service, user, authority, day), which is all a
        list scoped to the user's children depends on; a view whose queryset depends on
        more says so here."""
        return scope_key(self.request.user)

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # A plain list whose SQL is kept already is read without building its queryset
        # (the scope's, the view's shaping: about half a millisecond a request): its SQL
        # was compiled from that same queryset, for the same key (no docstring here: the
        # schema would take it for each list's description).
        rows = self._kept_rows(None)
        if rows is None:
            return super().list(request, *args, **kwargs)  # type: ignore[misc]
        page = self.paginate_queryset(rows)  # type: ignore[attr-defined]
        serializer = self.get_serializer(page, many=True)  # type: ignore[attr-defined]
        return self.get_paginated_response(serializer.data)  # type: ignore[attr-defined]

    def filter_queryset(self, queryset: QuerySet[Any]) -> Any:
        found = super().filter_queryset(queryset)  # type: ignore[misc]
        if (self.action != "list" or not isinstance(found, QuerySet)
                or found.query.is_empty()):
            return found
        rows = self._kept_rows(found)
        return found if rows is None else rows

    def _kept_rows(self, found: QuerySet[Any] | None) -> _PrefetchingRows | None:
        """The page asked for, through the list's kept SQL: compiled from `found` (the
        view's queryset after its filter backends) if not kept yet; with `found` None,
        only if kept. None where the list is not read so (not a plain list, not kept)."""
        paginator, request = self.paginator, self.request
        if paginator is None or self.action != "list":
            return None
        number = page_number_to_read(request.query_params.get(paginator.page_query_param))
        size = paginator.get_page_size(request)
        if not (size and number and set(request.query_params) <= {paginator.page_query_param}):
            return None
        key = self.kept_list_key()
        if key is None:
            return None
        key = ("kept_list", type(self), key)
        if found is None:
            kept = _KEPT.get(key)
            if kept is None or compiled.kept(key) is not kept[0]:
                return None
            query, lookups = kept
        else:
            lookups = tuple(found._prefetch_related_lookups)
            query = compiled.cached(key, lambda: _compile(found.prefetch_related(None)))
            if key not in _KEPT and len(_KEPT) >= compiled.CACHE_SIZE:  # the oldest out
                _KEPT.pop(next(iter(_KEPT), None), None)
            _KEPT[key] = (query, lookups)
        return _PrefetchingRows(query, offset=(number - 1) * size, limit=size,
                                lookups=lookups, view=type(self))


# The kept lists' queries and their queryset's prefetches, by key (the queries themselves
# are in compiled's cache, which may drop one: then it is compiled again from a queryset);
# as many keys at most as that cache holds (a key is a user's, for a day).
_KEPT: dict[Hashable, tuple[compiled.Compiled, tuple[Any, ...]]] = {}


def _compile(found: QuerySet[Any]) -> compiled.Compiled:
    """The page and its count in one query: chosen narrow (`compiled.compile_narrow`: the
    page's ids and the count from the list's narrow rows, then the page's rows alone) where
    the list's order is total and its rows allow it; a window's count over the whole rows
    otherwise."""
    ordering = _total_ordering(found)
    narrow = None if ordering is None else compiled.compile_narrow(found, ordering, {})
    return narrow if narrow is not None else compiled.compile_once(
        compiled.with_total(found), {})


def _total_ordering(found: QuerySet[Any]) -> tuple[str, ...] | None:
    """`found`'s order (its own, or its model's) if it ends with the primary key (a total
    order: the page's ids and the page's rows then sort alike); None otherwise."""
    query = found.query
    ordering = tuple(query.order_by or (
        query.get_meta().ordering if query.default_ordering else ()))
    if query.extra_order_by or not ordering or not all(
            isinstance(term, str) for term in ordering):
        return None
    return ordering if ordering[-1].lstrip("-") in ("pk", found.model._meta.pk.name) else None
