"""003 "Lead Social Worker Role, Seeing the Child": the child seen at least every 10 working
days, where they sleep at least every 6 weeks, and refused access told to the manager and the
core group. Every due date here is the engine's; the tests assert dates counted by hand."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from cpcases.accounts.models import User
from cpcases.children.models import Child, CpStage
from cpcases.chronology.models import Visit
from cpcases.core.errors import NotPermitted, ServiceError
from deadlines.models import Deadline, DeadlineStatus, Notification
from tests.chronology.conftest import at, visit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _open(child: Child, rule_id: str) -> Deadline:
    return Deadline.objects.get(child=child, rule_id=rule_id, status=DeadlineStatus.OPEN)


def test_visit_over_christmas_resets_child_seen_10_working_days_and_bedroom_6_weeks(
        sw: User, plan_child: Child) -> None:
    # Friday 18 December 2026. Working days after it: 21, 22, 23, 24 Dec (25 Christmas, 28
    # the Boxing Day substitute), 29, 30, 31 Dec (1 Jan New Year's Day), 4, 5, 6 Jan: the
    # tenth is Wednesday 6 January 2027. Six weeks after 18 December is 29 January 2027.
    with time_machine.travel(at(2026, 12, 18, 17), tick=False):
        first = visit(sw, plan_child, at(2026, 12, 18, 14))
    child_seen, bedroom_seen = _open(plan_child, "child_seen"), _open(plan_child, "bedroom_seen")
    assert child_seen.due_date == dt.date(2027, 1, 6)
    assert bedroom_seen.due_date == dt.date(2027, 1, 29)
    assert child_seen.subject == first
    assert child_seen.anchor_date == dt.date(2026, 12, 18)
    assert child_seen.responsible == sw

    # Seen again on Monday 4 January: the first clock is met and the next runs 10 working
    # days from then (5, 6, 7, 8, 11, 12, 13, 14, 15, 18 January).
    with time_machine.travel(at(2027, 1, 4, 17), tick=False):
        second = visit(sw, plan_child, at(2027, 1, 4, 11), bedroom_seen=True)
    child_seen.refresh_from_db()
    assert child_seen.status == DeadlineStatus.MET
    assert _open(plan_child, "child_seen").due_date == dt.date(2027, 1, 18)
    assert _open(plan_child, "child_seen").subject == second
    assert _open(plan_child, "bedroom_seen").due_date == dt.date(2027, 2, 15)


def test_visit_without_seeing_the_bedroom_leaves_the_bedroom_clock_alone(
        sw: User, plan_child: Child) -> None:
    with time_machine.travel(at(2026, 12, 18, 17), tick=False):
        visit(sw, plan_child, at(2026, 12, 18, 14))
    bedroom = _open(plan_child, "bedroom_seen")
    with time_machine.travel(at(2027, 1, 4, 17), tick=False):
        visit(sw, plan_child, at(2027, 1, 4, 11), bedroom_seen=False)
    assert _open(plan_child, "bedroom_seen") == bedroom
    bedroom.refresh_from_db()
    assert bedroom.due_date == dt.date(2027, 1, 29)
    assert bedroom.met_at is None
    assert _open(plan_child, "child_seen").due_date == dt.date(2027, 1, 18)


def test_child_seen_late_closes_the_clock_as_missed(sw: User, plan_child: Child) -> None:
    with time_machine.travel(at(2026, 12, 18, 17), tick=False):
        visit(sw, plan_child, at(2026, 12, 18, 14), bedroom_seen=False)
    first = _open(plan_child, "child_seen")
    with time_machine.travel(at(2027, 1, 8, 17), tick=False):
        visit(sw, plan_child, at(2027, 1, 7, 10), bedroom_seen=False)
    first.refresh_from_db()
    assert first.status == DeadlineStatus.MISSED
    assert first.met_at == at(2027, 1, 7, 10)


def test_a_visit_recorded_after_a_later_one_does_not_move_the_clock_back(
        sw: User, plan_child: Child) -> None:
    with time_machine.travel(at(2027, 1, 8, 17), tick=False):
        later = visit(sw, plan_child, at(2027, 1, 7, 10))
        visit(sw, plan_child, at(2027, 1, 4, 10))
    assert _open(plan_child, "child_seen").subject == later
    assert Deadline.objects.filter(child=plan_child, rule_id="child_seen").count() == 1


def test_visits_set_no_clocks_for_a_child_not_on_a_plan(sw: User, child: Child) -> None:
    assert child.cp_stage == CpStage.SECTION_47
    with time_machine.travel(at(2026, 12, 18, 17), tick=False):
        visit(sw, child, at(2026, 12, 18, 14))
    assert not Deadline.objects.filter(child=child).exists()
    assert Visit.objects.filter(child=child).count() == 1


def test_access_refused_tells_the_manager_and_the_core_group(
        sw: User, tm: User, core_police: User, school: User, plan_child: Child,
        django_capture_on_commit_callbacks) -> None:
    with time_machine.travel(at(2026, 12, 18, 17), tick=False):
        visit(sw, plan_child, at(2026, 12, 18, 9))
        with django_capture_on_commit_callbacks(execute=True):
            refused = visit(sw, plan_child, at(2026, 12, 18, 15), child_seen=False,
                            seen_alone=None, bedroom_seen=False, access_refused=True,
                            access_refused_details="Mother would not open the door.")
    notified = set(Notification.objects.values_list("recipient__username", flat=True))
    assert notified == {"tm", "police"}
    notice = Notification.objects.get(recipient=tm)
    assert "Access refused" in notice.text
    assert "would not open the door" in notice.text
    assert notice.deadline == _open(plan_child, "child_seen")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([tm.email, core_police.email])
    # The e-mail names the child only by their ID.
    assert plan_child.la_child_id in mail.outbox[0].body
    assert plan_child.last_name not in mail.outbox[0].body
    # A refused visit does not restart the clock.
    assert _open(plan_child, "child_seen").subject != refused


def test_access_refused_needs_details_and_cannot_have_seen_the_child(
        sw: User, plan_child: Child) -> None:
    with time_machine.travel(at(2026, 12, 18, 17), tick=False):
        with pytest.raises(ServiceError, match="Describe what happened"):
            visit(sw, plan_child, at(2026, 12, 18, 15), child_seen=False, bedroom_seen=False,
                  access_refused=True)
        with pytest.raises(ServiceError, match="not seen"):
            visit(sw, plan_child, at(2026, 12, 18, 15), access_refused=True,
                  access_refused_details="Refused")
    assert not Visit.objects.exists()


def test_a_child_seen_with_someone_needs_to_say_who(sw: User, plan_child: Child) -> None:
    with time_machine.travel(at(2026, 12, 18, 17), tick=False), \
            pytest.raises(ServiceError, match="who the child was seen with"):
        visit(sw, plan_child, at(2026, 12, 18, 15), seen_alone=False)


def test_a_visit_cannot_be_in_the_future(sw: User, plan_child: Child) -> None:
    with time_machine.travel(at(2026, 12, 18, 17), tick=False), \
            pytest.raises(ServiceError, match="in the past"):
        visit(sw, plan_child, at(2026, 12, 18, 18))


def test_it_requires_a_social_worker_or_manager_to_record_a_visit(
        core_police: User, sw_b: User, plan_child: Child) -> None:
    with time_machine.travel(at(2026, 12, 18, 17), tick=False):
        with pytest.raises(NotPermitted):
            visit(core_police, plan_child, at(2026, 12, 18, 15))
        with pytest.raises(NotPermitted):
            visit(sw_b, plan_child, at(2026, 12, 18, 15))


def test_the_visitor_must_be_a_social_worker_of_the_authority(
        sw: User, plan_child: Child) -> None:
    stranger = UserFactory(role="social_worker")
    with time_machine.travel(at(2026, 12, 18, 17), tick=False), \
            pytest.raises(ServiceError, match="social worker who made the visit"):
        visit(sw, plan_child, at(2026, 12, 18, 15), visited_by=stranger)
