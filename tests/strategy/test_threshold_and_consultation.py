"""Threshold decisions (002 §2.3, 004) and consultations with a CP chair (000)."""

from __future__ import annotations

import datetime as dt

import pytest

from cpcases.accounts.roles import Role
from cpcases.core.errors import NotPermitted, ServiceError
from deadlines.models import Deadline, DeadlineStatus
from strategy import selectors, services
from strategy.models import (
    CaseNote,
    ConsultationStatus,
    NoteType,
    S47Outcome,
    Section47Enquiry,
)
from tests.factories import UserFactory
from tests.strategy.conftest import NOW, at, record

pytestmark = pytest.mark.django_db

YES = {"harm_evidenced": True, "attributable_to_parental_care": True, "harm_likely": True}


@pytest.fixture
def lily(smiths, sw):
    record(sw, smiths[:1])
    return smiths[0]


@pytest.fixture
def chair_b(org):
    return UserFactory(username="chair_b", role=Role.CP_CHAIR, authority=org.authority,
                       full_name="Cleo Otherchair")


# --- threshold decision ---------------------------------------------------------------------


def test_threshold_met_when_all_three_checklist_answers_are_yes(lily, tm):
    decision = services.threshold_decide(user=tm, child=lily, rationale="Evidenced harm.",
                                         **YES)
    assert decision.met
    assert decision.enquiry == Section47Enquiry.objects.get(child=lily)
    assert selectors.latest_threshold_decision(lily) == decision


@pytest.mark.parametrize("no", sorted(YES))
def test_threshold_not_met_when_any_answer_is_no(lily, tm, no):
    decision = services.threshold_decide(user=tm, child=lily, rationale="Not evidenced.",
                                         **{**YES, no: False})
    assert not decision.met


def test_a_social_worker_cannot_decide_the_threshold(lily, sw):
    with pytest.raises(NotPermitted, match="team manager"):
        services.threshold_decide(user=sw, child=lily, rationale="x", **YES)


def test_another_teams_manager_cannot_decide_the_threshold(lily, tm_b):
    with pytest.raises(NotPermitted):
        services.threshold_decide(user=tm_b, child=lily, rationale="x", **YES)


def test_the_service_manager_may_decide_the_threshold(lily, sm):
    assert services.threshold_decide(user=sm, child=lily, rationale="x", **YES).met


def test_threshold_needs_a_section_47_enquiry(child, tm):
    with pytest.raises(ServiceError, match="no Section 47 enquiry"):
        services.threshold_decide(user=tm, child=child, rationale="x", **YES)


def test_latest_threshold_decision_is_about_the_current_enquiry(lily, tm):
    services.threshold_decide(user=tm, child=lily, rationale="First.", **YES)
    second = services.threshold_decide(user=tm, child=lily, rationale="Second.",
                                       **{**YES, "harm_likely": False})
    assert selectors.latest_threshold_decision(lily) == second
    services.s47_record_outcome(user=tm, enquiry=second.enquiry,
                                outcome=S47Outcome.NOT_SUBSTANTIATED,
                                outcome_date=dt.date(2026, 12, 18), next_step="cin")
    assert selectors.latest_threshold_decision(lily) is None


def test_the_duty_iro_records_the_threshold_discussion(lily, tm, chair, chair_b):
    decision = services.threshold_decide(user=tm, child=lily, rationale="x", iro=chair, **YES)
    with pytest.raises(NotPermitted):
        services.threshold_iro_record(user=chair_b, decision=decision, outcome="Met.")
    services.threshold_iro_record(user=chair, decision=decision, outcome="Threshold met.")
    decision.refresh_from_db()
    assert decision.iro_outcome == "Threshold met."
    note = CaseNote.objects.get(threshold_decision=decision)
    assert (note.note_type, note.author) == (NoteType.THRESHOLD_DISCUSSION, chair)


def test_the_iro_must_be_a_cp_chair(lily, tm, sw):
    with pytest.raises(ServiceError, match="duty IRO"):
        services.threshold_decide(user=tm, child=lily, rationale="x", iro=sw, **YES)


# --- consultation with a CP chair ------------------------------------------------------------


def _record_kwargs(**overrides: object) -> dict:
    return {"held_at": NOW, "social_worker_took_part": True,
            "manager_took_part": True, "danger_statements_developed": True,
            "mapping_shared_with_family": False, "network_safety_plan": True,
            "recommendation": "Proceed to ICPC; share the mapping first.", **overrides}


