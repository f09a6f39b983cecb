"""The header's navigation. Apps register entries in their AppConfig.ready().

Each entry has a place: "service" is the service navigation (the role's main pages; kept to
one row at desktop widths), "account" the account line beside "Signed in as" (notifications,
help, the API), "work" the list of the role's other pages at the foot of My work (oversight
lists a manager opens from there, each also a queue or count on My work)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

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


def register_nav(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _ITEMS):
        _ITEMS.append(item)


def items_for(request: HttpRequest, place: str = "service") -> list[dict[str, Any]]:
    """The entries of one place the user may use, in order. Two apps may offer the same
    entry (the same text, e.g. "Find a child"): the user sees the first one they may use."""
    user = request.user
    items: list[dict[str, Any]] = []
    for item in sorted(_ITEMS, key=lambda i: i.order):
        if item.place != place or any(i["text"] == item.text for i in items):
            continue
        if item.visible(user):
            items.append({"text": item.text, "href": reverse(item.url_name), "current": False,
                          "count": item.count(user) if item.count else 0})
    # The current section is the item whose address is the longest prefix of this page's.
    # The home page ("/") is current only on itself, not as every page's prefix.
    matching = [i for i in items if request.path.startswith(i["href"])
                and (i["href"] != "/" or request.path == "/")]
    if matching:
        max(matching, key=lambda i: len(i["href"]))["current"] = True
    return items
