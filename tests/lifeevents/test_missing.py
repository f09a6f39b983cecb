"""003 "Children … who go Missing or are Absent": the lead social worker is told at once; if
the child is not traced within the policy's time the senior child protection manager is
told (the sweep); found; a return interview offered within 72 hours."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from cpcases.children.models import PartnerInvolvement
from deadlines import sweep
from deadlines.models import Deadline, DeadlineStatus, Notification
from deadlines.policy import Level
from lifeevents import services
from lifeevents.models import MissingEpisode
from tests.lifeevents.conftest import at

pytestmark = pytest.mark.django_db


def _report(client, child, **extra):
    data = {"kind": "missing", "last_seen_date_0": "8", "last_seen_date_1": "2",
            "last_seen_date_2": "2027", "last_seen_time": "07:45",
            "last_seen_by": "Mrs Okafor (mother)", "circumstances": "Did not come home."}
    data.update(extra)
    return client.post(f"/life/child/{child.pk}/missing/new/", data)


def test_a_police_officer_records_a_child_on_a_plan_missing_and_the_lead_social_worker_is_told_at_once(  # noqa: E501
        client, on_plan, child, sw, police, contacts, django_capture_on_commit_callbacks):
    PartnerInvolvement.objects.create(child=child, user=police, kind="core_group",
                                      agency="police")
    client.force_login(police)
    with django_capture_on_commit_callbacks(execute=True):
        response = _report(client, child)
    assert response.status_code == 302
    episode = MissingEpisode.objects.get(child=child)
    assert episode.last_seen_at == at(2027, 2, 8, 7, 45)
    assert episode.reported_by == police
    assert episode.lead_social_worker == sw
    notice = Notification.objects.get(recipient=sw)
    assert "reported missing by DC Pat Police" in notice.text
    assert [m.to for m in mail.outbox] == [[sw.email]]
    assert child.last_name not in mail.outbox[0].body  # e-mails name the child by ID only
    page = client.get(f"/life/child/{child.pk}/")
    assert "Missing now" in page.content.decode()


def test_a_missing_child_not_traced_within_24_hours_is_escalated_to_the_senior_child_protection_manager(  # noqa: E501
        client, on_plan, child, sw, sm, contacts, monday):
    client.force_login(sw)
    _report(client, child)
    deadline = Deadline.objects.get(child=child, rule_id="missing_escalation")
    assert deadline.responsible == sm
    assert deadline.due_at == at(2027, 2, 9, 10)  # 24 hours after it was reported
    monday.move_to(at(2027, 2, 9, 9, 59))
    sweep.deadlines_sweep()
    assert not Notification.objects.filter(recipient=sm).exists()
    monday.move_to(at(2027, 2, 9, 10, 1))
    sweep.deadlines_sweep()
    escalated = Notification.objects.get(recipient=sm)
    assert escalated.level == Level.BREACH
    assert "Missing child traced" in escalated.text


def test_a_child_found_in_time_is_not_escalated_and_a_return_interview_is_due_within_72_hours(
        client, on_plan, child, sw, sm, contacts, monday):
    client.force_login(sw)
    _report(client, child)
    episode = MissingEpisode.objects.get(child=child)
    monday.move_to(at(2027, 2, 8, 21))
    client.logout()  # hours later: signed in again
    client.force_login(sw)
    response = client.post(f"/life/missing/{episode.pk}/found/", {
        "found_date_0": "8", "found_date_1": "2", "found_date_2": "2027",
        "found_time": "20:30", "found_note": "At a friend's house"})
    assert response["Location"] == f"/life/child/{child.pk}/"
    assert Deadline.objects.get(rule_id="missing_escalation").status == DeadlineStatus.MET
    interview = Deadline.objects.get(rule_id="return_interview")
    assert interview.due_at == at(2027, 2, 11, 20, 30)
    assert interview.responsible == sw
    monday.move_to(at(2027, 2, 10, 11))
    sweep.deadlines_sweep()
    assert not Notification.objects.filter(recipient=sm).exists()
    client.logout()
    client.force_login(sw)
    client.post(f"/life/missing/{episode.pk}/interview/", {
        "offered_date_0": "10", "offered_date_1": "2", "offered_date_2": "2027",
        "offered_time": "10:00", "accepted": "yes"})
    interview.refresh_from_db()
    assert interview.status == DeadlineStatus.MET


def test_bad_input_names_the_field_and_keeps_what_was_typed(client, on_plan, child, sw):
    client.force_login(sw)
    response = _report(client, child, last_seen_time="7pm")
    assert response.status_code == 200
    body = response.content.decode()
    assert "as hours and minutes, like 14:30" in body  # the message names the time field
    assert "Mrs Okafor (mother)" in body
    assert not MissingEpisode.objects.exists()


def test_a_child_already_missing_cannot_be_reported_twice(client, on_plan, child, sw):
    client.force_login(sw)
    _report(client, child)
    response = _report(client, child)
    assert "already recorded as missing" in response.content.decode()
    assert MissingEpisode.objects.count() == 1


def test_episodes_are_in_the_chronology_and_on_the_missing_list(client, on_plan, child, sw,
                                                                 tm, other_team_child):
    client.force_login(sw)
    _report(client, child)
    chronology = client.get(f"/chronology/child/{child.pk}/").content.decode()
    assert "Missing: last seen by Mrs Okafor (mother)" in chronology
    client.force_login(tm)
    listing = client.get("/life/missing/").content.decode()
    assert child.display_name in listing


def test_missing_through_the_api_with_the_same_rules(client, on_plan, child, sw, sw_b,
                                                     contacts):
    client.force_login(sw_b)
    payload = {"child": child.pk, "last_seen_at": "2027-02-08T07:45:00Z",
               "last_seen_by": "Mother"}
    assert client.post("/api/v1/missing-episodes/", payload,
                       content_type="application/json").status_code == 404
    client.force_login(sw)
    created = client.post("/api/v1/missing-episodes/", payload,
                          content_type="application/json")
    assert created.status_code == 201, created.content
    episode_id = created.json()["id"]
    found = client.post(f"/api/v1/missing-episodes/{episode_id}/found/",
                        {"found_at": "2027-02-08T06:00:00Z"}, content_type="application/json")
    assert found.status_code == 400
    assert "before they were last seen" in found.json()["detail"]
    assert client.get("/api/v1/missing-episodes/").json()["results"][0]["id"] == episode_id


def test_the_senior_manager_defaults_to_the_head_of_service(on_plan, child, sw, hos):
    episode = services.missing_episode_record(
        child=child, user=sw, last_seen_at=at(2027, 2, 8, 7), last_seen_by="Mother")
    assert Deadline.objects.get(object_id=episode.pk,
                                rule_id="missing_escalation").responsible == hos
    assert episode.last_seen_at < at(2027, 2, 8) + dt.timedelta(hours=3)