def test_consultation_request_goes_to_business_support_with_a_24_hour_deadline(lily, sw, tm):
    consultation = services.consultation_request(user=sw, child=lily, question="Ready?")
    assert consultation.status == ConsultationStatus.REQUESTED
    assert consultation.chair is None
    assert consultation.manager == tm
    assert not consultation.without_strategy_discussion
    deadline = Deadline.objects.get(child=lily, rule_id="consultation_chair_assigned")
    assert deadline.due_at == NOW + dt.timedelta(hours=24)


def test_consultation_needs_a_manager_to_take_part(child, sw):
    # 000: "all consultation must include the social worker and a manager from the team"
    with pytest.raises(ServiceError, match="manager who will take part"):
        services.consultation_request(user=sw, child=child, question="Advice")


def test_consultation_without_a_strategy_discussion_is_allowed_but_flagged(child, sw, tm):
    consultation = services.consultation_request(user=sw, child=child, question="Advice")
    assert consultation.without_strategy_discussion


def test_business_support_assigns_a_chair_and_the_chair_records(lily, sw, tm, bso, chair):
    consultation = services.consultation_request(user=sw, child=lily, question="Ready?")
    services.consultation_assign_chair(user=bso, consultation=consultation, chair=chair)
    assert Deadline.objects.get(rule_id="consultation_chair_assigned").status == \
        DeadlineStatus.MET
    assert list(selectors.chair_consultations(user=chair)) == [consultation]
    services.consultation_record(user=chair, consultation=consultation, **_record_kwargs())
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.RECORDED
    recorded = Deadline.objects.get(rule_id="consultation_recorded")
    assert recorded.status == DeadlineStatus.MET
    assert recorded.due_at == at(2026, 12, 20, 17)  # 48 hours after it was held
    note = CaseNote.objects.get(consultation=consultation)
    assert note.note_type == NoteType.CP_CHAIR_CONSULTATION
    assert "Mapping developed and shared with the family: no" in note.text


def test_only_business_support_assigns_a_chair(lily, sw, chair):
    consultation = services.consultation_request(user=sw, child=lily, question="Ready?")
    for user in (sw, chair):
        with pytest.raises(NotPermitted):
            services.consultation_assign_chair(user=user, consultation=consultation,
                                               chair=chair)


def test_a_chair_cannot_be_asked_directly(lily, chair):
    with pytest.raises(NotPermitted):
        services.consultation_request(user=chair, child=lily, question="Me?")


def test_the_social_worker_and_manager_must_both_take_part(lily, sw, bso, chair):
    consultation = services.consultation_request(user=sw, child=lily, question="Ready?")
    services.consultation_assign_chair(user=bso, consultation=consultation, chair=chair)
    with pytest.raises(ServiceError, match="must both take part"):
        services.consultation_record(user=chair, consultation=consultation,
                                     **_record_kwargs(manager_took_part=False))


def test_only_the_assigned_chair_records(lily, sw, bso, chair, chair_b):
    consultation = services.consultation_request(user=sw, child=lily, question="Ready?")
    services.consultation_assign_chair(user=bso, consultation=consultation, chair=chair)
    with pytest.raises(NotPermitted):
        services.consultation_record(user=chair_b, consultation=consultation,
                                     **_record_kwargs())
    assert not selectors.chair_consultations(user=chair_b).exists()


def test_later_consultations_go_to_the_chair_who_consulted_before(lily, sw, bso, chair,
                                                                  chair_b):
    first = services.consultation_request(user=sw, child=lily, question="First")
    pending = services.consultation_request(user=sw, child=lily, question="Second")
    services.consultation_assign_chair(user=bso, consultation=first, chair=chair)
    services.consultation_record(user=chair, consultation=first, **_record_kwargs())
    # 000: another chair cannot be approached once one has consulted and recorded it.
    with pytest.raises(ServiceError, match="same chair"):
        services.consultation_assign_chair(user=bso, consultation=pending, chair=chair_b)
    # A new request goes to the same chair automatically.
    later = services.consultation_request(user=sw, child=lily, question="Third")
    assert (later.status, later.chair) == (ConsultationStatus.ASSIGNED, chair)
    with pytest.raises(ServiceError, match="already assigned"):
        services.consultation_assign_chair(user=bso, consultation=later, chair=chair_b)


def test_consultation_of_another_teams_child_is_refused(lily, sw_b):
    with pytest.raises(NotPermitted):
        services.consultation_request(user=sw_b, child=lily, question="?")


def test_partners_see_no_consultations_or_threshold_decisions(lily, sw, tm, police):
    services.consultation_request(user=sw, child=lily, question="?")
    services.threshold_decide(user=tm, child=lily, rationale="x", **YES)
    assert not selectors.consultations_visible(user=police).exists()
    assert not selectors.thresholds_visible(user=police).exists()
