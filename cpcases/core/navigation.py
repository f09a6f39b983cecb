"""The header's navigation. Apps register entries in their AppConfig.ready().

Each entry has a place: "service" is the service navigation (the role's main pages; kept to
one row at desktop widths), "account" the account line beside "Signed in as" (notifications,
help, the API), "work" the list of the role's other pages at the foot of My work (oversight
lists a manager opens from there, each also a queue or count on My work).

The entries and their counts (a queue's length, unread notifications) are kept per user and
place in the cache for NAV_COUNTS_CACHE_SECONDS (issue 13 §2: counted afresh on every page,
they cost more than most pages' own content), under a generation number that every write
moves on: any POST, PUT, PATCH or DELETE (NavigationCountsMiddleware, after the view's
transaction has committed) and any save, delete or change of many-to-many links of a model
of the apps whose records are counted (on commit, so Celery's writes count too). So a count
is never out of date after the user's own write; writes that bypass both (bulk updates
outside a request) show within NAV_COUNTS_CACHE_SECONDS."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse

from cpcases.accounts.models import User


@dataclass(frozen=True)
class NavItem:
    text: str
    url_name: str
    order: int
    visible: Callable[[User], bool] = lambda user: True
    count: Callable[[User], int] | None = None
    place: str = "service"


_ITEMS: list[NavItem] = []
logger = logging.getLogger(__name__)

_GENERATION_KEY = "nav:generation"
# The places every page's header shows (cpcases/core/header.py).
HEADER_PLACES = ("service", "account")
# What every page's header reads from the cache (cpcases.core.header): both places and the
# signed-in user's team name.
HEADER_KEYS = (*HEADER_PLACES, "team")
# The apps whose records the navigation counts or shows an entry by (queues, notifications,
# missing children, consultations; the scope: children, allocations, users' roles and teams).
COUNTED_APPS = frozenset({"accounts", "children", "conferences", "conference_outcomes",
                          "deadlines", "frontdoor", "lifeevents", "strategy"})


def register_nav(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _ITEMS):
        _ITEMS.append(item)


def items_for(request: HttpRequest, place: str = "service") -> list[dict[str, Any]]:
    """The entries of one place the user may use, in order. Two apps may offer the same
    entry (the same text, e.g. "Find a child"): the user sees the first one they may use."""
    memo: dict[str, list[tuple[str, str, int]]] = request.__dict__.setdefault(
        "_nav_entries", {})
    if place not in memo:
        memo[place] = _cached_entries(request, place)
    prefix = get_script_prefix()
    items = [{"text": text, "href": _href(url_name, prefix), "current": False, "count": count}
             for text, url_name, count in memo[place]]
    # The current section is the item whose address is the longest prefix of this page's.
    # The home page ("/") is current only on itself, not as every page's prefix.
    matching = [i for i in items if request.path.startswith(i["href"])
                and (i["href"] != "/" or request.path == "/")]
    if matching:
        max(matching, key=lambda i: len(i["href"]))["current"] = True
    return items


@lru_cache(maxsize=256)
def _href(url_name: str, script_prefix: str) -> str:
    """An entry's address: its URL takes no arguments, so it changes only with the script
    prefix (reverse() for each entry on every page was most of the header's cost)."""
    return reverse(url_name)


def team_name(request: HttpRequest) -> str:
    """The name of the signed-in user's team ("" for none), for the header's account line:
    kept with the navigation's entries, under the generation any write moves on (a team is
    a record of a counted app), not read from the database on every page (issue 13 §2)."""
    user = request.user
    if not getattr(user, "team_id", None):
        return ""
    cached = _cached(request, "team", lambda: [user.team.name])
    return str(cached[0])


def _entries(user: User, place: str) -> list[tuple[str, str, int]]:
    """(text, URL name, count) of each entry of the place the user may use."""
    entries: list[tuple[str, str, int]] = []
    for item in sorted(_ITEMS, key=lambda i: i.order):
        if item.place != place or any(text == item.text for text, _, _ in entries):
            continue
        if item.visible(user):
            entries.append((item.text, item.url_name, item.count(user) if item.count else 0))
    return entries


def _cached_entries(request: HttpRequest, place: str) -> list[tuple[str, str, int]]:
    entries = _cached(request, place, lambda: _entries(request.user, place))
    return [tuple(entry) for entry in entries]  # type: ignore[misc]


def _cached(request: HttpRequest, name: str, compute: Callable[[], list[Any]]) -> list[Any]:
    """What compute() gives for this user, kept in the cache per user with the generation it
    was computed under: an entry of another generation is out of date. The generation and
    every entry the header shows are read in one round trip (issue 13 §2: two, the
    generation and then the entries under it, were a fifth of the header's time)."""
    user = request.user
    seconds = getattr(settings, "NAV_COUNTS_CACHE_SECONDS", 30)
    if not seconds or not getattr(user, "is_authenticated", False):
        return compute()
    try:
        prefix = f"nav:{user.pk}:{user.role}:{user.team_id}:{user.authority_id}:"
        key = prefix + name
        # Every page's header shows both places and the team: one round trip for them all.
        fetched: dict[str, Any] = request.__dict__.setdefault("_nav_fetched", {})
        if key not in fetched:
            keys = [prefix + p for p in dict.fromkeys((name, *HEADER_KEYS))]
            found = cache.get_many([_GENERATION_KEY, *keys])
            generation = request.__dict__.get("_nav_generation")
            if generation is None:
                generation = found.get(_GENERATION_KEY)
                if generation is None:
                    generation = _generation()
                generation = request.__dict__["_nav_generation"] = int(generation)
            fetched.update({k: _current(found.get(k), generation) for k in keys})
        generation = request.__dict__["_nav_generation"]
        cached = fetched[key]
    except Exception:  # the cache is an optimisation: without Redis, count afresh
        logger.warning("navigation counts: cache unavailable", exc_info=True)
        return compute()
    if cached is not None:
        return list(cached)
    value = compute()
    fetched[key] = value
    try:
        cache.set(key, (generation, value), seconds)
    except Exception:
        logger.warning("navigation counts: cache unavailable", exc_info=True)
    return value


def _current(entry: Any, generation: int) -> Any:
    """A kept entry's value if it was computed under this generation, else None."""
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == generation:
        return entry[1]
    return None


def _generation() -> int:
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        # Lost (evicted, flushed): start past any number it held, so no entry kept under
        # an old generation is read again.
        cache.add(_GENERATION_KEY, time.time_ns() // 1000, timeout=None)
        generation = cache.get(_GENERATION_KEY, 0)
    return int(generation)


def counts_changed() -> None:
    """Every user's navigation entries and counts are out of date: the next page counts
    afresh."""
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:  # no generation yet (or lost): a new one past any it held
        cache.add(_GENERATION_KEY, time.time_ns() // 1000, timeout=None)
    except Exception:
        logger.warning("navigation counts: cache unavailable", exc_info=True)


def _record_changed(sender: type, **kwargs: Any) -> None:
    if kwargs.get("raw") or sender._meta.app_label not in COUNTED_APPS:
        return
    connection = transaction.get_connection()
    # Once per transaction, when it commits (at once outside one): not again while one is
    # waiting that no savepoint rolled back since could drop.
    if connection.in_atomic_block:
        current = set(connection.savepoint_ids)
        if any(func is counts_changed and savepoints <= current
               for savepoints, func, _ in connection.run_on_commit):
            return
    transaction.on_commit(counts_changed)


def connect_invalidation() -> None:
    """Called once from CoreConfig.ready()."""
    post_save.connect(_record_changed, dispatch_uid="nav-counts-save")
    post_delete.connect(_record_changed, dispatch_uid="nav-counts-delete")
    m2m_changed.connect(_record_changed, dispatch_uid="nav-counts-m2m")


class NavigationCountsMiddleware:
    """After every write request (the view's transaction committed), the counts are out of
    date: the page the user is sent to next counts afresh."""

    SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in self.SAFE:
            counts_changed()
        return response
