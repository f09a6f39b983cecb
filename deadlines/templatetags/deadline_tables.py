"""The rows of a deadline table (templates/deadlines/_deadline_table.html) written in Python.

Issue 13 §2: the team page showed 50 deadlines (25 now, decision 97), My work up to 25, and
the template engine spent more time on their rows (about 25 lookups and conditions each)
than the rest of the page.
The markup is the table's as it was, character for character; every value is escaped as the
template escaped it (conditional_escape).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django import template
from django.template.base import render_value_in_context
from django.template.defaultfilters import date
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from cpcases.core.templatetags.paged import sort_header_cells

register = template.Library()


def escape(value: Any) -> str:
    """django.utils.html.conditional_escape's text, without its wrappers (a row calls it a
    dozen times): safe strings as they are, anything else escaped."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def local_date(value: Any, format_string: str) -> str:
    """`{{ value|date:"…" }}` written out: the filter expects the value in the current time
    zone (a datetime is moved to it, a date is as it is); escaped as `{{ }}` escapes."""
    return escape(date(template_localtime(value), format_string))


class _Escaped(dict[str, str]):
    """A table's escaped texts, each worked out once: its rows repeat most of theirs (the
    rules' names and actions, the states' badges, the links' routes)."""

    def __missing__(self, text: str) -> str:
        self[text] = found = html.escape(text)
        return found

    def of(self, value: Any) -> str:
        """escape(value), a plain string's escaping remembered."""
        return self[value] if type(value) is str else escape(value)


def _child(child: Any, escaped: _Escaped) -> tuple[str, str]:
    """The child as the row shows it, and as the hidden part of its link names it: a
    restricted record by its ID alone."""
    la_child_id = escaped.of(child.la_child_id)
    if child.is_restricted:
        return f"Child {la_child_id}", f"child {la_child_id}"
    name = escaped.of(child.display_name)
    return f'{name} <span class="govuk-body-s">({la_child_id})</span>', name


def _status(countdown: Any, escaped: _Escaped) -> str:
    label = countdown.label
    badge = (f'<strong class="moj-badge {escaped.of(countdown.badge_class)}">'
             f"{escaped.of(label)}</strong>")
    if countdown.text != label:
        badge += f' <span class="app-countdown">{escaped.of(countdown.text)}</span>'
    return badge


def _row(d: Any, show_responsible: bool, escaped: _Escaped) -> str:
    shown, named = _child(d.child, escaped)
    responsible = (f'<td class="govuk-table__cell">'
                   f'{escaped.of(str(d.responsible) if d.responsible else "Nobody yet")}'
                   f"</td>" if show_responsible else "")
    return (
        f'\n    <tr class="govuk-table__row" data-testid="deadline-{escaped.of(d.pk)}">\n'
        f'      <td class="govuk-table__cell"><a class="govuk-link" '
        f'href="{escaped.of(getattr(d, "action_url", ""))}">'
        f'{escaped.of(getattr(d, "action", ""))}</a>'
        f'<br><span class="govuk-body-s govuk-!-margin-bottom-0">{escaped.of(d.rule_name)}'
        f"</span></td>\n"
        f'      <td class="govuk-table__cell">{shown}<br><a class="govuk-link govuk-body-s" '
        f'href="{escaped.of(d.child_url)}">All deadlines<span class="govuk-visually-hidden">'
        f" for {named}</span></a></td>\n"
        f'      <td class="govuk-table__cell">{_status(d.countdown, escaped)}\n'
        f'<br><span class="govuk-body-s">{escaped.of(d.due_text)}</span></td>\n'
        f"      {responsible}\n"
        f"    </tr>\n    ")


@register.simple_tag
def deadline_rows(deadlines: Iterable[Any], show_responsible: Any = False) -> SafeString:
    """The table's body rows for deadlines decorated by deadlines.presentation.present()."""
    shown, escaped = bool(show_responsible), _Escaped()
    return mark_safe("".join(_row(d, shown, escaped) for d in deadlines))  # noqa: S308


