"""The record's banner and its tabs, drawn in Python (issue 13 §2).

Every tab of the child's record shows them; as a template (one {% url %} a tab and some
twenty lookups) they were a large share of each tab's rendering. The HTML is the same the
template children/_record_header.html (now gone) drew, byte for byte.
"""

from __future__ import annotations

from django.utils.dateformat import format as date_format
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from cpcases.children.models import Child
from cpcases.children.tabs import Tab

_DATE = "j F Y"  # as the template's |date:"j F Y"


class RecordHeader:
    """Drawn when a template first shows it ({{ record_header }}), then kept."""

    def __init__(self, child: Child, tabs: list[Tab], active: str) -> None:
        self.child, self.tabs, self.active = child, tabs, active

    def __html__(self) -> SafeString:
        return self.html

    def __str__(self) -> str:
        return self.html

    @cached_property
    def html(self) -> SafeString:
        name = conditional_escape(self.child.display_name)
        return mark_safe(f"{self._banner(name)}\n\n{self._subnav(name)}\n")  # noqa: S308

    def _banner(self, name: str) -> str:
        child = self.child
        restricted = (' <strong class="govuk-tag govuk-tag--red">Restricted record</strong>'
                      if child.is_restricted else "")
        if child.is_unborn:
            born = f"Unborn, expected {_date(child.expected_delivery_date)}"
        else:
            born = f"Born {_date(child.date_of_birth)} (age {conditional_escape(child.age)})"
        stage = conditional_escape(child.get_cp_stage_display())
        return (
            '<div class="app-record-banner">\n'
            f'  <span class="govuk-caption-l">Child ID {conditional_escape(child.la_child_id)}'
            f'{restricted}</span>\n'
            f'  <h1 class="govuk-heading-l">{name}</h1>\n'
            f'  <p class="govuk-body">{born} · {stage}</p>\n'
            '</div>')

    def _subnav(self, name: str) -> str:
        # The record's sections as a sub-navigation (links to pages, not in-page tabs): it
        # wraps as one row of links at any width.
        items = "".join(self._item(tab) for tab in self.tabs)
        return (f'<nav class="app-subnav" aria-label="Sections of {name}\'s record">\n'
                f'  <ul class="app-subnav__list">\n    {items}\n  </ul>\n</nav>')

    def _item(self, tab: Tab) -> str:
        current = tab.key == self.active
        modifier, aria = (_CURRENT if current else ("", ""))
        return (
            f'\n    <li class="app-subnav__item{modifier}">'
            f'\n      <a class="govuk-link govuk-link--no-visited-state" '
            f'href="{conditional_escape(tab.href(self.child.pk))}"'
            f'{aria}>{conditional_escape(tab.label)}</a>'
            '\n    </li>\n    ')


_CURRENT = (" app-subnav__item--current", ' aria-current="page"')


def _date(value: object) -> str:
    return "" if value in (None, "") else conditional_escape(date_format(value, _DATE))
