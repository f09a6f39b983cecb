"""The conferences tab's lists written in Python (conferences/templatetags/conference_rows.py,
issue 13 §2) are character for character what templates/conferences/child.html's loops
wrote with conferences/_conference.html and _status.html: every conference status and kind,
venue or online link or both, within, outside or without a timescale, with and without a
delay authorisation; every request status; values with markup; empty and long lists. And
the delays a tab shows are read for all its conferences at once."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.template import Context, engines

from conferences.models import (
    Conference,
    ConferenceKind,
    ConferenceStatus,
    DelayAuthorisation,
    RequestStatus,
)
from cpcases.accounts.models import User

# The loops as templates/conferences/child.html had them (the includes are the files).
CONFERENCES = """{% for conference in conferences %}
<h3 class="govuk-heading-s"><a class="govuk-link" href="{% url 'conferences:conference' conference.pk %}" data-testid="conference-{{ conference.pk }}">{{ conference.get_kind_display }}</a>{% if conference.status != "booked" %} <strong class="govuk-tag govuk-tag--grey">{{ conference.get_status_display }}</strong>{% endif %}</h3>
{% include "conferences/_conference.html" %}
{% endfor %}"""  # noqa: E501
REQUESTS = """{% for r in requests %}
    <tr class="govuk-table__row"><td class="govuk-table__cell"><a class="govuk-link" href="{% url 'conferences:request_detail' r.pk %}">{{ r.get_kind_display }}</a></td><td class="govuk-table__cell">{{ r.child_names }}</td><td class="govuk-table__cell">{% include "conferences/_status.html" with status=r.status label=r.get_status_display %}</td><td class="govuk-table__cell">{{ r.created_at|date:"j M Y" }}</td></tr>
  {% endfor %}"""  # noqa: E501

ODD = '<b>Tom & "Jerry"</b>\'s'


def _render(source: str, **context: Any) -> str:
    return engines["django"].from_string("{% load conference_rows %}" + source).template.render(
        Context(context, autoescape=True))


def _conferences(n: int) -> list[Conference]:
    chair = User(pk=3, username="chair<1>", full_name=ODD)
    minutes = User(pk=4, username="bso&co", full_name="")
    decider = User(pk=5, username="hos", full_name="Hana O'Service")
    kinds, statuses = list(ConferenceKind), list(ConferenceStatus)
    rows = []
    for i in range(n):
        c = Conference(pk=500 + i, kind=kinds[i % len(kinds)], status=statuses[i % len(statuses)],
                       date=dt.date(2026, 3, 1) + dt.timedelta(days=17 * i),
                       start_time=dt.time(9 + i % 8, (i * 15) % 60),
                       venue=[ODD, "", "Civic Centre"][i % 3],
                       online_link=["", "https://meet.example/a?b=1&c=<2>", "https://m.example/x"
                                    ][(i // 3) % 3] if i % 3 else "https://meet.example/only",
                       due_date=[None, dt.date(2026, 6, 1), dt.date(2026, 3, 2)][i % 3])
        c.chair, c.minute_taker = chair, minutes
        if i % 2:
            c.delay_authorisation = DelayAuthorisation(pk=600 + i,
                                                       decided_by=decider if i % 4 == 1 else None)
        rows.append(c)
    return rows


def _requests(n: int) -> list[SimpleNamespace]:
    statuses = [*RequestStatus.values, "unknown"]
    return [SimpleNamespace(pk=700 + i, status=statuses[i % len(statuses)],
                            get_status_display=lambda i=i: ODD if i % 5 == 4 else f"Status {i}",
                            get_kind_display=lambda i=i: ODD if i % 2 else "Initial",
                            child_names=f"Alfie Smith, {ODD}" if i % 3 else "Alfie Smith",
                            created_at=dt.datetime(2026, 6 + i % 6, 30, 23, 30, tzinfo=dt.UTC))
            for i in range(n)]


@pytest.mark.parametrize("n", [0, 1, 17])
def test_conferences_are_the_loop(n: int) -> None:
    rows = _conferences(n)
    assert _render("{% child_conferences rows %}", rows=rows) == _render(CONFERENCES,
                                                                         conferences=rows)


@pytest.mark.parametrize("n", [0, 1, 17])
def test_requests_are_the_loop(n: int) -> None:
    rows = _requests(n)
    assert _render("{% child_request_rows rows %}", rows=rows) == _render(REQUESTS,
                                                                          requests=rows)


def test_the_cases_cover_each_branch() -> None:
    html = _render(CONFERENCES, conferences=_conferences(17))
    for text in ("No ICPC timescale", "Within timescale", "Outside timescale",
                 "delay authorised by Hana", "delay authorised by None", ">Online<",
                 ">Venue<", "<br><a", "Cancelled</strong>", "Held</strong>"):
        assert text in html, text
    html = _render(REQUESTS, requests=_requests(17))
    for colour in ("grey", "blue", "orange", "purple", "green"):
        assert f"govuk-tag--{colour}" in html


@pytest.mark.django_db
def test_the_delays_shown_are_read_at_once_and_drawn(org, ready, sw, tm, bso, chair,
                                                     django_assert_num_queries) -> None:
    from conferences import selectors, services
    from deadlines.models import AuthorityPolicy, PolicyProfile
    from tests.conferences.factories import approved_request, book

    AuthorityPolicy.objects.create(authority=org.authority,
                                   profile=PolicyProfile.objects.get(slug="darlington-003"))
    request = approved_request(sw=sw, tm=tm, children=ready)
    authorisation = services.delay_authorisation_request(
        user=sw, request=request, latest_date=dt.date(2027, 4, 14),
        danger_statements=["Lily may be hit again."], rationale="Police interviews.")
    services.delay_authorisation_decide(user=tm, authorisation=authorisation, authorise=True)
    book(bso=bso, request=request, on=dt.date(2027, 4, 12), chair=chair)
    child = ready[0]

    conferences = selectors.child_tab_conferences(user=tm, child=child)
    with django_assert_num_queries(2):  # the authorisations, then who decided them
        selectors.with_delays_shown(conferences)
    with django_assert_num_queries(0):
        html = _render("{% child_conferences rows %}", rows=conferences)
    assert f"delay authorised by {tm}" in html
    assert html == _render(CONFERENCES, conferences=conferences)
