"""The child's conferences tab's lists (templates/conferences/child.html) written in Python:
each conference's heading and summary (as conferences/_conference.html draws it) and the
requests' rows (their status as conferences/_status.html draws it).

Issue 13 §2: every visit to a child's conferences drew an include per conference and per
request, a lookup, filter or condition per value. The markup is the templates' as they
were, character for character, every value rendered as `{{ }}` rendered it
(render_value_in_context: local time, localised, escaped): pinned by
tests/conferences/test_conference_rows.py against those templates.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import time
from django.utils.safestring import SafeString, mark_safe

from cpcases.children.tabs import child_href
from deadlines.templatetags.deadline_tables import escape, local_date

register = template.Library()

# conferences/_status.html: a request's status as a coloured tag.
_STATUS_COLOUR = {"draft": "grey", "submitted": "blue", "returned": "orange",
                  "approved": "purple", "booked": "green"}


def _row(label: str, value: str, testid: str = "") -> str:
    return (f'  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{label}'
            f'</dt><dd class="govuk-summary-list__value"{testid}>{value}</dd></div>\n')


def _timescale(conference: Any, value: Any) -> str:
    within = conference.within_timescale
    if within is None:
        return "No ICPC timescale"
    due = f" (due by {local_date(conference.due_date, 'j F Y')})"
    if within:
        return f'<strong class="govuk-tag govuk-tag--green">Within timescale</strong>{due}'
    shown = f'<strong class="govuk-tag govuk-tag--red">Outside timescale</strong>{due}'
    # Only here, as the template did: the tab reads them for all its conferences at once
    # (conferences.selectors.with_delays_shown).
    if conference.delay_authorisation:
        shown += f"; delay authorised by {value(conference.delay_authorisation.decided_by)}"
    return shown


def _conference(conference: Any, context: Context) -> str:
    def value(v: Any) -> str:
        return render_value_in_context(v, context)

    status = (f' <strong class="govuk-tag govuk-tag--grey">'
              f"{value(conference.get_status_display())}</strong>"
              if conference.status != "booked" else "")
    venue, link = conference.venue, conference.online_link
    where = value(venue) if venue else ""
    if link:
        where += (f'{"<br>" if venue else ""}<a class="govuk-link" href="{value(link)}" '
                  f'rel="noreferrer noopener">{value(link)}</a>')
    return (
        f'\n<h3 class="govuk-heading-s"><a class="govuk-link" '
        f'href="{child_href("conferences:conference", conference.pk)}" '
        f'data-testid="conference-{value(conference.pk)}">'
        f"{value(conference.get_kind_display())}</a>{status}</h3>\n"
        '<dl class="govuk-summary-list" data-testid="booked-conference">\n'
        + _row("Date and time", f"{local_date(conference.date, 'l j F Y')} at "
               f"{escape(time(conference.start_time, 'H:i'))}")
        + _row("Venue" if venue else "Online", where)
        + _row("Chair", value(conference.chair))
        + _row("Minute-taker", value(conference.minute_taker))
        + _row("Timescale", _timescale(conference, value), ' data-testid="timescale"')
        + "</dl>\n\n")


@register.simple_tag(takes_context=True)
def child_conferences(context: Context, conferences: Iterable[Any]) -> SafeString:
    """Each conference: its heading (a tag unless booked) and summary."""
    return mark_safe("".join(_conference(c, context) for c in conferences))  # noqa: S308


@register.simple_tag(takes_context=True)
def child_request_rows(context: Context, requests: Iterable[Any]) -> SafeString:
    """The requests table's body rows."""
    def row(r: Any) -> str:
        colour = _STATUS_COLOUR.get(r.status, "grey")
        return (
            '\n    <tr class="govuk-table__row"><td class="govuk-table__cell"><a '
            f'class="govuk-link" href="{child_href("conferences:request_detail", r.pk)}">'
            f"{render_value_in_context(r.get_kind_display(), context)}</a></td>"
            f'<td class="govuk-table__cell">{render_value_in_context(r.child_names, context)}'
            f'</td><td class="govuk-table__cell"><strong class="govuk-tag govuk-tag--{colour}">'
            f"{render_value_in_context(r.get_status_display(), context)}</strong>\n</td>"
            f'<td class="govuk-table__cell">{local_date(r.created_at, "j M Y")}</td></tr>\n  ')
    return mark_safe("".join(row(r) for r in requests))  # noqa: S308
