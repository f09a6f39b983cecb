"""Queries compiled by the ORM once per process, run with each request's values (issue 13 §2).

Building a queryset's SQL through the ORM (its filters, joins, the user's scope, window
functions) cost more CPU on every request than PostgreSQL took to answer it: a record page's
read of its child, My work's groups (about 5 ms to compile, four times the query), the lists'
pages. Here a queryset is built and compiled once for what its SQL depends on (the caller's
key: the user's scope key, the user, the page size...) with *markers* in place of the values
that change at every request (the child's id, the time, today, the end of the week); each
request runs that SQL with its own values in the markers' places and builds the model
instances as Django's ModelIterable does (so the read audit's post_init hook sees every row,
and select_related rows are attached). Only SQL text is kept, never rows: every request asks
the database afresh. The SQL runs prepared on the connection (`prepared_cursor`), so
PostgreSQL does not plan it on every request either.

A marker is a value no request can hold: a time or date in the year 1111, a large negative
id. Compiling checks that a marker is found among the parameters only exactly as given, and
nowhere in the SQL text: a value the ORM had converted or inlined would otherwise be kept in
the SQL for good. (A marker may be absent: a filter that does not depend on it.)

Two ways in: `compile_once` and `cached` with named markers (My work, the team page, the
deadlines API, the caseload), and `CompiledQuery` with positional values (a record page's
reads of one child's rows).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

import psycopg
import psycopg.sql
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page
from django.db import connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import (
    BooleanField,
    Count,
    F,
    Func,
    IntegerField,
    Model,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.base import ModelState
from django.db.models.expressions import Col, RawSQL
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import (
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.db.models.sql.datastructures import BaseTable
from django.db.models.sql.where import WhereNode

from cpcases.core.paging import CountedPaginator, page_number_to_read

# The values a request changes, as markers: the year 1111 is in no deadline, no scope.
NOW = datetime(1111, 11, 11, 11, 11, 11, tzinfo=UTC)
TODAY = date(1111, 11, 11)
WEEK_END = date(1111, 11, 12)
MARKERS: dict[str, object] = {"now": NOW, "today": TODAY, "week_end": WEEK_END}
ROW_ID = -1_111_111_111  # a row's id (ids are positive)
# The signed-in user's id, in a query kept once for every user of a scope (`as_any_user`).
USER = -1_111_111_113
# CompiledQuery's values, in order: ids no row has.
POSITIONAL = tuple(-(2**62) + i for i in range(8))
_MARKER_FORMS = ("1111-11-1", str(ROW_ID), str(USER), str(-(2**62))[:-2])


def as_any_user(user: Any) -> Any:
    """A stand-in for `user` whose id is the USER marker, its role, team, service and
    authority theirs: a query built for it is the SQL of every user of that scope, the
    user's id a parameter (the marker "user"), so that a web worker compiles it once for
    them all rather than once for each user it serves (decision 96). Only for building SQL:
    nothing may be read or written through it."""
    stand_in = copy.copy(user)
    stand_in.pk = USER
    return stand_in


def _looks_like_a_marker(value: object) -> bool:
    """A marker's date, time or id in another form (a string, another zone, a date of the
    time): what the ORM might have made of one."""
    text = str(value)
    return any(form in text for form in _MARKER_FORMS)


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
    make: Maker  # an instance of the model from its values
    sliced: bool = False  # the queryset's own LIMIT is in the SQL
    plain: bool = False  # a values_list() query: its rows are tuples (`rows`)
    paged_inside: bool = False  # LIMIT and OFFSET are the markers of a subquery (narrow_page)
    # (limit, offset) written into the SQL (`page_written_in`): the only page it reads.
    page: tuple[int, int] | None = None

    def params_for(self, values: Mapping[str, object]) -> list[object]:
        params = list(self.params)
        for position, name in self.slots:
            params[position] = values[name]
        return params

    def instances(self, values: Mapping[str, object], *, limit: int | None = None,
                  offset: int = 0) -> list[Model]:
        """The rows as model instances, for these values of the markers; with `limit`, that
        many from `offset` (as parameters: one kept SQL serves every page of a list)."""
        if self.plain:
            raise ValueError("A values_list() query's rows are tuples: use rows()")
        found = []
        rows = self._converted(values, limit, offset)
        # post_init's receivers of each model, resolved once for all the rows.
        receivers = {model: post_init_receivers(model)
                     for model in {self.model, *(m for p in self.populators for m in p.models)}}
        own = receivers[self.model]
        for row in rows:
            obj = self.make(row[self.fields_start:self.fields_end], own)
            for populator in self.populators:
                populator.populate(row, obj, receivers)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found

    def rows(self, values: Mapping[str, object]) -> list[tuple[Any, ...]]:
        """A values_list() query's rows, as the ORM gives them, for these values."""
        if not self.plain:
            raise ValueError("A model query's rows are instances: use instances()")
        return [tuple(row[:self.fields_end]) for row in self._converted(values, None, 0)]

    def _converted(self, values: Mapping[str, object], limit: int | None, offset: int
                   ) -> list[list[Any]]:
        connection = connections[self.using]
        if self.page is not None and (limit, offset) != self.page:
            raise ValueError(f"This query reads the page {self.page} alone")
        if self.paged_inside:  # the page's ids are chosen inside (narrow_page): LIMIT NULL
            values = {**values, _LIMIT: limit, _OFFSET: offset}  # is no limit there too
        sql, params = self.sql, self.params_for(values)
        if not self.paged_inside and (limit is not None or offset):  # LIMIT NULL: no limit
            if self.sliced:
                raise ValueError("A sliced query's rows cannot be paged again")
            sql, params = f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset]
        with prepared_cursor(connection) as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        rows = []
        for found in fetched:
            row = list(found)
            for position, functions, expression in self.converters:
                value = row[position]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[position] = value
            rows.append(row)
        return rows


