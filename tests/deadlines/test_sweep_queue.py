"""The sweep's queue (SweepQueue) follows every open deadline's next action, whatever writes
the deadline: services, bulk statements, bulk loads in replica mode (issue 13 §4, decisions
§43: kept by statement triggers on the deadline table, never by the application)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from deadlines import services
from deadlines.models import Deadline, PolicyProfile, SweepQueue
from deadlines.policy import load_shipped_profiles

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _shipped_profiles(db):
    if not PolicyProfile.objects.filter(shipped=True).exists():
        load_shipped_profiles()


@pytest.fixture(autouse=True)
def _early_march_2026():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=LONDON), tick=False):
        yield


def _queued() -> dict[int, dt.datetime]:
    return dict(SweepQueue.objects.values_list("deadline_id", "next_action_at"))


@pytest.fixture
def seen(child) -> Deadline:
    return services.deadline_set(child=child, rule_id="child_seen", anchor=dt.date(2026, 3, 2))


def test_a_new_open_deadline_is_queued_at_its_next_action(seen):
    assert _queued() == {seen.pk: seen.next_action_at}


def test_a_met_deadline_leaves_the_queue(seen, sw):
    services.deadline_meet(deadline=seen, user=sw)
    assert _queued() == {}


def test_a_moved_next_action_moves_in_the_queue(seen):
    later = seen.next_action_at + dt.timedelta(days=3)
    Deadline.objects.filter(pk=seen.pk).update(next_action_at=later)
    assert _queued() == {seen.pk: later}


def test_a_deadline_with_no_next_action_is_not_queued(seen):
    Deadline.objects.filter(pk=seen.pk).update(next_action_at=None)
    assert _queued() == {}
    Deadline.objects.filter(pk=seen.pk).update(next_action_at=seen.next_action_at)
    assert _queued() == {seen.pk: seen.next_action_at}


def test_a_deleted_deadline_leaves_the_queue(seen):
    Deadline.objects.filter(pk=seen.pk).delete()
    assert _queued() == {}


def test_a_bulk_load_in_replica_mode_is_queued(child):
    """As bench/bench_sweep.py and a restore load rows: audit triggers off, the queue's on."""
    at = dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("""
            INSERT INTO deadlines_deadline (authority_id, child_id, rule_id, object_id, variant,
                anchor_date, due_date, status, cancelled_reason, delay_reason, ended_by_event,
                holder, next_action_at, next_level, created_at, updated_at)
            SELECT %(authority)s, %(child)s, 'child_seen', n, '', %(day)s, %(day)s,
                   CASE WHEN n = 3 THEN 'cancelled' ELSE 'open' END, '', '', '', '', %(at)s,
                   'breach', %(at)s, %(at)s
            FROM generate_series(1, 3) AS n
        """, {"authority": child.authority_id, "child": child.pk, "day": at.date(), "at": at})
        cursor.execute("SET LOCAL session_replication_role = origin")
    open_ids = set(Deadline.objects.filter(status="open").values_list("pk", flat=True))
    assert _queued() == dict.fromkeys(open_ids, at)
    assert len(open_ids) == 2


def test_no_index_on_the_deadline_table_holds_what_the_sweep_advances(db):
    """An index on next_action_at or next_level would make every advance write every index
    of the table (no HOT update): the queue's index is on SweepQueue (decisions §43)."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index AS i
            WHERE i.indrelid = 'deadlines_deadline'::regclass
        """)
        indexes = cursor.fetchall()
    assert indexes
    for name, definition in indexes:
        assert "next_action_at" not in definition, name
        assert "next_level" not in definition, name


def test_the_sweeps_advance_is_a_hot_update(seen):
    from deadlines import sweep

    def updates() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables "
                           "WHERE relname = 'deadlines_deadline'")
            return cursor.fetchone() or (0, 0)

    before = updates()
    result = sweep.deadlines_sweep(now=seen.next_action_at + dt.timedelta(minutes=1))
    after = updates()
    assert result.claimed == 1
    assert after[0] - before[0] >= 1
    assert after[0] - before[0] == after[1] - before[1]  # every update of the row was HOT
    seen.refresh_from_db()
    assert _queued() == {seen.pk: seen.next_action_at}  # the queue moved with it
