"""Strategy discussions (000, 003): timescale by urgency, late reasons, minimum attendance,
per-child Section 47 decisions, and the ICPC deadline anchored on the initiating discussion."""

from __future__ import annotations

import datetime as dt

import pytest

from cpcases.children.models import CpStage, InvolvementKind, PartnerInvolvement
from cpcases.core.errors import NotPermitted, ServiceError
from deadlines.models import Deadline, DeadlineStatus
from deadlines.selectors import my_open_deadlines
from strategy import selectors, services
from strategy.models import DiscussionChild, NextStep, S47Outcome, Section47Enquiry, Urgency
from tests.factories import ChildFactory, HouseholdFactory
from tests.strategy.conftest import at, full_attendance, record

pytestmark = pytest.mark.django_db


def _deadline(child, rule_id: str) -> Deadline:
    return Deadline.objects.exclude(status=DeadlineStatus.CANCELLED).get(child=child,
                                                                         rule_id=rule_id)


def test_icpc_due_15_working_days_after_strategy_discussion_over_christmas(smiths, sw, tm):
    # Held Friday 18 December 2026: Christmas Day, the substitute Boxing Day (Mon 28th) and
    # New Year's Day are not working days (000, 002 §2.6, 003: 15 working days).
    record(sw, smiths, held=at(2026, 12, 18, 10))
    for child in smiths:
        icpc = _deadline(child, "icpc")
        assert icpc.due_date == dt.date(2027, 1, 13)
        assert icpc.status == DeadlineStatus.OPEN
        assert icpc.subject == child.s47_enquiries.get()
        assert icpc.responsible == tm
    # It appears in the team manager's "My deadlines" at once.
    assert {d.child_id for d in my_open_deadlines(user=tm).filter(rule_id="icpc")} == {
        c.pk for c in smiths}


def test_icpc_request_due_the_same_day_and_assessment_set_when_s47_initiated(smiths, sw):
    record(sw, smiths[:1], held=at(2026, 12, 18, 10))
    assert _deadline(smiths[0], "icpc_request").due_date == dt.date(2026, 12, 18)
    # No referral date is recorded yet: the S47 start is the anchor (45 working days).
    assert _deadline(smiths[0], "assessment").anchor_date == dt.date(2026, 12, 18)


@pytest.mark.parametrize(("urgency", "due"), [
    (Urgency.IMMEDIATE_PROTECTION, dt.date(2026, 12, 7)),
    (Urgency.CP_CONCERNS, dt.date(2026, 12, 9)),
    (Urgency.COMPLEX, dt.date(2026, 12, 11)),
])
def test_strategy_discussion_due_by_urgency_from_a_saturday_concern(smiths, sw, urgency, due):
    # Concern identified on Saturday 5 December: Monday the 7th is working day 1 (DOMAIN §3).
    concern = at(2026, 12, 5, 22)
    assert services.strategy_discussion_due(smiths[0], concern, urgency) == due
    record(sw, smiths[:1], concern=concern, urgency=urgency, held=at(*due.timetuple()[:3], 16))
    deadline = _deadline(smiths[0], "strategy_discussion")
    assert (deadline.due_date, deadline.variant) == (due, urgency)
    assert deadline.status == DeadlineStatus.MET


def test_strategy_discussion_held_late_needs_a_reason(smiths, sw):
    concern = at(2026, 12, 7, 9)  # immediate protection: due Tuesday 8 December
    with pytest.raises(ServiceError, match="reason it was held late"):
        record(sw, smiths[:1], concern=concern, urgency=Urgency.IMMEDIATE_PROTECTION,
               held=at(2026, 12, 9, 10))
    discussion = record(sw, smiths[:1], concern=concern, urgency=Urgency.IMMEDIATE_PROTECTION,
                        held=at(2026, 12, 9, 10), late_reason="Police unavailable until 9th")
    assert discussion.late_reason == "Police unavailable until 9th"
    assert _deadline(smiths[0], "strategy_discussion").status == DeadlineStatus.MISSED


def test_strategy_discussion_on_time_keeps_no_late_reason(smiths, sw):
    discussion = record(sw, smiths[:1], late_reason="typed by mistake")
    assert discussion.late_reason == ""


def test_minimum_attendance_not_met_warns_and_needs_a_reason(smiths, sw):
    without_police = full_attendance()[:3]
    with pytest.raises(ServiceError, match="missing police"):
        record(sw, smiths[:1], participants=without_police)
    discussion = record(sw, smiths[:1], participants=without_police,
                        minimum_not_met_reason="Police gave information by e-mail beforehand")
    assert discussion.minimum_not_met_reason.startswith("Police gave")
    assert services.minimum_attendance_gaps(without_police) == ["police"]
    assert services.minimum_attendance_gaps(full_attendance()) == []


def test_discussion_records_each_childs_decision(smiths, sw):
    lily, jack = smiths
    discussion = record(sw, smiths, outcomes={lily.pk: services.S47,
                                              jack.pk: NextStep.CHILD_IN_NEED})
    assert DiscussionChild.objects.get(discussion=discussion, child=lily).s47_initiated
    assert DiscussionChild.objects.get(discussion=discussion, child=jack).next_step == "cin"
    lily.refresh_from_db()
    jack.refresh_from_db()
    assert (lily.cp_stage, jack.cp_stage) == (CpStage.SECTION_47, CpStage.NONE)
    assert not Deadline.objects.filter(child=jack, rule_id="icpc").exists()


