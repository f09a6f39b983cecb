"""Deadlines and policy rules through the API, scoped as the pages are."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from rest_framework import serializers
from rest_framework.test import APIClient

from deadlines import services
from deadlines.models import PolicyProfile, RuleOverride
from deadlines.policy import NATIONAL_RULES, load_shipped_profiles


@pytest.fixture(autouse=True)
def _shipped_profiles(db):
    """The migration loads them; a transactional test elsewhere may have flushed them."""
    if not PolicyProfile.objects.filter(shipped=True).exists():
        load_shipped_profiles()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def deadlines(child, other_team_child):
    return (services.deadline_set(child=child, rule_id="icpc", anchor=dt.date(2026, 12, 18)),
            services.deadline_set(child=child, rule_id="child_seen",
                                  anchor=dt.date(2026, 12, 18)),
            services.deadline_set(child=other_team_child, rule_id="icpc",
                                  anchor=dt.date(2026, 12, 18)))


def test_list_is_scoped_and_filters_by_rule_and_status(api, sw, deadlines):
    api.force_authenticate(sw)
    ids = {d["id"] for d in api.get("/api/v1/deadlines/").json()["results"]}
    assert ids == {deadlines[0].pk, deadlines[1].pk}
    icpc = api.get("/api/v1/deadlines/", {"rule_id": "icpc", "status": "open"}).json()
    assert [d["due_date"] for d in icpc["results"]] == ["2027-01-13"]



@pytest.mark.parametrize("path", ["/api/v1/deadlines/", "/api/v1/visits/",
                                  "/api/v1/children/"])
def test_a_page_number_past_any_list_is_not_found_not_a_server_error(api, sw, deadlines, path):
    # Twenty digits: its OFFSET would overflow PostgreSQL's bigint if it reached the query.
    api.force_authenticate(sw)
    assert api.get(path, {"page": "9" * 20}).status_code == 404
    assert api.get(path, {"page": "999999"}).status_code == 404
    assert api.get(path, {"page": "²"}).status_code == 404  # a digit to isdigit(), not int()
    assert api.get(path, {"page": "1"}).status_code == 200

def test_retrieve_is_refused_outside_the_case(api, sw, deadlines):
    api.force_authenticate(sw)
    assert api.get(f"/api/v1/deadlines/{deadlines[2].pk}/").status_code == 404
    assert api.get(f"/api/v1/deadlines/{deadlines[0].pk}/").status_code == 200


def test_anonymous_is_refused(api, deadlines):
    assert api.get("/api/v1/deadlines/").status_code in (401, 403)


def test_policy_rules_are_readable_but_not_writable_by_a_social_worker(api, sw):
    api.force_authenticate(sw)
    rule = api.get("/api/v1/policy-rules/report_to_family/").json()
    assert (rule["offset"], rule["unit"], rule["direction"]) == (3, "working_days", "before")
    # Every rule of the policy: DOMAIN §4's and those added with their sources since.
    assert len(api.get("/api/v1/policy-rules/").json()) == len(NATIONAL_RULES) >= 36
    response = api.patch("/api/v1/policy-rules/report_to_family/",
                         {"offset": 5, "reason": "x"}, format="json")
    assert response.status_code == 403
    assert not RuleOverride.objects.exists()


def test_an_administrator_overrides_a_rule(api, admin_user):
    api.force_authenticate(admin_user)
    response = api.patch("/api/v1/policy-rules/report_to_family/",
                         {"offset": 5, "reason": "Dudley practice"}, format="json")
    assert response.status_code == 200
    assert (response.json()["offset"], response.json()["overridden"]) == (5, True)
    assert api.patch("/api/v1/policy-rules/report_to_family/", {"offset": 5},
                     format="json").status_code == 400


def test_the_schema_of_these_endpoints_is_valid_without_warnings(db):
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/v1/", include("deadlines.api_urls"))]
                             ).get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS, "drf-spectacular warned about the deadline endpoints"
    assert {"/api/v1/deadlines/", "/api/v1/policy-rules/{rule_id}/"} <= set(schema["paths"])


def test_the_fast_representation_is_drfs(child, sw, tm):
    """DeadlineSerializer walks to each value itself (issue 13 §2): the same JSON as DRF's
    generic walk, for open, met, cancelled and delayed deadlines, hour rules, a subject."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from deadlines import mywork, presentation
    from deadlines.api import DeadlineSerializer, deadline_rows
    from deadlines.models import Deadline, DeadlineStatus

    made = [services.deadline_set(child=child, rule_id=rule, anchor=anchor, responsible=sw)
            for rule, anchor in (("icpc", dt.date(2026, 12, 18)),
                                 ("child_seen", dt.date(2026, 12, 18)),
                                 ("invitation_list", timezone.now()),
                                 ("report_to_family", dt.date(2026, 12, 1)))]
    now = timezone.now()
    Deadline.objects.filter(pk=made[0].pk).update(status=DeadlineStatus.MET, met_at=now)
    Deadline.objects.filter(pk=made[1].pk).update(
        status=DeadlineStatus.CANCELLED, cancelled_at=now, cancelled_reason="Moved <away>",
        responsible=None, content_type=ContentType.objects.get_for_model(type(child)),
        object_id=child.pk)
    Deadline.objects.filter(pk=made[3].pk).update(
        status=DeadlineStatus.DELAY_AUTHORISED, delay_authorised_by=tm,
        delay_authorised_at=now, delay_reason="Family away")
    rows = presentation.present(mywork.slim(Deadline.objects.filter(child=child)))
    serializer = DeadlineSerializer()
    written = deadline_rows(rows)  # the lists' rows written out
    assert len(written) == len(rows)
    for d, row in zip(rows, written, strict=True):
        generic = serializers.ModelSerializer.to_representation(serializer, d)
        fast = serializer.to_representation(d)
        assert json.dumps(fast) == json.dumps(generic)  # values, types and key order
        assert json.dumps(row) == json.dumps(generic)
    # British Summer Time: the moments in the current zone, not "Z".
    summer = dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC)
    Deadline.objects.filter(pk=made[2].pk).update(due_at=summer, anchor_at=summer)
    summer_rows = presentation.present(mywork.slim(Deadline.objects.filter(pk=made[2].pk)))
    assert json.dumps(deadline_rows(summer_rows)) == json.dumps(
        [serializers.ModelSerializer.to_representation(serializer, summer_rows[0])])
    assert deadline_rows(summer_rows)[0]["due_at"] == "2026-07-01T10:30:00+01:00"
    assert {r["state"] for r in DeadlineSerializer(rows, many=True).data} >= {
        "met", "cancelled", "delay_authorised"}


