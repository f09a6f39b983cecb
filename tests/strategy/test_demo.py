"""The strategy demo data: idempotent, written through the services, every queue has work."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cpcases.accounts.models import User
from deadlines.models import Deadline, DeadlineStatus
from strategy import selectors
from strategy.demo import seed_strategy_demo
from strategy.models import ConsultationRequest, ConsultationStatus, StrategyDiscussion

pytestmark = pytest.mark.django_db


def test_strategy_demo_is_idempotent_and_fills_every_queue() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    seed_strategy_demo(io.StringIO())
    counts = (StrategyDiscussion.objects.count(), ConsultationRequest.objects.count(),
              Deadline.objects.count())
    out = io.StringIO()
    seed_strategy_demo(out)
    assert (StrategyDiscussion.objects.count(), ConsultationRequest.objects.count(),
            Deadline.objects.count()) == counts
    assert "already there" in out.getvalue()
    # The strategy demo's own two discussions (seed_demo's booking demo adds more for the
    # households further along the pathway) and its two consultation requests.
    assert StrategyDiscussion.objects.filter(
        children__last_name__in=["Smith", "Nowak"]).distinct().count() == 2
    assert counts[1] == 2

    users = {u.username: u for u in User.objects.all()}
    assert selectors.consultation_queue(user=users["bso.bola"]).filter(
        status=ConsultationStatus.REQUESTED).count() == 1
    assert selectors.chair_consultations(user=users["chair.chris"]).filter(
        status=ConsultationStatus.ASSIGNED).count() == 1
    assert selectors.discussions_visible(user=users["police.pat"]).count() == 1
    # The Smith children's ICPC deadlines are the engine's, open, on the manager's list.
    assert Deadline.objects.filter(rule_id="icpc", status=DeadlineStatus.OPEN,
                                   child__last_name="Smith",
                                   responsible=users["tm.tara"]).count() == 2
