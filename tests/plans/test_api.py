"""The plans API: the same services and rules as the pages (refusals 403, failed
preconditions 400 with the message), scoped as the pages are."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from cpcases.plans.models import ChildProtectionPlan, CinPlan
from deadlines.models import Deadline

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_start_a_plan_record_a_core_group_and_end_with_stepdown(clock, child, sw, chair,
                                                                police) -> None:
    response = api(chair).post("/api/v1/plans/", {
        "child": child.pk, "started_on": "2027-03-24", "category": "neglect",
        "lead_social_worker": sw.pk,
        "core_group_members": [{"user": police.pk, "role": "Police officer"},
                               {"name": "Ms Whitfield", "agency": "education"}],
        "actions": [{"who": "School", "what": "Attendance", "by_when": "2027-04-01"}]},
        format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["category"] == "neglect"  # issue 15 §5: words, not NEG
    plan_id = response.json()["id"]
    assert Deadline.objects.get(rule_id="core_group_first").due_date == dt.date(2027, 4, 9)
    members = {m["name"]: m["id"] for m in response.json()["members"]}

    clock.move_to(dt.datetime(2027, 4, 8, 17))
    response = api(sw).post("/api/v1/core-group-meetings/", {
        "plan": plan_id, "held_on": "2027-04-08", "minutes": "Agreed",
        "attendance": [{"member": members["DC Pat Police"], "attendance": "attended"},
                       {"member": members["Ms Whitfield"], "attendance": "absent"}]},
        format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["is_first"] is True

    # The partner in the core group reads the plan but cannot end it.
    assert api(police).get(f"/api/v1/plans/{plan_id}/").status_code == 200
    end = {"ended_on": "2027-04-08", "reason": "no_longer_at_risk", "start_cin_plan": True}
    assert api(police).post(f"/api/v1/plans/{plan_id}/end/", end,
                            format="json").status_code == 403
    response = api(sw).post(f"/api/v1/plans/{plan_id}/end/", end, format="json")
    assert response.status_code == 200, response.json()
    assert CinPlan.objects.get().from_plan_id == plan_id
    cin = api(sw).get("/api/v1/child-in-need-plans/").json()["results"]
    assert cin[0]["planned_end_on"] == "2027-07-08"


def test_a_failed_precondition_is_400_with_the_message(plan, sw) -> None:
    response = api(sw).post(f"/api/v1/plans/{plan.pk}/end/",
                            {"ended_on": "2027-03-25", "reason": "no_longer_at_risk"},
                            format="json")
    assert response.status_code == 400
    assert "Child in Need plan" in response.json()["detail"]


def test_revise_keeps_a_new_version(plan, tm) -> None:
    response = api(tm).post(f"/api/v1/plans/{plan.pk}/revise/",
                            {"outcomes": "New outcomes", "reason": "Manager's review"},
                            format="json")
    assert response.status_code == 201
    assert response.json()["number"] == 2
    assert ChildProtectionPlan.objects.get().versions.count() == 2


def test_someone_outside_the_case_sees_no_plans_and_cannot_start_one(plan, sw, sw_b) -> None:
    assert api(sw_b).get("/api/v1/plans/").json()["count"] == 0
    assert api(sw_b).get(f"/api/v1/plans/{plan.pk}/").status_code == 404
    response = api(sw_b).post("/api/v1/plans/", {
        "child": plan.child_id, "started_on": "2027-03-24", "category": "neglect",
        "lead_social_worker": sw.pk}, format="json")
    assert response.status_code == 404  # out of scope: not revealed (issue 15 §1)


def test_the_list_answers_each_plan_as_its_own_record_does(clock, child, sw, chair, police
                                                           ) -> None:
    """The list prefetches the nested lists as plain lists (issue 13 §2): the same members,
    actions (who by name) and versions as the record itself."""
    response = api(chair).post("/api/v1/plans/", {
        "child": child.pk, "started_on": "2027-03-24", "category": "neglect",
        "lead_social_worker": sw.pk,
        "core_group_members": [{"user": police.pk, "role": "Police officer"},
                               {"name": "Ms Whitfield", "agency": "education"}],
        "actions": [{"who_user": police.pk, "what": "Attendance", "by_when": "2027-04-01"},
                    {"who": "School", "what": "Report", "by_when": "2027-04-02"}]},
        format="json")
    assert response.status_code == 201, response.json()
    plan_id = response.json()["id"]
    assert api(sw).post(f"/api/v1/plans/{plan_id}/revise/", {
        "outcomes": "Safer", "reason": "Review"}, format="json").status_code == 201
    listed = api(sw).get("/api/v1/plans/").json()["results"]
    record = api(sw).get(f"/api/v1/plans/{plan_id}/").json()
    assert listed == [record]
    assert len(record["members"]) == 2
    assert len(record["versions"]) == 2
    assert {a["who"] for a in record["actions"]} == {str(police), "School"}
