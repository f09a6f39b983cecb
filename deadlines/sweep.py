"""The escalation sweep (DOMAIN §4): run by Celery beat every DEADLINE_SWEEP_SECONDS.

Each open deadline stores when its next notice is due (`next_action_at`, a partial index on
open deadlines), so a sweep reads only the deadlines that need action now, never all of them.

Exactly once, even with two sweeps at the same time or a worker killed mid-sweep:
- a batch claims its rows with SELECT … FOR UPDATE SKIP LOCKED (a concurrent sweep skips them);
- it inserts one Escalation row per (deadline, level, due date) under a unique constraint,
  ON CONFLICT DO NOTHING, and announces only the rows it actually inserted;
- the escalations, the in-app notices and the advanced next_action_at commit together, and the
  e-mails are sent on commit: a worker dying before the commit leaves no trace, and the next
  sweep does the work once.
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
from deadlines.models import Notification
from deadlines.policy import LADDER, Level
from deadlines.selectors import EffectiveRule, effective_rules
from deadlines.services import Due, action_times, calendar_for, next_action

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000

_CLAIM = """
    SELECT id, authority_id, child_id, rule_id, due_date, due_at, next_level, responsible_id
    FROM deadlines_deadline
    WHERE status = 'open' AND next_action_at <= %s
    ORDER BY next_action_at
    LIMIT %s
    FOR UPDATE SKIP LOCKED
"""

_INSERT_ESCALATIONS = """
    INSERT INTO deadlines_escalation (deadline_id, level, due_date, created_at)
    SELECT * FROM unnest(%s::bigint[], %s::varchar[], %s::date[], %s::timestamptz[])
    ON CONFLICT DO NOTHING
    RETURNING deadline_id, level
"""

_ADVANCE = """
    UPDATE deadlines_deadline AS d
    SET next_action_at = v.at, next_level = v.level
    FROM unnest(%s::bigint[], %s::timestamptz[], %s::varchar[]) AS v(id, at, level)
    WHERE d.id = v.id
"""


@dataclass
class SweepResult:
    notices: Counter[str] = field(default_factory=Counter)  # escalations sent, per level
    notifications: int = 0
    emails: int = 0
    claimed: int = 0
    batches: int = 0

    def summary(self) -> str:
        levels = ", ".join(f"{level} {self.notices.get(level, 0)}" for level in LADDER)
        return (f"{self.claimed} deadline(s) needed action: {levels}; "
                f"{self.notifications} notification(s), {self.emails} e-mail(s) queued.")


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


def deadlines_sweep(*, now: datetime | None = None, batch_size: int = BATCH_SIZE
                    ) -> SweepResult:
    """Send every notice that is due now, each exactly once; return what was done."""
    now = now or timezone.now()
    result = SweepResult()
    policies = _Policies()
    while True:
        claimed = _sweep_batch(now=now, batch_size=batch_size, policies=policies,
                               result=result)
        if claimed == 0:  # a notice's next level may be due now too: go round until none
            break
    if result.claimed:
        logger.info("Deadline sweep: %s", result.summary())
    return result


def _sweep_batch(*, now: datetime, batch_size: int, policies: _Policies,
                 result: SweepResult) -> int:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM, [now, batch_size])
            rows = cursor.fetchall()
        if not rows:
            return 0
        ids, next_ats, next_levels = [], [], []
        esc_ids, esc_levels, esc_dues = [], [], []
        pending: dict[tuple[int, str], notifications.Notice] = {}
        for (deadline_id, authority_id, child_id, rule_id, due_date, due_at, level,
             responsible_id) in rows:
            rule = policies.rule(authority_id, rule_id)
            times = action_times(rule, Due(due_date, due_at), policies.calendar(authority_id))
            if level == Level.REMINDER and times[Level.BREACH] <= now:
                # Swept late (a worker was down): a reminder after the breach is pointless.
                level = Level.BREACH
            following, at = next_action(times, after=level, now=now)
            ids.append(deadline_id)
            next_ats.append(at)
            next_levels.append(following)
            esc_ids.append(deadline_id)
            esc_levels.append(level)
            esc_dues.append(due_date)
            pending[(deadline_id, level)] = notifications.Notice(
                deadline_id=deadline_id, child_id=child_id, level=level,
                rule_name=rule.name, due_date=due_date, due_at=due_at,
                responsible_id=responsible_id)
        with connection.cursor() as cursor:
            cursor.execute(_INSERT_ESCALATIONS,
                           [esc_ids, esc_levels, esc_dues, [now] * len(esc_ids)])
            inserted = cursor.fetchall()
            notices = [pending[(deadline_id, level)] for deadline_id, level in inserted]
            rows_to_add, emails = notifications.build(notices)
            Notification.objects.bulk_create(rows_to_add, batch_size=5000)
            cursor.execute(_ADVANCE, [ids, next_ats, next_levels])
        notifications.send_emails(emails)  # the outbox, in this transaction (issue 12 §1)
    result.claimed += len(rows)
    result.batches += 1
    result.notices.update(level for _, level in inserted)
    result.notifications += len(rows_to_add)
    result.emails += len(emails)
    return len(rows)
