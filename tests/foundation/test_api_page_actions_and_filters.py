"""Issue 15 §3: allocating a child through the API (the allocation page's service), and the
filters by child and by natural parent on the lists of children, people, the front door and
life events — scoped: a child the caller cannot see filters to nothing, as a child that does
not exist does (existence never revealed)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from cpcases.children.models import Allocation
from cpcases.children.services import person_add_to_child
from lifeevents import services as life
from tests.api_problems import field_errors, problem_of

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- allocation -------------------------------------------------------------------------------


def test_002_a_manager_allocates_the_child_and_sees_the_new_allocation(child, tm, org,
                                                                       sw_b) -> None:
    response = api(tm).post(f"/api/v1/children/{child.pk}/allocation/", {
        "team": org.team_b.pk, "social_worker": sw_b.pk, "reason": "Moved to team B"},
        format="json")
    assert response.status_code == 201, response.content
    now = response.json()["current_allocation"]
    assert (now["team"], now["social_worker"], now["reason"]) == (
        str(org.team_b), str(sw_b), "Moved to team B")
    assert Allocation.objects.filter(child=child, ended_on__isnull=False).count() == 1
    # Handed to another team: the manager of team A no longer sees the child.
    problem_of(api(tm).get(f"/api/v1/children/{child.pk}/"), 404)


def test_allocating_needs_a_manager_and_the_child_in_scope(child, sw, tm_b, org) -> None:
    body = {"team": org.team_a.pk, "reason": "x"}
    problem_of(api(sw).post(f"/api/v1/children/{child.pk}/allocation/", body,
                            format="json"), 403)
    problem_of(api(tm_b).post(f"/api/v1/children/{child.pk}/allocation/", body,
                              format="json"), 404)


@pytest.mark.parametrize(("body", "field"), [
    ({"social_worker": None, "reason": "x"}, "team"),
    ({"team": 999_999, "reason": "x"}, "team"),
    ({"team": "team-a", "reason": "x"}, "team"),
    ("social_worker_of_team_b", "social_worker"),
    ("same_again", "social_worker"),
    ({"team": "a"}, "reason"),
])
def test_allocation_bad_input_is_400_naming_the_field(child, tm, sw, sw_b, org, body, field
                                                      ) -> None:
    if body == "social_worker_of_team_b":  # the worker is not in the team chosen
        body = {"team": org.team_a.pk, "social_worker": sw_b.pk, "reason": "x"}
    elif body == "same_again":  # already allocated to them (the conftest's allocation)
        body = {"team": org.team_a.pk, "social_worker": sw.pk, "reason": "x"}
    elif body.get("team") == "a":
        body = {**body, "team": org.team_a.pk}
    response = api(tm).post(f"/api/v1/children/{child.pk}/allocation/", body, format="json")
    assert field in field_errors(response), response.json()


# --- filters ----------------------------------------------------------------------------------


def test_people_and_front_door_lists_filter_by_child(child, other_team_child, sw, sw_b
                                                     ) -> None:
    link = person_add_to_child(user=sw, child=child, relationship="mother",
                               has_parental_responsibility=True, lives_with_child=True,
                               first_name="Jo", last_name="Example")
    person_add_to_child(user=sw_b, child=other_team_child, relationship="father",
                        has_parental_responsibility=True, lives_with_child=True,
                        first_name="Al", last_name="Other")
    people = api(sw).get(f"/api/v1/people/?child={child.pk}").json()["results"]
    assert [p["id"] for p in people] == [link.person_id]
    links = api(sw).get(f"/api/v1/child-people/?person={link.person_id}").json()["results"]
    assert [x["child"] for x in links] == [child.pk]
    # Another team's child: nothing, as for a child that does not exist.
    for path in ("people", "child-people", "households", "contacts", "referrals",
                 "assessments", "new-information", "break-glass", "merges"):
        outside = api(sw).get(f"/api/v1/{path}/?child={other_team_child.pk}")
        assert outside.json()["count"] == 0, path
        missing = api(sw).get(f"/api/v1/{path}/?child=999999")
        assert missing.json()["count"] == 0, path


def test_life_event_lists_filter_by_child(child, other_team_child, sw) -> None:
    import datetime as dt

    from django.utils import timezone

    life.missing_episode_record(child=child, user=sw, last_seen_by="Carer",
                                last_seen_at=timezone.now() - dt.timedelta(hours=2))
    mine = api(sw).get(f"/api/v1/missing-episodes/?child={child.pk}").json()
    assert mine["count"] == 1
    for path in ("missing-episodes", "child-deaths", "legal-orders", "complaints", "letters",
                 "case-transfers", "professional-challenges", "record-restrictions",
                 "plan-ending-notices", "agency-view-requests"):
        response = api(sw).get(f"/api/v1/{path}/?child={other_team_child.pk}")
        assert response.status_code == 200, (path, response.content)
        assert response.json()["count"] == 0, path


@pytest.mark.parametrize("value", ["abc", "0", "-1", str(2**64)])
def test_a_filter_id_that_is_not_an_id_is_400_naming_the_filter(sw, value) -> None:
    assert "child" in field_errors(api(sw).get(f"/api/v1/letters/?child={value}"))


# --- a service's refusal names its field (issue 15 §2) --------------------------------------


def test_a_service_refusal_about_one_field_names_it(child, sw, tm) -> None:
    body = {"child": child.pk, "complainant_name": "Ms Example", "complainant_relationship":
            "Mother", "about": "process", "details": "Not invited.",
            "received_on": "2026-01-05", "reply_by": "email"}
    response = api(tm).post("/api/v1/complaints/", body, format="json")
    assert "complainant_email" in field_errors(response), response.json()
    response = api(sw).post("/api/v1/missing-episodes/", {
        "child": child.pk, "last_seen_at": "2026-01-05T10:00:00Z", "last_seen_by": " "},
        format="json")
    assert "last_seen_by" in field_errors(response), response.json()