# --- model instances from a row, as Django's from_db makes them -----------------------------------

_PLAIN_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _plain(model: type[Model], init_list: tuple[str, ...]) -> bool:
    """Whether Model.from_db's instance of `model` from `init_list`'s values is only its
    state and those values in its __dict__: no class of the model overrides __new__,
    __init__ or from_db, the values come in the model's field order (as from_db assumes),
    and setting each one goes through Django's plain attributes (a foreign key's id also
    clears a cached related object, which a new instance has none of)."""
    if any(name in vars(klass) for klass in model.__mro__ if klass not in (Model, object)
           for name in ("__new__", "__init__", "from_db")):
        return False
    concrete = [f.attname for f in model._meta.concrete_fields]
    if list(init_list) != [name for name in concrete if name in init_list]:
        return False
    if len(set(init_list)) != len(init_list):
        return False
    for name in init_list:
        found = next((vars(klass)[name] for klass in model.__mro__ if name in vars(klass)),
                     None)
        if type(found) not in _PLAIN_ATTRIBUTES:
            return False
    return True


Receivers = tuple[Callable[..., Any], ...]
# An instance of a model from its values, post_init's receivers of that model given.
Maker = Callable[[Sequence[Any], Receivers], Model]


def post_init_receivers(model: type[Model]) -> Receivers:
    """What `post_init.send(sender=model, …)` calls, resolved once for a query's rows:
    sent per row, Django resolved its receivers again for each (4 µs a row with the read
    audit's receiver, 1 µs without any, where the receiver itself takes under 1 µs). An
    asynchronous receiver leaves the sending to Django."""
    sync, asynchronous = post_init._live_receivers(model)
    if asynchronous:
        return (_send_post_init,)
    return tuple(sync)


def _send_post_init(signal: Any, sender: type[Model], instance: Model) -> None:
    signal.send(sender=sender, instance=instance)


def maker(model: type[Model], init_list: tuple[str, ...], using: str) -> Maker:
    """`model.from_db(using, init_list, values)` as a function of the values. For a plain
    model (`_plain`) the instance is made without Model.__init__'s walk over every field
    (a list page's 150 instances cost more there than PostgreSQL took for the page): its
    state and the values set in its __dict__ in the same order, and post_init's receivers
    (`post_init_receivers(model)`, given) called as __init__'s send calls them (the read
    audit notes rows there). While anything listens to pre_init, from_db makes them (and
    __init__ sends post_init itself)."""
    def from_db(values: Sequence[Any], receivers: Receivers = ()) -> Model:
        return model.from_db(using, init_list, values)

    if not _plain(model, init_list):
        return from_db
    new, names = model.__new__, init_list

    def make(values: Sequence[Any], receivers: Receivers) -> Model:
        if pre_init.receivers:
            return from_db(values)
        obj = new(model)
        state = ModelState()
        state.adding, state.db = False, using
        fields = obj.__dict__
        fields["_state"] = state
        fields.update(zip(names, values, strict=True))
        for receiver in receivers:
            receiver(signal=post_init, sender=model, instance=obj)
        return obj

    return make


class _Populator:
    """Django's RelatedPopulator (a select_related object of each row), its instances made
    by `maker`."""

    def __init__(self, populator: Any) -> None:
        self.populator = populator
        self.model: type[Model] = populator.model_cls
        self.make = maker(populator.model_cls, tuple(populator.init_list), populator.db)
        self.related = tuple(_Populator(p) for p in populator.related_populators)
        # This row's model and every model related rows of it are made of.
        self.models: tuple[type[Model], ...] = (
            self.model, *(m for related in self.related for m in related.models))

    def populate(self, row: Sequence[Any], from_obj: Model,
                 receivers: Mapping[type[Model], Receivers]) -> None:
        p = self.populator
        values = p.reorder_for_init(row) if p.reorder_for_init else row[p.cols_start:p.cols_end]
        obj = None
        if values[p.pk_idx] is not None:
            obj = self.make(values, receivers[self.model])
            for related in self.related:
                related.populate(row, obj, receivers)
        p.local_setter(from_obj, obj)
        if obj is not None:
            p.remote_setter(obj, from_obj)


