"""The plan's lists (templates/plans/_plan_body.html: timescales, actions, core group,
meetings, versions) written in Python.

Issue 13 §2: the plan tab is drawn on every visit to a child on a plan, and the template
engine spent more on these loops (a lookup, filter or condition per value, a `{% url %}` per
row) than on the rest of the plan. The markup is the loops' as they were, character for
character, every value rendered as `{{ }}` rendered it (render_value_in_context: local time,
localised, escaped): pinned by tests/plans/test_plan_rows.py against the loops they replaced.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import linebreaksbr
from django.utils.safestring import SafeString, mark_safe

from cpcases.children.tabs import child_href
from deadlines.templatetags.deadline_tables import escape, local_date

register = template.Library()


_STATUS = {
    "done": '<strong class="govuk-tag govuk-tag--green">Done</strong>',
    "dropped": '<strong class="govuk-tag govuk-tag--grey">Dropped</strong>',
}
_OPEN = '<strong class="govuk-tag govuk-tag--blue">Open</strong>'
_OVERDUE = '<strong class="govuk-tag govuk-tag--red" data-testid="overdue">Overdue</strong>'


@register.simple_tag(takes_context=True)
def plan_timescales(context: Context, deadlines: Iterable[dict]) -> SafeString:
    """The timescales' list items (plans.selectors.timescales)."""
    def item(d: dict) -> str:
        overdue = ' <strong class="govuk-tag govuk-tag--red">Overdue</strong>' \
            if d["overdue"] else ""
        return (f'<li data-rule="{render_value_in_context(d["rule_id"], context)}">'
                f'{render_value_in_context(d["name"], context)}: due '
                f'{local_date(d["due_date"], "j F Y")}{overdue}</li>')
    return mark_safe("".join(item(d) for d in deadlines))  # noqa: S308


@register.simple_tag(takes_context=True)
def plan_action_rows(context: Context, actions: Iterable[Any], can_edit: bool) -> SafeString:
    """The actions table's body rows; a change link on each for whoever may edit the plan."""
    def row(counter: int, a: Any) -> str:
        status = _OVERDUE if a.overdue else _STATUS.get(a.status, _OPEN)
        change = (f'<td class="govuk-table__cell"><a class="govuk-link" '
                  f'href="{child_href("plans:action_edit", a.pk)}">Change<span '
                  f'class="govuk-visually-hidden"> action {counter}</span></a></td>'
                  if can_edit else "")
        return (
            '\n    <tr class="govuk-table__row"><td class="govuk-table__cell">'
            f"{render_value_in_context(a.who_label, context)}</td>"
            f'<td class="govuk-table__cell">{linebreaksbr(a.what, autoescape=True)}</td>'
            f'<td class="govuk-table__cell">{local_date(a.by_when, "j M Y")}</td>\n'
            f'    <td class="govuk-table__cell">{status}</td>\n'
            f"    {change}</tr>\n  ")
    return mark_safe("".join(row(i, a) for i, a in enumerate(actions, 1)))  # noqa: S308


@register.simple_tag(takes_context=True)
def plan_member_rows(context: Context, attendance: Iterable[Any],
                     show_absences: bool) -> SafeString:
    """The core group table's body rows (plans.selectors.member_attendance); the attendance
    counts only for those shown absences."""
    def value(v: Any) -> str:
        return render_value_in_context(v, context)

    def row(r: Any) -> str:
        m = r.member
        left = f" (left {local_date(m.removed_on, 'j M Y')})" if m.removed_on else ""
        email = f" · {value(m.email)}" if m.email else ""
        mobile = f" · {value(m.mobile)}" if m.mobile else ""
        counts = ""
        if show_absences:
            pattern = (' <strong class="govuk-tag govuk-tag--orange">Pattern</strong>'
                       if r.absent >= 2 else "")
            counts = (f'<td class="govuk-table__cell govuk-table__cell--numeric">'
                      f"{value(r.attended)}</td>"
                      f'<td class="govuk-table__cell govuk-table__cell--numeric">'
                      f"{value(r.apologies)}</td>"
                      f'<td class="govuk-table__cell govuk-table__cell--numeric" '
                      f'data-testid="absent-count">{value(r.absent)}{pattern}</td>')
        return (
            f'\n    <tr class="govuk-table__row" data-testid="member-{value(m.pk)}">'
            f'<td class="govuk-table__cell">{value(m.name)}{left}<br>'
            f'<span class="govuk-body-s">{value(m.get_agency_display())}{email}{mobile}'
            f'</span></td><td class="govuk-table__cell">{value(m.role)}</td>'
            f'<td class="govuk-table__cell">{value(m.contact_frequency)}</td>\n'
            f"    {counts}</tr>\n  ")
    return mark_safe("".join(row(r) for r in attendance))  # noqa: S308


@register.simple_tag
def plan_meeting_items(meetings: Iterable[Any]) -> SafeString:
    """The core group meetings' list items."""
    def item(m: Any) -> str:
        first = " (first)" if m.is_first else ""
        sent = (f" · distributed {local_date(m.distributed_on, 'j M Y')}" if m.distributed_on else
                ' · <strong class="govuk-tag govuk-tag--yellow">Not yet distributed</strong>')
        recommends = (f" · recommends: {escape(str(m.get_recommendation_display()).lower())}"
                      if m.recommendation else "")
        return (f'<li><a class="govuk-link" href="{child_href("plans:meeting_detail", m.pk)}">'
                f'{local_date(m.held_on, "j F Y")}{first}</a>{sent}{recommends}</li>')
    return mark_safe("".join(item(m) for m in meetings))  # noqa: S308


@register.simple_tag(takes_context=True)
def plan_version_items(context: Context, versions: Iterable[Any]) -> SafeString:
    """The plan's versions' list items."""
    return mark_safe("".join(  # noqa: S308
        f'<li><a class="govuk-link" href="{child_href("plans:version", v.pk)}">Version '
        f"{render_value_in_context(v.number, context)}</a>: "
        f"{render_value_in_context(v.reason, context)} ({local_date(v.created_at, 'j M Y')})</li>"
        for v in versions))
