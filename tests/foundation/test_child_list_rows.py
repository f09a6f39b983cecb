"""The children API's list written out (cpcases.children.api.listed_children; issue 13 §2):
each child as ChildSerializer answers it through DRF's own field-by-field reading (its
current allocation as AllocationSerializer's), the same keys in the same order and the same
values, for every kind of child and allocation; and the list through the API the same bytes
and the same access-log rows as with the writer switched off."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework import serializers

from cpcases.audit.models import AccessEvent
from cpcases.children import selectors
from cpcases.children.api import AllocationSerializer, ChildListSerializer, ChildSerializer
from cpcases.children.models import Allocation, Child
from tests.direct_read import drf_reading
from tests.factories import (
    AllocationFactory,
    ChildFactory,
    HouseholdFactory,
    UnbornChildFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def children(org, sw, child) -> list[Child]:
    """Team A's children, of every kind the list shows: a household or none, unborn, dead,
    disabilities, an interpreter, a census reason; allocated to a worker with a full name,
    to one without (shown by username), to the team alone; an ended allocation before the
    current one; none current at all (not in the list's scope: read through the selector's
    queryset directly)."""
    household = HouseholdFactory(authority=org.authority, name="The <Smiths> & co")
    nameless = UserFactory(team=org.team_a, authority=org.authority, full_name="",
                           username="worker-без-имени")
    kinds = [
        ChildFactory(authority=org.authority, household=household, first_name="",
                     last_name="O'Brien \u2028", disabilities=["HAND", "VIS"],
                     interpreter_needed=True, date_of_death=dt.date(2026, 1, 2),
                     upn_unknown_reason="UN1", sex="F", ethnicity="WBRI"),
        UnbornChildFactory(authority=org.authority, household=household),
        ChildFactory(authority=org.authority, date_of_birth=dt.date(2016, 2, 29)),
        ChildFactory(authority=org.authority, date_of_birth=timezone.localdate()),
    ]
    AllocationFactory(child=kinds[0], team=org.team_a, social_worker=None,
                      reason='Moved "in" <here>')
    AllocationFactory(child=kinds[1], team=org.team_a, social_worker=nameless)
    AllocationFactory(child=kinds[2], team=org.team_a, social_worker=sw,
                      started_on=dt.date(2025, 3, 1), ended_on=dt.date(2025, 12, 31))
    AllocationFactory(child=kinds[2], team=org.team_a, social_worker=sw)
    AllocationFactory(child=kinds[3], team=org.team_a, social_worker=sw)
    # Times as DRF writes them: summer time, no microseconds, UTC.
    Child.objects.filter(pk=kinds[0].pk).update(
        updated_at=dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC))
    Child.objects.filter(pk=kinds[1].pk).update(
        updated_at=dt.datetime(2026, 1, 1, 9, 30, 15, 250, tzinfo=dt.UTC))
    return [child, *kinds]


def _drf(children: list[Child]) -> str:
    """DRF's own reading of each child (ChildSerializer through Serializer's
    to_representation, its allocation through the model's `current_allocation`)."""
    with drf_reading():
        return json.dumps(ChildSerializer(children, many=True).data)


def _listed(children: list[Child]) -> str:
    written = ChildSerializer(children, many=True).data
    assert all(list(row) == ChildSerializer.Meta.fields for row in written)
    return json.dumps(written)


def test_the_writer_knows_each_field() -> None:
    """What `listed_children` and `current_allocation_row` write, field for field: a field
    added to either serializer fails here until the writer writes it."""
    assert ChildSerializer.Meta.fields == [
        "id", "la_child_id", "display_name", "first_name", "last_name", "is_unborn",
        "date_of_birth", "expected_delivery_date", "age", "sex", "gender", "ethnicity",
        "disability", "first_language", "interpreter_needed", "address", "postcode",
        "legal_status", "nhs_number", "upn", "former_upn", "upn_unknown_reason",
        "date_of_death", "disabilities", "household", "cp_stage", "current_allocation",
        "version", "updated_at"]
    assert AllocationSerializer.Meta.fields == ["id", "team", "social_worker", "started_on",
                                                "ended_on", "reason"]
    assert ChildSerializer.Meta.list_serializer_class is ChildListSerializer


@pytest.mark.parametrize("zone", ["Europe/London", "America/St_Johns", "UTC"])
def test_each_child_is_written_as_drf_reads_it(children, tm, sw, zone) -> None:
    with timezone.override(ZoneInfo(zone)):
        for user in (tm, sw):
            rows = list(selectors.child_list(user=user))
            assert {c.pk for c in rows} == {c.pk for c in children}
            assert _listed(rows) == _drf(rows)


def test_a_child_without_a_current_allocation(org, children) -> None:
    Allocation.objects.filter(child=children[3]).update(ended_on=dt.date(2026, 2, 1))
    rows = list(Child.objects.filter(pk__in=[c.pk for c in children]).annotate(
        **{selectors.CURRENT_ALLOCATION_ROW: selectors.current_allocation_row()}
    ).select_related("household").order_by("pk"))
    assert getattr(rows[3], selectors.CURRENT_ALLOCATION_ROW) is None
    assert json.loads(_listed(rows))[3]["current_allocation"] is None
    assert _listed(rows) == _drf(rows)


def test_children_not_carrying_the_row_are_read_as_drf_reads_them(children) -> None:
    rows = list(Child.objects.filter(pk__in=[c.pk for c in children]).order_by("pk"))
    assert json.dumps(ChildSerializer(rows, many=True).data) == _drf(rows)


PATHS = ("/api/v1/children/", "/api/v1/children/?page=1", "/api/v1/children/?page=2",
         "/api/v1/children/?ordering=-date_of_birth", "/api/v1/children/?q=a",
         "/api/v1/children/?cp_stage=none", "/api/v1/children/?page=9")


def test_the_api_list_answers_as_before(request, children, monkeypatch) -> None:
    """Through the API: the same bytes and access-log rows as with the writer switched off
    (each child then read by ChildSerializer, its allocation by the model's property), in
    pages of 2 for several pages, for every persona with children in scope."""
    from cpcases.audit.reads import AuditedPageNumberPagination

    monkeypatch.setattr(AuditedPageNumberPagination, "page_size", 2)
    compared = 0
    for persona in ("sw", "tm", "sm", "bso", "chair"):
        client = Client()
        client.force_login(request.getfixturevalue(persona))
        for path in PATHS:
            answers = []
            for written in (True, False):
                with monkeypatch.context() as patch:
                    if not written:
                        patch.setattr(ChildListSerializer, "to_representation",
                                      serializers.ListSerializer.to_representation)
                    last = AccessEvent.objects.order_by("-id").values_list(
                        "id", flat=True).first() or 0
                    response = client.get(path)
                    logged = list(AccessEvent.objects.filter(id__gt=last).order_by(
                        "id").values_list("user_id", "child_id", "action", "path",
                                          "section"))
                answers.append((response.status_code, response.content, logged))
            assert answers[0] == answers[1], (persona, path)
            compared += answers[0][0] == 200 and len(answers[0][2]) > 0
    assert compared > 15