def _marker_slots(params: Sequence[object], markers: Mapping[str, object],
                  skip: tuple[int, ...] = ()) -> list[tuple[int, str]]:
    """(position, name) of each parameter that is one of the markers (the request's values
    go there); a parameter that looks like a marker but is not one is refused."""
    slots = []
    for position, param in enumerate(params):
        if position in skip:
            continue
        names = [name for name, marker in markers.items()
                 if type(param) is type(marker) and param == marker]
        if names:
            slots.append((position, names[0]))
        elif _looks_like_a_marker(param):  # converted by the ORM: kept for good otherwise
            raise ValueError(f"A marker not passed as itself: {param!r}")
    return slots


def compile_once(queryset: QuerySet[Any], markers: Mapping[str, object]) -> Compiled:
    """Compile a queryset built with `markers` (name → the marker value used in its place)
    into a Compiled whose rows each request asks for with its own values: model instances
    (`instances`), or a values_list()'s tuples (`rows`)."""
    return _compile(queryset, markers, None)


_Wrap = Callable[[Any, str, list[object]], tuple[str, list[object]]]


def _compile(queryset: QuerySet[Any], markers: Mapping[str, object], wrap: _Wrap | None,
             slice_as: str | None = None) -> Compiled:
    """compile_once, its SQL and parameters given to `wrap` (with the compiler) first: SQL
    round it whose output columns are the queryset's own, in their order; a narrow page's
    slice written as `slice_as` (`_PAGE_PARAMETERS` by default)."""
    using = queryset.db
    if queryset._known_related_objects or queryset._prefetch_related_lookups:
        raise ValueError("A compiled query builds plain rows: no prefetch, no known objects")
    compiler = queryset.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    if wrap is not None:
        sql, params = wrap(compiler, sql, list(params))
    sql, params, page_at = _page_markers_as_parameters(sql, list(params),
                                                       slice_as or _PAGE_PARAMETERS)
    slots = [] if page_at is None else [(page_at, _LIMIT), (page_at + 1, _OFFSET)]
    slots += _marker_slots(params, markers, skip=() if page_at is None
                           else (page_at, page_at + 1))
    if _looks_like_a_marker(sql):
        raise ValueError("A marker inlined in the SQL")
    select, klass_info = compiler.select, compiler.klass_info
    converters = compiler.get_converters([s[0] for s in select[0:compiler.col_count]])
    if queryset._iterable_class is not ModelIterable:  # values_list(): tuples in order
        query = queryset.query
        if query.annotation_select or query.extra_select or \
                queryset._iterable_class is not ValuesListIterable:
            raise ValueError("A compiled values query is a values_list() of fields")
        return Compiled(
            using=using, sql=sql, params=tuple(params), slots=tuple(slots),
            model=queryset.model, init_list=(), fields_start=0,
            fields_end=compiler.col_count, annotations=(),
            converters=tuple((position, tuple(functions), expression)
                             for position, (functions, expression) in converters.items()),
            populators=(), make=tuple,  # never called: instances() refuses tuples
            sliced=queryset.query.is_sliced, plain=True, paged_inside=page_at is not None)
    assert klass_info is not None  # a model queryset
    select_fields = klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    init_list = tuple(f[0].target.attname for f in select[start:end])
    return Compiled(
        using=using, sql=sql, params=tuple(params), slots=tuple(slots),
        model=klass_info["model"], make=maker(klass_info["model"], init_list, using),
        init_list=init_list,
        fields_start=start, fields_end=end,
        annotations=tuple(compiler.annotation_col_map.items()),
        converters=tuple((position, tuple(functions), expression)
                         for position, (functions, expression) in converters.items()),
        populators=tuple(_Populator(populator) for populator
                         in get_related_populators(klass_info, select, using)),
        sliced=queryset.query.is_sliced, paged_inside=page_at is not None)


@dataclass(frozen=True)
class Named:
    """Rows under a name (a materialised WITH query of `compile_with`), their columns named
    `columns` in the order of the select: a queryset's (a values_list()), or SQL text without
    parameters that reads names before it."""

    name: str
    columns: tuple[str, ...]
    rows: QuerySet[Any] | str


