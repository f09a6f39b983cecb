"""Replay (issue 9 "done when"): a household of three, the ICPC booked, held and decided in
the same week, one child getting no plan, leaves no open deadline whose purpose has passed,
and every open deadline with the person (or queue) the procedure names."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from conferences.outcomes import services as outcomes
from deadlines.models import Deadline, DeadlineStatus
from deadlines.policy import LIFECYCLES, Holder, rules_ended_by
from tests.conferences.factories import LONDON, approved_request, book, ready_for_request
from tests.factories import AllocationFactory, ChildFactory, HouseholdFactory
from tests.outcomes.helpers import cin_data, decide, plan_data, quorate_attendance

pytestmark = pytest.mark.django_db

PREPARATION = set(rules_ended_by("conference_started"))


def test_household_of_three_icpc_held_and_decided_leaves_nothing_stale(
        org, sw, tm, bso, chair):
    household = HouseholdFactory(authority=org.authority, name="Okafor, 4 Mill Lane")
    kids = []
    for first, dob in (("Ada", dt.date(2015, 6, 1)), ("Ben", dt.date(2018, 2, 10)),
                       ("Cy", dt.date(2021, 9, 9))):
        child = ChildFactory(authority=org.authority, first_name=first, last_name="Okafor",
                             date_of_birth=dob, household=household)
        AllocationFactory(child=child, team=org.team_a, social_worker=sw)
        kids.append(child)
    with time_machine.travel(dt.datetime(2027, 3, 15, 12, tzinfo=LONDON), tick=False):
        ready_for_request(sw=sw, tm=tm, children=kids,
                          held_at=dt.datetime(2027, 3, 15, 9, tzinfo=LONDON))
        request = approved_request(sw=sw, tm=tm, children=kids)
        conference = book(bso=bso, request=request, on=dt.date(2027, 3, 30), chair=chair)
    # Nobody shared the reports or sent agency reports: they were overdue by the day.
    with time_machine.travel(dt.datetime(2027, 3, 30, 10, 5, tzinfo=LONDON), tick=False):
        quorate_attendance(conference, bso)
        outcomes.conference_start(conference=conference, user=chair)
        decide(conference, kids[0], chair, plan_data(sw, first_core_group_on=dt.date(2027, 4, 6)))
        decide(conference, kids[1], chair, plan_data(sw, first_core_group_on=dt.date(2027, 4, 6)))
        decide(conference, kids[2], chair, cin_data())
    for child in kids:
        open_rules = set(Deadline.objects.filter(child=child, status=DeadlineStatus.OPEN)
                         .values_list("rule_id", flat=True))
        # The conference prepared for has happened: nothing of its preparation is open (the
        # first review booked at the decision has its own, rightly open).
        stale = set(Deadline.objects.filter(child=child, status=DeadlineStatus.OPEN,
                                            object_id=conference.pk,
                                            content_type__model="conference")
                    .values_list("rule_id", flat=True)) & PREPARATION
        assert not stale, (child, stale)
        assert "icpc" not in open_rules
        missed = Deadline.objects.get(child=child, rule_id="report_to_family",
                                      object_id=conference.pk)
        assert missed.status == DeadlineStatus.MISSED
        assert "conference started" in missed.cancelled_reason
    # The child with no plan has no plan clocks.
    assert not Deadline.objects.filter(child=kids[2], status=DeadlineStatus.OPEN,
                                       rule_id__in=["core_group_first", "child_seen",
                                                    "first_review", *PREPARATION]).exists()
    # Every open deadline with the role the procedure names, held by the right person now.
    expected = {Holder.CHAIR: chair, Holder.TEAM_MANAGER: tm, Holder.LEAD_SOCIAL_WORKER: sw,
                Holder.ALLOCATED_SOCIAL_WORKER: sw, Holder.BUSINESS_SUPPORT: None,
                Holder.PARTNER_AGENCY: None}
    for deadline in Deadline.objects.filter(child__in=kids, status=DeadlineStatus.OPEN):
        assert deadline.holder == LIFECYCLES[deadline.rule_id].holder, deadline.rule_id
        assert deadline.responsible == expected[deadline.holder], deadline.rule_id
    assert Deadline.objects.get(child=kids[0], rule_id="decision_letter").responsible == chair
    assert Deadline.objects.get(child=kids[0], rule_id="record_to_family").responsible is None
