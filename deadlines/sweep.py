"""The escalation sweep (DOMAIN §4): run by Celery beat every DEADLINE_SWEEP_SECONDS.

Each open deadline stores when its next notice is due (`next_action_at`), copied by triggers
into the narrow queue table SweepQueue and its index, so a sweep reads only the deadlines that
need action now, never all of them.

Exactly once, even with two sweeps at the same time or a worker killed mid-sweep:
- a batch claims its rows with SELECT … FOR UPDATE SKIP LOCKED (a concurrent sweep skips them);
- it inserts one Escalation row per (deadline, level, due date) under a unique constraint,
  ON CONFLICT DO NOTHING, and announces only the rows it actually inserted;
- the escalations, the in-app notices and the advanced next_action_at commit together: a
  worker dying before the commit leaves no trace, and the next sweep does the work once.

What people read (issue 9 point 8): each person gets ONE digest per sweep, in-app and by
e-mail, whatever the number of batches: the batches share a recipient → digest mapping, and
the e-mails go after the last batch, one per digest, each digest claimed with SKIP LOCKED and
marked sent (deadlines.notifications.send_digests; a digest left unsent by a dead worker is
sent by a later sweep).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from deadlines import notifications
from deadlines.calendar import WorkingDayCalendar
from deadlines.policy import LADDER, Level
from deadlines.selectors import EffectiveRule, effective_rules
from deadlines.services import Due, action_times, calendar_for, next_action

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000  # measured best of 2000 and 5000 at 1,000,000 (decisions §35)

# The work list, read through deadline_sweep_queue (the narrow SweepQueue table by
# (next_action_at, deadline)) and each deadline by its key, nothing else: each batch resumes
# after the last row the previous one claimed, so a sweep reads each due row once however
# many there are (issue 13 §4). The deadline row is the one locked, as every service that
# changes a deadline locks it; its own status and next_action_at are checked again, so a row
# another sweep advanced after this statement's snapshot is not claimed twice.
_CLAIM = """
    SELECT d.id, d.authority_id, d.child_id, d.rule_id, d.due_date, d.due_at, d.next_level,
           d.responsible_id, q.next_action_at
    FROM deadlines_sweepqueue AS q
    JOIN deadlines_deadline AS d ON d.id = q.deadline_id
    WHERE q.next_action_at <= %(now)s
      AND (q.next_action_at, q.deadline_id) > (%(after_at)s, %(after_id)s)
      AND d.status = 'open' AND d.next_action_at <= %(now)s
    ORDER BY q.next_action_at, q.deadline_id
    LIMIT %(limit)s
    FOR UPDATE OF d SKIP LOCKED
"""

# The plan must not depend on the statistics: right after a bulk load, or with statistics
# taken when nothing was due, the planner may otherwise choose a sequential scan and a sort
# of every queued deadline for each batch (quadratic over a sweep), or a hash join over the
# whole deadline table. With these off for the claim only, the only plan left is the index
# scan of deadline_sweep_queue, each deadline read by its primary key (without
# enable_material off, a planner with no statistics on the deadline table, which then looks
# small, chose a nested loop over a materialised scan of every open deadline). JIT off: the disabled
# plans' penalty puts the estimate above jit_above_cost, and compiling the claim cost
# ≈ 0.4 s a batch (measured, EXPLAIN ANALYZE at 5,000,000) for a query of a few ms.
_INDEX_ONLY = ("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; "
               "SET LOCAL enable_sort = off; SET LOCAL enable_hashjoin = off; "
               "SET LOCAL enable_mergejoin = off; SET LOCAL enable_material = off; "
               "SET LOCAL jit = off")
_PLANNER_DEFAULTS = ("RESET enable_seqscan; RESET enable_bitmapscan; RESET enable_sort; "
                     "RESET enable_hashjoin; RESET enable_mergejoin; RESET enable_material; "
                     "RESET jit")
_START = ("-infinity", 0)  # before every row: a round starts from the oldest

# One statement per batch each, the arrays bound in binary (%b, arrays_cursor()). The advance
# is a HOT update of the deadline rows (no index holds its columns, decisions §43); the
# trigger deadline_sweep_queue_update moves their queue rows in one statement.
_INSERT_ESCALATIONS = """
    INSERT INTO deadlines_escalation (deadline_id, level, due_date, created_at)
    SELECT d, l, due, %b FROM unnest(%b::bigint[], %b::varchar[], %b::date[]) AS v(d, l, due)
    ON CONFLICT DO NOTHING
    RETURNING deadline_id, level
"""

_ADVANCE = """
    UPDATE deadlines_deadline AS d
    SET next_action_at = v.at, next_level = v.level
    FROM unnest(%b::bigint[], %b::timestamptz[], %b::varchar[]) AS v(id, at, level)
    WHERE d.id = v.id