def compile_with(named: Sequence[Named], queryset: QuerySet[Any],
                 markers: Mapping[str, object]) -> Compiled:
    """`compile_once(queryset, markers)` preceded by `WITH <name> (<columns>) AS MATERIALIZED
    (<the ORM's SQL>)` for each of `named`, their markers found as compile_once finds them:
    narrow rows found once and read by name (through RawSQL) in several places of one
    statement, where a subquery written in each place is run in each (issue 13 §2: My work's
    breaches, counted and their first few read whole, from one pass over the scope)."""
    query = compile_once(queryset, markers)
    heads: list[str] = []
    params: list[object] = []
    for part in named:
        if isinstance(part.rows, str):
            sql, part_params = part.rows, ()
        else:
            sql, part_params = part.rows.query.get_compiler(using=query.using).as_sql()
        if _looks_like_a_marker(sql) or str(PAGE_LIMIT) in sql:
            raise ValueError("A marker inlined in the SQL")
        heads.append(f"{part.name} ({', '.join(part.columns)}) AS MATERIALIZED ({sql})")
        params.extend(part_params)
    slots = _marker_slots(params, markers)
    shift = len(params)
    # A statement not starting with SELECT would have pghistory's context put in front of
    # it (a second command, which a prepared statement refuses): the whole is a subquery,
    # its rows in its own order (nothing above it to change them).
    sql = f"SELECT * FROM (WITH {', '.join(heads)} {query.sql}) AS named"  # noqa: S608 - ORM SQL
    return replace(query, sql=sql,
                   params=(*params, *query.params),
                   slots=(*slots, *((position + shift, name)
                                    for position, name in query.slots)))


def counted(queryset: QuerySet[Any], markers: Mapping[str, object]) -> Compiled:
    """The number of a queryset's rows, as `compile_once` keeps a query: one row of one
    column (`rows()`), `SELECT COUNT(*)` over the queryset's ids. Nothing is made of its rows
    (no instance, so nothing for the read audit to note: a count shows no record)."""
    # A count prefetches nothing (Django's own count() ignores prefetches too).
    ids = compile_once(queryset.prefetch_related(None).order_by().values_list("pk"), markers)
    if ids.paged_inside or ids.sliced:
        raise ValueError("A count is of the whole queryset")
    sql = f"SELECT COUNT(*) FROM ({ids.sql}) AS counted"  # noqa: S608 - the ORM's SQL
    return replace(ids, sql=sql, converters=(), fields_end=1)


def constants_written_in(query: Compiled) -> Compiled:
    """The query with every parameter no marker stands for written into its SQL as a literal
    (psycopg's quoting), only the markers' values left as parameters. A kept query's other
    values are constants of its key (a user's id, their team, a status): as parameters,
    PostgreSQL's generic plan of the prepared statement guesses at them, costs itself above
    the plans made for each request's values, and so plans every run afresh (issue 13 §2:
    My work's statement took 0.8 ms to plan, and as long to run). Written in, the generic
    plan knows them and is chosen after the first five runs. A narrow page's LIMIT and
    OFFSET are slots of their own: they stay parameters."""
    connection = connections[query.using]
    kept = dict(query.slots)
    parts: list[str] = []
    params: list[object] = []
    slots: list[tuple[int, str]] = []
    at, position = 0, 0
    with connection.cursor() as cursor:
        raw = cursor.cursor.connection
        for found in _PLACEHOLDER.finditer(query.sql):
            if found.group() != "%s":
                continue
            parts.append(query.sql[at:found.start()])
            if position in kept:
                slots.append((len(params), kept[position]))
                params.append(query.params[position])
                parts.append("%s")
            else:
                literal = psycopg.sql.Literal(query.params[position]).as_string(raw)
                parts.append(literal.replace("%", "%%"))  # still a %-formatted statement
            at, position = found.end(), position + 1
    if position != len(query.params):
        raise ValueError("The SQL's placeholders are not its parameters")
    parts.append(query.sql[at:])
    return replace(query, sql="".join(parts), params=tuple(params), slots=tuple(slots))


def page_written_in(query: Compiled, *, limit: int, offset: int) -> Compiled | None:
    """A narrow page's query (`narrow_page`) for one page alone: its constants
    (`constants_written_in`) and that page's LIMIT and OFFSET written into its SQL, so that
    no parameter is left. PostgreSQL plans a prepared statement without parameters once,
    for the values written in it (its generic plan is then the plan made for them), where
    the deadline lists' statements were planned afresh at every run, about 1 ms of their
    4 (a generic plan of a LIMIT parameter sorted the whole list where the plan for 50 walks
    an index: issue 13 §2). Its rows are asked for that page only (`instances(limit=,
    offset=)`); None where a marker's value (a request's moment) would stay a parameter.
    The user's id (`as_any_user`) stays one: the statement is every user's."""
    if not query.paged_inside or any(name not in (_LIMIT, _OFFSET, "user")
                                     for _position, name in query.slots):
        return None
    page = {_LIMIT: limit, _OFFSET: offset}
    params = list(query.params)
    for position, name in query.slots:
        if name in page:
            params[position] = page[name]
    # The user's id (`as_any_user`) stays a parameter: one statement for every user.
    users = tuple((position, name) for position, name in query.slots if name == "user")
    written = constants_written_in(replace(query, params=tuple(params), slots=users))
    return replace(written, page=(limit, offset))


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


def kept(key: Hashable) -> Compiled | None:
    """The Compiled kept under `key`, if it is (nothing built)."""
    return _CACHE.get(key)


def clear() -> None:
    _CACHE.clear()


# --- paged lists: a page's rows carrying their list's count -------------------------------------

TOTAL = "compiled_total"  # the annotation counting the whole list (`with_total`)


