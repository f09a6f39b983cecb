"""/api/v1/visits/ writes a page's visits directly from the list's columns (`listed_visit`,
issue 13 §2): the same bytes as DRF's own reading, for every kind of visit and in both
halves of the year; anything else is written by VisitSerializer, as before."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from cpcases.accounts.models import User
from cpcases.children.models import Child
from cpcases.chronology import api
from cpcases.chronology.models import Visit, VisitLocation
from tests.chronology.conftest import at, visit
from tests.direct_read import drf_reading

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(2026, 12, 18, 17), tick=False):
        yield


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


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
        with mock.patch.object(api, "listed_visit", wraps=api.listed_visit) as written:
            fast = client.get(path)
        with drf_reading():
            drf = client.get(path)
        assert fast.status_code == drf.status_code == 200, path
        assert fast.content == drf.content, path
        listed = fast.json().get("results")
        assert listed is None or listed, path
        assert written.call_count == (0 if listed is None else len(listed)), path
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
