"""Contacts, their 24-hour decision, referrals (Child in Need episodes) and single
assessments, with the clocks of 003 "Making Contact" and "Single Assessment"."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from cpcases.children.models import CpStage
from cpcases.children.scoping import visible_children
from cpcases.core.errors import NotPermitted, ServiceError
from deadlines.models import Deadline, DeadlineStatus
from deadlines.services import due_date_for
from frontdoor import services
from frontdoor.models import (
    AssessmentOutcome,
    ClosureReason,
    ContactDecision,
    PrimaryNeed,
    Referral,
)
from strategy.services import concern_record
from tests.frontdoor.conftest import at, record_contact

pytestmark = pytest.mark.django_db


def _deadline(child, rule_id):
    return Deadline.objects.exclude(status=DeadlineStatus.CANCELLED).get(child=child,
                                                                          rule_id=rule_id)


def test_contact_decision_due_24_hours_after_receipt_across_a_weekend(duty_sw, duty_tm):
    # Received on Friday 4 December 2026 at 17:30: the 24 hours run in clock hours (DOMAIN
    # §3), so the decision is due at 17:30 on Saturday, not on Monday.
    contact = record_contact(duty_sw, at(2026, 12, 4, 17, 30))
    child = contact.children.get()
    deadline = _deadline(child, "contact_decision")
    assert deadline.due_at == at(2026, 12, 5, 17, 30)
    assert deadline.responsible == duty_tm
    # Decided on Monday morning: late.
    with time_machine.travel(at(2026, 12, 7, 9), tick=False):
        services.contact_decide(actor=duty_tm, contact=contact,
                                decision=ContactDecision.INFORMATION_ADVICE)
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.MISSED


def test_contact_decided_within_24_hours_meets_the_deadline(duty_sw, duty_tm):
    contact = record_contact(duty_sw, at(2026, 12, 4, 17, 30))
    with time_machine.travel(at(2026, 12, 5, 10), tick=False):
        services.contact_decide(actor=duty_tm, contact=contact,
                                decision=ContactDecision.EARLY_HELP, reason="Family agree")
    assert _deadline(contact.children.get(), "contact_decision").status == DeadlineStatus.MET
    assert not Referral.objects.exists()


def test_assessment_due_45_working_days_after_a_referral_on_15_december_over_christmas(
        duty_sw, duty_tm):
    # Referral on Tuesday 15 December 2026. Christmas Day (Fri 25), the Boxing Day substitute
    # (Mon 28) and New Year's Day (Fri 1 January 2027) are not working days: the engine puts
    # the 45th working day on Friday 19 February 2027 (three days later than a count that
    # ignored the bank holidays).
    contact = record_contact(duty_sw, at(2026, 12, 15, 9))
    with time_machine.travel(at(2026, 12, 15, 11), tick=False):
        services.contact_decide(actor=duty_tm, contact=contact,
                                decision=ContactDecision.REFERRAL)
    child = contact.children.get()
    referral = child.referrals.get()
    assert referral.referral_date == dt.date(2026, 12, 15)
    assessment = _deadline(child, "assessment")
    assert assessment.due_date == dt.date(2027, 2, 19)
    assert due_date_for(child.authority, "assessment", dt.date(2026, 12, 15)) == \
        dt.date(2027, 2, 19)
    assert assessment.subject == referral
    # Allocated within 2 working days; the referrer acknowledged within 10 (31 December).
    assert _deadline(child, "assessment_allocated").due_date == dt.date(2026, 12, 17)
    assert _deadline(child, "referral_acknowledged").due_date == dt.date(2026, 12, 31)


def test_immediate_strategy_discussion_opens_the_clock_at_the_contacts_time(duty_sw, duty_tm):
    contact = record_contact(duty_sw, at(2026, 12, 4, 17, 30))
    with time_machine.travel(at(2026, 12, 4, 18), tick=False):
        services.contact_decide(actor=duty_tm, contact=contact,
                                decision=ContactDecision.STRATEGY_DISCUSSION,
                                urgency="immediate_protection")
    child = contact.children.get()
    strategy = _deadline(child, "strategy_discussion")
    # 000: immediate protection, 1 working day from the concern: Monday 7 December.
    assert strategy.anchor_at == at(2026, 12, 4, 17, 30)
    assert strategy.variant == "immediate_protection"
    assert strategy.due_date == dt.date(2026, 12, 7)
    child.refresh_from_db()
    assert child.cp_stage == CpStage.STRATEGY
    assert child.referrals.get().is_open


def test_immediate_strategy_discussion_on_a_child_held_by_another_team_tells_its_manager(
        duty_sw, duty_tm, tm_b, other_team_child, django_capture_on_commit_callbacks):
    # The contact names a child held by Assessment Team B, outside the front door's caseload:
    # the contact itself lets the front door's manager record the concern (decisions).
    tm_b.email = "ben@example.org"
    tm_b.save()
    contact = record_contact(duty_sw, at(2026, 12, 4, 17, 30), new_children=[],
                             children=[other_team_child])
    with time_machine.travel(at(2026, 12, 4, 18), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        services.contact_decide(actor=duty_tm, contact=contact,
                                decision=ContactDecision.STRATEGY_DISCUSSION,
                                urgency="child_protection_concerns")
    strategy = _deadline(other_team_child, "strategy_discussion")
    # 000: child protection concerns, 3 working days from the contact's time.
    assert strategy.anchor_at == at(2026, 12, 4, 17, 30)
    assert strategy.variant == "child_protection_concerns"
    assert strategy.due_date == dt.date(2026, 12, 9)
    told = [m for m in mail.outbox if m.to == ["ben@example.org"]]
    assert len(told) == 1
    assert "Olive Otherteam" in told[0].body
    assert "strategy discussion" in told[0].body
    # Nothing else is widened: the front door still cannot open the child's record.
    assert not visible_children(duty_tm).filter(pk=other_team_child.pk).exists()


def test_the_contact_grants_no_concern_on_a_child_it_does_not_name(
        duty_sw, duty_tm, other_team_child):
    contact = record_contact(duty_sw, at(2026, 12, 4, 17, 30))
    with time_machine.travel(at(2026, 12, 4, 18), tick=False):
        services.contact_decide(actor=duty_tm, contact=contact,
                                decision=ContactDecision.STRATEGY_DISCUSSION,
                                urgency="complex")
        with pytest.raises(NotPermitted):
            concern_record(actor=duty_tm, child=other_team_child,
                           identified_at=at(2026, 12, 4, 17, 30), urgency="complex",
                           summary="Not named in the contact", origin=contact)


def test_only_the_team_manager_decides_a_contact_not_the_duty_social_worker(duty_sw, duty_tm):
    # 003 "Making Contact": the decision is the team manager's.
    contact = record_contact(duty_sw, at(2026, 12, 4, 17, 30))
    with time_machine.travel(at(2026, 12, 4, 18), tick=False):
        with pytest.raises(NotPermitted):
            services.contact_decide(actor=duty_sw, contact=contact,
                                    decision=ContactDecision.NO_FURTHER_ACTION)
        services.contact_decide(actor=duty_tm, contact=contact,
                                decision=ContactDecision.NO_FURTHER_ACTION)
    contact.refresh_from_db()
    assert contact.decided_by == duty_tm


def test_only_a_manager_authorises_an_assessment(duty_sw, duty_tm, sw):
    referral = _referred(duty_sw, duty_tm)
    with time_machine.travel(at(2026, 12, 16, 9), tick=False):
        assessment = services.assessment_allocate(actor=duty_tm, referral=referral,
                                                  social_worker=duty_sw)
        services.assessment_complete(actor=duty_sw, assessment=assessment, factors=["21"],
                                     summary="No concerns", completed_on=dt.date(2026, 12, 16),
                                     outcome=AssessmentOutcome.NO_FURTHER_ACTION,
                                     primary_need=PrimaryNeed.N9)
        with pytest.raises(NotPermitted):
            services.assessment_authorise(actor=duty_sw, assessment=assessment)
        services.assessment_authorise(actor=duty_tm, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.authorised_by == duty_tm


def test_strategy_decision_needs_its_urgency(duty_sw, duty_tm):
    contact = record_contact(duty_sw, at(2026, 12, 4, 17, 30))
    with time_machine.travel(at(2026, 12, 4, 18), tick=False), \
            pytest.raises(ServiceError, match="urgent"):
        services.contact_decide(actor=duty_tm, contact=contact,
                                decision=ContactDecision.STRATEGY_DISCUSSION)


def test_only_the_front_door_team_records_and_decides_contacts(duty_sw, sw, tm):
    with pytest.raises(NotPermitted):
        record_contact(sw, at(2026, 12, 4, 9))
    contact = record_contact(duty_sw, at(2026, 12, 4, 9))
    with time_machine.travel(at(2026, 12, 4, 10), tick=False), pytest.raises(NotPermitted):
        services.contact_decide(actor=tm, contact=contact,
                                decision=ContactDecision.NO_FURTHER_ACTION)


def test_contact_about_an_unborn_child_records_sex_unknown(duty_sw):
    contact = record_contact(duty_sw, at(2026, 12, 4, 9), new_children=[services.NewChild(
        "", "Brown", is_unborn=True, expected_delivery_date=dt.date(2027, 4, 1), sex="F")])
    baby = contact.children.get()
    assert (baby.display_name, baby.sex, baby.is_unborn) == ("Baby Brown", "U", True)


def _referred(duty_sw, duty_tm, day=(2026, 12, 15)):
    contact = record_contact(duty_sw, at(*day, 9))
    with time_machine.travel(at(*day, 11), tick=False):
        services.contact_decide(actor=duty_tm, contact=contact,
                                decision=ContactDecision.REFERRAL)
    return contact.children.get().referrals.get()


def test_single_assessment_allocated_completed_and_authorised(duty_sw, duty_tm):
    referral = _referred(duty_sw, duty_tm)
    child = referral.child
    with time_machine.travel(at(2026, 12, 16, 10), tick=False):
        services.referral_acknowledge(actor=duty_sw, referral=referral)
        assessment = services.assessment_allocate(actor=duty_tm, referral=referral,
                                                  social_worker=duty_sw)
    assert _deadline(child, "assessment_allocated").status == DeadlineStatus.MET
    assert _deadline(child, "referral_acknowledged").status == DeadlineStatus.MET
    assert child.current_allocation.social_worker == duty_sw
    with time_machine.travel(at(2027, 2, 10, 15), tick=False):
        with pytest.raises(ServiceError, match="No factors identified"):
            services.assessment_complete(
                actor=duty_sw, assessment=assessment, factors=["21", "3B"], summary="",
                outcome=AssessmentOutcome.NO_FURTHER_ACTION,
                completed_on=dt.date(2027, 2, 10), primary_need=PrimaryNeed.N4)
        services.assessment_complete(
            actor=duty_sw, assessment=assessment, factors=["3B", "4B"],
            summary="Parents separating; support agreed", outcome=AssessmentOutcome.EARLY_HELP,
            completed_on=dt.date(2027, 2, 10), primary_need=PrimaryNeed.N4)
        # The 45-working-day clock is met by the completion (due 19 February).
        deadline = _deadline(child, "assessment")
        assert deadline.status == DeadlineStatus.MET
        with pytest.raises(NotPermitted):
            services.assessment_authorise(actor=duty_sw, assessment=assessment)
        services.assessment_authorise(actor=duty_tm, assessment=assessment)
    referral.refresh_from_db()
    assert (referral.closure_date, referral.closure_reason, referral.primary_need) == (
        dt.date(2027, 2, 10), ClosureReason.RC9, PrimaryNeed.N4)


def test_a_second_referral_while_one_is_open_is_refused(duty_sw, duty_tm):
    referral = _referred(duty_sw, duty_tm)
    with time_machine.travel(at(2026, 12, 16, 10), tick=False), \
            pytest.raises(ServiceError, match="already has an open referral"):
        services.referral_open(actor=duty_tm, child=referral.child,
                               referral_date=dt.date(2026, 12, 16), source="6")


def test_closing_a_referral_cancels_its_open_clocks(duty_sw, duty_tm):
    referral = _referred(duty_sw, duty_tm)
    with time_machine.travel(at(2026, 12, 16, 10), tick=False):
        services.referral_close(actor=duty_tm, referral=referral,
                                closure_date=dt.date(2026, 12, 16), reason=ClosureReason.RC7,
                                no_further_action=True)
    statuses = set(Deadline.objects.filter(child=referral.child).exclude(
        rule_id="contact_decision").values_list("status", flat=True))
    assert statuses == {DeadlineStatus.CANCELLED}


def test_new_information_on_an_open_case_opens_a_strategy_discussion_clock(duty_sw, duty_tm):
    referral = _referred(duty_sw, duty_tm)
    with time_machine.travel(at(2026, 12, 18, 16), tick=False):
        services.new_information_record(
            actor=duty_sw, child=referral.child, received_at=at(2026, 12, 18, 15),
            summary="Police report a disclosure", urgency="child_protection_concerns")
    deadline = _deadline(referral.child, "strategy_discussion")
    # 3 working days from Friday 18 December: Wednesday 23 December.
    assert deadline.due_date == dt.date(2026, 12, 23)


def test_assessment_outcome_strategy_discussion_records_a_concern(duty_sw, duty_tm):
    referral = _referred(duty_sw, duty_tm)
    with time_machine.travel(at(2026, 12, 16, 10), tick=False):
        assessment = services.assessment_allocate(actor=duty_tm, referral=referral,
                                                  social_worker=duty_sw)
        services.assessment_complete(
            actor=duty_sw, assessment=assessment, factors=["18B"], summary="Injury",
            outcome=AssessmentOutcome.STRATEGY_DISCUSSION, completed_on=dt.date(2026, 12, 16),
            primary_need=PrimaryNeed.N1)
        services.assessment_authorise(actor=duty_tm, assessment=assessment, urgency="complex")
    assert _deadline(referral.child, "strategy_discussion").variant == "complex"


def test_a_section_47_after_a_referral_leaves_the_assessment_clock_on_the_referral(
        duty_sw, duty_tm):
    """The clock used to run from the S47 start: three days late for a referral on 15
    December whose strategy discussion was on Friday 18 December."""
    from strategy import services as strategy_services
    from strategy.models import NextStep, S47Outcome
    from tests.strategy.conftest import record

    referral = _referred(duty_sw, duty_tm)
    child = referral.child
    with time_machine.travel(at(2026, 12, 18, 12), tick=False):
        record(duty_sw, [child], concern=at(2026, 12, 17, 9), held=at(2026, 12, 18, 10))
        enquiry = child.s47_enquiries.get()
        open_clocks = Deadline.objects.filter(child=child, rule_id="assessment",
                                              status=DeadlineStatus.OPEN)
        assert [(d.subject, d.due_date) for d in open_clocks] == [
            (referral, dt.date(2027, 2, 19))]
        strategy_services.s47_record_outcome(
            user=duty_sw, enquiry=enquiry, outcome=S47Outcome.NOT_SUBSTANTIATED,
            outcome_date=dt.date(2026, 12, 18), next_step=NextStep.CHILD_IN_NEED)
    # The enquiry's outcome does not meet it: only the assessment's completion does.
    assert _deadline(child, "assessment").status == DeadlineStatus.OPEN


def test_a_referral_after_a_section_47_takes_over_the_assessment_clock(duty_sw, duty_tm,
                                                                        child, sw):
    from tests.strategy.conftest import record

    with time_machine.travel(at(2026, 12, 18, 12), tick=False):
        record(sw, [child], concern=at(2026, 12, 17, 9), held=at(2026, 12, 18, 10))
        assert _deadline(child, "assessment").anchor_date == dt.date(2026, 12, 18)
        services.referral_open(actor=sw, child=child, referral_date=dt.date(2026, 12, 15),
                               source="2A")
    clock = _deadline(child, "assessment")
    assert (clock.anchor_date, clock.due_date) == (dt.date(2026, 12, 15), dt.date(2027, 2, 19))
    replaced = Deadline.objects.get(child=child, rule_id="assessment",
                                    status=DeadlineStatus.CANCELLED)
    assert "referral of 15/12/2026" in replaced.cancelled_reason


def test_contact_and_referral_appear_in_the_childs_chronology(duty_sw, duty_tm):
    from cpcases.chronology.selectors import chronology

    referral = _referred(duty_sw, duty_tm)
    events = [item.significant_event for item in chronology(child=referral.child)]
    assert "Contact from schools: Bruising seen at school" in events
    assert any(e.startswith("Referral to children's social care") for e in events)