def with_total(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The queryset's rows, each with the number of them all (`COUNT(*) OVER ()`, counted
    before a LIMIT: the paginator's count, without a COUNT query)."""
    return queryset.annotate(**{TOTAL: Window(Count("*"))})


# narrow_page's slice of its subquery, found in the compiled SQL (the ORM writes a slice's
# numbers into the text) and made two parameters: numbers no list reaches, no other marker's
# form, and no id the SQL text could hold.
PAGE_OFFSET, PAGE_LIMIT = 7_777_777_777_777_001, 777_777_777_001
_LIMIT, _OFFSET = "page limit", "page offset"  # their slots' names
_PAGE_SLICE = f"LIMIT {PAGE_LIMIT} OFFSET {PAGE_OFFSET}"
_PLACEHOLDER = re.compile(r"%[%s]")  # a parameter's %s, or a literal %% to pass over


_PAGE_PARAMETERS = "LIMIT %s OFFSET %s"
# The slice as values the planner does not look into, in a custom plan or the generic one
# (compile_narrow): both then plan the same, and PostgreSQL keeps the generic one.
_PAGE_HIDDEN = "LIMIT (SELECT %s::bigint) OFFSET (SELECT %s::bigint)"


def _page_markers_as_parameters(sql: str, params: list[object],
                                slice_as: str = _PAGE_PARAMETERS
                                ) -> tuple[str, list[object], int | None]:
    """The SQL with narrow_page's slice as `slice_as` (two parameters, LIMIT's first), the
    parameters with two places for them, and the first place's position (None: no such
    slice)."""
    if str(PAGE_LIMIT) not in sql:
        return sql, params, None
    if sql.count(_PAGE_SLICE) != 1 or str(PAGE_LIMIT) in sql.replace(_PAGE_SLICE, ""):
        raise ValueError("A page marker not sliced exactly once")
    head, tail = sql.split(_PAGE_SLICE)
    before = sum(found.group() == "%s" for found in _PLACEHOLDER.finditer(head))
    return (f"{head}{slice_as}{tail}",
            [*params[:before], PAGE_LIMIT, PAGE_OFFSET, *params[before:]], before)


class _CountOf(Subquery):
    """The number of a queryset's rows, as a scalar subquery (run once, an InitPlan)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"

    def __init__(self, queryset: QuerySet[Any]) -> None:
        super().__init__(queryset.order_by().values("pk"), output_field=IntegerField())


class _AmongIds(Func):
    """`pk = ANY(ARRAY(<ids>))`: each of a page's ids looked up by the primary key, where
    `pk IN (<ids>)` had PostgreSQL hash the whole table against the page."""

    arg_joiner = " = ANY(ARRAY"
    template = "(%(expressions)s))"
    output_field = BooleanField()

    def __init__(self, ids: QuerySet[Any]) -> None:
        super().__init__(F("pk"), Subquery(ids))


def narrow_page(found: QuerySet[Any], ordering: tuple[str, ...],
                shape: Callable[[QuerySet[Any]], QuerySet[Any]]) -> QuerySet[Any]:
    """`with_total`'s rows chosen the narrow way, for a long list's page: a window's count
    over the list made PostgreSQL join and hold every row of it (all 7,500 deadlines of a
    team, for 50), where a LIMIT alone can sort the list's keys to the first few. Here the
    page's ids are chosen in a subquery (`found` in `ordering`, sliced by LIMIT and OFFSET
    parameters), the count is a scalar subquery of `found` alone, and only the page's rows
    are read whole: `shape` (select_related, only) applied to the model's rows of those ids,
    in `ordering` again, each carrying TOTAL. Paged by `instances(limit=, offset=)`,
    `page_of` and `CountedRows` as `with_total`'s; an empty page carries no count."""
    ids = found.order_by(*ordering).values("pk")[PAGE_OFFSET:PAGE_OFFSET + PAGE_LIMIT]
    rows = shape(found.model._base_manager.db_manager(found.db).filter(_AmongIds(ids)))
    return rows.annotate(**{TOTAL: _CountOf(found)}).order_by(*ordering)


PAGE = "compiled_page"  # compile_narrow's page: its ids and the list's count (TOTAL)


class _InPage(Func):
    """`pk = ANY(ARRAY(<the page's ids>))` (compile_narrow): each id looked up by key."""

    template = '%(expressions)s = ANY(ARRAY(SELECT "pk" FROM compiled_page))'
    output_field = BooleanField()

    def __init__(self) -> None:
        super().__init__(F("pk"))


