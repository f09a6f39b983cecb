"""The rows of the caseload table and the search results written in Python (issue 13 §2).

The caseload shows 25 children and a search up to 50, and the template engine spent more on
their rows (a lookup, a filter or a condition per value) than on the rest of the page. The
markup is the templates' loops' as they were, character for character (pinned by
tests/foundation/test_child_rows.py against those loops); every value is escaped as the
template escaped it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date
from typing import Any

from django import template
from django.utils.encoding import force_str
from django.utils.safestring import SafeString, mark_safe

from cpcases.children.models import Child

register = template.Library()


def _escape(value: Any) -> str:
    """conditional_escape's text: safe strings as they are, anything else escaped."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _day(value: date | None) -> str:
    """`{{ value|date:"d/m/Y" }}`: Django's d, m and Y are zero-padded (Y to four)."""
    if value is None:
        return ""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _born(child: Any) -> str:
    if child.is_unborn:
        return f"Due {_day(child.expected_delivery_date)}"
    return _day(child.date_of_birth)


def _workers(child: Any) -> str:
    """The current allocation's social worker (`selectors.caseload`'s `worker_shown`)."""
    return _escape(child.worker_shown) if child.worker_shown else "Unallocated"


def _caseload_row(child: Any, stages: dict[str, str]) -> str:
    stage = stages.get(child.cp_stage)
    if stage is None:  # not a choice: get_cp_stage_display() gives the value itself
        stage = _escape(child.get_cp_stage_display())
    return (
        '\n    <tr class="govuk-table__row">\n'
        f'      <td class="govuk-table__cell"><a class="govuk-link" '
        f'href="{_escape(child.record_url)}">{_escape(child.display_name)}</a></td>\n'
        f'      <td class="govuk-table__cell">{_escape(child.la_child_id)}</td>\n'
        f'      <td class="govuk-table__cell">{_born(child)}</td>\n'
        f'      <td class="govuk-table__cell">{stage}</td>\n'
        f'      <td class="govuk-table__cell">{_workers(child)}</td>\n'
        "    </tr>\n    ")


def _search_row(child: Any) -> str:
    born = (f"due {_day(child.expected_delivery_date)}" if child.is_unborn
            else f"born {_day(child.date_of_birth)}")
    return (
        f'\n  <li><a class="govuk-link" href="{_escape(child.record_url)}">'
        f'{_escape(child.display_name)}</a> <span class="govuk-hint">ID '
        f"{_escape(child.la_child_id)}, {born}</span></li>\n  ")


@register.simple_tag
def caseload_rows(children: Iterable[Any]) -> SafeString:
    """The caseload table's body rows (children with `record_url` and `worker_shown`)."""
    # Each stage's label escaped once a page, as get_cp_stage_display() names it (issue 13
    # §2: that method builds a dict of the choices on every call).
    stages = {key: _escape(force_str(label)) for key, label
              in Child._meta.get_field("cp_stage").flatchoices}
    return mark_safe("".join(_caseload_row(c, stages) for c in children))  # noqa: S308


@register.simple_tag
def search_rows(children: Iterable[Any]) -> SafeString:
    """The search results' list items (children with `record_url`)."""
    return mark_safe("".join(_search_row(c) for c in children))  # noqa: S308


def _value(widget: Any, value: Any) -> str:
    """An input's value attribute as Django's input template writes it (none when empty)."""
    shown = widget.format_value(value)
    return "" if shown is None else f' value="{_escape(shown)}"'


_DATE_PARTS = (("Day", "2"), ("Month", "2"), ("Year", "4"))


@register.simple_tag
def search_form(form: Any) -> SafeString:
    """The search form's boxes and button as `{% crispy form %}` writes them for a form
    without errors (templates/children/search.html leaves one with errors to crispy). Issue
    13 §2: crispy's templates, a dozen for three boxes, cost a search page more CPU than
    its fifty results."""
    q, born = form["q"], form["date_of_birth"]
    parts = born.value()
    date_widget = born.field.widget
    if not isinstance(parts, list | tuple):
        parts = date_widget.decompress(parts)
    boxes = "".join(
        ' <div class="govuk-date-input__item"> <div class="govuk-form-group"> '
        f'<label class="govuk-label govuk-date-input__label" for="id_date_of_birth_{i}">'
        f'{label}</label> <input type="text" name="date_of_birth_{i}"'
        f"{_value(date_widget.widgets[i], parts[i])} class=\"govuk-input "
        f'govuk-date-input__input govuk-input--width-{width}" id="id_date_of_birth_{i}"> '
        "</div> </div>"
        for i, (label, width) in enumerate(_DATE_PARTS))
    return mark_safe(  # noqa: S308 (every value escaped)
        '\n\n<div id="div_id_q" class="govuk-form-group"> <label for="id_q" '
        'class="govuk-label govuk-label--s">\n'
        f"          {_escape(q.label)}\n"
        "        </label> "
        f'<input type="text" name="q"{_value(q.field.widget, q.value())} class="govuk-input"'
        ' id="id_q"> </div> <div id="div_id_date_of_birth" class="govuk-form-group"> '
        '<fieldset class="govuk-fieldset" aria-describedby="id_date_of_birth_hint"> '
        '<legend class="govuk-fieldset__legend">\n      \n'
        f"      {_escape(born.label)}\n      \n    </legend> "
        f'<div id="id_date_of_birth_hint" class="govuk-hint">{_escape(born.help_text)}</div>'
        f' <div class="govuk-date-input" id="id_date_of_birth">{boxes} </div>\n\n'
        '</fieldset> </div> <button name="search"\n        class="govuk-button"\n'
        '        id="id_search"\n         data-module="govuk-button"\n>Search</button>\n')
