"""A "concern identified" record opens the strategy discussion clock (000: 1/3/5 working days
by urgency from the point concern is identified); the discussion about the child meets it, a
late one with the reason recorded as for any late discussion."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cpcases.core.errors import NotPermitted, ServiceError
from deadlines.models import Deadline, DeadlineStatus
from strategy import services
from strategy.models import Concern, Urgency
from tests.strategy.conftest import at, record

pytestmark = pytest.mark.django_db


def _concern(sw, child, when=None, urgency=Urgency.IMMEDIATE_PROTECTION) -> Concern:
    return services.concern_record(actor=sw, child=child, identified_at=when or at(2026, 12, 17, 9),
                                   urgency=urgency, summary="Bruising reported by school.")


def test_concern_opens_the_strategy_discussion_clock_by_urgency(smiths, sw):
    concern = _concern(sw, smiths[0], at(2026, 12, 17, 9), Urgency.IMMEDIATE_PROTECTION)
    deadline = Deadline.objects.get(child=smiths[0], rule_id="strategy_discussion")
    assert deadline.status == DeadlineStatus.OPEN
    assert deadline.subject == concern
    # Thursday 17th + 1 working day = Friday 18th.
    assert (deadline.due_date, deadline.variant) == (dt.date(2026, 12, 18),
                                                     Urgency.IMMEDIATE_PROTECTION)
    assert deadline.responsible == sw


def test_complex_concern_gives_five_working_days_over_christmas(smiths, sw):
    _concern(sw, smiths[0], at(2026, 12, 17, 9), Urgency.COMPLEX)
    deadline = Deadline.objects.get(child=smiths[0], rule_id="strategy_discussion")
    # 18, 21, 22, 23, 24 December.
    assert deadline.due_date == dt.date(2026, 12, 24)


def test_strategy_discussion_meets_the_concerns_clock(smiths, sw):
    concern = _concern(sw, smiths[0])
    discussion = record(sw, smiths[:1], held=at(2026, 12, 18, 10))
    deadline = Deadline.objects.get(child=smiths[0], rule_id="strategy_discussion")
    assert deadline.status == DeadlineStatus.MET
    concern.refresh_from_db()
    assert concern.discussion == discussion


def test_late_discussion_after_a_concern_needs_the_reason(smiths, sw):
    with time_machine.travel(at(2026, 12, 14, 9), tick=False):
        _concern(sw, smiths[0], at(2026, 12, 14, 9), Urgency.IMMEDIATE_PROTECTION)
    # The discussion's own form says "complex", but the recorded concern started the clock:
    # due Tuesday 15th, held Friday 18th.
    with pytest.raises(ServiceError, match="give the reason it was held late"):
        record(sw, smiths[:1], concern=at(2026, 12, 14, 9), urgency=Urgency.COMPLEX,
               held=at(2026, 12, 18, 10))
    discussion = record(sw, smiths[:1], concern=at(2026, 12, 14, 9), urgency=Urgency.COMPLEX,
                        held=at(2026, 12, 18, 10), late_reason="Police unavailable.")
    assert discussion.late_reason == "Police unavailable."
    deadline = Deadline.objects.get(child=smiths[0], rule_id="strategy_discussion")
    assert deadline.status == DeadlineStatus.MISSED
    assert deadline.met_at is not None


def test_concern_cannot_be_in_the_future_or_without_a_summary(smiths, sw):
    with pytest.raises(ServiceError, match="future"):
        _concern(sw, smiths[0], at(2026, 12, 19, 9))
    with pytest.raises(ServiceError, match="Summarise"):
        services.concern_record(actor=sw, child=smiths[0], identified_at=at(2026, 12, 17),
                                urgency=Urgency.COMPLEX, summary=" ")


def test_a_chair_cannot_record_a_concern(smiths, chair):
    with pytest.raises(NotPermitted):
        _concern(chair, smiths[0])


def test_concern_remembers_where_it_came_from(smiths, sw):
    other = _concern(sw, smiths[1])
    concern = services.concern_record(actor=sw, child=smiths[0],
                                      identified_at=at(2026, 12, 17), urgency=Urgency.COMPLEX,
                                      summary="From the sibling's concern.", origin=other)
    assert Concern.objects.get(pk=concern.pk).origin == other
