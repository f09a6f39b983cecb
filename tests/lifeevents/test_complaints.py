"""003 "Child Protection Conference Complaints": a response in 10 working days; if not
resolved the independent chair acknowledges in 5, considers in 15 and replies in 30; an
appeal panel within 20 working days and its outcome 5 working days later. Each a deadline,
each letter generated and kept. Received Thursday 17 December 2026: over Christmas."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from deadlines.models import Deadline, DeadlineStatus
from lifeevents.models import Complaint, ComplaintStage, Letter, LetterKind
from tests.lifeevents.conftest import at

pytestmark = pytest.mark.django_db


def _due(rule_id: str) -> dt.date:
    return Deadline.objects.get(rule_id=rule_id).due_date


def _step(client, complaint, step, day: dt.date, text: str = ""):
    return client.post(f"/life/complaints/{complaint.pk}/", {
        "step": step, "on_0": str(day.day), "on_1": str(day.month), "on_2": str(day.year),
        "text": text})


def test_the_complaint_ladder_over_christmas_with_every_letter_kept(
        client, child, tm, chair, django_capture_on_commit_callbacks):
    with time_machine.travel(at(2026, 12, 17, 11), tick=False) as clock:
        client.force_login(tm)
        response = client.post(f"/life/child/{child.pk}/complaints/new/", {
            "complainant_name": "Grace Okafor", "complainant_relationship": "Mother",
            "about": "decision", "details": "I disagree with the plan.",
            "received_on_0": "17", "received_on_1": "12", "received_on_2": "2026",
            "reply_by": "email", "complainant_email": "grace@example.org"})
        complaint = Complaint.objects.get()
        assert response["Location"] == f"/life/complaints/{complaint.pk}/"
        # 10 working days: Christmas Day, Boxing Day (substitute 28th) and New Year's Day
        # are not working days.
        assert _due("complaint_response") == dt.date(2027, 1, 5)

        clock.move_to(at(2027, 1, 4, 11))
        client.force_login(tm)
        with django_capture_on_commit_callbacks(execute=True):
            _step(client, complaint, "respond", dt.date(2027, 1, 4),
                  "We have looked again at the conference's reasons.")
        assert Deadline.objects.get(rule_id="complaint_response").status == DeadlineStatus.MET
        assert [m.to for m in mail.outbox] == [["grace@example.org"]]
        _step(client, complaint, "to_chair", dt.date(2027, 1, 4))
        assert _due("complaint_chair_acknowledge") == dt.date(2027, 1, 11)
        assert _due("complaint_chair_consider") == dt.date(2027, 1, 25)
        assert _due("complaint_chair_reply") == dt.date(2027, 2, 15)

        clock.move_to(at(2027, 1, 6, 11))
        client.force_login(chair)
        _step(client, complaint, "chair_acknowledge", dt.date(2027, 1, 6), "Received.")
        _step(client, complaint, "chair_consider", dt.date(2027, 1, 6))
        _step(client, complaint, "chair_reply", dt.date(2027, 1, 6),
              "The decision was properly made.")
        _step(client, complaint, "appeal", dt.date(2027, 1, 6))
        complaint.refresh_from_db()
        assert complaint.stage == ComplaintStage.APPEAL
        assert _due("appeal_panel") == dt.date(2027, 2, 3)

        clock.move_to(at(2027, 2, 1, 11))
        client.force_login(chair)
        _step(client, complaint, "panel_met", dt.date(2027, 2, 1))
        assert _due("appeal_outcome") == dt.date(2027, 2, 8)
        _step(client, complaint, "appeal_outcome", dt.date(2027, 2, 1), "Appeal not upheld.")
    complaint.refresh_from_db()
    assert complaint.stage == ComplaintStage.CLOSED
    assert not Deadline.objects.filter(object_id=complaint.pk,
                                       status=DeadlineStatus.OPEN).exists()
    assert list(Letter.objects.order_by("sent_at", "id").values_list("kind", flat=True)) == [
        LetterKind.COMPLAINT_RESPONSE, LetterKind.CHAIR_ACKNOWLEDGEMENT,
        LetterKind.CHAIR_RESPONSE, LetterKind.APPEAL_OUTCOME]
    response_letter = Letter.objects.get(kind=LetterKind.COMPLAINT_RESPONSE)
    assert "the conference's decision stands" in response_letter.body


def test_a_letter_step_without_text_names_the_field_and_keeps_the_date(client, child, tm,
                                                                       monday):
    client.force_login(tm)
    client.post(f"/life/child/{child.pk}/complaints/new/", {
        "complainant_name": "Grace Okafor", "complainant_relationship": "Mother",
        "about": "process", "details": "Not told of the conference.",
        "received_on_0": "8", "received_on_1": "2", "received_on_2": "2027",
        "reply_by": "post", "complainant_address": "1 High Street"})
    complaint = Complaint.objects.get()
    response = _step(client, complaint, "respond", dt.date(2027, 2, 8))
    assert "Write the letter" in response.content.decode()
    assert not Letter.objects.exists()


def test_a_partner_cannot_record_complaints_and_the_api_follows_the_ladder(
        client, child, tm, sw, monday):
    client.force_login(sw)
    assert client.get(f"/life/child/{child.pk}/complaints/new/").status_code == 403
    client.force_login(tm)
    created = client.post("/api/v1/complaints/", {
        "child": child.pk, "complainant_name": "Grace", "complainant_relationship": "Mother",
        "about": "category", "details": "Wrong category.", "received_on": "2027-02-08",
        "reply_by": "post", "complainant_address": "1 High Street"},
        content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["next_steps"] == ["respond", "close"]
    complaint_id = created.json()["id"]
    early = client.post(f"/api/v1/complaints/{complaint_id}/advance/",
                        {"step": "panel_met", "on": "2027-02-08"},
                        content_type="application/json")
    assert early.status_code == 400
    ok = client.post(f"/api/v1/complaints/{complaint_id}/advance/",
                     {"step": "respond", "on": "2027-02-08", "text": "Our response."},
                     content_type="application/json")
    assert ok.json()["next_steps"] == ["to_chair", "close"]
    letters = client.get("/api/v1/letters/").json()["results"]
    assert letters[0]["method"] == "post"
    assert "Our response." in letters[0]["body"]
