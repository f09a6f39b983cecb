"""Watching the service (issue 12 §2): /healthz names PostgreSQL, Redis and the age of the
last successful sweep; when sweeps stop for more than two intervals administrators are told,
on every page and by e-mail, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from cpcases.celery import app
from cpcases.health.models import Heartbeat, SystemAlert
from cpcases.health.services import SWEEP, heartbeat_record, sweeps_watch
from cpcases.health.signals import _sweep_succeeded

pytestmark = pytest.mark.django_db


def _ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


def test_healthz_is_ok_while_database_redis_and_sweeps_are(client, settings):
    heartbeat_record(name=SWEEP, at=_ago(10))
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"] == {"database": "ok", "redis": "ok", "sweep": "ok"}
    assert 9 <= body["last_sweep_age_seconds"] < 60
    assert "no-cache" in response["Cache-Control"]


def test_healthz_fails_when_no_sweep_for_more_than_two_intervals(client, settings):
    heartbeat_record(name=SWEEP, at=_ago(2 * settings.DEADLINE_SWEEP_SECONDS + 30))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["sweep"].startswith("failing")


def test_healthz_fails_and_names_redis_when_it_is_unreachable(client, settings):
    heartbeat_record(name=SWEEP, at=_ago(1))
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("failing")


def test_a_successful_sweep_task_is_a_heartbeat():
    import deadlines.tasks  # noqa: F401

    _sweep_succeeded(sender=app.tasks["deadlines.sweep"])
    assert (timezone.now() - Heartbeat.objects.get(name=SWEEP).last_success_at
            ).total_seconds() < 5


def test_administrators_are_told_once_when_sweeps_stop_and_it_clears_when_they_resume(
        client, settings, admin_user, sw, django_capture_on_commit_callbacks):
    heartbeat_record(name=SWEEP, at=_ago(2 * settings.DEADLINE_SWEEP_SECONDS + 30))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeps_watch() is not None
        assert sweeps_watch() is None  # told once, not every interval
    assert [m.to for m in mail.outbox] == [[admin_user.email]]
    assert "Deadline sweeps have stopped" in mail.outbox[0].subject

    client.force_login(admin_user)
    assert "reminders and escalations have stopped" in client.get("/deadlines/").content.decode()
    client.force_login(sw)
    assert "have stopped" not in client.get("/deadlines/").content.decode()

    heartbeat_record(name=SWEEP)
    sweeps_watch()
    assert not SystemAlert.objects.filter(resolved_at__isnull=True).exists()
