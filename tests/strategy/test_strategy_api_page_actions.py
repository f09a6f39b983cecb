"""Issue 15 §3 and §5 on strategy: the discussion outcome as `s47_enquiry` + `next_step` (the
old `outcome` still accepted for one release, deprecated in the schema), the manager of a
consultation named through the API, the lists filtered by child and by their parent, and
field-named 400s."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from strategy.models import DiscussionChild, Section47Enquiry
from tests.api_problems import field_errors, problem_of
from tests.strategy.conftest import full_attendance, record
from tests.strategy.test_strategy_api import _payload

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _outcomes(smiths, *pairs: dict) -> list[dict]:
    return [{"child": c.pk, **pair} for c, pair in zip(smiths, pairs, strict=True)]


def test_000_discussion_outcome_as_s47_enquiry_and_next_step(smiths, sw) -> None:
    body = _payload(smiths, outcomes=_outcomes(
        smiths, {"s47_enquiry": True}, {"s47_enquiry": False, "next_step": "early_help"}))
    response = _api(sw).post("/api/v1/strategy-discussions/", body, format="json")
    assert response.status_code == 201, response.content
    by_child = {c["child"]: c for c in response.json()["children"]}
    lily, jack = smiths
    assert by_child[lily.pk]["s47_initiated"] is True
    assert by_child[jack.pk] == {"child": jack.pk, "s47_initiated": False,
                                 "next_step": "early_help"}
    assert Section47Enquiry.objects.filter(child=lily).exists()
    assert not Section47Enquiry.objects.filter(child=jack).exists()


def test_000_the_old_outcome_field_is_still_accepted_for_one_release(smiths, sw) -> None:
    body = _payload(smiths, outcomes=_outcomes(smiths, {"outcome": "s47"},
                                               {"outcome": "nfa"}))
    response = _api(sw).post("/api/v1/strategy-discussions/", body, format="json")
    assert response.status_code == 201, response.content
    assert DiscussionChild.objects.get(child=smiths[1]).next_step == "nfa"


def test_the_old_outcome_field_is_deprecated_in_the_schema() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    fields = schema["components"]["schemas"]["OutcomeInRequest"]["properties"]
    assert fields["outcome"]["deprecated"] is True
    assert "s47_enquiry" in fields
    assert "next_step" in fields


@pytest.mark.parametrize(("pair", "field"), [
    ({"s47_enquiry": True, "next_step": "nfa"}, "outcomes.0.next_step"),
    ({"s47_enquiry": False}, "outcomes.0.next_step"),
    ({}, "outcomes.0.next_step"),
    ({"outcome": "s47", "s47_enquiry": True}, "outcomes.0.outcome"),
    ({"s47_enquiry": False, "next_step": "maybe"}, "outcomes.0.next_step"),
])
def test_an_unclear_outcome_is_400_naming_the_field(smiths, sw, pair, field) -> None:
    body = _payload(smiths[:1], outcomes=_outcomes(smiths[:1], pair))
    response = _api(sw).post("/api/v1/strategy-discussions/", body, format="json")
    assert field in field_errors(response), response.json()


def test_an_unknown_participant_user_is_400_naming_the_field(smiths, sw) -> None:
    body = _payload(smiths[:1])
    body["participants"][1]["user"] = 999_999
    response = _api(sw).post("/api/v1/strategy-discussions/", body, format="json")
    assert "participants.1.user" in field_errors(response)


# --- consultations: naming the manager (000) ------------------------------------------------


def test_000_the_social_worker_names_the_manager_of_a_consultation(smiths, sw, org) -> None:
    from tests.factories import UserFactory

    other_manager = UserFactory(role="team_manager", authority=org.authority,
                                team=org.team_a, full_name="Tess Other")
    record(sw, smiths[:1])
    response = _api(sw).post("/api/v1/consultations/", {
        "child": smiths[0].pk, "question": "Conference?", "manager": other_manager.pk},
        format="json")
    assert response.status_code == 201, response.content
    assert response.json()["manager"] == other_manager.pk
    assert response.json()["status"] == "requested"


def test_a_manager_who_is_not_a_manager_is_400_naming_manager(smiths, sw, sw_b) -> None:
    record(sw, smiths[:1])
    response = _api(sw).post("/api/v1/consultations/", {
        "child": smiths[0].pk, "question": "Conference?", "manager": sw_b.pk}, format="json")
    assert "manager" in field_errors(response)
    response = _api(sw).post("/api/v1/consultations/", {
        "child": smiths[0].pk, "question": "Conference?", "manager": 999_999}, format="json")
    assert "manager" in field_errors(response)


def test_consultation_of_a_child_out_of_scope_is_404(smiths, sw, sw_b, tm_b) -> None:
    record(sw, smiths[:1])
    response = _api(sw_b).post("/api/v1/consultations/", {
        "child": smiths[0].pk, "question": "?", "manager": tm_b.pk}, format="json")
    problem_of(response, 404)


# --- filters ---------------------------------------------------------------------------------


def test_lists_filter_by_child_and_by_discussion(smiths, sw, sw_b, police) -> None:
    lily, jack = smiths
    first = record(sw, [lily], participants=full_attendance(police=police))
    record(sw, [jack])
    found = _api(sw).get(f"/api/v1/strategy-discussions/?child={lily.pk}").json()
    assert [d["id"] for d in found["results"]] == [first.pk]
    enquiries = _api(sw).get(f"/api/v1/s47-enquiries/?discussion={first.pk}").json()
    assert [e["child"] for e in enquiries["results"]] == [lily.pk]
    # Another team's worker: empty, the same as for a child that does not exist.
    assert _api(sw_b).get(f"/api/v1/strategy-discussions/?child={lily.pk}").json()[
        "count"] == 0
    assert _api(sw_b).get("/api/v1/strategy-discussions/?child=999999").json()["count"] == 0
    assert "child" in field_errors(_api(sw).get("/api/v1/concerns/?child=abc"))
