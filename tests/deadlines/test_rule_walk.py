"""The rule walk (issue 9 point 1): for EVERY rule id of DOMAIN §4, and the ids the policy
adds, the event that opens it, the event that meets it, and how it ends when that event can
no longer happen: each declared once in deadlines.policy.LIFECYCLES and applied by the engine
(deadlines.lifecycle.emit). No open deadline outlives its purpose."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from deadlines import lifecycle
from deadlines.models import Deadline, DeadlineStatus
from deadlines.policy import (
    CASE_ENDS,
    LIFECYCLES,
    RULE_IDS,
    End,
    Event,
    Holder,
    national_rule,
)
from strategy.models import Concern, Urgency

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 12, 15, 11, 0, tzinfo=LONDON)
DOMAIN = Path("/work/shared/DOMAIN.md")


def _domain_rule_ids() -> set[str]:
    if not DOMAIN.exists():
        pytest.skip("DOMAIN.md is not on this machine")
    table = DOMAIN.read_text().split("## 4. Timescale rules", 1)[1].split("## 5.", 1)[0]
    return set(re.findall(r"^\| `([a-z0-9_]+)` \|", table, flags=re.MULTILINE))


def test_every_rule_of_domain_4_and_of_the_policy_has_one_lifecycle():
    domain = _domain_rule_ids()
    assert len(domain) >= 35
    assert domain <= set(RULE_IDS)
    assert set(LIFECYCLES) == set(RULE_IDS)
    for rule_id, declared in LIFECYCLES.items():
        assert declared.opened_by in Event.values, rule_id
        assert declared.met_by in Event.values, rule_id
        assert declared.holder in Holder.values, rule_id
        # Every rule ends when the child moves away or the case closes.
        assert CASE_ENDS.items() <= declared.ends().items(), rule_id
        assert set(declared.ends().values()) <= set(End.values), rule_id


def _subject(child, sw):
    # Any saved record will do as the deadline's subject: the walk is about the engine.
    return Concern.objects.create(child=child, identified_at=NOW, urgency=Urgency.COMPLEX,
                                  summary="walk", recorded_by=sw)


def _anchor(rule_id: str):
    rule = national_rule(rule_id)
    # "Before" rules anchor on a future event (a conference date, a birthday).
    return NOW + dt.timedelta(days=120) if rule.direction == "before" else NOW


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_walk_opened_met_and_ended_as_declared(rule_id, child, sw, tm):
    declared = LIFECYCLES[rule_id]
    with time_machine.travel(NOW, tick=False):
        # Opened by its event, for the person (or queue) the policy names.
        subject = _subject(child, sw)
        opened = lifecycle.emit(declared.opened_by, child=child, actor=sw, subject=subject,
                                anchor=_anchor(rule_id), only=[rule_id])["opened"]
        assert [d.rule_id for d in opened] == [rule_id]
        deadline = opened[0]
        assert deadline.status == DeadlineStatus.OPEN
        assert deadline.holder == declared.holder
        # Met by its event (on time: met).
        lifecycle.emit(declared.met_by, child=child, actor=sw, at=NOW, scope=[subject],
                       only=[rule_id])
        deadline.refresh_from_db()
        if declared.met_by == declared.opened_by:
            # Opened and met by the same event (e.g. the next core group, an exclusion
            # request): the met one is history; the event opens the next.
            assert Deadline.objects.filter(child=child, rule_id=rule_id).count() >= 1
        else:
            assert deadline.status == DeadlineStatus.MET
        # Each ending event closes a fresh open one as declared, with the reason.
        for event, how in declared.ends().items():
            fresh = lifecycle.emit(declared.opened_by, child=child, actor=sw,
                                   subject=_subject(child, sw), anchor=_anchor(rule_id),
                                   only=[rule_id])["opened"][0]
            ended = lifecycle.emit(event, child=child, actor=tm, scope=[fresh.subject],
                                   only=[rule_id])["ended"]
            assert [d.pk for d in ended] == [fresh.pk], (rule_id, event)
            fresh.refresh_from_db()
            assert fresh.status == how, (rule_id, event)
            assert fresh.ended_by_event == event
            assert fresh.cancelled_reason
            assert fresh.next_action_at is None  # no notices follow
