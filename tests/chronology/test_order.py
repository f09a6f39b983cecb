"""The chronology in the order things happened: on one day, timed events by their time, and
events whose time is not known in their place in the pathway (the strategy discussion, then
the Section 47 enquiry it started, then the enquiry's outcome); every conference has its
entry, one still to come on the day it was booked."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cpcases.children.models import Child
from cpcases.chronology.providers import merged_items
from strategy import services as strategy_services
from strategy.models import S47Outcome, Section47Enquiry
from tests.chronology.conftest import at, entry
from tests.strategy.conftest import full_attendance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(2027, 1, 8, 17), tick=False):
        yield


def test_on_one_day_the_enquiry_follows_the_11_oclock_discussion_and_its_outcome_follows_it(
        sw, core_police, plan_child: Child) -> None:
    day = dt.date(2027, 1, 5)
    strategy_services.strategy_discussion_record(
        user=sw, children=[plan_child], concern_identified_at=at(2027, 1, 5, 8),
        urgency="child_protection_concerns", format="meeting", held_at=at(2027, 1, 5, 11),
        outcomes={plan_child.pk: strategy_services.S47}, participants=full_attendance(),
        information_shared="Bruising reported by school")
    enquiry = Section47Enquiry.objects.get(child=plan_child)
    strategy_services.s47_record_outcome(
        user=sw, enquiry=enquiry, outcome=S47Outcome.SUBSTANTIATED, outcome_date=day,
        reasons="Injuries consistent with the account")
    entry(core_police, plan_child, day, dt.time(9, 0), significant_event="Police call-out")
    entry(core_police, plan_child, day, dt.time(15, 0), significant_event="Afternoon call")

    events = [i.significant_event for i in merged_items(plan_child) if i.event_date == day]
    assert events == ["Police call-out", "Strategy discussion (meeting)",
                      "Section 47 enquiry started", "Section 47 enquiry outcome",
                      "Afternoon call"]


def test_a_conference_still_to_come_has_its_entry_on_the_day_it_was_booked(
        sw, tm, bso, chair, plan_child: Child) -> None:
    from tests.outcomes.helpers import make_conference

    conference = make_conference(children=[plan_child], on=dt.date(2027, 2, 3), chair=chair,
                                 minute_taker=bso)
    items = [i for i in merged_items(plan_child) if i.event_type == "conference"]
    assert len(items) == 1
    assert items[0].significant_event.endswith("booked for 3 February 2027")
    assert items[0].event_date == conference.created_at.date()
