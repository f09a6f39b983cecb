"""Case transfer: the case moves from sw (team A) to sw_b (team B); open deadlines, the
plan's open actions and the core group place move; both are told; both teams' managers see
the transfer. Transfer out: our plan ends after the receiving authority's conference (RC5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from cpcases.plans.models import ChildProtectionPlan, PlanAction, PlanEndReason
from cpcases.plans.services import ActionData, plan_action_add
from deadlines.models import Deadline, DeadlineStatus
from lifeevents import services
from lifeevents.models import CaseTransfer

pytestmark = pytest.mark.django_db


def test_a_transfer_moves_the_open_deadlines_actions_and_core_group_to_the_new_worker(
        client, on_plan, child, org, sw, tm, sw_b, tm_b, django_capture_on_commit_callbacks):
    plan_action_add(plan=on_plan, user=sw, action=ActionData(
        who="", who_user=sw, what="Visit weekly", by_when=dt.date(2027, 3, 1)))
    held_by_sw = set(Deadline.objects.filter(child=child, status=DeadlineStatus.OPEN,
                                             responsible=sw).values_list("rule_id", flat=True))
    assert {"child_seen", "bedroom_seen", "core_group_first"} <= held_by_sw
    client.force_login(tm)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/life/child/{child.pk}/transfer/", {
            "to_team": org.team_b.pk, "to_worker": sw_b.pk, "reason": "Moved to the east",
            "handover_note": "Mother prefers morning visits."})
    assert response["Location"] == "/life/transfers/"
    now_held = set(Deadline.objects.filter(child=child, status=DeadlineStatus.OPEN,
                                           responsible=sw_b).values_list("rule_id", flat=True))
    assert held_by_sw <= now_held
    assert not Deadline.objects.filter(child=child, status=DeadlineStatus.OPEN,
                                       responsible=sw).exists()
    plan = ChildProtectionPlan.objects.get(pk=on_plan.pk)
    assert plan.lead_social_worker == sw_b
    assert PlanAction.objects.get().who_user == sw_b
    assert plan.members.filter(user=sw_b, removed_on__isnull=True).exists()
    transfer = CaseTransfer.objects.get()
    assert transfer.from_worker == sw
    assert transfer.deadlines_moved >= len(held_by_sw)
    told = {m.to[0] for m in mail.outbox if "Case transfer" in m.subject}
    assert {sw.email, sw_b.email, tm.email, tm_b.email} <= told
    # The old team's manager no longer sees the child but sees the transfer.
    listing = client.get("/life/transfers/").content.decode()
    assert f"Child {child.la_child_id}" in listing
    assert "Moved to the east" in listing
    assert client.get(f"/life/child/{child.pk}/").status_code == 404
    client.force_login(tm_b)
    assert child.display_name in client.get("/life/transfers/").content.decode()


def test_a_social_worker_cannot_transfer_a_case(client, on_plan, child, org, sw, sw_b):
    client.force_login(sw)
    assert client.get(f"/life/child/{child.pk}/transfer/").status_code == 403


def test_transfer_out_ends_our_plan_after_their_conference_with_rc5(
        client, on_plan, child, tm, monday):
    client.force_login(tm)
    response = client.post(f"/life/child/{child.pk}/transfer-out/", {
        "receiving_authority": "Northshire County Council", "notified_on_0": "8",
        "notified_on_1": "2", "notified_on_2": "2027", "receiving_contact": "Ms North",
        "receiving_email": "north@northshire.example", "reason": "Family moved."})
    assert response["Location"] == f"/life/child/{child.pk}/"
    transfer = CaseTransfer.objects.get()
    due = Deadline.objects.get(rule_id="transfer_out_conference")
    assert due.due_date == dt.date(2027, 3, 1)  # 15 working days after 8 February
    assert ChildProtectionPlan.objects.get(pk=on_plan.pk).ended_on is None
    client.post(f"/life/transfers/{transfer.pk}/their-conference/",
                {"on_0": "8", "on_1": "2", "on_2": "2027"})
    plan = ChildProtectionPlan.objects.get(pk=on_plan.pk)
    assert plan.end_reason == PlanEndReason.TRANSFERRED
    assert not Deadline.objects.filter(child=child, status=DeadlineStatus.OPEN).exists()
    page = client.get(f"/life/child/{child.pk}/").content.decode()
    assert "closure reason RC5" in page
    assert "Northshire County Council" in page


def test_transfers_through_the_api(client, on_plan, child, org, sw, tm, sw_b, monday):
    client.force_login(sw)
    payload = {"child": child.pk, "to_team": org.team_b.pk, "to_worker": sw_b.pk,
               "reason": "Caseload balance"}
    assert client.post("/api/v1/case-transfers/", payload,
                       content_type="application/json").status_code == 403
    client.force_login(tm)
    created = client.post("/api/v1/case-transfers/", payload,
                          content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["deadlines_moved"] >= 3
    assert client.get("/api/v1/case-transfers/").json()["results"][0]["id"] == \
        created.json()["id"]
    assert services.lead_social_worker(child) == sw_b
