"""Visits and the chronology through /api/v1/: scoped as the pages are, writes through the
same services (403 for refusals, 400 with the message for failed preconditions). The list
writes a page's visits directly from its columns (`listed_visit`, issue 13 §2): the same bytes
as DRF's own reading, for every kind of visit and in both halves of the year; anything else
is written by VisitSerializer, as before."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from cpcases.accounts.models import User
from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.children.models import Child
from cpcases.chronology import api
from cpcases.chronology.models import Visit, VisitLocation
from deadlines.models import Deadline, DeadlineStatus
from tests.chronology.conftest import at, entry, visit
from tests.direct_read import assert_written_out_as_drf

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


# --- the list's rows written out ---------------------------------------------------------------


@pytest.fixture
def visits(sw: User, tm: User, plan_child: Child) -> list[Visit]:
    """Seen alone, seen with someone, not seen (seen alone None), access refused with what
    happened, at school with notes; in summer time and winter, by two visitors (one with
    no full name)."""
    tm.full_name = ""
    tm.save(update_fields=["full_name"])
    return [
        visit(sw, plan_child, at(2026, 7, 1, 9, 30)),
        visit(sw, plan_child, at(2026, 10, 25, 1, 30), seen_alone=False,
              seen_with="Mum \u201cK\u201d", bedroom_seen=False),
        visit(tm, plan_child, at(2026, 12, 1, 16), child_seen=False, seen_alone=None,
              bedroom_seen=False,
              location=VisitLocation.SCHOOL, notes="Caf\u00e9 \u2013 quiet\nline two"),
        visit(sw, plan_child, at(2026, 12, 18, 14), child_seen=False, seen_alone=None,
              bedroom_seen=False, access_refused=True,
              access_refused_details="No answer at the door"),
    ]


@pytest.mark.parametrize("username", ["sw", "tm"])
def test_the_listed_visits_are_written_as_drf_writes_them(request, visits, username) -> None:
    client = _api(request.getfixturevalue(username))
    for path in ("/api/v1/visits/", "/api/v1/visits/?page=1",
                 "/api/v1/visits/?child_seen=true", "/api/v1/visits/?ordering=visited_at",
                 f"/api/v1/visits/{visits[2].pk}/"):
        listed = assert_written_out_as_drf(client, path, api, "listed_visit").json().get(
            "results")
        assert listed is None or listed, path
    assert {v["visited_by_name"] for v in client.get("/api/v1/visits/").json()["results"]} == {
        "", visits[0].visited_by.full_name}


def test_a_visit_not_read_by_the_lists_query_is_written_by_its_serializer(visits) -> None:
    """Visits read whole (as a record is: no visitor's name column) are written by
    VisitSerializer, as before."""
    rows = list(Visit.objects.filter(pk__in=[v.pk for v in visits]).order_by("pk"))
    with mock.patch.object(api, "listed_visit", wraps=api.listed_visit) as written:
        data = api.VisitSerializer(rows, many=True).data
    assert data == [serializers.Serializer.to_representation(api.VisitSerializer(), row)
                    for row in rows]
    assert written.call_count == 1  # tried, refused at the first row


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/New_York",
                                  "Asia/Kolkata"])
def test_a_time_is_written_as_drf_writes_it(zone) -> None:
    """`serializing.written_in` (a listed visit's times) against DRF's DateTimeField, in
    winter and summer, at midnight, with and without microseconds, naive."""
    from cpcases.core.serializing import written_in

    field = serializers.DateTimeField(read_only=True)
    with timezone.override(zone):
        for value in (dt.datetime(2026, 1, 15, tzinfo=dt.UTC),
                      dt.datetime(2026, 7, 15, 23, 30, 0, 1, tzinfo=dt.UTC),
                      dt.datetime(2026, 3, 29, 1, 0, 0, 500000, tzinfo=dt.UTC),
                      at(2026, 10, 25, 1, 59), dt.datetime(2026, 5, 1, 12)):
            assert written_in(timezone.get_current_timezone(), value, field) == (
                field.to_representation(value)), (zone, value)
