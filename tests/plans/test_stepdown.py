"""Ending a plan and stepping down (003 "Discontinuing the Child Protection Plan"; 001: a
Child in Need plan for at least 3 months, or the rationale for none, which the head of
service oversees; DOMAIN §4 stepdown_meeting, stepdown_review)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from cpcases.core.errors import ServiceError
from cpcases.plans import services
from cpcases.plans.models import CinMeetingKind, CinPlan, PlanEndReason
from cpcases.plans.selectors import stepdown_decisions
from deadlines.models import Deadline, DeadlineStatus
from deadlines.services import policy_override_rule

pytestmark = pytest.mark.django_db
REVIEW_DAY = dt.date(2027, 6, 10)


@pytest.fixture
def at_review(plan, clock):
    clock.move_to(dt.datetime(2027, 6, 10, 17))
    return plan


def stepdown(child, rule_id: str) -> Deadline:
    return Deadline.objects.get(child=child, rule_id=rule_id)


def test_plan_ends_with_a_cin_plan_for_3_months_and_a_meeting_10_days_on(at_review, sw
                                                                          ) -> None:
    plan = services.plan_end(plan=at_review, ended_on=REVIEW_DAY,
                             reason=PlanEndReason.NO_LONGER_AT_RISK, start_cin_plan=True,
                             cin_first_meeting_on=dt.date(2027, 6, 18), user=sw)
    cin = CinPlan.objects.get(from_plan=plan)
    assert cin.started_on == REVIEW_DAY
    assert cin.first_meeting_on == dt.date(2027, 6, 18)
    assert cin.lead_professional == sw
    # 003: a multi-agency meeting 10 days after, a review at 3 months; 001: at least 3 months.
    assert stepdown(plan.child, "stepdown_meeting").due_date == dt.date(2027, 6, 20)
    assert stepdown(plan.child, "stepdown_review").due_date == dt.date(2027, 9, 10)
    assert cin.planned_end_on == dt.date(2027, 9, 10)
    assert plan.stepdown_rationale == ""


def test_cin_plan_length_follows_the_authoritys_policy(at_review, sw, admin_user, org
                                                       ) -> None:
    # 004 gives 6-12 weeks; an authority may choose its own length.
    policy_override_rule(authority=org.authority, rule_id="stepdown_review", user=admin_user,
                         reason="Local practice: 12 weeks", offset=12, unit="weeks")
    services.plan_end(plan=at_review, ended_on=REVIEW_DAY,
                      reason=PlanEndReason.NO_LONGER_AT_RISK, start_cin_plan=True, user=sw)
    assert CinPlan.objects.get().planned_end_on == dt.date(2027, 9, 2)


def test_cin_meetings_meet_the_stepdown_deadlines(at_review, sw, clock) -> None:
    services.plan_end(plan=at_review, ended_on=REVIEW_DAY,
                      reason=PlanEndReason.NO_LONGER_AT_RISK, start_cin_plan=True, user=sw)
    cin = CinPlan.objects.get()
    clock.move_to(dt.datetime(2027, 9, 9, 17))
    services.cin_meeting_record(cin_plan=cin, held_on=dt.date(2027, 6, 24), user=sw,
                                notes="Child's plan agreed")
    services.cin_meeting_record(cin_plan=cin, held_on=dt.date(2027, 9, 9), user=sw,
                                kind=CinMeetingKind.REVIEW)
    assert stepdown(cin.child, "stepdown_meeting").status == DeadlineStatus.MISSED
    assert stepdown(cin.child, "stepdown_review").status == DeadlineStatus.MET


def test_no_cin_plan_needs_a_rationale(at_review, sw) -> None:
    with pytest.raises(ServiceError, match="record why none"):
        services.plan_end(plan=at_review, ended_on=REVIEW_DAY,
                          reason=PlanEndReason.NO_LONGER_AT_RISK, user=sw)
    with pytest.raises(ServiceError, match="not both"):
        services.plan_end(plan=at_review, ended_on=REVIEW_DAY,
                          reason=PlanEndReason.NO_LONGER_AT_RISK, start_cin_plan=True,
                          stepdown_rationale="Not needed", user=sw)


def test_no_cin_plan_rationale_is_seen_by_the_head_of_service(at_review, sw, tm, hos
                                                              ) -> None:
    plan = services.plan_end(plan=at_review, ended_on=REVIEW_DAY,
                             reason=PlanEndReason.NO_LONGER_AT_RISK,
                             stepdown_rationale="Family supported by early help instead",
                             user=sw)
    assert list(stepdown_decisions(user=hos)) == [plan]
    assert not CinPlan.objects.exists()
    assert not Deadline.objects.filter(rule_id__startswith="stepdown").exists()
    client = Client()
    client.force_login(hos)
    page = client.get(reverse("plans:stepdown_decisions"))
    assert page.status_code == 200
    assert "Family supported by early help instead" in page.content.decode()
    client.force_login(tm)
    assert client.get(reverse("plans:stepdown_decisions")).status_code == 403


def test_a_stepdown_to_cin_is_not_a_decision_for_oversight(at_review, sw, hos) -> None:
    services.plan_end(plan=at_review, ended_on=REVIEW_DAY,
                      reason=PlanEndReason.NO_LONGER_AT_RISK, start_cin_plan=True, user=sw)
    assert list(stepdown_decisions(user=hos)) == []


def test_no_stepdown_when_the_child_moved_to_another_authority(at_review, sw, hos) -> None:
    # 001: except where the child has moved to live in another local authority.
    services.plan_end(plan=at_review, ended_on=REVIEW_DAY, reason=PlanEndReason.TRANSFERRED,
                      user=sw)
    assert not CinPlan.objects.exists()
    assert list(stepdown_decisions(user=hos)) == []


def test_a_conference_that_decides_no_plan_starts_a_cin_plan(clock, child, chair) -> None:
    # 002 §19.8: a Child in Need plan with the first CIN meeting date set at the conference.
    cin = services.cin_plan_start(child=child, started_on=dt.date(2027, 3, 24), user=chair,
                                  first_meeting_on=dt.date(2027, 4, 7))
    assert cin.first_meeting_on == dt.date(2027, 4, 7)
    assert cin.from_plan is None
    assert not Deadline.objects.filter(rule_id__startswith="stepdown").exists()


def test_no_cin_plan_alongside_a_child_protection_plan(plan, sw) -> None:
    with pytest.raises(ServiceError, match="current child protection plan"):
        services.cin_plan_start(child=plan.child, started_on=dt.date(2027, 3, 25), user=sw)
