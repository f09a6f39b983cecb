"""The deadline table's rows, written in Python for speed (issue 13 §2), are the template's
markup character for character: pinned against the template they replaced."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template import Context, Template

from deadlines.presentation import Countdown, State
from deadlines.templatetags.deadline_tables import deadline_rows

# The loop of templates/deadlines/_deadline_table.html before issue 13 §2.
REFERENCE = Template("""{% for d in deadlines %}
    <tr class="govuk-table__row" data-testid="deadline-{{ d.pk }}">
      <td class="govuk-table__cell"><a class="govuk-link" href="{{ d.action_url }}">{{ d.action }}</a><br><span class="govuk-body-s govuk-!-margin-bottom-0">{{ d.rule_name }}</span></td>
      <td class="govuk-table__cell">{% if d.child.is_restricted %}Child {{ d.child.la_child_id }}{% else %}{{ d.child.display_name }} <span class="govuk-body-s">({{ d.child.la_child_id }})</span>{% endif %}<br><a class="govuk-link govuk-body-s" href="{% url 'deadlines:child' d.child_id %}">All deadlines<span class="govuk-visually-hidden"> for {% if d.child.is_restricted %}child {{ d.child.la_child_id }}{% else %}{{ d.child.display_name }}{% endif %}</span></a></td>
      <td class="govuk-table__cell"><strong class="moj-badge {{ d.countdown.badge_class }}">{{ d.countdown.label }}</strong>{% if d.countdown.text != d.countdown.label %} <span class="app-countdown">{{ d.countdown.text }}</span>{% endif %}
<br><span class="govuk-body-s">{{ d.due_text }}</span></td>
      {% if show_responsible %}<td class="govuk-table__cell">{{ d.responsible|default:"Nobody yet" }}</td>{% endif %}
    </tr>
    {% endfor %}""")  # noqa: E501


def _deadline(pk: int, *, restricted: bool, responsible: str | None,
              countdown: Countdown) -> SimpleNamespace:
    child = SimpleNamespace(is_restricted=restricted, la_child_id=f"LA<{pk}>",
                            display_name="Ann & \"Bo\" O'Neil")
    return SimpleNamespace(
        pk=pk, child_id=pk + 100, child=child, child_url=f"/deadlines/child/{pk + 100}/",
        action="Hold the <strategy> discussion", action_url=f"/strategy/{pk}/?a=1&b=2",
        rule_name="Strategy discussion & more", countdown=countdown,
        due_text="4 March 2026", responsible=responsible)


DEADLINES = [
    _deadline(1, restricted=False, responsible="Sam <SW>",
              countdown=Countdown(State.OVERDUE, "2 working days overdue", working_days=-2)),
    _deadline(2, restricted=True, responsible=None,
              countdown=Countdown(State.DUE_TODAY, "Due today", working_days=0)),
    _deadline(3, restricted=False, responsible=None,
              countdown=Countdown(State.MET, State.MET.label)),
]


@pytest.mark.parametrize("show_responsible", [True, False, ""])
def test_the_rows_are_the_templates(db, show_responsible):
    expected = REFERENCE.render(Context({"deadlines": DEADLINES,
                                         "show_responsible": show_responsible}))
    assert deadline_rows(DEADLINES, show_responsible) == expected


@pytest.mark.parametrize(("testid", "show_responsible", "caption"), [
    ("overdue", False, ""), ("", False, ""), ("breaches", True, ""), ("a<b", "", "7 & more"),
    (None, True, "Team <deadlines>")])
@pytest.mark.parametrize("deadlines", [DEADLINES, []])
def test_the_table_is_the_included_templates(db, deadlines, testid, show_responsible, caption):
    """My work's tables (deadline_table) are templates/deadlines/_deadline_table.html as
    My work included it (no sort headers), character for character."""
    from django.template.loader import render_to_string

    from deadlines.templatetags.deadline_tables import deadline_table

    expected = render_to_string("deadlines/_deadline_table.html", {
        "deadlines": deadlines, "testid": testid, "show_responsible": show_responsible,
        "caption": caption})
    assert deadline_table(deadlines, testid, show_responsible, caption) == expected


@pytest.mark.parametrize("show_responsible", [True, False])
@pytest.mark.parametrize("deadlines", [DEADLINES, []])
def test_the_sorted_table_is_the_included_templates(db, deadlines, show_responsible):
    """The team page's table (deadline_table with its sort headers) is
    templates/deadlines/_deadline_table.html as the page included it, character for
    character."""
    from django.template.loader import render_to_string

    from cpcases.core.sorting import SortHeader
    from deadlines.templatetags.deadline_tables import deadline_table

    headers = [SortHeader("Due", "?status=open&sort=-due", "ascending"),
               SortHeader("Child <name>", "?sort=child", "none"), SortHeader("Responsible")]
    expected = render_to_string("deadlines/_deadline_table.html", {
        "deadlines": deadlines, "testid": "team-deadlines", "caption": "7,500 deadlines",
        "show_responsible": show_responsible, "headers": headers})
    assert deadline_table(deadlines, "team-deadlines", show_responsible, "7,500 deadlines",
                          headers) == expected
    assert 'class="govuk-table app-deadline-table app-sortable"' in expected
