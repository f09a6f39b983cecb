"""A plan starts the lead social worker's visiting clocks (003 "Lead Social Worker Role")."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cpcases.plans.services import plan_start
from deadlines.models import Deadline, DeadlineStatus

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 12, 18, 15, 0), tick=False)
def test_plan_made_on_18_december_starts_child_seen_and_bedroom_seen_clocks(sw, child) -> None:
    plan_start(child=child, started_on=dt.date(2026, 12, 18), category="NEG",
               lead_social_worker=sw, user=sw)
    due = dict(Deadline.objects.filter(child=child, status=DeadlineStatus.OPEN,
                                       rule_id__in=["child_seen", "bedroom_seen"])
               .values_list("rule_id", "due_date"))
    # 10 working days: 21-24 Dec, 29-31 Dec, 4, 5, 6 Jan (25, 28 Dec and 1 Jan are holidays).
    assert due == {"child_seen": dt.date(2027, 1, 6), "bedroom_seen": dt.date(2027, 1, 29)}
