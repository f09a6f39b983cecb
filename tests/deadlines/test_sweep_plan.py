"""The sweep's claim reads the work list through its index whatever the table's statistics
say (issue 13 §4): right after a bulk load (no statistics), and with statistics taken when
nothing was due, a planner left to itself may scan and sort every open deadline per batch."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from deadlines import sweep

NOW = dt.datetime(2026, 3, 16, 9, tzinfo=dt.UTC)
ROWS = 20_000


def _load(child, *, due: bool, rows: int = ROWS) -> None:
    """ROWS open deadlines for the child, all due now or all weeks ahead, as a bulk load
    (one statement, row triggers off as in bench/bench_sweep.py; no ANALYZE)."""
    next_action = NOW - dt.timedelta(hours=1) if due else NOW + dt.timedelta(days=40)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("""
            INSERT INTO deadlines_deadline (authority_id, child_id, rule_id, object_id, variant,
                anchor_date, due_date, status, cancelled_reason, delay_reason, ended_by_event,
                holder, next_action_at, next_level, created_at, updated_at)
            SELECT %(authority)s, %(child)s, 'child_seen', n, '', %(day)s, %(day)s, 'open', '',
                   '', '', '', %(next)s, 'breach', %(now)s, %(now)s
            FROM generate_series(1, %(rows)s) AS n
        """, {"authority": child.authority_id, "child": child.pk, "day": NOW.date(),
              "next": next_action, "now": NOW, "rows": rows})
        cursor.execute("SET LOCAL session_replication_role = origin")


def _assert_index_driven(plan: str) -> None:
    # The queue's index drives; each deadline is read by its key (decisions §35, §43).
    assert "Index Scan using deadline_sweep_queue" in plan, plan
    assert "Index Scan using deadlines_deadline_pkey" in plan, plan
    assert "Seq Scan" not in plan, plan
    assert "Sort" not in plan, plan
    assert "Hash" not in plan, plan
    assert "Merge" not in plan, plan


@pytest.mark.django_db
def test_the_claim_reads_its_index_after_a_bulk_load_with_no_statistics(child):
    _load(child, due=True)
    _assert_index_driven(sweep.claim_plan(now=NOW))


@pytest.mark.django_db
def test_the_claim_reads_its_index_when_the_statistics_say_nothing_is_due(child):
    _load(child, due=False)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE deadlines_deadline, deadlines_sweepqueue")
        # Everything falls due at once (a long outage, a policy change): stale statistics.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE deadlines_deadline SET next_action_at = %s WHERE child_id = %s",
                       [NOW - dt.timedelta(hours=1), child.pk])
        cursor.execute("SET LOCAL session_replication_role = origin")
    _assert_index_driven(sweep.claim_plan(now=NOW))


@pytest.mark.django_db
def test_the_claim_reads_its_index_on_an_empty_table_too():
    _assert_index_driven(sweep.claim_plan(now=NOW))


@pytest.mark.django_db
def test_the_claims_of_one_sweep_read_each_due_row_once(child):
    """Batches resume after the last row claimed: the claim of batch k does not re-read the
    rows batches 1..k-1 advanced (no quadratic sweep)."""
    _load(child, due=True, rows=600)
    result = sweep.deadlines_sweep(now=NOW, batch_size=200)
    assert result.claimed == 600
    assert result.batches == 3
