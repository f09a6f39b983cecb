"""003 "Death of a Child Subject to a Child Protection Plan": reported through the manager to
the senior child protection manager, who notifies the partnership's chair; a review
considered; the plan ends (census closure RC2) and every clock for the child stops."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from cpcases.plans.models import ChildProtectionPlan, PlanEndReason
from deadlines import sweep
from deadlines.models import Deadline, DeadlineStatus, Notification
from lifeevents import services
from lifeevents.models import ChildDeath, Letter, LetterKind, MissingEpisode
from tests.lifeevents.conftest import at

pytestmark = pytest.mark.django_db


def _record(client, child, **extra):
    data = {"died_on_0": "7", "died_on_1": "2", "died_on_2": "2027",
            "circumstances": "Found unresponsive at home; ambulance called."}
    data.update(extra)
    return client.post(f"/life/child/{child.pk}/death/new/", data)


def test_a_death_stops_every_clock_for_the_child_and_ends_the_plan_with_rc2(
        client, on_plan, child, sw, tm, sm, contacts, monday,
        django_capture_on_commit_callbacks):
    services.missing_episode_record(child=child, user=sw, last_seen_at=at(2027, 2, 6, 9),
                                    last_seen_by="Mother")
    running = set(Deadline.objects.filter(child=child, status=DeadlineStatus.OPEN)
                  .values_list("rule_id", flat=True))
    assert {"core_group_first", "child_seen", "bedroom_seen", "missing_escalation"} <= running
    client.force_login(tm)
    with django_capture_on_commit_callbacks(execute=True):
        response = _record(client, child)
    death = ChildDeath.objects.get(child=child)
    assert response["Location"] == f"/life/deaths/{death.pk}/"
    still_open = set(Deadline.objects.filter(child=child, status=DeadlineStatus.OPEN)
                     .values_list("rule_id", flat=True))
    # Only the senior manager's two new clocks run; everything before the death stopped.
    assert still_open == {"death_partnership_notification",
                          "serious_case_review_consideration"}
    assert death.deadlines_stopped == len(running)
    plan = ChildProtectionPlan.objects.get(pk=on_plan.pk)
    assert plan.end_reason == PlanEndReason.DIED
    assert plan.ended_on == dt.date(2027, 2, 7)
    assert not MissingEpisode.objects.filter(child=child, found_at__isnull=True).exists()
    assert "closure reason RC2" in client.get(f"/life/child/{child.pk}/").content.decode()
    told = Notification.objects.get(recipient=sm)
    assert "reported the death" in told.text
    assert sm.email in [m.to[0] for m in mail.outbox]
    # Days later the sweep sends nothing about the old clocks: only the senior manager's.
    monday.move_to(at(2027, 3, 8))
    sweep.deadlines_sweep()
    later = Notification.objects.filter(deadline__child=child,
                                        created_at__gt=death.reported_at)
    assert later.exists()
    assert {n.deadline.rule_id for n in later} <= {"death_partnership_notification",
                                                  "serious_case_review_consideration"}
    assert not later.filter(recipient=sw, deadline__rule_id="child_seen").exists()


def test_the_senior_manager_notifies_the_partnership_chair_with_a_letter_kept_as_sent(
        client, on_plan, child, tm, sm, contacts, django_capture_on_commit_callbacks):
    death = services.child_death_record(child=child, user=tm, died_on=dt.date(2027, 2, 7),
                                        circumstances="Sudden unexpected death in infancy.")
    due = Deadline.objects.get(rule_id="death_partnership_notification")
    assert due.responsible == sm
    assert due.due_date == dt.date(2027, 2, 9)
    assert Deadline.objects.get(
        rule_id="serious_case_review_consideration").due_date == dt.date(2027, 3, 1)
    client.force_login(sm)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/life/deaths/{death.pk}/notify-partnership/",
                               {"method": "email", "note": ""})
    assert response["Location"] == f"/life/deaths/{death.pk}/"
    letter = Letter.objects.get(kind=LetterKind.PARTNERSHIP_DEATH)
    assert letter.recipient_name == "Professor Pat Partnership"
    assert "died on 7 February 2027" in letter.body
    assert [m.to for m in mail.outbox] == [["chair@partnership.example"]]
    due.refresh_from_db()
    assert due.status == DeadlineStatus.MET
    page = client.get(f"/life/letters/{letter.pk}/").content.decode()
    assert "exactly as sent" in page
    client.post(f"/life/deaths/{death.pk}/review/",
                {"decision": "rapid_review", "reasons": "Neglect was a concern."})
    assert Deadline.objects.get(rule_id="serious_case_review_consideration").status == \
        DeadlineStatus.MET


def test_a_social_worker_cannot_record_a_death_and_a_manager_elsewhere_cannot_see_the_child(
        client, on_plan, child, sw, tm_b):
    client.force_login(sw)
    assert client.get(f"/life/child/{child.pk}/death/new/").status_code == 403
    client.force_login(tm_b)
    assert _record(client, child).status_code == 404
    assert not ChildDeath.objects.exists()


def test_only_the_senior_manager_notifies_the_partnership(client, on_plan, child, tm, sm,
                                                          contacts):
    death = services.child_death_record(child=child, user=tm, died_on=dt.date(2027, 2, 7),
                                        circumstances="Road traffic collision.")
    client.force_login(tm)
    assert client.get(f"/life/deaths/{death.pk}/notify-partnership/").status_code == 403
    assert client.get(f"/life/deaths/{death.pk}/").status_code == 200


def test_a_death_through_the_api(client, on_plan, child, tm, sw, contacts):
    client.force_login(sw)
    payload = {"child": child.pk, "died_on": "2027-02-07", "circumstances": "Illness."}
    assert client.post("/api/v1/child-deaths/", payload,
                       content_type="application/json").status_code == 403
    client.force_login(tm)
    created = client.post("/api/v1/child-deaths/", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["deadlines_stopped"] == 3
    again = client.post("/api/v1/child-deaths/", payload, content_type="application/json")
    assert again.status_code == 400
    assert "already been recorded" in again.json()["detail"]
    assert client.post("/api/v1/missing-episodes/", {
        "child": child.pk, "last_seen_at": "2027-02-08T07:00:00Z", "last_seen_by": "x"},
        content_type="application/json").status_code == 400
