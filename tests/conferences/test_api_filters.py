"""Lists filtered by child and by their natural parent (issue 15 §3): conferences (child,
request), conference requests (child), conference days (child, conference) and delay
authorisations (child, request). A child outside the caller's cases, or one that does not
exist, gives an empty list: the same answer, so a child's existence is not revealed."""

from __future__ import annotations

import datetime as dt

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.conferences.factories import approved_request
from tests.outcomes.helpers import make_conference

pytestmark = pytest.mark.django_db


def _ids(user, path: str, **params: object) -> list[int]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


def test_conferences_filtered_by_child_and_by_request(booked, ready, child, other_team_child,
                                                      sw, chair, bso) -> None:
    alfie = make_conference(children=[child], on=dt.date(2027, 4, 8), chair=chair,
                            minute_taker=bso)
    make_conference(children=[other_team_child], on=dt.date(2027, 4, 9), chair=chair,
                    minute_taker=bso)
    assert _ids(sw, "/api/v1/conferences/", child=ready[0].pk) == [booked.pk]
    assert _ids(sw, "/api/v1/conferences/", child=child.pk) == [alfie.pk]
    assert _ids(sw, "/api/v1/conferences/", request=booked.request_id) == [booked.pk]
    assert _ids(sw, "/api/v1/conferences/", child=other_team_child.pk) == []
    assert _ids(sw, "/api/v1/conferences/", child=999999999) == []


def test_conference_days_filtered_by_child_and_by_conference(booked, ready, child,
                                                             other_team_child, sw, chair,
                                                             bso) -> None:
    alfie = make_conference(children=[child], on=dt.date(2027, 4, 8), chair=chair,
                            minute_taker=bso)
    assert _ids(sw, "/api/v1/conference-days/", child=child.pk) == [alfie.pk]
    assert _ids(sw, "/api/v1/conference-days/", conference=booked.pk) == [booked.pk]
    assert _ids(sw, "/api/v1/conference-days/", child=other_team_child.pk) == []


def test_conference_requests_filtered_by_child(booked, ready, other_team_child, sw) -> None:
    assert _ids(sw, "/api/v1/conference-requests/", child=ready[1].pk) == [booked.request_id]
    assert _ids(sw, "/api/v1/conference-requests/", child=other_team_child.pk) == []


def test_delay_authorisations_filtered_by_child_and_by_request(ready, other_team_child, sw,
                                                               tm) -> None:
    request = approved_request(sw=sw, tm=tm, children=ready)
    client = APIClient()
    client.force_authenticate(tm)
    asked = client.post("/api/v1/delay-authorisations/", {
        "request": request.pk, "latest_date": "2027-04-14",
        "danger_statements": ["Lily may be hit again."], "rationale": "Police interviews."},
        format="json")
    assert asked.status_code == 201
    delay = asked.json()["id"]
    assert _ids(tm, "/api/v1/delay-authorisations/", child=ready[0].pk) == [delay]
    assert _ids(tm, "/api/v1/delay-authorisations/", request=request.pk) == [delay]
    assert _ids(tm, "/api/v1/delay-authorisations/", child=other_team_child.pk) == []


def test_the_schema_documents_the_filters() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)

    def params(path: str) -> set[str]:
        return {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}

    assert {"child", "request"} <= params("/api/v1/conferences/")
    assert {"child"} <= params("/api/v1/conference-requests/")
    assert {"child", "conference"} <= params("/api/v1/conference-days/")
    assert {"child", "request"} <= params("/api/v1/delay-authorisations/")


def test_preparation_lists_filter_by_conference_without_revealing_one(sw) -> None:
    # A conference that does not exist answers as one outside your cases: an empty list (a
    # model-choice filter answered 400 "Select a valid choice" for it, and so told them apart).
    for path in ("/api/v1/invitations/", "/api/v1/conference-reports/",
                 "/api/v1/exclusion-requests/", "/api/v1/resource-disparities/"):
        assert _ids(sw, path, conference=999999999) == [], path
