"""The chronology tab's timeline items and filter options (templates/chronology/
chronology.html) written in Python.

Issue 13 §2: a page shows up to 50 events, each some thirty lookups, filters and conditions
in the template engine, and the two filters' options asked the form for the chosen value
once an option. The markup is the template's as it was, character for character, every
value rendered as the template rendered it (Django's own filters, escaped): pinned by
tests/chronology/test_item_markup.py against the template code it replaced.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.forms import BoundField
from django.template.defaultfilters import date, linebreaksbr, time
from django.utils.safestring import SafeString, mark_safe

from deadlines.templatetags.deadline_tables import escape

register = template.Library()

_COMMENTS = "Author's comments"  # as the template wrote it (its own text is not escaped)


def _field(label: str, value: str) -> str:
    return (f'<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{label}'
            f'</dt><dd class="govuk-summary-list__value">{value}</dd></div>')


def _item(item: Any) -> str:
    event = escape(item.significant_event)
    title = f'<a class="govuk-link" href="{escape(item.href)}">{event}</a>' if item.href \
        else event
    byline = escape(item.agency_label)
    if item.author:
        byline += f", recorded by {escape(item.author)}"
    day, at = item.event_date, item.event_time
    stamp = escape(date(day, "Y-m-d")) + (f"T{escape(time(at, 'H:i'))}" if at else "")
    shown = escape(date(day, "j F Y")) + (f" at {escape(time(at, 'H:i'))}" if at else "")
    badge = "grey" if item.automatic else "blue"
    seen = ""
    if item.child_seen is not None or item.child_views:
        value = ("Yes" if item.child_seen else "No") if item.child_seen is not None else ""
        if item.child_views:
            value += f". {linebreaksbr(item.child_views, autoescape=True)}"
        seen = _field("Child seen, views", value)
    return (
        '<div class="moj-timeline__item app-chronology__item" data-testid="chronology-item">\n'
        '  <div class="moj-timeline__header">\n'
        f'    <h3 class="moj-timeline__title">{title}</h3>\n'
        f'    <p class="moj-timeline__byline">{byline}</p>\n'
        "  </div>\n"
        f'  <p class="moj-timeline__date"><time datetime="{stamp}">{shown}</time>\n'
        f'    <strong class="moj-badge moj-badge--{badge}">{escape(item.event_type_label)}'
        "</strong></p>\n"
        '  <div class="moj-timeline__description">\n'
        '  <dl class="govuk-summary-list govuk-summary-list--no-border '
        'app-chronology__fields">\n'
        f"    {_field('Record', escape(item.source))}\n"
        f"    {_lines('Who was involved', item.who_involved)}\n"
        f"    {_lines('Decisions, actions, outcome', item.decisions_actions_outcome)}\n"
        f"    {seen}\n"
        f"    {_lines(_COMMENTS, item.author_comments)}\n"
        "  </dl>\n"
        "  </div>\n"
        "</div>\n")


def _lines(label: str, value: str) -> str:
    if not value:
        return ""
    return _field(label, linebreaksbr(value, autoescape=True))


@register.simple_tag
def chronology_items(items: Iterable[Any]) -> SafeString:
    """The timeline's items (chronology.providers.ChronologyItem), in order."""
    return mark_safe("".join(_item(i) for i in items))  # noqa: S308


@register.simple_tag
def filter_options(field: BoundField) -> SafeString:
    """A choice field's options, the one whose value the form holds selected."""
    chosen = field.value()
    return mark_safe("".join(  # noqa: S308
        f'<option value="{escape(value)}"{" selected" if chosen == value else ""}>'
        f"{escape(label)}</option>" for value, label in field.field.choices))
