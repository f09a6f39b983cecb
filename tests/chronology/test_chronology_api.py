"""Visits and the chronology through /api/v1/: scoped as the pages are, writes through the
same services (403 for refusals, 400 with the message for failed preconditions)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from cpcases.accounts.models import User
from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.children.models import Child
from deadlines.models import Deadline, DeadlineStatus
from tests.chronology.conftest import at, entry, visit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(2026, 12, 18, 17), tick=False):
        yield


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_recording_a_visit_through_the_api_sets_the_clocks(sw: User, plan_child: Child) -> None:
    response = _api(sw).post("/api/v1/visits/", {
        "child": plan_child.pk, "visited_at": "2026-12-18T14:00:00+00:00",
        "child_seen": True, "seen_alone": True, "bedroom_seen": True}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["visited_by"] == sw.pk
    due = dict(Deadline.objects.filter(child=plan_child, status=DeadlineStatus.OPEN)
               .values_list("rule_id", "due_date"))
    assert due == {"child_seen": dt.date(2027, 1, 6), "bedroom_seen": dt.date(2027, 1, 29)}


def test_the_visits_api_refuses_what_the_service_refuses(
        sw: User, sw_b: User, core_police: User, plan_child: Child) -> None:
    body = {"child": plan_child.pk, "visited_at": "2026-12-18T14:00:00+00:00",
            "child_seen": False, "access_refused": True}
    response = _api(sw).post("/api/v1/visits/", body, format="json")
    assert response.status_code == 400
    assert "Describe what happened" in response.json()["detail"]
    assert _api(sw_b).post("/api/v1/visits/", body, format="json").status_code == 404
    assert _api(core_police).post("/api/v1/visits/", body, format="json").status_code == 403


def test_the_visits_list_is_scoped(sw: User, sw_b: User, core_police: User,
                                   plan_child: Child) -> None:
    made = visit(sw, plan_child, at(2026, 12, 18, 14))
    assert [v["id"] for v in _api(sw).get("/api/v1/visits/").json()["results"]] == [made.pk]
    assert _api(sw_b).get("/api/v1/visits/").json()["results"] == []
    assert _api(core_police).get("/api/v1/visits/").json()["results"] == []
    assert _api(sw_b).get(f"/api/v1/visits/{made.pk}/").status_code == 404


def test_the_chronology_api_lists_merged_filtered_and_adds(
        sw: User, core_police: User, school: User, plan_child: Child) -> None:
    visit(sw, plan_child, at(2026, 12, 18, 14))
    url = f"/api/v1/chronology/{plan_child.pk}/"
    response = _api(core_police).post(url, {
        "event_date": "2026-12-18", "event_time": "09:30", "event_type": "police",
        "significant_event": "Call-out to the home", "source": "Police record",
        "child_seen": False}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["agency"] == "police"
    assert not response.json()["automatic"]

    items = _api(sw).get(url).json()
    assert [(i["event_time"], i["event_type"]) for i in items] == [
        ("09:30:00", "police"), ("14:00:00", "visit")]
    assert [i["event_type"] for i in _api(sw).get(url, {"agency": "police"}).json()] == [
        "police"]
    assert _api(sw).get(url, {"agency": "martians"}).status_code == 400

    assert _api(school).get(url).status_code == 404
    assert _api(school).post(url, {}, format="json").status_code == 404
    assert _api(sw).post(url, {
        "event_date": "2026-12-19", "event_type": "police", "significant_event": "x",
        "source": "y", "child_seen": False}, format="json").status_code == 400


def test_the_chronology_csv_endpoint_is_logged_as_an_export(
        sw: User, plan_child: Child) -> None:
    entry(sw, plan_child, dt.date(2026, 12, 17), source="Social work record")
    response = _api(sw).get(f"/api/v1/chronology/{plan_child.pk}/csv/",
                            HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "17/12/26" in response.content.decode()
    export = AccessEvent.objects.get(action=AccessAction.EXPORT)
    assert (export.child_id, export.user) == (plan_child.pk, sw)
