"""The beat schedule, and the sweep task end to end through real Redis and a real worker."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from cpcases.beat import DEADLINE_SWEEP, beat_schedule
from cpcases.celery import app
from deadlines import services
from deadlines.models import Escalation, Notification
from deadlines.policy import Level, load_shipped_profiles

LONDON = ZoneInfo("Europe/London")


def test_beat_runs_the_sweep_every_deadline_sweep_seconds():
    entry = settings.CELERY_BEAT_SCHEDULE[DEADLINE_SWEEP]
    assert entry["task"] == "deadlines.sweep"
    assert entry["schedule"] == float(settings.DEADLINE_SWEEP_SECONDS)
    assert beat_schedule(sweep_seconds=60)[DEADLINE_SWEEP]["schedule"] == 60.0


def test_a_nonsense_interval_is_refused():
    with pytest.raises(ValueError, match="DEADLINE_SWEEP_SECONDS"):
        beat_schedule(sweep_seconds=0)


def test_the_scheduled_task_is_registered():
    import deadlines.tasks  # noqa: F401

    assert "deadlines.sweep" in app.tasks


@pytest.mark.django_db(transaction=True)
def test_the_sweep_task_runs_end_to_end_through_redis_and_a_worker(child, sw, tm):
    import deadlines.tasks  # noqa: F401  (registers the task with the app)

    load_shipped_profiles()  # idempotent: in case an earlier transactional test flushed
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=LONDON), tick=False):
        deadline = services.deadline_set(child=child, rule_id="child_seen",
                                         anchor=dt.date(2026, 3, 2))
    # The deadline is long overdue by the real clock: the breach is due now.
    queue = f"deadlines-test-{uuid.uuid4().hex[:8]}"
    assert app.conf.broker_url.startswith("redis://")
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False,
                      queues=[queue], shutdown_timeout=30):
        app.send_task("deadlines.sweep", queue=queue)
        # No result backend: watch for the effects (e-mails go after the sweep commits).
        _wait_for(lambda: len(mail.outbox) >= 2)
    assert Escalation.objects.filter(deadline=deadline, level=Level.BREACH).exists()
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "sw", "tm"}
    assert sorted(m.to[0] for m in mail.outbox) == ["sw@authority.example",
                                                    "tm@authority.example"]


def _wait_for(condition, timeout: float = 60.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not run the sweep in time")