def compile_narrow(found: QuerySet[Any], ordering: tuple[str, ...],
                   markers: Mapping[str, object]) -> Compiled | None:
    """A paged list's page and count, the list asked once: `found` in `ordering` (a total
    order of the model's own columns), its ids and sort keys alone, each with their number
    (a window over those narrow rows), sliced by LIMIT and OFFSET parameters, in a WITH
    query; then only the page's rows read whole, as `found` reads them (its select_related
    rows, columns, annotations: its own query with its filters replaced by the page's ids),
    each carrying TOTAL. Paged as `with_total`'s (`instances(limit=, offset=)`,
    `CountedRows`); an empty page carries no count. None where `found`'s rows could not be
    read so (`_filters_alone`) or the order is not of the model's own selected columns.

    `narrow_page` counts in a scalar subquery of its own: there PostgreSQL evaluated the
    list's scope twice (1 to 2 ms each for a conference's or a child's scope), where the
    window over every row of the list (`with_total`) held and sorted the whole rows (and
    evaluated each row's subqueries, a conference's children's keys) before the page was
    cut. The statement is `SELECT * FROM (WITH … ) ORDER BY <positions>`: it starts with
    SELECT, so pghistory leaves it alone (it puts its context before any other statement,
    which a prepared statement cannot hold), and the page is sorted outside by the columns'
    positions (their names may repeat among the joined rows)."""
    if not _filters_alone(found):
        return None
    meta, keys = found.model._meta, []
    for term in ordering:
        name = term.lstrip("-")
        try:
            field = meta.pk if name == "pk" else meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not getattr(field, "concrete", False) or getattr(field, "column", None) is None:
            return None
        keys.append((field.column, term.startswith("-")))
    # The list's narrow rows, counted by a window, planned apart (OFFSET 0) for all of them,
    # then sorted to the page: planned together, PostgreSQL walked an index in the list's
    # order over every row of the table to spare the sort (10,000 children's rows read one
    # by one for 1,500 in scope).
    sort = {f"compiled_key_{i}": F(term.lstrip("-")) for i, term in enumerate(ordering)}
    listed = found.order_by().values("pk", **sort).annotate(**{TOTAL: Window(Count("*"))})
    listed_sql, ids_params = listed.query.get_compiler(using=found.db).as_sql()
    by = ", ".join(f'"{name}"{" DESC" if term.startswith("-") else ""}'
                   for name, term in zip(sort, ordering, strict=True))
    ids_sql = (f'SELECT "pk", "{TOTAL}" FROM ({listed_sql} OFFSET 0) AS listed '  # noqa: S608
               f"ORDER BY {by} {_PAGE_SLICE}")
    rows = found.all()
    rows.query.where = WhereNode()  # the page's rows passed the filters in `ids`
    # Constant SQL: the names of this module's own WITH query and column.
    total = RawSQL('(SELECT "compiled_total" FROM compiled_page LIMIT 1)', (),
                   output_field=IntegerField())
    rows = rows.filter(_InPage()).annotate(**{TOTAL: total}).order_by()

    def wrap(compiler: Any, sql: str, params: list[object]) -> tuple[str, list[object]]:
        base, at = compiler.query.get_initial_alias(), {}
        for position, (expression, _sql, _alias) in enumerate(compiler.select, start=1):
            if isinstance(expression, Col) and expression.alias == base:
                at.setdefault(expression.target.column, position)
        if any(column not in at for column, _ in keys):
            raise _NotNarrow
        order = ", ".join(f"{at[column]}{' DESC' if descending else ''}"
                          for column, descending in keys)
        # The ORM's SQL of the list and of the page, and column positions: nothing else.
        return (f"SELECT * FROM (WITH {PAGE} AS MATERIALIZED ({ids_sql}) {sql}) AS "  # noqa: S608
                f"compiled_rows ORDER BY {order}", [*ids_params, *params])

    try:
        # The key's constants written in and the slice hidden from the planner: otherwise
        # PostgreSQL's generic plan of the statement guessed at both, costed itself above
        # the custom plans, and every run was planned afresh (0.5-0.8 ms of a list's
        # 3-5 ms); now every plan is alike and the generic one is kept after five runs.
        return constants_written_in(_compile(rows, markers, wrap, _PAGE_HIDDEN))
    except _NotNarrow:
        return None


class _NotNarrow(Exception):
    """A sort column not among the page's selected columns (deferred): not narrow."""


def _filters_alone(found: QuerySet[Any]) -> bool:
    """Whether the rows of `found` are exactly the model's rows its WHERE keeps, each once,
    so that a row of its ids read without that WHERE is the row `found` gives: no DISTINCT,
    grouping, slice, combination or extra SQL, and every join it makes is to one row at most
    (a foreign key or a one-to-one, not filtered), so none repeats a row; no aggregate or
    window annotation (its value would be the page's, not the list's)."""
    query = found.query
    if (query.distinct or query.group_by is not None or query.combinator or query.is_sliced
            or query.extra or query.extra_tables or query.select_for_update
            or query.is_empty() or any(
                getattr(expression, "contains_aggregate", True)
                or getattr(expression, "contains_over_clause", True)
                for expression in query.annotations.values())):
        return False
    for alias, join in query.alias_map.items():
        if query.alias_refcount[alias] == 0 or isinstance(join, BaseTable):
            continue
        field = getattr(join, "join_field", None)
        if getattr(join, "filtered_relation", None) is not None or not (
                getattr(field, "many_to_one", False) or getattr(field, "one_to_one", False)):
            return False
    return True


