"""The decision for each child (002 §17-19, 003), the safety scores (001), reviews (003)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from conferences.models import Conference, ConferenceKind, ConferenceStatus
from conferences.outcomes import selectors, services
from conferences.outcomes.models import (
    ChildDecision,
    ExceptionalCircumstance,
    ManagementEscalation,
    ReviewTrigger,
)
from cpcases.accounts.roles import Agency
from cpcases.children.models import Child, CpStage
from cpcases.core.errors import NotPermitted, ServiceError
from cpcases.plans.models import ChildProtectionPlan, CinPlan, PlanEndReason
from deadlines.models import AuthorityPolicy, Deadline, DeadlineStatus, PolicyProfile
from tests.outcomes.conftest import DAY, LONDON
from tests.outcomes.helpers import (
    cin_data,
    decide,
    make_conference,
    plan_data,
    quorate_attendance,
    started,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(conference: Conference, chair, bso) -> Conference:
    return started(conference, minute_taker=bso, chair=chair)


def test_siblings_get_different_decisions(held: Conference, siblings, chair, sw) -> None:
    ada, ben = siblings
    first = decide(held, ada, chair, plan_data(sw, category="EMO"))
    second = decide(held, ben, chair, cin_data())
    assert first.outcome == "plan"
    assert first.category == "EMO"
    assert second.outcome == "cin"
    assert second.category == ""
    assert ChildProtectionPlan.objects.get(child=ada).category == "EMO"
    assert not ChildProtectionPlan.objects.filter(child=ben).exists()
    cin = CinPlan.objects.get(child=ben)
    assert cin.first_meeting_on == dt.date(2027, 5, 18)
    ada.refresh_from_db()
    ben.refresh_from_db()
    assert (ada.cp_stage, ben.cp_stage) == (CpStage.PLAN, CpStage.NONE)
    assert sorted((v.agency, v.dissents) for v in first.agency_views.all()) == [
        (Agency.EDUCATION, True), (Agency.HEALTH, False)]


def test_a_plan_has_exactly_one_category(held: Conference, siblings, chair, sw) -> None:
    with pytest.raises(ServiceError, match="one category"):
        decide(held, siblings[0], chair, plan_data(sw, category="PHY,EMO"))
    with pytest.raises(ServiceError, match="one category"):
        decide(held, siblings[0], chair, plan_data(sw, category=""))
    with pytest.raises(ServiceError, match="only with a child protection plan"):
        decide(held, siblings[0], chair, cin_data(category="NEG"))


def test_a_decision_needs_a_started_conference(conference: Conference, siblings, chair,
                                               sw) -> None:
    with pytest.raises(ServiceError, match="has not started"):
        decide(conference, siblings[0], chair, plan_data(sw))


def test_only_the_chair_records_the_decision(held: Conference, siblings, sw, tm, bso,
                                             org) -> None:
    from tests.factories import UserFactory

    other_chair = UserFactory(role="cp_chair", authority=org.authority, username="chair2")
    for user in (bso, tm, other_chair):
        with pytest.raises(NotPermitted, match="Only the conference's chair"):
            decide(held, siblings[0], user, plan_data(sw))
    assert not ChildDecision.objects.exists()


def test_plan_books_the_first_review_three_months_later_with_its_deadlines(
        held: Conference, siblings, chair, sw) -> None:
    decision = decide(held, siblings[0], chair, plan_data(sw))
    review = decision.review_conference
    assert review.kind == ConferenceKind.REVIEW
    assert review.status == ConferenceStatus.BOOKED
    assert review.date == dt.date(2027, 8, 4) == decision.review_due
    first_review = Deadline.objects.get(child=siblings[0], rule_id="first_review")
    assert first_review.due_date == dt.date(2027, 8, 4)
    assert first_review.status == DeadlineStatus.OPEN
    core_group = Deadline.objects.get(child=siblings[0], rule_id="core_group_first")
    assert core_group.due_date == dt.date(2027, 5, 18)  # 10 working days (003)
    letter = Deadline.objects.get(child=siblings[0], rule_id="decision_letter")
    assert letter.due_date == dt.date(2027, 5, 6)  # 2 working days (002 §23.2)


def test_first_review_is_91_days_under_the_darlington_profile(held: Conference, siblings,
                                                               chair, sw, org) -> None:
    AuthorityPolicy.objects.create(authority=org.authority,
                                   profile=PolicyProfile.objects.get(slug="darlington-003"))
    decision = decide(held, siblings[0], chair, plan_data(sw))
    assert decision.review_due == dt.date(2027, 8, 3)
    assert decision.review_conference.date == dt.date(2027, 8, 3)


def test_siblings_on_plans_share_one_review_conference(held: Conference, siblings, chair,
                                                       sw) -> None:
    first = decide(held, siblings[0], chair, plan_data(sw))
    second = decide(held, siblings[1], chair, plan_data(sw, category="PHY"))
    assert first.review_conference_id == second.review_conference_id
    assert set(first.review_conference.children.all()) == set(siblings)


def test_review_date_chosen_by_the_chair_cannot_exceed_the_policy(held: Conference, siblings,
                                                                  chair, sw) -> None:
    with pytest.raises(ServiceError, match="must be held by 4 August 2027"):
        decide(held, siblings[0], chair, plan_data(sw, review_on=dt.date(2027, 8, 5)))


def test_inquorate_conference_that_proceeds_brings_the_first_review_forward(
        conference: Conference, siblings, chair, bso, sw) -> None:
    from tests.outcomes.helpers import attend

    attend(conference, bso, "Sam Social", Agency.CHILDRENS_SOCIAL_CARE)
    attend(conference, bso, "Hana Health", Agency.HEALTH)
    services.conference_start(conference=conference, user=chair, proceed_ground="csc_and_one",
                              proceed_reason="Delay would harm the children.")
    decision = decide(conference, siblings[0], chair, plan_data(sw))
    assert decision.review_conference.date == dt.date(2027, 6, 4)  # early review: 1 month


def test_review_is_booked_before_the_eighteenth_birthday(frozen, org, sw, chair, bso) -> None:
    from tests.factories import AllocationFactory, ChildFactory

    teen = ChildFactory(authority=org.authority, date_of_birth=dt.date(2009, 6, 20),
                        cp_stage=CpStage.CONFERENCE)
    AllocationFactory(child=teen, team=org.team_a, social_worker=sw)
    held = started(make_conference(children=[teen], on=DAY, chair=chair, minute_taker=bso),
                   minute_taker=bso, chair=chair)
    decision = decide(held, teen, chair, plan_data(sw))
    assert decision.review_conference.date == dt.date(2027, 6, 18)  # Friday before the 20th
    assert Deadline.objects.get(child=teen, rule_id="eighteenth_birthday_review").due_date \
        == dt.date(2027, 6, 20)


# --- safety scores (001) --------------------------------------------------------------------


def _scores(*values: int) -> list[services.ScoreData]:
    return [services.ScoreData(f"Participant {i}", v) for i, v in enumerate(values)]


def test_most_scores_zero_escalates_to_social_work_management(held, siblings, chair, tm,
                                                              sm, tm_b) -> None:
    advice = services.safety_scores_record(conference=held, child=siblings[0], user=chair,
                                           scores=_scores(0, 0, 0, 4))
    assert advice.escalate
    assert not advice.consider_cin
    escalation = ManagementEscalation.objects.get(child=siblings[0])
    assert set(escalation.recipients.all()) == {tm, sm}


def test_half_zero_is_not_most(held, siblings, chair) -> None:
    advice = services.safety_scores_record(conference=held, child=siblings[0], user=chair,
                                           scores=_scores(0, 0, 3, 4))
    assert not advice.escalate
    assert not ManagementEscalation.objects.exists()


def test_majority_above_five_prompts_a_child_in_need_plan(held, siblings, chair) -> None:
    advice = services.safety_scores_record(conference=held, child=siblings[1], user=chair,
                                           scores=_scores(6, 7, 8, 2))
    assert advice.consider_cin
    assert not advice.escalate
    assert not selectors.score_advice([6, 5, 5, 9]).consider_cin  # 5 is not above 5


def test_scores_run_from_0_to_10(held, siblings, chair) -> None:
    with pytest.raises(ServiceError, match="0 to 10"):
        services.safety_scores_record(conference=held, child=siblings[0], user=chair,
                                      scores=_scores(11))


# --- reviews (003) --------------------------------------------------------------------------


@pytest.fixture
def review(held: Conference, siblings, chair, sw) -> Conference:
    """Ada on a plan, Ben on a CIN plan; travel to the review day and start it."""
    decision = decide(held, siblings[0], chair, plan_data(sw))
    decide(held, siblings[1], chair, cin_data())
    return decision.review_conference


def _hold_review(review: Conference, chair, bso, when: dt.datetime) -> None:
    with time_machine.travel(when, tick=False):
        quorate_attendance(review, bso)
        services.conference_start(conference=review, user=chair)


def test_ending_a_plan_at_the_first_review_needs_an_exceptional_circumstance(
        review: Conference, siblings, chair, bso) -> None:
    ada = siblings[0]
    when = dt.datetime(2027, 8, 4, 11, tzinfo=LONDON)
    _hold_review(review, chair, bso, when)
    assert Deadline.objects.get(child=ada, rule_id="first_review").status == DeadlineStatus.MET
    end = services.DecisionData(outcome="end", reasons="Risks reduced.",
                                end_reason=PlanEndReason.NO_LONGER_AT_RISK,
                                start_cin_plan=True,
                                cin_first_meeting_on=dt.date(2027, 8, 11))
    with time_machine.travel(when, tick=False):
        with pytest.raises(ServiceError, match="exceptional circumstances"):
            decide(review, ada, chair, end)
        decision = decide(review, ada, chair, services.DecisionData(
            **{**end.__dict__,
               "exceptional_circumstance": ExceptionalCircumstance.CUSTODIAL}))
    plan = ChildProtectionPlan.objects.get(child=ada)
    assert plan.ended_on == dt.date(2027, 8, 4)
    assert plan.end_reason == "no_longer_at_risk"
    assert decision.cin_plan is not None


def test_plan_continues_at_review_with_the_next_review_six_months_later(
        review: Conference, siblings, chair, bso, sw) -> None:
    when = dt.datetime(2027, 8, 4, 11, tzinfo=LONDON)
    _hold_review(review, chair, bso, when)
    with time_machine.travel(when, tick=False):
        decision = decide(review, siblings[0], chair, services.DecisionData(
            outcome="continue", reasons="Progress but risk remains."))
    assert decision.review_conference.date == dt.date(2028, 2, 4)
    assert Deadline.objects.get(child=siblings[0], rule_id="next_review").due_date == \
        dt.date(2028, 2, 4)


def test_at_a_review_only_continue_or_end(review: Conference, siblings, chair, bso, sw) -> None:
    when = dt.datetime(2027, 8, 4, 11, tzinfo=LONDON)
    _hold_review(review, chair, bso, when)
    with time_machine.travel(when, tick=False), \
            pytest.raises(ServiceError, match="At a review the plan continues or ends"):
        decide(review, siblings[0], chair, plan_data(sw))


def test_review_brought_forward_moves_its_deadlines(review: Conference, siblings, tm) -> None:
    details = Deadline.objects.get(child=siblings[0], rule_id="attendee_details",
                                   object_id=review.pk)
    assert details.due_date == dt.date(2027, 7, 28)
    change = services.review_bring_forward(review=review, user=tm, on=dt.date(2027, 6, 15),
                                           trigger=ReviewTrigger.NEW_INCIDENT,
                                           reason="New injury substantiated.")
    review.refresh_from_db()
    details.refresh_from_db()
    assert review.date == dt.date(2027, 6, 15)
    assert change.from_date == dt.date(2027, 8, 4)
    assert details.due_date == dt.date(2027, 6, 8)


def test_a_review_is_never_put_back(review: Conference, tm) -> None:
    with pytest.raises(ServiceError, match="never put back"):
        services.review_bring_forward(review=review, user=tm, on=dt.date(2027, 8, 10),
                                      trigger=ReviewTrigger.NEW_INCIDENT, reason="x")


def test_prebirth_first_review_within_a_month_of_the_birth(frozen, org, sw, chair, bso) -> None:
    from tests.factories import AllocationFactory, UnbornChildFactory

    baby = UnbornChildFactory(authority=org.authority, last_name="Okafor",
                              expected_delivery_date=dt.date(2027, 7, 1),
                              cp_stage=CpStage.CONFERENCE)
    AllocationFactory(child=baby, team=org.team_a, social_worker=sw)
    held = started(make_conference(children=[baby], on=DAY, chair=chair, minute_taker=bso,
                                   kind=ConferenceKind.PRE_BIRTH), minute_taker=bso,
                   chair=chair)
    decision = decide(held, baby, chair, plan_data(sw, first_core_group_on=dt.date(2027, 5, 11)))
    assert decision.prebirth_review_applies
    Child.objects.filter(pk=baby.pk).update(date_of_birth=dt.date(2027, 6, 2), is_unborn=False)
    deadline = services.prebirth_birth_recorded(child=baby, user=sw)
    assert deadline.due_date == dt.date(2027, 7, 2)
    decision.review_conference.refresh_from_db()
    assert decision.review_conference.date == dt.date(2027, 7, 2)


def test_recording_the_birth_on_the_childs_record_brings_the_first_review_within_a_month(
        frozen, org, sw, chair, bso) -> None:
    from cpcases.children.services import child_update
    from tests.factories import AllocationFactory, UnbornChildFactory

    baby = UnbornChildFactory(authority=org.authority, last_name="Okafor",
                              expected_delivery_date=dt.date(2027, 7, 1),
                              cp_stage=CpStage.CONFERENCE)
    AllocationFactory(child=baby, team=org.team_a, social_worker=sw)
    held = started(make_conference(children=[baby], on=DAY, chair=chair, minute_taker=bso,
                                   kind=ConferenceKind.PRE_BIRTH), minute_taker=bso,
                   chair=chair)
    decision = decide(held, baby, chair, plan_data(sw, first_core_group_on=dt.date(2027, 5, 11)))
    baby.refresh_from_db()
    # The social worker edits the record: born on 2 June 2027 (002 §7.13).
    with time_machine.travel(dt.datetime(2027, 6, 3, 9, 0), tick=False):
        child_update(user=sw, child=baby, expected_version=baby.version,
                     data={"is_unborn": False, "first_name": "Ada",
                           "date_of_birth": dt.date(2027, 6, 2)})
    decision.review_conference.refresh_from_db()
    assert decision.review_conference.date == dt.date(2027, 7, 2)
