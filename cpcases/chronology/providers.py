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

from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from cpcases.chronology.models import EventType
from cpcases.core.presence import Rows, any_rows

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


# A table a provider reads its events from: the rows of `model` ("app_label.Model") whose
# `child` lookup is the child's pk. Naming its sources is a promise: with fewer than
# `at_least` such rows in every one of them, the provider yields nothing (a move of address
# needs two snapshots of the record).
Source = Rows


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


def providers_with_rows(child: Child) -> list[Provider]:
    """The providers to call for the child: those without sources, and those with a row
    in one of theirs (one query, cpcases.core.presence; none when no provider names its
    sources)."""
    probed = [name for name in _PROVIDERS if name in _SOURCES]
    found = any_rows(child.pk, [_SOURCES[name] for name in probed]) if probed else []
    skipped = {name for name, has in zip(probed, found, strict=True) if not has}
    return [fn for name, fn in _PROVIDERS.items() if name not in skipped]


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