def page_of(query: Compiled, values: Mapping[str, object], *, number: str | None,
            per_page: int) -> Page | None:
    """Page `number` (a request's `?page=`) of a `with_total` query, as Paginator.get_page
    gives it; None for what only the paginator's own path answers (a page number not plain,
    a page past the end: it turns to the last)."""
    wanted = page_number_to_read(number)
    if wanted is None:
        return None
    rows = query.instances(values, limit=per_page, offset=(wanted - 1) * per_page)
    if not rows and wanted > 1:
        return None
    # The count the rows carry, as the paginator's own.
    paginator = CountedPaginator(rows, per_page, getattr(rows[0], TOTAL) if rows else 0)
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


# --- positional values: a record page's reads of one child -----------------------------------

M = TypeVar("M", bound=Model)


class CompiledQuery(Generic[M]):
    """`build(key, *POSITIONAL[:n])` gives the queryset; `run(key, *values)` its instances,
    the queryset compiled once per key. Every value must be a parameter of its SQL."""

    def __init__(self, build: Callable[..., QuerySet[M]]) -> None:
        self.build = build

    def run(self, key: Hashable, *values: Any) -> list[M]:
        names = [f"v{i}" for i in range(len(values))]
        query = cached((self, key), lambda: self._compile(key, names))
        return query.instances(dict(zip(names, values, strict=True)))  # type: ignore[return-value]

    def _compile(self, key: Hashable, names: list[str]) -> Compiled:
        query = compile_once(self.build(key, *POSITIONAL[:len(names)]),
                             dict(zip(names, POSITIONAL, strict=False)))
        if {name for _, name in query.slots} != set(names):
            raise ValueError(f"{key!r}: each marker must be a parameter of the query.")
        return query


def first(found: list[M]) -> M | None:
    return found[0] if found else None


# --- a one-to-many list as one column of a kept query -----------------------------------------

def json_rows(rows: QuerySet[Any], columns: Sequence[str], order: Sequence[str]) -> Subquery:
    """The rows' columns as one JSON array of arrays, in `order` (NULL: no rows), for a
    kept query to carry a short list of plain values beside its own rows: one statement
    instead of one a list (issue 13 §2). Dates and times come back as ISO text. No model
    instances are made of them, so the read audit does not see them: a caller reads
    this way only rows whose children it logs itself, or that lead only to a child
    already logged."""
    from django.contrib.postgres.aggregates import JSONBAgg
    from django.db.models import Value
    from django.db.models.functions import JSONArray

    # Grouped by a constant (no GROUP BY): one aggregate of all the rows.
    return Subquery(rows.order_by().annotate(one_group=Value(1)).values("one_group").annotate(
        rows=JSONBAgg(JSONArray(*columns), order_by=tuple(order))).values("rows"))


# --- running them prepared ----------------------------------------------------------------------

class _PreparingCursor(psycopg.Cursor):
    """Server-side binding, each statement prepared on the connection at its first run."""

    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None,
                binary: bool | None = None) -> Any:
        return super().execute(query, params, prepare=True if prepare is None else prepare,
                               binary=binary)


def prepared_cursor(connection: Any) -> Any:
    """A cursor for a compiled query. PostgreSQL spent longer planning a record page's read
    of its child (0.4 ms) than running it (0.07 ms): the statement is prepared once per
    connection, and its generic plan, made at the first run, serves every run after it
    (the connection's plan_cache_mode, cpcases.settings._services: by default PostgreSQL
    planned each of the first five runs afresh, for each user's statement on each
    connection, decision 95). The cursor is Django's wrapper round it (logged, counted
    and wrapped as any other). DATABASE_PREPARED_STATEMENTS=false (behind a
    transaction-mode pooler) sends the SQL itself."""
    if not settings.DATABASE_PREPARED_STATEMENTS or connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's statement cache off (for poolers); only these server-side
        # binding cursors use it, Django's own (client-side binding) never prepare.
        raw.prepare_threshold = _PREPARE_THRESHOLD
    connection.validate_thread_sharing()
    cursor = _PreparingCursor(raw)
    if connection.timezone is UTC and raw.info.parameter_status("TimeZone") == "UTC":
        # Django's loader of a timestamptz is psycopg's own in Python, its result then put
        # in the connection's zone; psycopg's compiled one gives the same datetime when
        # both zones are UTC (a list page's 100-150 of them cost it 0.3-0.6 ms).
        cursor.adapters.register_loader(_TIMESTAMPTZ, _PSYCOPG_TIMESTAMPTZ)
    if connection.queries_logged:
        return _LoggedPreparedCursor(cursor, connection)
    return CursorWrapper(cursor, connection)


