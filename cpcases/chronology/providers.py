"""The registry of chronology event providers and the merge.

A provider is a function `fn(child) -> Iterable[ChronologyItem]` that reads one kind of
record (visits, strategy discussions, conferences, moves of address…) and describes each
significant event in the chronology's fields. Apps register theirs with `register_provider`
(this app's are in chronology.sources, registered in ChronologyConfig.ready()); the merged
chronology is every provider's items in event-date order. A provider whose models are
absent returns nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, time

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

    @property
    def sort_key(self) -> tuple:
        # Same-day events in time order; an event whose time is not known first in its day.
        return (self.event_date, self.event_time is not None, self.event_time or time.min,
                self.origin)

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


_PROVIDERS: dict[str, Provider] = {}


def register_provider(fn: Provider, *, name: str | None = None) -> Provider:
    """Add a provider (idempotent: registering the same name again replaces it). Usable as a
    decorator."""
    _PROVIDERS[name or f"{fn.__module__}.{fn.__qualname__}"] = fn
    return fn


def registered_providers() -> dict[str, Provider]:
    return dict(_PROVIDERS)


def merged_items(child: Child, *, agency: str = "", event_type: str = ""
                 ) -> list[ChronologyItem]:
    """Every provider's items for the child in event-date order, optionally filtered by
    contributing agency and event type."""
    items: list[ChronologyItem] = []
    for provider in _PROVIDERS.values():
        items.extend(provider(child))
    if agency:
        items = [i for i in items if i.agency == agency]
    if event_type:
        items = [i for i in items if i.event_type == event_type]
    return sorted(items, key=lambda i: i.sort_key)
