"""A deadline's life (DOMAIN §4): set, recomputed when its anchor moves, met, missed,
cancelled, delayed with authorisation; audited by pghistory."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction

from cpcases.core.errors import NotPermitted, ServiceError
from deadlines import services
from deadlines.models import AuthorityPolicy, Deadline, DeadlineStatus, PolicyProfile
from deadlines.policy import load_shipped_profiles

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _shipped_profiles(db):
    """The migration loads them; a transactional test elsewhere may have flushed them."""
    if not PolicyProfile.objects.filter(shipped=True).exists():
        load_shipped_profiles()


@pytest.fixture(autouse=True)
def _december_2026():
    with time_machine.travel(dt.datetime(2026, 12, 18, 17, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def icpc(child, tm):
    return services.deadline_set(child=child, rule_id="icpc", anchor=dt.date(2026, 12, 18),
                                 subject=child)


def test_icpc_deadline_15_working_days_after_the_strategy_discussion(icpc, tm):
    assert icpc.due_date == dt.date(2027, 1, 13)
    assert icpc.status == DeadlineStatus.OPEN
    assert icpc.responsible == tm  # a team manager's rule: the child's team manager


def test_the_allocated_social_worker_is_responsible_by_default(child, sw):
    deadline = services.deadline_set(child=child, rule_id="child_seen",
                                     anchor=dt.date(2026, 12, 18))
    assert deadline.responsible == sw


def test_moving_the_anchor_recomputes_the_same_deadline(icpc):
    moved = services.deadline_set(child=icpc.child, rule_id="icpc",
                                  anchor=dt.date(2027, 1, 4), subject=icpc.child)
    assert moved.pk == icpc.pk
    assert moved.due_date == dt.date(2027, 1, 25)
    assert Deadline.objects.count() == 1


def test_one_open_deadline_per_child_rule_and_subject(icpc):
    with pytest.raises(IntegrityError), transaction.atomic():
        Deadline.objects.create(authority=icpc.authority, child=icpc.child, rule_id="icpc",
                                content_type=icpc.content_type, object_id=icpc.object_id,
                                anchor_date=icpc.anchor_date, due_date=icpc.due_date)


def test_met_on_the_due_day_is_met(icpc):
    met = services.deadline_meet(deadline=icpc, at=dt.datetime(2027, 1, 13, 16, tzinfo=LONDON))
    assert met.status == DeadlineStatus.MET
    assert met.next_action_at is None


def test_met_late_is_missed_and_keeps_when(child, icpc):
    when = dt.datetime(2027, 1, 14, 10, tzinfo=LONDON)
    missed = services.deadline_meet(child=child, rule_id="icpc", subject=child, at=when)
    assert (missed.status, missed.met_at) == (DeadlineStatus.MISSED, when)


def test_a_met_deadline_is_rejudged_when_its_anchor_moves(icpc):
    services.deadline_meet(deadline=icpc, at=dt.datetime(2027, 1, 13, 10, tzinfo=LONDON))
    later = services.deadline_set(child=icpc.child, rule_id="icpc",
                                  anchor=dt.date(2026, 12, 11), subject=icpc.child)
    assert later.status == DeadlineStatus.MISSED  # now due 6 January


def test_never_met_is_missed_without_met_at(icpc):
    missed = services.deadline_miss(deadline=icpc, reason="Child moved out of the area")
    assert (missed.status, missed.met_at) == (DeadlineStatus.MISSED, None)


def test_cancelled_when_the_anchor_is_undone(icpc):
    cancelled = services.deadline_cancel(deadline=icpc, reason="Conference no longer needed")
    assert cancelled.status == DeadlineStatus.CANCELLED
    assert cancelled.cancelled_reason == "Conference no longer needed"
    assert cancelled.next_action_at is None
    with pytest.raises(ServiceError):
        services.deadline_meet(deadline=cancelled)


def test_a_new_deadline_after_a_cancelled_one(icpc):
    services.deadline_cancel(deadline=icpc, reason="Conference cancelled")
    again = services.deadline_set(child=icpc.child, rule_id="icpc",
                                  anchor=dt.date(2027, 2, 1), subject=icpc.child)
    assert again.pk != icpc.pk
    assert again.status == DeadlineStatus.OPEN


def test_icpc_delay_authorised_by_head_of_service_in_the_national_profile(icpc, tm, hos):
    with pytest.raises(NotPermitted):
        services.deadline_authorise_delay(deadline=icpc, by=tm, reason="Complex enquiry")
    delayed = services.deadline_authorise_delay(deadline=icpc, by=hos,
                                                reason="Fabricated illness: 002 §3.4")
    assert delayed.status == DeadlineStatus.DELAY_AUTHORISED
    assert (delayed.delay_authorised_by, delayed.delay_reason) == (
        hos, "Fabricated illness: 002 §3.4")
    assert delayed.next_action_at is None


def test_icpc_delay_authorised_by_team_manager_in_wirral(org, icpc, tm, sw):
    AuthorityPolicy.objects.create(authority=org.authority,
                                   profile=PolicyProfile.objects.get(slug="wirral-002"))
    with pytest.raises(NotPermitted):
        services.deadline_authorise_delay(deadline=icpc, by=sw, reason="x")
    delayed = services.deadline_authorise_delay(deadline=icpc, by=tm, reason="Risks monitored")
    assert delayed.status == DeadlineStatus.DELAY_AUTHORISED


def test_a_manager_outside_the_case_cannot_authorise(icpc, tm_b):
    with pytest.raises(NotPermitted):
        services.deadline_authorise_delay(deadline=icpc, by=tm_b, reason="x")


def test_a_delay_needs_reasons(icpc, hos):
    with pytest.raises(ServiceError):
        services.deadline_authorise_delay(deadline=icpc, by=hos, reason=" ")


def test_every_change_is_in_the_history(icpc, sw):
    services.deadline_meet(deadline=icpc, at=dt.datetime(2027, 1, 5, tzinfo=LONDON), user=sw)
    labels = list(icpc.events.order_by("pgh_id").values_list("pgh_label", "status"))
    assert labels == [("insert", "open"), ("update", "met")]


def test_recompute_for_a_subject_after_a_closure_day_is_added(org, icpc):
    from deadlines.models import ClosureDay

    ClosureDay.objects.create(authority=org.authority, date=dt.date(2026, 12, 24))
    assert services.deadlines_recompute_for(icpc.child) == 1
    icpc.refresh_from_db()
    assert icpc.due_date == dt.date(2027, 1, 14)
