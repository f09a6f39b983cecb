"""The strategy pages per role: recording a discussion in the browser's form, the child's
timeline, the threshold form, the consultation queues; and who is refused."""

from __future__ import annotations

import pytest
from django.test import Client

from deadlines.models import Deadline
from strategy import services
from strategy.models import ConsultationStatus, Section47Enquiry, StrategyDiscussion
from tests.strategy.conftest import full_attendance, record

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _formset(prefix: str, rows: list[dict[str, str]], total: int) -> dict[str, str]:
    data = {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def _discussion_post(smiths, **overrides: str) -> dict[str, str]:
    lily, jack = smiths
    data = {
        "children": [str(lily.pk), str(jack.pk)],
        "concern_date_0": "17", "concern_date_1": "12", "concern_date_2": "2026",
        "concern_time": "09:30", "urgency": "child_protection_concerns", "format": "meeting",
        "held_date_0": "18", "held_date_1": "12", "held_date_2": "2026", "held_time": "10:00",
        "information_shared": "Bruising seen at school.",
        f"outcome_{lily.pk}": "s47", f"outcome_{jack.pk}": "cin",
        **_formset("participants", [
            {"name": "Sam Social", "agency": "csc", "role": "social_worker",
             "attendance": "present"},
            {"name": "Tara Manager", "agency": "csc", "role": "manager",
             "attendance": "present"},
            {"name": "Nina Nurse", "agency": "health", "role": "professional",
             "attendance": "contributed"},
            {"name": "DC Pat", "agency": "police", "role": "professional",
             "attendance": "present"},
        ], 5),
        **_formset("actions", [{"who": "Sam Social", "what": "Visit the children",
                                "by_when_0": "21", "by_when_1": "12", "by_when_2": "2026"}],
                   3),
    }
    data.update(overrides)
    return data


def test_social_worker_records_a_discussion_in_the_form(smiths, sw):
    client = _client(sw)
    page = client.get(f"/strategy/child/{smiths[0].pk}/discussions/new/")
    assert page.status_code == 200
    assert "Jack Smith" in page.content.decode()  # the household's children to choose
    response = client.post(f"/strategy/child/{smiths[0].pk}/discussions/new/",
                           _discussion_post(smiths))
    discussion = StrategyDiscussion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/strategy/discussions/{discussion.pk}/"
    assert discussion.actions.get().what == "Visit the children"
    assert Section47Enquiry.objects.get().child == smiths[0]
    tab = client.get(f"/strategy/child/{smiths[0].pk}/").content.decode()
    assert "Initial child protection conference due by 13 January 2027" in tab
    assert "Section 47 enquiry initiated" in tab


def test_the_form_keeps_what_was_typed_and_shows_the_attendance_warning(smiths, sw):
    data = _discussion_post(smiths)
    for key in [k for k in data if k.startswith("participants-3-")]:
        del data[key]
    response = _client(sw).post(f"/strategy/child/{smiths[0].pk}/discussions/new/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "missing police" in body
    assert "Bruising seen at school." in body
    assert not StrategyDiscussion.objects.exists()


def test_team_manager_records_the_threshold_in_the_form(smiths, sw, tm):
    record(sw, smiths[:1])
    response = _client(tm).post(f"/strategy/child/{smiths[0].pk}/threshold/new/", {
        "harm_evidenced": "yes", "attributable_to_parental_care": "yes", "harm_likely": "no",
        "rationale": "Likelihood not evidenced yet."})
    assert response.status_code == 302
    tab = _client(tm).get(f"/strategy/child/{smiths[0].pk}/").content.decode()
    assert "Threshold not met" in tab


def test_a_social_worker_cannot_open_the_threshold_form(smiths, sw):
    assert _client(sw).get(f"/strategy/child/{smiths[0].pk}/threshold/new/").status_code == 403


def test_consultation_story_through_the_queues(smiths, sw, tm, bso, chair):
    lily = smiths[0]
    record(sw, [lily])
    response = _client(sw).post(f"/strategy/child/{lily.pk}/consultations/new/",
                                {"question": "Is this ready for conference?"})
    assert response.status_code == 302
    consultation = lily.consultations.get()
    mine = _client(sw).get("/strategy/consultations/mine/").content.decode()
    assert f'data-testid="consultation-{consultation.pk}"' in mine
    queue = _client(bso).get("/strategy/consultations/queue/").content.decode()
    assert f"/strategy/consultations/{consultation.pk}/assign/" in queue
    assert _client(bso).post(f"/strategy/consultations/{consultation.pk}/assign/",
                             {"chair": chair.pk}).status_code == 302
    mine = _client(chair).get("/strategy/consultations/chair/").content.decode()
    assert f"/strategy/consultations/{consultation.pk}/record/" in mine
    response = _client(chair).post(f"/strategy/consultations/{consultation.pk}/record/", {
        "held_date_0": "18", "held_date_1": "12", "held_date_2": "2026", "held_time": "17:00",
        "social_worker_took_part": "on", "manager_took_part": "on",
        "danger_statements_developed": "on", "recommendation": "Proceed."})
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.RECORDED
    tab = _client(sw).get(f"/strategy/child/{lily.pk}/").content.decode()
    assert "Case note: CP chair consultation" in tab


def test_second_chair_refused_in_the_assign_form(smiths, sw, tm, bso, chair, org):
    from tests.factories import UserFactory

    other = UserFactory(role="cp_chair", authority=org.authority, full_name="Cleo Other")
    lily = smiths[0]
    first = services.consultation_request(user=sw, child=lily, question="1")
    pending = services.consultation_request(user=sw, child=lily, question="2")
    services.consultation_assign_chair(user=bso, consultation=first, chair=chair)
    services.consultation_record(user=chair, consultation=first,
                                 held_at=first.requested_at.replace(hour=17),
                                 social_worker_took_part=True, manager_took_part=True,
                                 danger_statements_developed=True,
                                 mapping_shared_with_family=True, network_safety_plan=True,
                                 recommendation="Advice")
    response = _client(bso).post(f"/strategy/consultations/{pending.pk}/assign/",
                                 {"chair": other.pk})
    assert response.status_code == 200
    assert "later consultations go to the same chair" in response.content.decode()


def test_a_partner_sees_only_the_discussions_they_took_part_in(smiths, sw, police):
    lily = smiths[0]
    seen = record(sw, [lily], participants=full_attendance(police=police))
    services.strategy_discussion_record(
        user=sw, children=[lily], concern_identified_at=seen.concern_identified_at,
        urgency="complex", format="phone_calls", held_at=seen.held_at,
        outcomes={lily.pk: "continue_s47"}, participants=full_attendance(),
        information_shared="Secret health information")
    hidden = StrategyDiscussion.objects.exclude(pk=seen.pk).get()
    client = _client(police)
    assert client.get(f"/strategy/discussions/{seen.pk}/").status_code == 200
    assert client.get(f"/strategy/discussions/{hidden.pk}/").status_code == 404
    tab = client.get(f"/strategy/child/{lily.pk}/").content.decode()
    assert f"/strategy/discussions/{seen.pk}/" in tab
    assert f"/strategy/discussions/{hidden.pk}/" not in tab
    assert "Record a strategy discussion" not in tab


def test_a_social_worker_of_another_team_is_refused_the_pages(smiths, sw, sw_b):
    discussion = record(sw, smiths[:1])
    client = _client(sw_b)
    assert client.get(f"/strategy/child/{smiths[0].pk}/").status_code == 404
    assert client.get(f"/strategy/discussions/{discussion.pk}/").status_code == 404
    assert client.post(f"/strategy/child/{smiths[0].pk}/discussions/new/",
                       _discussion_post(smiths)).status_code == 404
    enquiry = Section47Enquiry.objects.get()
    assert client.get(f"/strategy/enquiries/{enquiry.pk}/outcome/").status_code == 404


def test_s47_outcome_form_cancels_the_icpc(smiths, sw):
    record(sw, smiths[:1])
    enquiry = Section47Enquiry.objects.get()
    response = _client(sw).post(f"/strategy/enquiries/{enquiry.pk}/outcome/", {
        "outcome": "not_substantiated", "next_step": "cin",
        "outcome_date_0": "18", "outcome_date_1": "12", "outcome_date_2": "2026"})
    assert response.status_code == 302
    assert Deadline.objects.get(rule_id="icpc").status == "cancelled"
