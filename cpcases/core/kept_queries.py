"""Queries compiled by the ORM once per process, run with each request's values.

Issue 13 §2: My work's groups query (a CASE and two window functions over the user's scope)
took the ORM about 5 ms of CPU to compile on every request, four times what PostgreSQL took
to answer it. Here a queryset is built and compiled once for what its SQL depends on (the
caller's cache key: the user's scope SQL, the user, the page size) with *markers* in place
of the values that change at every request (the time, today, the end of the week); each
request runs that SQL with its own values in the markers' places and builds the model
instances as Django's ModelIterable does (so the read audit's post_init hook sees every
row, and select_related rows are attached). Only SQL text is kept, never rows: every request
asks the database afresh.

A marker is a value no request can hold (the year 1111). Compiling checks that a marker is
found among the parameters only exactly as given, and nowhere in the SQL text: a value the
ORM had converted or inlined would otherwise be kept in the SQL for good. (A marker may be
absent: a filter that does not depend on it.)

cpcases.core.compiled (the record pages' child read) does the same for integer values; this
module adds typed markers (times and dates), annotations (window counts), LIMIT and OFFSET as
parameters and paged lists (`with_total`, `page_of`). The two could become one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Count, Model, QuerySet, Window
from django.db.models.query import get_related_populators

# The values a request changes, as markers: the year 1111 is in no deadline, no scope.
NOW = datetime(1111, 11, 11, 11, 11, 11, tzinfo=UTC)
TODAY = date(1111, 11, 11)
WEEK_END = date(1111, 11, 12)
MARKERS: dict[str, object] = {"now": NOW, "today": TODAY, "week_end": WEEK_END}
ROW_ID = -1_111_111_111  # a row's id (ids are positive)


@dataclass(frozen=True)
class Compiled:
    """A queryset's SQL and how to build its rows, with the markers' parameter positions."""

    using: str
    sql: str
    params: tuple[object, ...]
    slots: tuple[tuple[int, str], ...]  # (parameter position, marker name)
    model: type[Model]
    init_list: tuple[str, ...]
    fields_start: int
    fields_end: int
    annotations: tuple[tuple[str, int], ...]
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]
    populators: tuple[Any, ...]

    def params_for(self, values: Mapping[str, object]) -> list[object]:
        params = list(self.params)
        for position, name in self.slots:
            params[position] = values[name]
        return params

    def instances(self, values: Mapping[str, object], *, limit: int | None = None,
                  offset: int = 0) -> list[Model]:
        """The rows as model instances, for these values of the markers; with `limit`, that
        many from `offset` (as parameters: one kept SQL serves every page of a list)."""
        connection = connections[self.using]
        sql, params = self.sql, self.params_for(values)
        if limit is not None or offset:  # LIMIT NULL: no limit
            sql, params = f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        found = []
        for fetched in rows:
            row = list(fetched)
            for position, functions, expression in self.converters:
                value = row[position]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[position] = value
            obj = self.model.from_db(self.using, self.init_list,
                                     row[self.fields_start:self.fields_end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found


def compile_once(queryset: QuerySet[Any], markers: Mapping[str, object]) -> Compiled:
    """Compile a queryset built with `markers` (name → the marker value used in its place)
    into a Compiled whose rows each request asks for with its own values."""
    using = queryset.db
    if queryset._known_related_objects or queryset._prefetch_related_lookups:
        raise ValueError("A compiled query builds plain rows: no prefetch, no known objects")
    if queryset.query.is_sliced:
        raise ValueError("Slice a compiled query when running it (limit, offset)")
    compiler = queryset.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    slots = []
    for position, param in enumerate(params):
        names = [name for name, marker in markers.items()
                 if type(param) is type(marker) and param == marker]
        if names:
            slots.append((position, names[0]))
        elif "1111" in str(param):  # a marker the ORM converted: kept for good otherwise
            raise ValueError(f"A marker not passed as itself: {param!r}")
    if "1111" in sql:
        raise ValueError("A marker inlined in the SQL")
    select, klass_info = compiler.select, compiler.klass_info
    assert klass_info is not None  # a model queryset
    select_fields = klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    converters = compiler.get_converters([s[0] for s in select[0:compiler.col_count]])
    return Compiled(
        using=using, sql=sql, params=tuple(params), slots=tuple(slots),
        model=klass_info["model"],
        init_list=tuple(f[0].target.attname for f in select[start:end]),
        fields_start=start, fields_end=end,
        annotations=tuple(compiler.annotation_col_map.items()),
        converters=tuple((position, tuple(functions), expression)
                         for position, (functions, expression) in converters.items()),
        populators=tuple(get_related_populators(klass_info, select, using)))


# Compiled queries by their caller's key (scope SQL, user, page size…): a few per user.
_CACHE: dict[Hashable, Compiled] = {}
CACHE_SIZE = 512  # a few KB of SQL each


def cached(key: Hashable, build: Callable[[], Compiled]) -> Compiled:
    """The Compiled kept under `key`, built by `build()` the first time (the oldest entries
    are dropped past CACHE_SIZE)."""
    found = _CACHE.get(key)
    if found is None:
        found = build()
        if len(_CACHE) >= CACHE_SIZE:  # the oldest out (a pop with a default: threads)
            _CACHE.pop(next(iter(_CACHE), None), None)
        _CACHE[key] = found
    return found


def clear() -> None:
    _CACHE.clear()


# --- paged lists: a page's rows carrying their list's count -------------------------------------

TOTAL = "compiled_total"  # the annotation counting the whole list (`with_total`)
_PLAIN_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


def with_total(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The queryset's rows, each with the number of them all (`COUNT(*) OVER ()`, counted
    before a LIMIT: the paginator's count, without a COUNT query)."""
    return queryset.annotate(**{TOTAL: Window(Count("*"))})


