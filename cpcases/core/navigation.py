"""The header's navigation. Apps register entries in their AppConfig.ready()."""

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


_ITEMS: list[NavItem] = []


def register_nav(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _ITEMS):
        _ITEMS.append(item)


def items_for(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    items = [{"text": item.text, "href": reverse(item.url_name), "current": False,
              "count": item.count(user) if item.count else 0}
             for item in sorted(_ITEMS, key=lambda i: i.order) if item.visible(user)]
    # The current section is the item whose address is the longest prefix of this page's.
    # The home page ("/") is current only on itself, not as every page's prefix.
    matching = [i for i in items if request.path.startswith(i["href"])
                and (i["href"] != "/" or request.path == "/")]
    if matching:
        max(matching, key=lambda i: len(i["href"]))["current"] = True
    return items
