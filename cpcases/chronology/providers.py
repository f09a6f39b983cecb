"""The registry of chronology event providers and the merge.

A provider is a function `fn(child) -> Iterable[ChronologyItem]` that reads one kind of
record (visits, strategy discussions, conferences, moves of address…) and describes each
significant event in the chronology's fields. Apps register theirs with `register_provider`
(this app's are in chronology.sources, registered in ChronologyConfig.ready()); the merged
chronology is every provider's items in event-date order. A provider whose models are
absent returns nothing.

Providers read without ORDER BY (`.order_by()`, issue 13 §2: building and running the
models' default orderings cost more than the rows): `in_order` puts every item in its place,
the origin (unique per item) settling ties. Order only what is joined into one item's text.

A provider may name the tables it reads its events from (`sources`): the merge first asks,
in one query whose SQL is built once per process, which providers have any row for the
child, and calls only those (issue 13 §2: a child's chronology asked fifteen tables, most
of them empty for most children, each query compiled by the ORM at every view). A provider
without sources is always called.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, time

from django.apps import apps
from django.db import connection

from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from cpcases.chronology.models import EventType

Provider = Callable[[Child], Iterable["ChronologyItem"]]


@dataclass(frozen=True)
class ChronologyItem:
    """One row of the chronology, in the fields of DOMAIN §2 step 17."""

    event_date: date
    event_type: str
    significant_event: str
    source: str
    agency: str
    # "provider:pk", unique per item: the last part of the sort key, so that equal events
    # always come out in the same order.
    origin: str
    event_time: time | None = None
    who_involved: str = ""
    decisions_actions_outcome: str = ""
    child_seen: bool | None = None
    child_views: str = ""
    author_comments: str = ""
    author: str = ""
    automatic: bool = True
    href: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False)
    # The event's place in the pathway, for ordering events of one day whose time is not
    # known: a strategy discussion before the Section 47 enquiry it starts, the enquiry
    # before its outcome, the outcome before the conference... (see STAGE).
    stage: int = 0

    @property
    def sort_key(self) -> tuple:
        return (self.event_date, self.event_time or time.min, self.stage, self.origin)

    @property
    def event_type_label(self) -> str:
        return _label(EventType, self.event_type)

    @property
    def agency_label(self) -> str:
        return _label(Agency, self.agency)


def _label(choices: type, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@dataclass(frozen=True)
class Source:
    """A table a provider reads its events from: the rows of `model` ("app_label.Model")
    whose `child` lookup is the child's pk. Naming its sources is a promise: with fewer than
    `at_least` such rows in every one of them, the provider yields nothing (a move of
    address needs two snapshots of the record)."""

    model: str
    child: str = "child"
    at_least: int = 1


_PROVIDERS: dict[str, Provider] = {}
_SOURCES: dict[str, tuple[Source, ...]] = {}


def register_provider(fn: Provider, *, name: str | None = None,
                      sources: Iterable[Source] | None = None) -> Provider:
    """Add a provider (idempotent: registering the same name again replaces it). Usable as a
    decorator. `sources`: the tables it reads (see Source); without them it is always
    called."""
    key = name or f"{fn.__module__}.{fn.__qualname__}"
    _PROVIDERS[key] = fn
    _SOURCES.pop(key, None)
    if sources is not None:
        _SOURCES[key] = tuple(sources)
    return fn


def registered_providers() -> dict[str, Provider]:
    return dict(_PROVIDERS)


# Pathway order of the system's own events (DOMAIN §2): lower first on the same day.
STAGE = {"manual": 0, "move": 5, "strategy": 10, "s47_start": 20, "s47_outcome": 30,
         "conference_booked": 35, "conference": 40, "plan_start": 50, "visit": 60,
         "plan_end": 70}


def in_order(items: Iterable[ChronologyItem]) -> list[ChronologyItem]:
    """Events by day; within a day by time where it is known. An event whose time is not
    known takes its place in the pathway: after the timed events of earlier stages that day
    (the Section 47 enquiry after the 11:00 strategy discussion that started it, its
    outcome after that), before later ones."""
    by_day: dict[date, list[ChronologyItem]] = {}
    for item in items:
        by_day.setdefault(item.event_date, []).append(item)
    ordered: list[ChronologyItem] = []
    for day in sorted(by_day):
        events = by_day[day]
        timed = [(i.stage, i.event_time) for i in events if i.event_time is not None]

        def effective(item: ChronologyItem, timed: list = timed) -> time:
            if item.event_time is not None:
                return item.event_time
            earlier = [at for stage, at in timed if 0 < stage < item.stage]
            return max(earlier, default=time.min)

        ordered.extend(sorted(events, key=lambda i: (effective(i), i.stage,
                                                     i.event_time is not None, i.origin)))
    return ordered


# A child id no row has, standing for the child's in the probe's SQL while it is built.
_SENTINEL = -914_271_163
# {(provider, sources) registered: (SQL, which parameters are the child's, provider names)}
_PROBES: dict[tuple, tuple[str, tuple[object, ...], tuple[str, ...]]] = {}


def _source_sql(source: Source) -> tuple[str, list[object]] | None:
    """`EXISTS` the source's `at_least`-th row for the sentinel child; None when the model is
    not installed or its SQL does not carry the child as a parameter (the provider is then
    called, as it always was)."""
    try:
        model = apps.get_model(source.model)
    except LookupError:
        return None
    rows = model._base_manager.filter(**{source.child: _SENTINEL}).order_by().values("pk")
    sql, params = rows[source.at_least - 1:source.at_least].query.sql_with_params()
    if _SENTINEL not in params:
        return None
    return f"EXISTS ({sql})", list(params)


def _probe() -> tuple[str, tuple[object, ...], tuple[str, ...]]:
    """The SQL of one row of booleans, one per provider with sources: has it any rows?"""
    key = tuple((name, _SOURCES.get(name)) for name in _PROVIDERS)
    if key not in _PROBES:
        columns: list[str] = []
        params: list[object] = []
        names: list[str] = []
        for name, sources in key:
            parts = [_source_sql(s) for s in sources or ()]
            if not parts or any(part is None for part in parts):
                continue
            columns.append(" OR ".join(sql for sql, _ in parts))  # type: ignore[misc]
            params.extend(p for _, ps in parts for p in ps)  # type: ignore[misc]
            names.append(name)
        _PROBES[key] = (f"SELECT {', '.join(columns)}" if columns else "", tuple(params),
                        tuple(names))
    return _PROBES[key]


def providers_with_rows(child: Child) -> list[Provider]:
    """The providers to call for the child: those without sources, and those with a row
    in one of theirs (one query; none when no provider names its sources)."""
    sql, params, probed = _probe()
    found: set[str] = set()
    if sql:
        with connection.cursor() as cursor:
            cursor.execute(sql, [child.pk if p == _SENTINEL else p for p in params])
            found = {name for name, has in zip(probed, cursor.fetchone(), strict=True) if has}
    return [fn for name, fn in _PROVIDERS.items() if name not in probed or name in found]


def merged_items(child: Child, *, agency: str = "", event_type: str = ""
                 ) -> list[ChronologyItem]:
    """Every provider's items for the child in event-date order, optionally filtered by
    contributing agency and event type."""
    items: list[ChronologyItem] = []
    for provider in providers_with_rows(child):
        items.extend(provider(child))
    if agency:
        items = [i for i in items if i.agency == agency]
    if event_type:
        items = [i for i in items if i.event_type == event_type]
    return in_order(items)