def page_of(query: Compiled, values: Mapping[str, object], *, number: str | None,
            per_page: int) -> Page | None:
    """Page `number` (a request's `?page=`) of a `with_total` query, as Paginator.get_page
    gives it; None for what only the paginator's own path answers (a page number not plain,
    a page past the end: it turns to the last)."""
    if number in (None, ""):
        wanted = 1
    elif _PLAIN_NUMBER.fullmatch(number):
        wanted = int(number)
    else:
        return None
    rows = query.instances(values, limit=per_page, offset=(wanted - 1) * per_page)
    if not rows and wanted > 1:
        return None
    paginator = Paginator(rows, per_page)
    # The count the rows carry, as the paginator's own (a cached property).
    paginator.count = getattr(rows[0], TOTAL) if rows else 0
    return Page(rows, paginator.validate_number(wanted), paginator)


class CountedRows:
    """A `with_total` query's rows as Django's Paginator reads a list (count(), then a
    slice), for a paginator the caller cannot replace (DRF's): the page expected
    (`offset`, `limit`) is read with the count in one query; another slice asks again."""

    def __init__(self, query: Compiled, values: Mapping[str, object], *, offset: int,
                 limit: int) -> None:
        self.query, self.values = query, values
        self.offset, self.limit = offset, limit
        self._total: int | None = None
        self._read: tuple[int, list[Model]] | None = None

    def count(self) -> int:
        if self._total is None:
            rows = self.query.instances(self.values, limit=self.limit, offset=self.offset)
            if not rows and self.offset:  # past the end: the count from the first page
                self.offset = 0
                rows = self.query.instances(self.values, limit=self.limit, offset=0)
            self._read = (self.offset, rows)
            self._total = getattr(rows[0], TOTAL) if rows else 0
        return self._total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Model]:
        start = window.start or 0
        limit = (window.stop - start) if window.stop is not None else None
        if (self._read is not None and self._read[0] == start and limit is not None
                and limit <= self.limit):
            return self._read[1][:limit]
        return self.query.instances(self.values, limit=limit, offset=start)
