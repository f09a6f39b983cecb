"""Two sweeps at once against real PostgreSQL: exactly one notice per (deadline, level)."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection

from deadlines import services, sweep
from deadlines.models import Escalation, Notification
from deadlines.policy import Level, load_shipped_profiles
from tests.factories import AllocationFactory, ChildFactory

LONDON = ZoneInfo("Europe/London")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_send_each_notice_once(org, sw, tm):
    load_shipped_profiles()  # idempotent: in case an earlier transactional test flushed
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=LONDON), tick=False):
        for _ in range(60):
            child = ChildFactory(authority=org.authority)
            AllocationFactory(child=child, team=org.team_a, social_worker=sw)
            services.deadline_set(child=child, rule_id="child_seen",
                                  anchor=dt.date(2026, 2, 18))
    now = dt.datetime(2026, 3, 5, 9, tzinfo=LONDON)  # every one breached
    barrier = threading.Barrier(2)
    results: list[sweep.SweepResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(sweep.deadlines_sweep(now=now, batch_size=7))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(r.notices[Level.BREACH] for r in results) == 60
    assert Escalation.objects.filter(level=Level.BREACH).count() == 60
    assert Notification.objects.count() == 120  # social worker and team manager each
    # E-mails are one digest per recipient per batch: every notice in exactly one of each
    # recipient's e-mails.
    for address in ("sw@authority.example", "tm@authority.example"):
        lines = [line for m in mail.outbox if m.to == [address]
                 for line in m.body.splitlines() if line.startswith("Overdue:")]
        assert len(lines) == 60
        assert len(set(lines)) == 60
