"""The API runs the same services: the workflow cannot be bypassed (issue 4, item 8)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from conferences.models import RequestStatus
from tests.conferences.conftest import S47_HELD
from tests.conferences.factories import approved_request, ready_for_request, submitted_request

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def booking(chair, minute_taker, on="2027-04-01") -> dict:
    return {"date": on, "start_time": "10:00", "venue": "Room 2", "chair": chair.pk,
            "minute_taker": minute_taker.pk}


def test_the_whole_request_to_booking_through_the_api(ready, sw, tm, bso, chair):
    created = api(sw).post("/api/v1/conference-requests/", {
        "children": [c.pk for c in ready], "reason": "Substantiated S47."}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["status"] == RequestStatus.DRAFT
    assert api(sw).post(f"/api/v1/conference-requests/{pk}/submit/").status_code == 200
    approved = api(tm).post(f"/api/v1/conference-requests/{pk}/approve/", {}, format="json")
    assert approved.status_code == 200
    assert approved.json()["icpc_due_date"] == "2027-04-07"

    booked = api(bso).post(f"/api/v1/conference-requests/{pk}/book/", booking(chair, bso),
                           format="json")

    assert booked.status_code == 201, booked.json()
    assert booked.json()["within_timescale"] is True
    detail = api(sw).get(f"/api/v1/conference-requests/{pk}/").json()
    assert detail["status"] == RequestStatus.BOOKED


def test_booking_an_unapproved_request_is_400(ready, sw, bso, chair):
    request = submitted_request(sw=sw, children=ready)

    response = api(bso).post(f"/api/v1/conference-requests/{request.pk}/book/",
                             booking(chair, bso), format="json")

    assert response.status_code == 400
    assert "not been approved" in response.json()["detail"]


def test_approving_without_a_threshold_decision_is_400(frozen, smiths, sw, tm):
    ready_for_request(sw=sw, tm=tm, children=smiths, held_at=S47_HELD, threshold_met=None)
    request = submitted_request(sw=sw, children=smiths)

    response = api(tm).post(f"/api/v1/conference-requests/{request.pk}/approve/")

    assert response.status_code == 400
    assert "threshold decision" in response.json()["detail"]


def test_a_social_worker_approving_is_403(ready, sw):
    request = submitted_request(sw=sw, children=ready)

    response = api(sw).post(f"/api/v1/conference-requests/{request.pk}/approve/")

    assert response.status_code == 403


def test_a_chair_who_manages_the_case_is_400(ready, sw, tm, bso):
    request = approved_request(sw=sw, tm=tm, children=ready)

    response = api(bso).post(f"/api/v1/conference-requests/{request.pk}/book/",
                             booking(tm, bso), format="json")

    assert response.status_code == 400
    assert "independent chair" in response.json()["detail"]


def test_a_late_date_without_authorisation_is_400_and_with_it_201(ready, sw, tm, hos, bso,
                                                                   chair):
    request = approved_request(sw=sw, tm=tm, children=ready)
    late = booking(chair, bso, on="2027-04-12")

    refused = api(bso).post(f"/api/v1/conference-requests/{request.pk}/book/", late,
                            format="json")
    assert refused.status_code == 400
    assert "delay authorisation" in refused.json()["detail"]

    asked = api(tm).post("/api/v1/delay-authorisations/", {
        "request": request.pk, "latest_date": "2027-04-14",
        "danger_statements": ["Lily may be hit again."], "rationale": "Police interviews."},
        format="json")
    assert asked.status_code == 201, asked.json()
    pk = asked.json()["id"]
    assert api(tm).post(f"/api/v1/delay-authorisations/{pk}/authorise/").status_code == 403
    assert api(hos).post(f"/api/v1/delay-authorisations/{pk}/authorise/").status_code == 200

    booked = api(bso).post(f"/api/v1/conference-requests/{request.pk}/book/", late,
                           format="json")
    assert booked.status_code == 201
    assert booked.json()["within_timescale"] is False


def test_reschedule_and_cancel_through_the_api(ready, sw, tm, bso, chair):
    request = approved_request(sw=sw, tm=tm, children=ready)
    conference = api(bso).post(f"/api/v1/conference-requests/{request.pk}/book/",
                               booking(chair, bso), format="json").json()

    moved = api(bso).post(f"/api/v1/conferences/{conference['id']}/reschedule/",
                          booking(chair, bso, on="2027-04-06"), format="json")
    assert moved.status_code == 200
    assert moved.json()["date"] == "2027-04-06"
    assert api(bso).post(f"/api/v1/conferences/{conference['id']}/cancel/", {},
                         format="json").status_code == 400
    cancelled = api(bso).post(f"/api/v1/conferences/{conference['id']}/cancel/",
                              {"reason": "No longer needed"}, format="json")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"


def test_outsiders_see_no_requests_through_the_api(ready, sw, tm, sw_b, police):
    request = approved_request(sw=sw, tm=tm, children=ready)

    for outsider in (sw_b, police):
        assert api(outsider).get("/api/v1/conference-requests/").json()["count"] == 0
        response = api(outsider).get(f"/api/v1/conference-requests/{request.pk}/")
        assert response.status_code == 404
        assert api(outsider).post(
            f"/api/v1/conference-requests/{request.pk}/approve/").status_code in (403, 404)
