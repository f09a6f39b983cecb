"""The tabs of a child's record. Later workflows register their own (strategy, conferences,
plan, chronology, deadlines) from their AppConfig.ready(), so the record grows without this
app knowing about them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.urls import get_script_prefix, reverse

from cpcases.accounts.models import User


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url_name: str  # reversed with the child's pk
    order: int
    visible: Callable[[User], bool] = lambda user: True

    def href(self, child_pk: int) -> str:
        """The tab's URL for a child (child_href: every tab page drew all the tabs, one
        reverse() each; issue 13 §2)."""
        return child_href(self.url_name, child_pk)


def child_href(url_name: str, child_pk: int) -> str:
    """reverse(url_name, args=[child_pk]) for any page of a child's record, or any other route
    taking one pk, from the pattern reversed once per process (a list links every row;
    `{% pk_url %}` in a template: issue 13 §2)."""
    before, after = _href_parts(url_name, get_script_prefix())
    return f"{before}{int(child_pk)}{after}"


# A pk no child has, so the reversed URL splits at it into what goes before and after a pk.
_PK_MARK = 918273645546372819


@lru_cache(maxsize=256)
def _href_parts(url_name: str, script_prefix: str) -> tuple[str, str]:
    # script_prefix is part of the key because reverse() puts it in front of every URL.
    url = reverse(url_name, args=[_PK_MARK])
    before, mark, after = url.partition(str(_PK_MARK))
    if not mark or str(_PK_MARK) in after:
        raise ValueError(f"The tab URL {url_name!r} does not take the child's pk once.")
    return before, after


_TABS: dict[str, Tab] = {}


def register_tab(tab: Tab) -> None:
    _TABS[tab.key] = tab


def tabs_for(user: User) -> list[Tab]:
    return sorted((t for t in _TABS.values() if t.visible(user)), key=lambda t: t.order)
