"""Serializers read without DRF's generic walk (cpcases.core.serializing.DirectReadMixin,
issue 13 §2) answer exactly what DRF's own field-by-field reading answers."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from cpcases.children import selectors
from cpcases.children.api import ChildSerializer
from cpcases.chronology.api import VisitSerializer
from cpcases.chronology.models import Visit
from deadlines import services
from tests.direct_read import assert_answers_as_drf, drf_reading
from tests.factories import (
    AllocationFactory,
    ChildFactory,
    HouseholdFactory,
    UnbornChildFactory,
)

pytestmark = pytest.mark.django_db


def _same(cls: type[serializers.ModelSerializer], rows: list) -> None:
    fast = cls(rows, many=True).data
    with drf_reading():  # nested serializers too
        drf = cls(rows, many=True).data
    assert json.dumps(fast) == json.dumps(drf)  # values, types (no default=) and key order
    assert [list(r) for r in fast] == [list(r) for r in drf]


def test_children_read_directly_answer_as_drf_does(org, sw, child) -> None:
    household = HouseholdFactory(authority=org.authority)
    other = ChildFactory(authority=org.authority, household=household, first_name="",
                         disabilities=["HAND", "VIS"],
                         interpreter_needed=True, date_of_death=dt.date(2026, 1, 2))
    AllocationFactory(child=other, team=org.team_a, social_worker=None)
    unborn = UnbornChildFactory(authority=org.authority)
    AllocationFactory(child=unborn, team=org.team_a, social_worker=sw)
    rows = list(selectors.child_list(user=sw).order_by("pk"))
    assert len(rows) == 3
    _same(ChildSerializer, rows)


def test_visits_read_directly_answer_as_drf_does(sw, child) -> None:
    for seen, alone in ((True, True), (False, None)):
        Visit.objects.create(child=child, visited_at=timezone.now(), visited_by=sw,
                             child_seen=seen, seen_alone=alone, notes="Noted")
    _same(VisitSerializer, list(Visit.objects.select_related("visited_by")))


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_lists_answer_as_drf_does(org, sw, tm, child) -> None:
    AllocationFactory(child=ChildFactory(authority=org.authority,
                                         household=HouseholdFactory(authority=org.authority)),
                      team=org.team_a, social_worker=None)
    Visit.objects.create(child=child, visited_at=timezone.now(), visited_by=sw,
                         child_seen=False, seen_alone=None, notes="Not in")
    services.deadline_set(child=child, rule_id="icpc", anchor=dt.date(2026, 12, 18),
                          responsible=sw)
    for user in (sw, tm):
        for path in ("/api/v1/children/", f"/api/v1/children/{child.pk}/", "/api/v1/visits/",
                     "/api/v1/deadlines/", "/api/v1/my-work/"):
            assert_answers_as_drf(_api(user), path)
