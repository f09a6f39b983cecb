"""The rows of the audit tab's two tables (templates/children/audit.html) written in Python.

Issue 13 §2: the tab showed up to 50 changes and 50 accesses a page (25 now, decision 97),
and the template engine spent more time on their rows (a lookup, filter or condition per
cell) than on the rest of the page. The markup is the loops' as they were, character for
character, every value rendered as the template rendered it (localised, escaped): pinned by
tests/foundation/test_audit_rows.py against the loops they replaced.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from cpcases.audit.models import AccessAction
from deadlines.templatetags.deadline_tables import escape

register = template.Library()

_ACTIONS = dict(AccessAction.choices)


def _text(value: Any) -> str:
    """`{{ value }}`: in the current time zone, localised (numbers, dates) and escaped."""
    if type(value) is str:  # as it is in any time zone and locale: escaped (most cells)
        return html.escape(value)
    return escape(localize(template_localtime(value)))


def _when(moment: Any, zone: Any = None) -> str:
    """`{{ moment|date:"d/m/Y H:i" }}`: in the current time zone (`zone`, when the caller has
    looked it up once for all its rows)."""
    if moment is None:
        return ""
    if timezone.is_aware(moment):
        moment = moment.astimezone(zone or timezone.get_current_timezone())
    return moment.strftime("%d/%m/%Y %H:%M")


def _or(value: Any, fallback: str) -> str:
    """`{{ value|default:"fallback" }}`."""
    return _text(value) if value else fallback


def _change_row(entry: Any, zone: Any) -> str:
    changes = "".join(
        f"<div>{_text(field)}: <del>{_or(old, '(blank)')}</del> → "
        f"<ins>{_or(new, '(blank)')}</ins></div>"
        for field, old, new in entry.changes) if entry.verb == "Changed" else ""
    return (
        '\n    <tr class="govuk-table__row">\n'
        f'      <td class="govuk-table__cell">{_when(entry.at, zone)}</td>\n'
        f'      <td class="govuk-table__cell">{_or(entry.user, "System")}</td>\n'
        f'      <td class="govuk-table__cell">{_text(entry.verb)} '
        f"{escape(str(entry.what).lower())}</td>\n"
        f'      <td class="govuk-table__cell">{changes}</td>\n'
        "    </tr>\n  ")


def _access_row(event: Any, zone: Any) -> str:
    action = escape(_ACTIONS.get(event.action, event.action))
    if event.action == "refused":
        action = f'<strong class="govuk-tag govuk-tag--red">{action}</strong>'
    return (
        '\n    <tr class="govuk-table__row">\n'
        f'      <td class="govuk-table__cell">{_when(event.at, zone)}</td>'
        f'<td class="govuk-table__cell">{_or(event.user, "Unknown")}</td>\n'
        f'      <td class="govuk-table__cell">{action}</td>\n'
        f'      <td class="govuk-table__cell">{_text(event.section)} '
        f'<span class="govuk-hint">{_text(event.path)}</span></td>\n'
        "    </tr>\n  ")


@register.simple_tag
def audit_change_rows(entries: Iterable[Any]) -> SafeString:
    """The changes table's body rows (audit.selectors.ChangeEntry)."""
    zone = timezone.get_current_timezone()
    return mark_safe("".join(_change_row(e, zone) for e in entries))  # noqa: S308


@register.simple_tag
def audit_access_rows(events: Iterable[Any]) -> SafeString:
    """The accesses table's body rows (AccessEvent, with the user's names)."""
    zone = timezone.get_current_timezone()
    return mark_safe("".join(_access_row(e, zone) for e in events))  # noqa: S308
