"""The plan's lists written in Python (cpcases/plans/templatetags/plan_rows.py, issue 13 §2)
are character for character what templates/plans/_plan_body.html's loops wrote: every action
status, overdue or not, with and without the change links; members with and without contact
details, removed or not, with and without the attendance counts (a partner sees none); every
meeting recommendation; versions made either side of midnight in summer and winter; values
with markup and line breaks; empty and long lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.template import Context, engines
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.plans.models import (
    ActionStatus,
    CoreGroupMeeting,
    CoreGroupMember,
    PlanAction,
    PlanVersion,
    Recommendation,
)
from cpcases.plans.selectors import MemberAttendance

# The loops as templates/plans/_plan_body.html had them.
TIMESCALES = """{% for d in deadlines %}<li data-rule="{{ d.rule_id }}">{{ d.name }}: due {{ d.due_date|date:"j F Y" }}{% if d.overdue %} <strong class="govuk-tag govuk-tag--red">Overdue</strong>{% endif %}</li>{% endfor %}"""  # noqa: E501
ACTIONS = """{% for a in actions %}
    <tr class="govuk-table__row"><td class="govuk-table__cell">{{ a.who_label }}</td><td class="govuk-table__cell">{{ a.what|linebreaksbr }}</td><td class="govuk-table__cell">{{ a.by_when|date:"j M Y" }}</td>
    <td class="govuk-table__cell">{% if a.overdue %}<strong class="govuk-tag govuk-tag--red" data-testid="overdue">Overdue</strong>{% elif a.status == "done" %}<strong class="govuk-tag govuk-tag--green">Done</strong>{% elif a.status == "dropped" %}<strong class="govuk-tag govuk-tag--grey">Dropped</strong>{% else %}<strong class="govuk-tag govuk-tag--blue">Open</strong>{% endif %}</td>
    {% if can_edit %}<td class="govuk-table__cell"><a class="govuk-link" href="{% url 'plans:action_edit' a.pk %}">Change<span class="govuk-visually-hidden"> action {{ forloop.counter }}</span></a></td>{% endif %}</tr>
  {% endfor %}"""  # noqa: E501
MEMBERS = """{% for row in attendance %}
    <tr class="govuk-table__row" data-testid="member-{{ row.member.pk }}"><td class="govuk-table__cell">{{ row.member.name }}{% if row.member.removed_on %} (left {{ row.member.removed_on|date:"j M Y" }}){% endif %}<br><span class="govuk-body-s">{{ row.member.get_agency_display }}{% if row.member.email %} · {{ row.member.email }}{% endif %}{% if row.member.mobile %} · {{ row.member.mobile }}{% endif %}</span></td><td class="govuk-table__cell">{{ row.member.role }}</td><td class="govuk-table__cell">{{ row.member.contact_frequency }}</td>
    {% if show_absences %}<td class="govuk-table__cell govuk-table__cell--numeric">{{ row.attended }}</td><td class="govuk-table__cell govuk-table__cell--numeric">{{ row.apologies }}</td><td class="govuk-table__cell govuk-table__cell--numeric" data-testid="absent-count">{{ row.absent }}{% if row.absent >= 2 %} <strong class="govuk-tag govuk-tag--orange">Pattern</strong>{% endif %}</td>{% endif %}</tr>
  {% endfor %}"""  # noqa: E501
MEETINGS = """{% for m in meetings %}<li><a class="govuk-link" href="{% url 'plans:meeting_detail' m.pk %}">{{ m.held_on|date:"j F Y" }}{% if m.is_first %} (first){% endif %}</a>{% if m.distributed_on %} · distributed {{ m.distributed_on|date:"j M Y" }}{% else %} · <strong class="govuk-tag govuk-tag--yellow">Not yet distributed</strong>{% endif %}{% if m.recommendation %} · recommends: {{ m.get_recommendation_display|lower }}{% endif %}</li>{% endfor %}"""  # noqa: E501
VERSIONS = """{% for v in versions %}<li><a class="govuk-link" href="{% url 'plans:version' v.pk %}">Version {{ v.number }}</a>: {{ v.reason }} ({{ v.created_at|date:"j M Y" }})</li>{% endfor %}"""  # noqa: E501

ODD = '<b>Tom & "Jerry"</b>\'s'
TODAY = timezone.localdate()


def _render(source: str, **context: Any) -> str:
    return engines["django"].from_string("{% load plan_rows %}" + source).template.render(
        Context(context, autoescape=True))


def _deadlines(n: int) -> list[dict]:
    return [{"rule_id": f"rule_{i}<x>", "name": ODD if i % 2 else f"Rule {i}",
             "due_date": TODAY + dt.timedelta(days=i * 37 - 50), "overdue": i % 3 == 0}
            for i in range(n)]


def _actions(n: int) -> list[PlanAction]:
    worker = User(pk=7, username="sw<7>", full_name='Sam "O\'Social" & co')
    statuses = list(ActionStatus)
    rows = []
    for i in range(n):
        a = PlanAction(pk=100 + i, what=f"Line one {ODD}\nline two\n\nthree" if i % 2 else "Go",
                       by_when=TODAY + dt.timedelta(days=i * 11 - 30),
                       status=statuses[i % len(statuses)], who=ODD if i % 4 else "")
        if i % 3 == 0:
            a.who_user = worker
        rows.append(a)
    return rows


def _members(n: int) -> list[MemberAttendance]:
    agencies = [c for c, _ in CoreGroupMember._meta.get_field("agency").choices]
    rows = []
    for i in range(n):
        m = CoreGroupMember(pk=200 + i, name=ODD if i % 2 else f"Member {i}",
                            agency=agencies[i % len(agencies)],
                            role="Class <teacher>" if i % 3 else "",
                            email=f"m{i}@example.org" if i % 2 else "",
                            mobile="07700 900&{i}" if i % 3 == 1 else "",
                            contact_frequency="Weekly & more" if i % 2 else "",
                            removed_on=TODAY - dt.timedelta(days=i) if i % 4 == 3 else None)
        rows.append(MemberAttendance(m, i % 5, (i * 3) % 4, i % 6))
    return rows


def _meetings(n: int) -> list[CoreGroupMeeting]:
    choices = ["", *Recommendation.values]
    return [CoreGroupMeeting(pk=300 + i, held_on=TODAY - dt.timedelta(days=40 * i),
                             is_first=i == n - 1, recommendation=choices[i % len(choices)],
                             distributed_on=TODAY - dt.timedelta(days=40 * i - 3)
                             if i % 2 else None)
            for i in range(n)]


def _versions(n: int) -> list[PlanVersion]:
    # Either side of midnight in London, in summer time and in winter.
    moments = [dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC),
               dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC),
               dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC),
               dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)]
    return [PlanVersion(pk=400 + i, number=n - i, reason=ODD if i % 2 else "Initial plan",
                        created_at=moments[i % len(moments)]) for i in range(n)]


CASES: list[tuple[str, str, Callable[[int], list], str, dict]] = [
    ("timescales", TIMESCALES, _deadlines, "{% plan_timescales rows %}", {}),
    ("actions, editor", ACTIONS, _actions, "{% plan_action_rows rows can_edit %}",
     {"can_edit": True}),
    ("actions, reader", ACTIONS, _actions, "{% plan_action_rows rows can_edit %}",
     {"can_edit": False}),
    ("members, counts", MEMBERS, _members, "{% plan_member_rows rows show_absences %}",
     {"show_absences": True}),
    ("members, partner", MEMBERS, _members, "{% plan_member_rows rows show_absences %}",
     {"show_absences": False}),
    ("meetings", MEETINGS, _meetings, "{% plan_meeting_items rows %}", {}),
    ("versions", VERSIONS, _versions, "{% plan_version_items rows %}", {}),
]


@pytest.mark.parametrize("n", [0, 1, 13])
@pytest.mark.parametrize(("name", "loop", "make", "tag", "extra"), CASES,
                         ids=[c[0] for c in CASES])
def test_rows_are_the_loops(name: str, loop: str, make: Callable[[int], list], tag: str,
                            extra: dict, n: int) -> None:
    rows = make(n)
    variable = loop.split(" in ", 1)[1].split(" ", 1)[0]
    old = _render(loop, **{variable: rows}, **extra)
    new = _render(tag, rows=rows, **extra)
    assert new == old
    if n:
        assert old.strip()  # the case drew rows


def test_the_cases_cover_every_status_and_recommendation() -> None:
    html = _render(ACTIONS, actions=_actions(13), can_edit=True)
    for label in ("Overdue", "Done", "Dropped", "Open"):
        assert f">{label}</strong>" in html
    html = _render(MEETINGS, meetings=_meetings(13))
    for value in Recommendation:
        assert value.label.lower() in html
    html = _render(MEMBERS, attendance=_members(13), show_absences=True)
    assert "Pattern" in html
    assert "(left " in html
