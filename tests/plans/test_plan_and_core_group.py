"""The child protection plan and its core group (003 "Core Group", "Lead Social Worker Role";
DOMAIN §2 steps 11 and 13; §4 core_group_first, core_group_next, plan_distributed)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cpcases.children.models import Child, CpStage, InvolvementKind, PartnerInvolvement
from cpcases.core.errors import NotPermitted, ServiceError
from cpcases.plans import services
from cpcases.plans.models import (
    ActionStatus,
    Attendance,
    PlanCategory,
    PlanEndReason,
)
from deadlines.models import Deadline, DeadlineStatus, PolicyProfile
from deadlines.services import policy_choose_profile
from tests.plans.conftest import ICPC, all_attended

pytestmark = pytest.mark.django_db


def deadline(child: Child, rule_id: str, **filters: object) -> Deadline:
    return Deadline.objects.exclude(status=DeadlineStatus.CANCELLED).filter(
        child=child, rule_id=rule_id, **filters).order_by("-id").first()


# --- starting the plan ----------------------------------------------------------------------


def test_first_core_group_due_10_working_days_after_the_icpc_across_easter(plan) -> None:
    # 003: within 10 working days of the ICPC. From Wednesday 24 March 2027: Thu 25 (1),
    # [Good Friday 26, weekend, Easter Monday 29], Tue 30 (2), Wed 31 (3), Thu 1 (4),
    # Fri 2 (5), Mon 5 (6), Tue 6 (7), Wed 7 (8), Thu 8 (9), Fri 9 April (10).
    first = deadline(plan.child, "core_group_first")
    assert first.due_date == dt.date(2027, 4, 9)
    assert first.status == DeadlineStatus.OPEN
    assert first.responsible == plan.lead_social_worker
    assert first.anchor_date == ICPC


def test_first_core_group_the_same_day_as_the_icpc_in_dudleys_profile(
        clock, child, sw, chair, admin_user, org) -> None:
    # 004: Dudley holds the first core group straight after the ICPC.
    policy_choose_profile(authority=org.authority, user=admin_user,
                          profile=PolicyProfile.objects.get(slug="dudley-004"))
    plan = services.plan_start(child=child, started_on=ICPC, category=PlanCategory.EMOTIONAL,
                               lead_social_worker=sw, user=chair)
    assert deadline(plan.child, "core_group_first").due_date == ICPC


def test_plan_start_moves_the_child_to_the_plan_stage_and_keeps_version_1(plan) -> None:
    plan.child.refresh_from_db()
    assert plan.child.cp_stage == CpStage.PLAN
    assert plan.previous_plans == 0
    version = plan.versions.get()
    assert version.number == 1
    assert version.outcomes == "Alfie is fed, clean and safe at home."
    assert [a["what"] for a in version.actions] == ["Weekly attendance report"]
    # The first review is the conference's to set, not the plan's.
    assert deadline(plan.child, "first_review") is None


def test_a_partner_named_in_the_core_group_is_given_the_child(plan, police) -> None:
    involvement = PartnerInvolvement.objects.get(user=police, child=plan.child)
    assert involvement.kind == InvolvementKind.CORE_GROUP
    assert involvement.object_id == plan.pk
    member = plan.members.get(user=police)
    assert member.agency == "police"


def test_one_category_only(clock, child, sw, chair) -> None:
    # 003: no multiple categories.
    with pytest.raises(ServiceError, match="Choose one category"):
        services.plan_start(child=child, started_on=ICPC, category="PHY,NEG",
                            lead_social_worker=sw, user=chair)


def test_a_child_has_one_current_plan(plan, sw, chair) -> None:
    with pytest.raises(ServiceError, match="already has a current"):
        services.plan_start(child=plan.child, started_on=ICPC,
                            category=PlanCategory.NEGLECT, lead_social_worker=sw, user=chair)


def test_the_lead_social_worker_is_a_social_worker(clock, child, chair, police) -> None:
    with pytest.raises(ServiceError, match="qualified social worker"):
        services.plan_start(child=child, started_on=ICPC, category=PlanCategory.NEGLECT,
                            lead_social_worker=police, user=chair)


def test_someone_outside_the_case_cannot_start_a_plan(clock, child, sw, sw_b) -> None:
    with pytest.raises(NotPermitted):
        services.plan_start(child=child, started_on=ICPC, category=PlanCategory.NEGLECT,
                            lead_social_worker=sw, user=sw_b)


def test_previous_plans_are_counted(plan, sw, chair, clock) -> None:
    services.plan_end(plan=plan, ended_on=dt.date(2027, 3, 25),
                      reason=PlanEndReason.NO_LONGER_AT_RISK, start_cin_plan=False,
                      stepdown_rationale="Family moved on well", user=sw)
    clock.move_to(dt.datetime(2027, 6, 1, 12))
    # A new enquiry leads to a new conference (the conferences app moves the stage on).
    Child.objects.filter(pk=plan.child_id).update(cp_stage=CpStage.CONFERENCE)
    second = services.plan_start(child=plan.child, started_on=dt.date(2027, 5, 27),
                                 category=PlanCategory.EMOTIONAL, lead_social_worker=sw,
                                 user=chair)
    assert second.previous_plans == 1


def test_prebirth_first_core_group_must_be_before_the_birth(clock, org, sw, chair) -> None:
    # 002 §7.11: the core group meets before the birth.
    from tests.factories import AllocationFactory, ChildFactory

    baby = ChildFactory(authority=org.authority, first_name="", last_name="Unborn",
                        is_unborn=True, date_of_birth=None,
                        expected_delivery_date=dt.date(2027, 4, 2), cp_stage=CpStage.CONFERENCE)
    AllocationFactory(child=baby, team=org.team_a, social_worker=sw)
    with pytest.raises(ServiceError, match="before the birth"):
        services.plan_start(child=baby, started_on=ICPC, category=PlanCategory.NEGLECT,
                            lead_social_worker=sw, user=chair,
                            first_core_group_on=dt.date(2027, 4, 5))
    plan = services.plan_start(child=baby, started_on=ICPC, category=PlanCategory.NEGLECT,
                               lead_social_worker=sw, user=chair,
                               first_core_group_on=dt.date(2027, 3, 31))
    assert "before the birth" in services.prebirth_core_group_note(plan)


# --- core group meetings --------------------------------------------------------------------


def test_first_core_group_meeting_meets_the_deadline_and_sets_the_next_a_month_on(
        plan, sw, clock) -> None:
    clock.move_to(dt.datetime(2027, 4, 8, 17))
    meeting = services.core_group_meeting_record(
        plan=plan, held_on=dt.date(2027, 4, 8), attendance=all_attended(plan), user=sw,
        minutes="Detailed plan agreed.")
    assert meeting.is_first
    first = Deadline.objects.get(child=plan.child, rule_id="core_group_first")
    assert first.status == DeadlineStatus.MET
    # 003: then monthly; the minutes and plan distributed within 5 days.
    assert deadline(plan.child, "core_group_next").due_date == dt.date(2027, 5, 8)
    assert deadline(plan.child, "plan_distributed").due_date == dt.date(2027, 4, 13)


def test_a_first_core_group_after_the_timescale_is_missed(plan, sw, clock) -> None:
    clock.move_to(dt.datetime(2027, 4, 12, 17))
    services.core_group_meeting_record(plan=plan, held_on=dt.date(2027, 4, 12),
                                       attendance=all_attended(plan), user=sw)
    first = Deadline.objects.get(child=plan.child, rule_id="core_group_first")
    assert first.status == DeadlineStatus.MISSED


def test_each_core_group_meets_the_previous_next_and_sets_a_new_one(plan, sw, clock) -> None:
    clock.move_to(dt.datetime(2027, 5, 20, 17))
    first = services.core_group_meeting_record(plan=plan, held_on=dt.date(2027, 4, 7),
                                               attendance=all_attended(plan), user=sw)
    second = services.core_group_meeting_record(plan=plan, held_on=dt.date(2027, 5, 6),
                                                attendance=all_attended(plan), user=sw)
    assert not second.is_first
    nexts = Deadline.objects.filter(child=plan.child, rule_id="core_group_next")
    assert {(d.anchor_date, d.due_date, d.status) for d in nexts} == {
        (dt.date(2027, 4, 7), dt.date(2027, 5, 7), DeadlineStatus.MET),
        (dt.date(2027, 5, 6), dt.date(2027, 6, 6), DeadlineStatus.OPEN)}
    assert first.pk != second.pk


def test_recording_the_distribution_meets_plan_distributed(plan, sw, clock) -> None:
    clock.move_to(dt.datetime(2027, 4, 12, 17))
    meeting = services.core_group_meeting_record(plan=plan, held_on=dt.date(2027, 4, 7),
                                                 attendance=all_attended(plan), user=sw)
    services.core_group_plan_distributed(meeting=meeting, distributed_on=dt.date(2027, 4, 9),
                                         user=sw)
    distributed = Deadline.objects.get(child=plan.child, rule_id="plan_distributed")
    assert distributed.status == DeadlineStatus.MET
    with pytest.raises(ServiceError, match="Already recorded"):
        services.core_group_plan_distributed(meeting=meeting,
                                             distributed_on=dt.date(2027, 4, 9), user=sw)


def test_every_members_attendance_is_recorded(plan, sw, clock) -> None:
    attendance = all_attended(plan)
    attendance.pop(plan.members.get(name="Ms Whitfield").pk)
    with pytest.raises(ServiceError, match="Ms Whitfield"):
        services.core_group_meeting_record(plan=plan, held_on=dt.date(2027, 3, 25),
                                           attendance=attendance, user=sw)


def test_core_group_revisions_are_kept_as_numbered_versions(plan, sw, tm, clock) -> None:
    clock.move_to(dt.datetime(2027, 4, 8, 17))
    action = plan.actions.get()
    services.core_group_meeting_record(
        plan=plan, held_on=dt.date(2027, 4, 7), attendance=all_attended(plan), user=sw,
        outcomes="Alfie attends school every day.",
        action_updates={action.pk: ActionStatus.DONE},
        new_actions=[services.ActionData(who="Health visitor", what="Growth check",
                                         by_when=dt.date(2027, 4, 30))])
    services.plan_revise(plan=plan, user=tm, contingency="Legal planning meeting.",
                         reason="Manager's review")
    versions = {v.number: v for v in plan.versions.all()}
    assert sorted(versions) == [1, 2, 3]
    assert versions[1].outcomes == "Alfie is fed, clean and safe at home."
    assert versions[2].outcomes == "Alfie attends school every day."
    assert versions[2].meeting is not None
    assert {a["what"]: a["status"] for a in versions[2].actions} == {
        "Weekly attendance report": "done", "Growth check": "open"}
    assert versions[1].actions[0]["status"] == "open"
    assert versions[3].contingency == "Legal planning meeting."
    assert versions[3].reason == "Manager's review"


def test_recommendation_for_no_cin_plan_needs_a_rationale(plan, sw, clock) -> None:
    # 001: before the review the core group agrees its recommendation; no CIN plan only with
    # a clear rationale.
    with pytest.raises(ServiceError, match="rationale"):
        services.core_group_meeting_record(plan=plan, held_on=dt.date(2027, 3, 25),
                                           attendance=all_attended(plan), user=sw,
                                           recommendation="end_no_cin")


def test_only_the_lead_social_worker_and_their_managers_record_core_groups(
        plan, police, chair, tm, clock) -> None:
    for outsider in (police, chair):
        with pytest.raises(NotPermitted):
            services.core_group_meeting_record(plan=plan, held_on=dt.date(2027, 3, 25),
                                               attendance=all_attended(plan), user=outsider)
    services.core_group_meeting_record(plan=plan, held_on=dt.date(2027, 3, 25),
                                       attendance=all_attended(plan), user=tm)


def test_an_open_action_past_its_date_is_overdue(plan, clock) -> None:
    action = plan.actions.get()
    assert not action.overdue
    clock.move_to(dt.datetime(2027, 4, 8, 12))
    assert action.overdue
    action.status = ActionStatus.DONE
    assert not action.overdue


def test_absences_are_counted_per_member(plan, sw, clock) -> None:
    from cpcases.plans.selectors import member_attendance

    clock.move_to(dt.datetime(2027, 6, 1, 12))
    for day in (dt.date(2027, 4, 7), dt.date(2027, 5, 5)):
        services.core_group_meeting_record(
            plan=plan, held_on=day, user=sw,
            attendance=all_attended(plan, **{"Ms Whitfield": Attendance.ABSENT}))
    counts = {row.member.name: (row.attended, row.apologies, row.absent)
              for row in member_attendance(plan)}
    assert counts == {"Ms Whitfield": (0, 0, 2), "DC Pat Police": (2, 0, 0)}


def test_partner_sees_the_plan_only_when_in_its_core_group(plan, police, org) -> None:
    from cpcases.plans.selectors import plans_visible
    from tests.factories import PartnerInvolvementFactory, UserFactory

    assert list(plans_visible(police)) == [plan]
    assert services.may_view_plan(police, plan)
    assert not services.may_edit_plan(police, plan)
    # Another partner who knows the child from the strategy discussion only.
    health = UserFactory(role="partner", agency="health", authority=org.authority)
    PartnerInvolvementFactory(child=plan.child, user=health, kind="strategy")
    assert list(plans_visible(health)) == []
    assert not services.may_view_plan(health, plan)


def test_plan_end_cancels_the_plans_open_deadlines_and_ends_partner_access(
        plan, sw, police) -> None:
    services.plan_end(plan=plan, ended_on=dt.date(2027, 3, 25),
                      reason=PlanEndReason.TRANSFERRED, user=sw)
    first = Deadline.objects.get(child=plan.child, rule_id="core_group_first")
    assert first.status == DeadlineStatus.CANCELLED
    plan.child.refresh_from_db()
    assert plan.child.cp_stage == CpStage.NONE
    assert not PartnerInvolvement.objects.filter(user=police, ended_on__isnull=True).exists()
    with pytest.raises(ServiceError, match="ended"):
        services.plan_revise(plan=plan, user=sw, outcomes="x")



def test_a_second_revision_from_a_stale_version_is_refused_and_the_first_kept(plan, sw, tm):
    opened = plan.version
    services.plan_revise(plan=plan, user=tm, outcomes="Manager's outcomes", reason="Review",
                         expected_version=opened)
    with pytest.raises(ServiceError, match="changed this plan after you opened it"):
        services.plan_revise(plan=plan, user=sw, outcomes="Worker's outcomes",
                             reason="Visit", expected_version=opened)
    plan.refresh_from_db()
    assert plan.outcomes == "Manager's outcomes"


def test_the_revise_page_keeps_the_text_when_someone_else_revised_first(client, plan, sw, tm):
    client.force_login(sw)
    opened = plan.version
    services.plan_revise(plan=plan, user=tm, outcomes="Manager's outcomes", reason="Review",
                         expected_version=opened)
    response = client.post(f"/plans/{plan.pk}/revise/", {
        "outcomes": "My long careful outcomes", "contingency": "", "reason": "Visit",
        "version": opened})
    page = response.content.decode()
    assert response.status_code == 200
    assert "changed this record after you opened it" in page
    assert "My long careful outcomes" in page
    assert "Manager&#x27;s outcomes" in page  # their change, named


# --- issue 9: the lead social worker's deadlines move with the plan -------------------------


def test_new_lead_social_worker_takes_the_plans_open_deadlines_and_both_are_told(
        client, plan, sw, tm, org):
    from deadlines.models import REASSIGNED, DeadlineReassignment, Notification
    from tests.factories import UserFactory

    new_lead = UserFactory(username="sw_new", role="social_worker", authority=org.authority,
                           team=org.team_a, full_name="Nia New")
    seen = Deadline.objects.get(child=plan.child, rule_id="child_seen", status="open")
    assert seen.responsible == sw
    client.force_login(tm)
    response = client.post(reverse("plans:lead_change", args=[plan.pk]),
                           {"lead_social_worker": new_lead.pk, "reason": "Sam on leave"})
    assert response.status_code == 302
    for rule_id in ("child_seen", "bedroom_seen", "core_group_first"):
        moved = Deadline.objects.get(child=plan.child, rule_id=rule_id, status="open")
        assert moved.responsible == new_lead, rule_id
    assert DeadlineReassignment.objects.filter(from_user=sw, to_user=new_lead).count() == 3
    assert Notification.objects.filter(level=REASSIGNED, recipient=sw).count() == 3
    assert Notification.objects.filter(level=REASSIGNED, recipient=new_lead).count() == 3


def test_lead_change_through_the_api(plan, tm, sw, org):
    from rest_framework.test import APIClient

    from tests.factories import UserFactory

    new_lead = UserFactory(username="sw_api", role="social_worker", authority=org.authority,
                           team=org.team_a, full_name="Ali Api")
    api = APIClient()
    api.force_authenticate(tm)
    response = api.post(f"/api/v1/plans/{plan.pk}/lead/",
                        {"lead_social_worker": new_lead.pk, "reason": "Caseload"},
                        format="json")
    assert response.status_code == 200, response.content
    assert Deadline.objects.get(child=plan.child, rule_id="child_seen",
                                status="open").responsible == new_lead
