"""Issue 15 §3: the plan pages' actions in the API, through the same services (003 "Core
Group", "Discontinuing"): adding a core group member, changing an action, Child in Need
meetings, actions and ending a Child in Need plan. Each answers the state after the action;
outside the case 404, in the case without the permission 403, bad input 400 naming the
field."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from cpcases.plans import services
from cpcases.plans.models import CinPlan, PlanEndReason
from deadlines.models import Deadline, DeadlineStatus
from tests.api_problems import field_errors, problem_of

pytestmark = pytest.mark.django_db
REVIEW_DAY = dt.date(2027, 6, 10)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def cin_plan(plan, clock, sw) -> CinPlan:
    clock.move_to(dt.datetime(2027, 6, 10, 17))
    services.plan_end(plan=plan, ended_on=REVIEW_DAY, reason=PlanEndReason.NO_LONGER_AT_RISK,
                      start_cin_plan=True, user=sw)
    return CinPlan.objects.get()


# --- core group membership ----------------------------------------------------------------


def test_003_core_group_member_added_answers_the_plan_with_its_core_group(plan, sw) -> None:
    client = APIClient()
    client.force_login(sw)  # the Idempotency-Key is kept per signed-in caller
    response = client.post(f"/api/v1/plans/{plan.pk}/members/", {
        "name": "Dr Okafor", "agency": "health", "role": "GP", "email": "gp@example.org"},
        format="json", HTTP_IDEMPOTENCY_KEY="member-1")
    assert response.status_code == 201, response.content
    names = [m["name"] for m in response.json()["members"]]
    assert "Dr Okafor" in names
    assert response.json()["id"] == plan.pk
    # The same key again: the first answer, nothing added twice.
    again = client.post(f"/api/v1/plans/{plan.pk}/members/", {
        "name": "Dr Okafor", "agency": "health"}, format="json",
        HTTP_IDEMPOTENCY_KEY="member-1")
    assert again["Idempotent-Replayed"] == "true"
    assert plan.members.filter(name="Dr Okafor").count() == 1


def test_003_only_the_lead_and_their_managers_change_the_core_group(plan, police, sw_b
                                                                     ) -> None:
    body = {"name": "Someone", "agency": "health"}
    problem_of(api(police).post(f"/api/v1/plans/{plan.pk}/members/", body, format="json"),
               403)  # in the core group, reads the plan; may not change it
    problem_of(api(sw_b).post(f"/api/v1/plans/{plan.pk}/members/", body, format="json"),
               404)


def test_core_group_member_bad_input_names_the_field(plan, sw) -> None:
    assert "agency" in field_errors(api(sw).post(
        f"/api/v1/plans/{plan.pk}/members/", {"name": "X", "agency": "wizards"},
        format="json"))
    assert "user" in field_errors(api(sw).post(
        f"/api/v1/plans/{plan.pk}/members/", {"user": 999_999}, format="json"))
    assert "email" in field_errors(api(sw).post(
        f"/api/v1/plans/{plan.pk}/members/", {"name": "X", "email": "not-mail"},
        format="json"))


# --- plan actions -----------------------------------------------------------------------------


def test_plan_action_changed_with_the_version_read(plan, sw) -> None:
    action = plan.actions.get()
    listed = api(sw).get(f"/api/v1/plan-actions/?plan={plan.pk}").json()["results"]
    assert [a["id"] for a in listed] == [action.pk]
    response = api(sw).patch(f"/api/v1/plan-actions/{action.pk}/", {
        "version": listed[0]["version"], "status": "done", "what": "Weekly report sent"},
        format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["what"], body["version"]) == (
        "done", "Weekly report sent", listed[0]["version"] + 1)
    assert body["completed_on"] is not None
    stale = api(sw).patch(f"/api/v1/plan-actions/{action.pk}/", {
        "version": listed[0]["version"], "status": "open"}, format="json")
    assert problem_of(stale, 409)["current_version"] == listed[0]["version"] + 1


def test_plan_action_refusals(plan, sw, police, sw_b) -> None:
    action = plan.actions.get()
    problem_of(api(police).patch(f"/api/v1/plan-actions/{action.pk}/",
                                 {"version": action.version, "status": "done"},
                                 format="json"), 403)
    problem_of(api(sw_b).patch(f"/api/v1/plan-actions/{action.pk}/",
                               {"version": action.version, "status": "done"},
                               format="json"), 404)
    assert "version" in field_errors(api(sw).patch(
        f"/api/v1/plan-actions/{action.pk}/", {"status": "done"}, format="json"))
    assert "status" in field_errors(api(sw).patch(
        f"/api/v1/plan-actions/{action.pk}/", {"version": action.version,
                                                "status": "sideways"}, format="json"))
    assert "what" in field_errors(api(sw).patch(
        f"/api/v1/plan-actions/{action.pk}/", {"version": action.version, "what": " "},
        format="json"))


# --- Child in Need plans ----------------------------------------------------------------------


def test_003_cin_meeting_recorded_answers_the_plan_and_meets_the_deadline(cin_plan, sw
                                                                          ) -> None:
    response = api(sw).post(f"/api/v1/child-in-need-plans/{cin_plan.pk}/meetings/", {
        "held_on": "2027-06-10", "kind": "meeting", "notes": "Child's plan agreed"},
        format="json")
    assert response.status_code == 201, response.content
    assert [m["notes"] for m in response.json()["meetings"]] == ["Child's plan agreed"]
    assert Deadline.objects.get(child=cin_plan.child,
                                rule_id="stepdown_meeting").status == DeadlineStatus.MET


def test_cin_action_added_answers_the_plan_with_its_actions(cin_plan, sw) -> None:
    response = api(sw).post(f"/api/v1/child-in-need-plans/{cin_plan.pk}/actions/", {
        "who": "School nurse", "what": "Health check", "by_when": "2027-07-01"},
        format="json")
    assert response.status_code == 201, response.content
    assert response.json()["actions"][0]["what"] == "Health check"
    assert response.json()["actions"][0]["status"] == "open"


def test_003_cin_plan_ended_cancels_its_meeting_deadlines(cin_plan, sw) -> None:
    response = api(sw).post(f"/api/v1/child-in-need-plans/{cin_plan.pk}/end/", {
        "ended_on": "2027-06-10", "reason": "Needs met"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["ended_on"], response.json()["end_reason"]) == (
        "2027-06-10", "Needs met")
    assert Deadline.objects.get(child=cin_plan.child,
                                rule_id="stepdown_meeting").status == DeadlineStatus.CANCELLED
    # Ended: a further meeting is refused with the message (400), the plan as it was.
    again = api(sw).post(f"/api/v1/child-in-need-plans/{cin_plan.pk}/meetings/",
                         {"held_on": "2027-06-10"}, format="json")
    assert "has ended" in problem_of(again, 400)["detail"]


def test_cin_refusals_404_outside_the_case_403_without_the_role(cin_plan, sw_b, chair
                                                                 ) -> None:
    body = {"ended_on": "2027-06-10", "reason": "Needs met"}
    problem_of(api(sw_b).post(f"/api/v1/child-in-need-plans/{cin_plan.pk}/end/", body,
                              format="json"), 404)
    cin_plan.child.cp_stage = "plan"  # chairs see children in child protection work
    cin_plan.child.save(update_fields=["cp_stage"])
    assert api(chair).get(f"/api/v1/child-in-need-plans/{cin_plan.pk}/").status_code == 200
    problem_of(api(chair).post(f"/api/v1/child-in-need-plans/{cin_plan.pk}/end/", body,
                               format="json"), 403)


@pytest.mark.parametrize(("path", "body", "field"), [
    ("meetings", {"held_on": "2027-06-11"}, "held_on"),  # tomorrow
    ("meetings", {"held_on": "2027-06-10", "kind": "party"}, "kind"),
    ("meetings", {}, "held_on"),
    ("actions", {"who": "X", "what": "Y"}, "by_when"),
    ("actions", {"who": " ", "what": "Y", "by_when": "2027-07-01"}, "who"),
    ("end", {"ended_on": "2027-06-10", "reason": " "}, "reason"),
    ("end", {"ended_on": "2027-06-11", "reason": "Done"}, "ended_on"),
])
def test_cin_bad_input_is_400_naming_the_field(cin_plan, sw, path, body, field) -> None:
    response = api(sw).post(f"/api/v1/child-in-need-plans/{cin_plan.pk}/{path}/", body,
                            format="json")
    assert field in field_errors(response), response.json()


# --- filters ----------------------------------------------------------------------------------


def test_plan_lists_filter_by_child_and_plan(cin_plan, sw, sw_b) -> None:
    child, plan_id = cin_plan.child, cin_plan.from_plan_id
    for path in ("plans", "child-in-need-plans", "plan-actions", "core-group-meetings"):
        mine = api(sw).get(f"/api/v1/{path}/?child={child.pk}")
        assert mine.status_code == 200, (path, mine.content)
        other = api(sw_b).get(f"/api/v1/{path}/?child={child.pk}").json()
        assert other["count"] == 0, path
    assert api(sw).get(f"/api/v1/plans/?child={child.pk}").json()["count"] == 1
    assert api(sw).get(f"/api/v1/child-in-need-plans/?from_plan={plan_id}").json()[
        "count"] == 1
    assert api(sw).get("/api/v1/child-in-need-plans/?from_plan=999999").json()["count"] == 0