"""


@dataclass
class SweepResult:
    notices: Counter[str] = field(default_factory=Counter)  # escalations sent, per level
    notifications: int = 0
    digests: int = 0
    emails: int = 0
    claimed: int = 0
    batches: int = 0

    def summary(self) -> str:
        levels = ", ".join(f"{level} {self.notices.get(level, 0)}" for level in LADDER)
        return (f"{self.claimed} deadline(s) needed action: {levels}; "
                f"{self.notifications} notice(s) in {self.digests} digest(s), "
                f"{self.emails} e-mail(s) sent.")


class _Policies:
    """Each authority's rules and calendar, loaded once per sweep."""

    def __init__(self) -> None:
        self._rules: dict[int, dict[str, EffectiveRule]] = {}
        self._calendars: dict[int, WorkingDayCalendar] = {}

    def rule(self, authority_id: int, rule_id: str) -> EffectiveRule:
        if authority_id not in self._rules:
            self._rules[authority_id] = effective_rules(authority_id)
        return self._rules[authority_id][rule_id]

    def calendar(self, authority_id: int) -> WorkingDayCalendar:
        if authority_id not in self._calendars:
            self._calendars[authority_id] = calendar_for(authority_id)
        return self._calendars[authority_id]


def claim_plan(*, now: datetime, batch_size: int = BATCH_SIZE) -> str:
    """The claim's query plan, as the sweep runs it (EXPLAIN; tests assert an index scan)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_INDEX_ONLY)
        cursor.execute("EXPLAIN " + _CLAIM, {"now": now, "after_at": _START[0],
                                             "after_id": _START[1], "limit": batch_size})
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(_PLANNER_DEFAULTS)
    return plan


def deadlines_sweep(*, now: datetime | None = None, batch_size: int = BATCH_SIZE
                    ) -> SweepResult:
    """Send every notice that is due now, each exactly once; return what was done."""
    now = now or timezone.now()
    result = SweepResult()
    policies = _Policies()
    digests: dict[int, int] = {}  # recipient → their digest of this sweep
    tally: dict[int, Counter[str]] = {}  # digest → its notices so far, per level
    after: tuple[datetime | str, int] | None = _START
    round_claimed = 0
    while True:
        after = _sweep_batch(now=now, batch_size=batch_size, policies=policies,
                             result=result, digests=digests, tally=tally, after=after)
        if after is not None:
            round_claimed += 1
            continue
        # The end of a round. A notice's next level may be due now too (a sweep after a
        # long outage): go round again from the oldest until a round claims nothing.
        if round_claimed == 0:
            break
        after, round_claimed = _START, 0
    result.digests = len(digests)
    result.emails = notifications.send_digests(digests.values(), now=now)
    if result.claimed:
        logger.info("Deadline sweep: %s", result.summary())
    return result


def _sweep_batch(*, now: datetime, batch_size: int, policies: _Policies,
                 result: SweepResult, digests: dict[int, int],
                 tally: dict[int, Counter[str]], after: tuple[datetime | str, int]
                 ) -> tuple[datetime, int] | None:
    """Claim and announce one batch after `after`; return where the next batch starts, or
    None when nothing is left in this round."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_INDEX_ONLY)
            cursor.execute(_CLAIM, {"now": now, "after_at": after[0], "after_id": after[1],
                                    "limit": batch_size})
            rows = cursor.fetchall()
            cursor.execute(_PLANNER_DEFAULTS)
        if not rows:
            return None
        ids, next_ats, next_levels = [], [], []
        esc_levels, esc_dues = [], []
        pending: dict[tuple[int, str], notifications.Notice] = {}
        for (deadline_id, authority_id, child_id, rule_id, due_date, due_at, level,
             responsible_id, _at) in rows:
            rule = policies.rule(authority_id, rule_id)
            times = action_times(rule, Due(due_date, due_at), policies.calendar(authority_id))
            if level == Level.REMINDER and times[Level.BREACH] <= now:
                # Swept late (a worker was down): a reminder after the breach is pointless.
                level = Level.BREACH
            following, at = next_action(times, after=level, now=now)
            ids.append(deadline_id)
            next_ats.append(at)
            next_levels.append(following)
            esc_levels.append(level)
            esc_dues.append(due_date)
            pending[(deadline_id, level)] = notifications.Notice(
                deadline_id=deadline_id, child_id=child_id, level=level,
                rule_name=rule.name, due_date=due_date, due_at=due_at,
                responsible_id=responsible_id)
        with notifications.arrays_cursor() as cursor:
            cursor.execute(_INSERT_ESCALATIONS, [now, ids, esc_levels, esc_dues])
            inserted = cursor.fetchall()
            notices = [pending[(deadline_id, level)] for deadline_id, level in inserted]
            rows_to_add = notifications.build(notices)
            notifications.deliver(rows_to_add, digests=digests, tally=tally)
            cursor.execute(_ADVANCE, [ids, next_ats, next_levels])
    result.claimed += len(rows)
    result.batches += 1
    result.notices.update(level for _, level in inserted)
    result.notifications += len(rows_to_add)
    last = rows[-1]
    return (last[8], last[0])