_PREPARE_THRESHOLD = 5  # psycopg's default; the cursor above prepares at the first run
_TIMESTAMPTZ = psycopg.postgres.types["timestamptz"].oid
# psycopg's own loader (compiled with psycopg[binary]), before Django's replaced it.
_PSYCOPG_TIMESTAMPTZ = psycopg.adapters.get_loader(_TIMESTAMPTZ, psycopg.pq.Format.TEXT)


class _LoggedPreparedCursor(CursorDebugWrapper):
    """Logged as Django logs its own queries (tests count and read them), with the values in
    place: psycopg keeps no text of a prepared statement's run for Django to show."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
            return CursorWrapper.execute(self, sql, params)


# --- a narrow page's ids and count in one pass ----------------------------------------------------

_COUNT_OPEN = _CountOf.template.split("%(subquery)s")[0]  # "(SELECT COUNT(*) FROM ("
_COUNT_CLOSE = _CountOf.template.split("%(subquery)s")[1]  # ") AS counted)"
_IDS_OPEN = f"{_AmongIds.arg_joiner}("  # " = ANY(ARRAY(" and the subquery's own "("
_PAGE = "compiled_page"
_SELECT_PK = re.compile(r'SELECT ([A-Za-z0-9_]+\."id") AS "pk" FROM ')


def _closing(sql: str, start: int) -> int:
    """The position of the ")" closing the "(" at `start`, passing over quoted text."""
    depth, at, quote = 0, start, ""
    while at < len(sql):
        char = sql[at]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return at
        at += 1
    raise ValueError("An unclosed parenthesis")


def _placeholders(sql: str) -> int:
    return sum(found.group() == "%s" for found in _PLACEHOLDER.finditer(sql))


def counted_once(query: Compiled) -> Compiled:
    """A `narrow_page` query whose page's ids and the list's count come from one pass over
    the list. narrow_page's count (a scalar subquery of the list) and its page's ids (the
    list sorted, LIMIT) each joined the list's rows to the user's scope: a team's 7,500
    deadlines to its 1,500 children, twice. Here the page's ids are chosen once, each with
    `COUNT(*) OVER ()` (counted before the LIMIT, over the same rows: the list's count), in
    a subquery of the FROM joined to the model's table by key. (Not a common table
    expression: pghistory puts its context in front of any statement not starting with
    SELECT, which a prepared statement cannot hold.) The same rows, order and count; as
    narrow_page's, an empty page carries no count. Only the ORM's compiled SQL is
    rearranged: every value stays a parameter."""
    if not query.paged_inside:
        raise ValueError("Not a narrow_page query")
    sql, table = query.sql, query.model._meta.db_table
    key = f'"{table}"."{query.model._meta.pk.column}"'
    among = f"{key}{_IDS_OPEN}"
    source = f'FROM "{table}" '
    if sql.count(_COUNT_OPEN) != 1 or sql.count(among) != 1:
        raise ValueError("Not a narrow_page query's SQL")
    count_at = sql.index(_COUNT_OPEN)
    count_end = _closing(sql, count_at) + 1
    among_at = sql.index(among)
    ids_at = among_at + len(among) - 1  # the subquery's "("
    ids_end = _closing(sql, ids_at)
    among_end = ids_end + 2  # the subquery's ")" and ARRAY's
    if (not sql[:count_end].endswith(_COUNT_CLOSE) or sql[ids_end:among_end] != "))"
            or sql[count_end:among_at].count(source) != 1):
        raise ValueError("Not a narrow_page query's SQL")
    from_at = sql.index(source, count_end)
    ids = sql[ids_at + 1:ids_end]
    select_pk = _SELECT_PK.match(ids)
    if select_pk is None or ids.count(" LIMIT %s OFFSET %s") != 1:
        raise ValueError("Not narrow_page's ids")
    # Parameters in the order of their places: the count's dropped, the ids' moved to FROM.
    cuts = (0, count_at, count_end, from_at, ids_at, ids_end, len(sql))
    marks = [_placeholders(sql[:cut]) for cut in cuts]
    head, _count, middle, joined, ids_own, tail = (
        range(marks[i], marks[i + 1]) for i in range(6))
    order = [*head, *middle, *ids_own, *joined, *tail]
    moved = {old: new for new, old in enumerate(order)}
    counted = (f'SELECT {select_pk.group(1)} AS "pk", COUNT(*) OVER () AS "total" FROM '  # noqa: S608
               f"{ids[select_pk.end():]}")
    new_sql = (f'{sql[:count_at]}"{_PAGE}"."total"{sql[count_end:from_at]}'
               f'FROM ({counted}) AS "{_PAGE}", {sql[from_at + 5:among_at]}'
               f'{key} = "{_PAGE}"."pk"{sql[among_end:]}')
    if _placeholders(new_sql) != len(order):
        raise ValueError("Parameters lost")
    slots = tuple((moved[position], name) for position, name in query.slots
                  if position in moved)  # the count's own are gone with it
    if {name for _, name in slots} != {name for _, name in query.slots}:
        raise ValueError("A marker only the count held")
    return replace(query, sql=new_sql, params=tuple(query.params[old] for old in order),
                   slots=slots)
