"""The tabs of a child's record. Later workflows register their own (strategy, conferences,
plan, chronology, deadlines) from their AppConfig.ready(), so the record grows without this
app knowing about them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cpcases.accounts.models import User


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url_name: str  # reversed with the child's pk
    order: int
    visible: Callable[[User], bool] = lambda user: True


_TABS: dict[str, Tab] = {}


def register_tab(tab: Tab) -> None:
    _TABS[tab.key] = tab


def tabs_for(user: User) -> list[Tab]:
    return sorted((t for t in _TABS.values() if t.visible(user)), key=lambda t: t.order)