def test_a_plain_list_asked_once_answers_as_the_team_pages_query(api, org, sw, tm, child,
                                                                 other_team_child, monkeypatch):
    """/api/v1/deadlines/ without filters reads its page and count from the deadlines'
    narrow rows in one query (compiled.compile_narrow); byte for byte what the team page's
    kept query (narrow_page) answered, on every page, in each order it takes."""
    from cpcases.audit.reads import AuditedPageNumberPagination
    from deadlines import api as deadlines_api
    from tests.factories import AllocationFactory, ChildFactory

    for n in range(5):  # ten deadlines, due dates that tie, so that the id breaks them
        made = ChildFactory(authority=org.authority, last_name=f"Example{n % 2}")
        AllocationFactory(child=made, team=org.team_a, social_worker=sw)
        for rule in ("icpc", "child_seen"):
            services.deadline_set(child=made, rule_id=rule,
                                  anchor=dt.date(2026, 12, 10 + n // 2))
    services.deadline_set(child=other_team_child, rule_id="icpc", anchor=dt.date(2026, 12, 1))
    monkeypatch.setattr(AuditedPageNumberPagination, "page_size", 3)
    compared = 0
    for user in (sw, tm):
        api.force_authenticate(user)
        for query in ("", "?page=2", "?page=3", "?page=9", "?ordering=-due_date",
                      "?ordering=status&page=2", "?ordering=child__last_name&page=2",
                      "?ordering=-rule_id,due_date"):
            new = api.get("/api/v1/deadlines/" + query)
            with monkeypatch.context() as patch:
                patch.setattr(deadlines_api, "_unfiltered_narrow", lambda *args: None)
                old = api.get("/api/v1/deadlines/" + query)
            assert (new.status_code, new.content) == (old.status_code, old.content), query
            compared += new.status_code == 200 and bool(new.json()["results"])
    assert compared >= 12


def test_a_sort_by_childs_name_is_remembered_once_not_once_a_user(api, sw, tm, deadlines):
    """The list sorted by the child's name is the team page's query for everyone; what says
    so is kept once for that order, not once for each user and day (a process's memory)."""
    from deadlines import api as deadlines_api

    deadlines_api._NOT_NARROW.clear()
    for user in (sw, tm):
        api.force_authenticate(user)
        response = api.get("/api/v1/deadlines/", {"ordering": "child__last_name"})
        assert {d["id"] for d in response.json()["results"]} == {deadlines[0].pk,
                                                                 deadlines[1].pk}
    assert len(deadlines_api._NOT_NARROW) == 1
