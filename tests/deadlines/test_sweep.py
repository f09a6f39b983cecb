"""The escalation sweep (DOMAIN §4): reminder, breach, service manager, head of service;
each notice once; only what needs action is read."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from deadlines import services, sweep
from deadlines.models import Deadline, Escalation, Notification, PolicyProfile
from deadlines.policy import Level, load_shipped_profiles

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC


@pytest.fixture(autouse=True)
def _shipped_profiles(db):
    """The migration loads them; a transactional test elsewhere may have flushed them."""
    if not PolicyProfile.objects.filter(shipped=True).exists():
        load_shipped_profiles()


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def seen(child):
    """child_seen: 10 wd after Monday 2 March 2026, so due Monday 16 March (003)."""
    return services.deadline_set(child=child, rule_id="child_seen", anchor=dt.date(2026, 3, 2))


@pytest.fixture(autouse=True)
def _early_march_2026():
    """Deadlines are set on 2 March 2026 (their reminders still ahead); sweeps pass `now`."""
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        yield


def _sweep(now: dt.datetime, capture) -> sweep.SweepResult:
    with capture(execute=True):
        return sweep.deadlines_sweep(now=now)


def _recipients(level: str) -> set[str]:
    return set(Notification.objects.filter(level=level)
               .values_list("recipient__username", flat=True))


def test_the_next_action_is_stored_on_the_deadline(seen):
    # 2 working days before 16 March is Thursday 12 March.
    assert (seen.next_level, seen.next_action_at) == (Level.REMINDER, at(2026, 3, 12))


def test_nothing_is_sent_before_the_reminder_is_due(seen, django_capture_on_commit_callbacks):
    result = _sweep(at(2026, 3, 11, 23, 59), django_capture_on_commit_callbacks)
    assert result.claimed == 0
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_reminder_goes_to_the_responsible_social_worker(
        seen, tm, django_capture_on_commit_callbacks):
    result = _sweep(at(2026, 3, 12, 9), django_capture_on_commit_callbacks)
    assert result.notices[Level.REMINDER] == 1
    assert _recipients(Level.REMINDER) == {"sw"}
    assert [m.to for m in mail.outbox] == [["sw@authority.example"]]
    text = Notification.objects.get().text
    assert "Child seen by lead social worker" in text
    assert "16 March 2026" in text
    seen.refresh_from_db()
    assert (seen.next_level, seen.next_action_at) == (Level.BREACH, at(2026, 3, 17))


def test_breach_goes_to_the_social_worker_and_their_team_manager(
        seen, tm, django_capture_on_commit_callbacks):
    _sweep(at(2026, 3, 17, 0, 5), django_capture_on_commit_callbacks)
    # The reminder's time has passed too, but a reminder after the breach is pointless.
    assert set(Escalation.objects.values_list("level", flat=True)) == {Level.BREACH}
    assert _recipients(Level.BREACH) == {"sw", "tm"}
    assert sorted(m.to[0] for m in mail.outbox if "Overdue" in m.body) == [
        "sw@authority.example", "tm@authority.example"]
    # E-mails name the child by ID only; the in-app notice by name.
    assert all("Alfie" not in m.body for m in mail.outbox)
    assert "Alfie Example" in Notification.objects.filter(level=Level.BREACH).first().text


def test_no_breach_while_the_due_day_lasts(seen, django_capture_on_commit_callbacks):
    _sweep(at(2026, 3, 12, 9), django_capture_on_commit_callbacks)
    result = _sweep(at(2026, 3, 16, 23, 59), django_capture_on_commit_callbacks)
    assert result.claimed == 0
    assert not Escalation.objects.filter(level=Level.BREACH).exists()


def test_then_the_service_manager_then_the_head_of_service(
        seen, tm, sm, hos, django_capture_on_commit_callbacks):
    for when in (at(2026, 3, 12, 9), at(2026, 3, 17, 9)):
        _sweep(when, django_capture_on_commit_callbacks)
    # 3 working days after 16 March is Thursday 19 March: escalated from Friday 20th.
    assert _sweep(at(2026, 3, 19, 23), django_capture_on_commit_callbacks).claimed == 0
    _sweep(at(2026, 3, 20, 0, 1), django_capture_on_commit_callbacks)
    assert _recipients(Level.SERVICE_MANAGER) == {"sm"}
    # 5 working days after is Monday 23rd: head of service from Tuesday 24th.
    assert _sweep(at(2026, 3, 23, 12), django_capture_on_commit_callbacks).claimed == 0
    _sweep(at(2026, 3, 24, 8), django_capture_on_commit_callbacks)
    assert _recipients(Level.HEAD_OF_SERVICE) == {"hos"}
    seen.refresh_from_db()
    assert (seen.next_level, seen.next_action_at) == ("", None)


def test_each_notice_is_sent_once_however_often_the_sweep_runs(
        seen, tm, django_capture_on_commit_callbacks):
    for _ in range(3):
        _sweep(at(2026, 3, 17, 9), django_capture_on_commit_callbacks)
    assert Escalation.objects.filter(deadline=seen, level=Level.BREACH).count() == 1
    assert Notification.objects.filter(level=Level.BREACH).count() == 2
    assert len([m for m in mail.outbox if "Overdue" in m.body]) == 2


def test_a_met_deadline_is_not_escalated(seen, django_capture_on_commit_callbacks):
    services.deadline_meet(deadline=seen, at=at(2026, 3, 13, 10))
    assert _sweep(at(2026, 3, 30), django_capture_on_commit_callbacks).claimed == 0
    assert not Notification.objects.exists()


def test_the_sweep_reads_only_deadlines_that_need_action(
        child, django_capture_on_commit_callbacks):
    for rule_id in ("child_seen", "bedroom_seen", "first_review", "assessment", "icpc"):
        # due far in the future: never read
        services.deadline_set(child=child, rule_id=rule_id, anchor=dt.date(2027, 1, 4))
    due = services.deadline_set(child=child, rule_id="decision_letter",
                                anchor=dt.date(2026, 3, 2))
    result = _sweep(at(2026, 3, 3, 9), django_capture_on_commit_callbacks)
    assert result.claimed == 1
    assert Escalation.objects.get().deadline == due


def test_a_worker_killed_after_claiming_loses_and_duplicates_nothing(
        seen, tm, monkeypatch, django_capture_on_commit_callbacks):
    def die(notices):
        raise SystemExit("worker killed")

    monkeypatch.setattr(sweep.notifications, "build", die)
    with pytest.raises(SystemExit):
        _sweep(at(2026, 3, 17, 9), django_capture_on_commit_callbacks)
    assert not Escalation.objects.exists()
    assert mail.outbox == []
    seen.refresh_from_db()
    assert seen.next_level == Level.REMINDER  # nothing advanced: the claim was rolled back
    monkeypatch.undo()
    _sweep(at(2026, 3, 17, 9), django_capture_on_commit_callbacks)
    _sweep(at(2026, 3, 17, 9, 5), django_capture_on_commit_callbacks)
    assert _recipients(Level.BREACH) == {"sw", "tm"}
    assert Notification.objects.filter(level=Level.BREACH).count() == 2


def test_a_restricted_childs_name_is_not_in_the_notices(
        restricted_child, tm, django_capture_on_commit_callbacks):
    services.deadline_set(child=restricted_child, rule_id="decision_letter",
                          anchor=dt.date(2026, 3, 2))
    _sweep(at(2026, 3, 5, 9), django_capture_on_commit_callbacks)
    texts = list(Notification.objects.values_list("text", flat=True))
    assert texts
    assert all("Rosa" not in t for t in texts)


def test_moving_the_anchor_starts_a_new_ladder_for_the_new_due_date(
        seen, tm, django_capture_on_commit_callbacks):
    _sweep(at(2026, 3, 17, 9), django_capture_on_commit_callbacks)
    moved = services.deadline_set(child=seen.child, rule_id="child_seen",
                                  anchor=dt.date(2026, 3, 16))
    assert moved.pk == seen.pk
    assert moved.due_date == dt.date(2026, 3, 30)
    assert moved.next_level == Level.REMINDER
    _sweep(at(2026, 3, 31, 9), django_capture_on_commit_callbacks)
    assert Escalation.objects.filter(deadline=seen, level=Level.BREACH).count() == 2


@pytest.mark.parametrize(("utc_now", "sent"), [
    # 25 Oct 2026: 01:30 BST (the first 01:30) is 00:30 UTC; the breach fell at midnight.
    (dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC), True),
    # 01:30 GMT (the second 01:30).
    (dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC), True),
    # 23:30 BST on the 24th: the due day is not over.
    (dt.datetime(2026, 10, 24, 22, 30, tzinfo=UTC), False),
])
def test_sweep_at_half_past_one_on_the_october_clock_change(
        child, utc_now, sent, django_capture_on_commit_callbacks):
    # plan_distributed: 5 days after a core group on Monday 19 October, due Saturday 24th.
    deadline = services.deadline_set(child=child, rule_id="plan_distributed",
                                     anchor=dt.date(2026, 10, 19))
    assert deadline.due_date == dt.date(2026, 10, 24)
    with time_machine.travel(utc_now, tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        sweep.deadlines_sweep()
    assert Escalation.objects.filter(level=Level.BREACH).exists() is sent


@pytest.mark.parametrize(("utc_now", "sent"), [
    # 28 Mar 2027: 01:30 GMT, half an hour before the clocks go forward.
    (dt.datetime(2027, 3, 28, 1, 30, tzinfo=UTC), True),
    # 23:30 GMT on the 27th: still the due day.
    (dt.datetime(2027, 3, 27, 23, 30, tzinfo=UTC), False),
])
def test_sweep_at_half_past_one_on_the_march_clock_change(
        child, utc_now, sent, django_capture_on_commit_callbacks):
    deadline = services.deadline_set(child=child, rule_id="plan_distributed",
                                     anchor=dt.date(2027, 3, 22))
    assert deadline.due_date == dt.date(2027, 3, 27)
    with time_machine.travel(utc_now, tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        sweep.deadlines_sweep()
    assert Escalation.objects.filter(level=Level.BREACH).exists() is sent


def test_hour_rule_breach_at_the_exact_clock_hour_across_the_change(
        child, bso, django_capture_on_commit_callbacks):
    # 24 h after 12:00 BST on 24 October is 11:00 GMT on the 25th.
    deadline = services.deadline_set(child=child, rule_id="icpc_date_offered",
                                     anchor=at(2026, 10, 24, 12), responsible=bso)
    _sweep(at(2026, 10, 25, 10, 59), django_capture_on_commit_callbacks)
    assert not Escalation.objects.filter(level=Level.BREACH).exists()
    _sweep(at(2026, 10, 25, 11, 0), django_capture_on_commit_callbacks)
    assert Escalation.objects.filter(deadline=deadline, level=Level.BREACH).exists()


def test_sweep_deadlines_command_prints_counts_per_level(seen, tm):
    out = StringIO()
    with time_machine.travel(at(2026, 3, 17, 9), tick=False):
        call_command("sweep_deadlines", stdout=out)
    lines = out.getvalue().splitlines()
    assert "breach: 1" in lines
    assert "reminder: 0" in lines
    assert "notifications: 2" in lines
    assert Deadline.objects.get().next_level == Level.SERVICE_MANAGER
