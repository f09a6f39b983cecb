"""003 "Professional Challenge": five stages from practitioner to the safeguarding
partnership, each stage's time from the policy; stage 5 reported to the partnership; a
six-monthly summary of challenges and outcomes for managers."""

from __future__ import annotations

import datetime as dt

import pytest

from deadlines.models import Deadline, DeadlineStatus
from lifeevents import services
from lifeevents.models import Letter, LetterKind, ProfessionalChallenge

pytestmark = pytest.mark.django_db


def _due_for_stage(challenge, stage: int) -> Deadline:
    row = challenge.stages.get(stage=stage)
    return Deadline.objects.get(rule_id="challenge_stage", object_id=row.pk,
                                content_type__model="challengestage")


def test_a_challenge_escalates_through_five_stages_each_with_the_policys_time(
        client, child, sw, tm, contacts, monday):
    client.force_login(sw)
    response = client.post(f"/life/child/{child.pk}/challenges/new/", {
        "about": "Decision not to hold a strategy discussion", "with_whom": "Duty manager"})
    challenge = ProfessionalChallenge.objects.get()
    assert response["Location"] == f"/life/challenges/{challenge.pk}/"
    # Monday 8 February 2027: stage 1 in 2 working days.
    assert _due_for_stage(challenge, 1).due_date == dt.date(2027, 2, 10)
    for stage in (2, 3, 4, 5):
        client.post(f"/life/challenges/{challenge.pk}/", {
            "action": "escalate", "text": f"Not resolved at stage {stage - 1}"})
        challenge.refresh_from_db()
        assert challenge.stage == stage
        assert _due_for_stage(challenge, stage - 1).status == DeadlineStatus.MET
    expected = {2: dt.date(2027, 2, 15), 3: dt.date(2027, 2, 22), 4: dt.date(2027, 2, 22),
                5: dt.date(2027, 3, 8)}
    assert {s: _due_for_stage(challenge, s).due_date for s in expected} == expected
    assert challenge.reported_to_partnership_on == dt.date(2027, 2, 8)
    report = Letter.objects.get(kind=LetterKind.CHALLENGE_REPORT)
    assert report.recipient_name == "Professor Pat Partnership"
    assert "Decision not to hold a strategy discussion" in report.body
    client.post(f"/life/challenges/{challenge.pk}/", {
        "action": "resolve", "text": "Partnership chair: strategy discussion to be held"})
    challenge.refresh_from_db()
    assert challenge.resolved_on == dt.date(2027, 2, 8)
    client.force_login(tm)
    summary = client.get("/life/challenges/summary/").content.decode()
    assert "strategy discussion to be held" in summary
    assert 'data-testid="total">1<' in summary


def test_the_summary_covers_six_months(client, child, sw, tm, monday):
    services.challenge_raise(child=child, user=sw, about="Old", with_whom="X",
                             raised_on=dt.date(2026, 8, 8))
    services.challenge_raise(child=child, user=sw, about="Recent", with_whom="X",
                             raised_on=dt.date(2026, 8, 9))
    client.force_login(tm)
    page = client.get("/life/challenges/summary/").content.decode()
    assert 'data-testid="total">1<' in page
    client.force_login(sw)
    assert client.get("/life/challenges/summary/").status_code == 403


def test_challenges_through_the_api(client, child, sw, sw_b, monday):
    client.force_login(sw_b)
    assert client.post("/api/v1/professional-challenges/", {
        "child": child.pk, "about": "x", "with_whom": "y"},
        content_type="application/json").status_code == 404
    client.force_login(sw)
    created = client.post("/api/v1/professional-challenges/", {
        "child": child.pk, "about": "Threshold decision", "with_whom": "Team manager"},
        content_type="application/json")
    assert created.status_code == 201
    challenge_id = created.json()["id"]
    resolved = client.post(f"/api/v1/professional-challenges/{challenge_id}/resolve/",
                           {"text": "Agreed after discussion"},
                           content_type="application/json")
    assert resolved.json()["resolved_on"] == "2027-02-08"
    again = client.post(f"/api/v1/professional-challenges/{challenge_id}/escalate/",
                        {"text": "x"}, content_type="application/json")
    assert again.status_code == 400
