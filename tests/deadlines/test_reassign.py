"""The right person (issue 9 point 2): each rule names the role that must act; its deadline
goes to whoever holds that role now, or to the business support queue; when the allocation,
the lead social worker or the chair changes, the open deadlines move, recorded, and both the
old and new holders are told in the service and by e-mail."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from cpcases.children.services import child_allocate
from deadlines.models import (
    REASSIGNED,
    Deadline,
    DeadlineReassignment,
    DeadlineStatus,
    Notification,
)
from deadlines.policy import Holder
from deadlines.services import deadlines_reassign_for
from strategy import services as strategy
from strategy.models import Urgency

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 12, 15, 11, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _open(child, rule_id: str) -> Deadline:
    return Deadline.objects.get(child=child, rule_id=rule_id, status=DeadlineStatus.OPEN)


def _concern(sw, child):
    return strategy.concern_record(actor=sw, child=child, identified_at=NOW,
                                   urgency=Urgency.CP_CONCERNS, summary="Bruising.")


def test_consultation_chair_goes_to_the_business_support_queue_not_the_social_worker(
        child, sw, tm, bso):
    strategy.consultation_request(user=sw, child=child, question="Is this a CP case?")
    deadline = _open(child, "consultation_chair_assigned")
    assert deadline.responsible is None
    assert deadline.holder == Holder.BUSINESS_SUPPORT
    assert deadline.responsible_team_id == sw.team_id


def test_reallocating_a_child_moves_its_open_deadlines_and_tells_both(
        client, child, sw, tm, sw_b, tm_b, org, django_capture_on_commit_callbacks):
    _concern(sw, child)
    assert _open(child, "strategy_discussion").responsible == sw
    mail.outbox.clear()
    client.force_login(tm)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("children:allocate", args=[child.pk]),
                               {"team": org.team_b.pk, "social_worker": sw_b.pk,
                                "reason": "Moved to team B's patch"})
    assert response.status_code == 302, response.content.decode()[:2000]
    deadline = _open(child, "strategy_discussion")
    assert deadline.responsible == sw_b
    assert deadline.responsible_team == org.team_b
    move = DeadlineReassignment.objects.get(deadline=deadline)
    assert (move.from_user, move.to_user, move.actor) == (sw, sw_b, tm)
    assert "Moved to team B's patch" in move.reason
    told = Notification.objects.filter(deadline=deadline, level=REASSIGNED)
    assert {n.recipient for n in told} == {sw, sw_b}
    assert "Now yours: Strategy discussion held" in told.get(recipient=sw_b).text
    assert "No longer yours" in told.get(recipient=sw).text
    assert sorted(m.to[0] for m in mail.outbox) == sorted([sw.email, sw_b.email])


def test_team_manager_rules_move_to_the_new_teams_manager(child, sw, tm, sw_b, tm_b, org):
    strategy.concern_record(actor=sw, child=child, identified_at=NOW,
                            urgency=Urgency.COMPLEX, summary="Neglect.")
    from tests.strategy.conftest import full_attendance

    strategy.strategy_discussion_record(
        user=sw, children=[child], concern_identified_at=NOW, urgency=Urgency.COMPLEX,
        format="meeting", held_at=NOW, outcomes={child.pk: strategy.S47},
        participants=full_attendance(), information_shared="Neglect.")
    assert _open(child, "icpc").responsible == tm
    child_allocate(user=tm, child=child, team=org.team_b, social_worker=sw_b,
                   reason="Transfer")
    assert _open(child, "icpc").responsible == tm_b
    assert _open(child, "assessment").responsible == sw_b


def test_nothing_moves_and_nobody_is_told_when_the_holder_is_the_same(child, sw, tm):
    _concern(sw, child)
    assert deadlines_reassign_for(child=child, actor=tm, reason="Checked") == 0
    assert not Notification.objects.filter(level=REASSIGNED).exists()