@register.simple_tag
def deadline_table(deadlines: Iterable[Any], testid: Any = "", show_responsible: Any = False,
                   caption: Any = "", headers: Any = None) -> SafeString:
    """templates/deadlines/_deadline_table.html, character for character: My work's five
    tables (no sort headers) and the team page's (its sort headers, cpcases.core.sorting).
    Each include cost the template engine about as much as the rows it wrote (issue 13 §2).
    Pinned against the template in tests/deadlines/test_deadline_rows.py."""
    shown_caption = (f'<caption class="govuk-table__caption govuk-table__caption--s">'
                     f"{escape(caption)}</caption>" if caption else "")
    return mark_safe(  # noqa: S308 (every value escaped)
        f'<table class="govuk-table app-deadline-table{" app-sortable" if headers else ""}" '
        f'data-testid="{escape(testid or "deadlines")}">\n'
        f"  {shown_caption}\n"
        f'  <thead class="govuk-table__head">\n'
        f'    <tr class="govuk-table__row">\n'
        f"      {_header_cells(headers, show_responsible)}\n"
        f"    </tr>\n"
        f"  </thead>\n"
        f'  <tbody class="govuk-table__body">\n'
        f"    {deadline_rows(deadlines, show_responsible)}\n"
        f"  </tbody>\n"
        f"</table>\n")


def _header_cells(headers: Any, show_responsible: Any) -> str:
    """The table's header row's cells: the sort headers if any, else the fixed ones."""
    if headers:
        return sort_header_cells(headers)
    responsible = ('<th scope="col" class="govuk-table__header">Responsible</th>'
                   if show_responsible else "")
    return ("\n"
            '      <th scope="col" class="govuk-table__header">What to do</th>\n'
            '      <th scope="col" class="govuk-table__header">Child</th>\n'
            '      <th scope="col" class="govuk-table__header">Due</th>\n'
            f"      {responsible}\n"
            "      ")


# --- the team page's filter controls ------------------------------------------------------------

_NOT_SHOWN = ("child", "conference", "plan")  # the API's filters, not the page's
_DATES = ("due_after", "due_before")
_SELECTED = {True: " selected", False: ""}


def _shown(value: Any, context: Any) -> str:
    """`{{ value }}`: text escaped; anything else as the template engine renders it."""
    if type(value) is str:
        return html.escape(value)
    return render_value_in_context(value, context)


def _as_s(value: Any) -> str:
    """`value|stringformat:"s"`."""
    try:
        return "%s" % (str(value) if isinstance(value, tuple) else value)
    except (ValueError, TypeError):
        return ""


def _control(field: Any, context: Any) -> str:
    name = escape(field.name)
    errors = field.errors
    hint = (f'<div class="govuk-hint" id="id_{name}-hint">For example, 27/3/2026</div>'
            if field.name in _DATES else "")
    messages = "".join(f'<p class="govuk-error-message"><span class="govuk-visually-hidden">'
                       f"Error:</span> {escape(error)}</p>" for error in errors)
    if field.widget_type == "select":
        current = _as_s(field.value())
        options = "".join(
            f'<option value="{_shown(value, context)}"'
            f'{_SELECTED[_as_s(value) == current]}>{_shown(label, context)}'
            f"</option>" for value, label in field.field.choices)
        control = (f'\n              <select class="govuk-select app-filters__control" '
                   f'id="id_{name}" name="{name}">{options}</select>\n              ')
    else:
        value = field.value()
        invalid = " govuk-input--error" if errors else ""
        described = f' aria-describedby="id_{name}-hint"' if field.name in _DATES else ""
        control = (f'\n              <input class="govuk-input app-filters__control{invalid}" '
                   f'id="id_{name}" name="{name}" type="text" '
                   f'value="{_shown(value or "", context)}"{described}>\n              ')
    group_error = " govuk-form-group--error" if errors else ""
    return (f'\n            <div class="govuk-form-group{group_error}">\n'
            f'              <label class="govuk-label govuk-label--s" for="id_{name}">'
            f"{escape(field.label)}</label>\n"
            f"              {hint}\n"
            f"              {messages}\n"
            f"              {control}\n"
            f"            </div>\n  ")


@register.simple_tag(takes_context=True)
def filter_controls(context: Any, form: Any) -> SafeString:
    """The team page's filter fields (templates/deadlines/team.html's loop, as it was)."""
    return mark_safe("".join(  # noqa: S308
        _control(field, context) for field in form if field.name not in _NOT_SHOWN))