def test_children_of_one_discussion_are_of_one_household(smiths, sw, org):
    stranger = ChildFactory(authority=org.authority, household=HouseholdFactory(
        authority=org.authority))
    from tests.factories import AllocationFactory

    AllocationFactory(child=stranger, team=org.team_a, social_worker=sw)
    with pytest.raises(ServiceError, match="same household"):
        record(sw, [smiths[0], stranger])


def test_the_icpc_is_anchored_on_the_discussion_that_initiated_the_s47(smiths, sw):
    lily = smiths[0]
    first = record(sw, [lily], held=at(2026, 12, 14, 10), concern=at(2026, 12, 11, 9))
    # New information: a second discussion continues the enquiry; it cannot start another.
    with pytest.raises(ServiceError, match="already has a Section 47 enquiry"):
        record(sw, [lily], held=at(2026, 12, 18, 10))
    record(sw, [lily], held=at(2026, 12, 18, 10),
           outcomes={lily.pk: NextStep.CONTINUE_S47})
    assert selectors.icpc_anchor(lily) == first
    assert _deadline(lily, "icpc").anchor_date == dt.date(2026, 12, 14)


def test_continuing_needs_an_enquiry_under_way(smiths, sw):
    with pytest.raises(ServiceError, match="no Section 47 enquiry under way"):
        record(sw, smiths[:1], outcomes={smiths[0].pk: NextStep.CONTINUE_S47})


def test_discussion_in_the_future_is_refused(smiths, sw):
    with pytest.raises(ServiceError, match="future"):
        record(sw, smiths[:1], held=at(2026, 12, 21, 10))


def test_a_partner_named_as_participant_sees_the_children(smiths, sw, police):
    discussion = record(sw, smiths, participants=full_attendance(police=police))
    assert set(PartnerInvolvement.objects.filter(user=police, kind=InvolvementKind.STRATEGY,
                                                 object_id=discussion.pk)
               .values_list("child_id", flat=True)) == {c.pk for c in smiths}


def test_a_partner_sees_only_discussions_they_took_part_in(smiths, sw, police):
    lily = smiths[0]
    with_police = record(sw, [lily], participants=full_attendance(police=police),
                         held=at(2026, 12, 14, 10), concern=at(2026, 12, 11, 9))
    record(sw, [lily], outcomes={lily.pk: NextStep.CONTINUE_S47},
           participants=full_attendance(), held=at(2026, 12, 17, 10))
    assert list(selectors.discussions_visible(user=police)) == [with_police]
    assert selectors.discussions_visible(user=sw).count() == 2


def test_a_social_worker_of_another_team_is_refused(smiths, sw_b):
    with pytest.raises(NotPermitted):
        record(sw_b, smiths)
    assert not selectors.discussions_visible(user=sw_b).exists()


def test_a_partner_cannot_record_a_discussion(smiths, police):
    with pytest.raises(NotPermitted):
        record(police, smiths)


# --- Section 47 outcome ---------------------------------------------------------------------


def test_s47_not_substantiated_cancels_the_icpc_deadline(smiths, sw):
    lily = smiths[0]
    record(sw, [lily])
    enquiry = Section47Enquiry.objects.get(child=lily)
    services.s47_record_outcome(user=sw, enquiry=enquiry,
                                outcome=S47Outcome.NOT_SUBSTANTIATED,
                                outcome_date=dt.date(2026, 12, 18),
                                next_step=NextStep.EARLY_HELP)
    for rule_id in ("icpc", "icpc_request"):
        deadline = Deadline.objects.get(child=lily, rule_id=rule_id)
        assert deadline.status == DeadlineStatus.CANCELLED
        assert "not substantiated" in deadline.cancelled_reason
    assert Deadline.objects.get(child=lily, rule_id="assessment").status == DeadlineStatus.MET
    lily.refresh_from_db()
    assert lily.cp_stage == CpStage.NONE
    assert selectors.icpc_anchor(lily) is None


def test_s47_not_substantiated_needs_the_next_step(smiths, sw):
    record(sw, smiths[:1])
    enquiry = Section47Enquiry.objects.get(child=smiths[0])
    with pytest.raises(ServiceError, match="next step"):
        services.s47_record_outcome(user=sw, enquiry=enquiry,
                                    outcome=S47Outcome.NOT_SUBSTANTIATED,
                                    outcome_date=dt.date(2026, 12, 18))


def test_s47_substantiated_keeps_the_icpc_deadline_and_the_anchor(smiths, sw, tm):
    lily = smiths[0]
    discussion = record(sw, [lily])
    enquiry = Section47Enquiry.objects.get(child=lily)
    services.s47_record_outcome(user=tm, enquiry=enquiry, outcome=S47Outcome.SUBSTANTIATED,
                                outcome_date=dt.date(2026, 12, 18))
    assert _deadline(lily, "icpc").status == DeadlineStatus.OPEN
    assert selectors.icpc_anchor(lily) == discussion
    assert selectors.substantiated_enquiry(lily) == enquiry
    enquiry.refresh_from_db()
    assert enquiry.decided_by == tm
    with pytest.raises(ServiceError, match="already been recorded"):
        services.s47_record_outcome(user=tm, enquiry=enquiry,
                                    outcome=S47Outcome.NOT_SUBSTANTIATED,
                                    outcome_date=dt.date(2026, 12, 18), next_step="nfa")


def test_s47_outcome_by_another_team_is_refused(smiths, sw, sw_b):
    record(sw, smiths[:1])
    enquiry = Section47Enquiry.objects.get(child=smiths[0])
    with pytest.raises(NotPermitted):
        services.s47_record_outcome(user=sw_b, enquiry=enquiry,
                                    outcome=S47Outcome.SUBSTANTIATED,
                                    outcome_date=dt.date(2026, 12, 18))
