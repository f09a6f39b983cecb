"""Heartbeats, the health report and the watch that tells administrators when the deadline
sweep has stopped (issue 12 §2)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import Role
from cpcases.health.models import Heartbeat, SystemAlert
from cpcases.outbox.services import outbox_enqueue

logger = logging.getLogger(__name__)
SWEEP = "deadline sweep"
SWEEP_STOPPED = "sweep-stopped"


def heartbeat_record(*, name: str, at: datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(name=name,
                                       defaults={"last_success_at": at or timezone.now()})


def stale_after_seconds() -> int:
    """Sweeps have stopped once none has succeeded for more than two intervals."""
    return 2 * settings.DEADLINE_SWEEP_SECONDS


@dataclass
class Health:
    checks: dict[str, str] = field(default_factory=dict)
    sweep_age_seconds: float | None = None

    @property
    def ok(self) -> bool:
        return all(v == "ok" for v in self.checks.values())


def health_report(*, now: datetime | None = None) -> Health:
    """PostgreSQL, Redis and the age of the last successful sweep; each failure named."""
    now = now or timezone.now()
    health = Health()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        health.checks["database"] = "ok"
    except Exception as exc:  # report, never raise: this is the health check
        health.checks["database"] = f"failing: {type(exc).__name__}"
    try:
        import redis

        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2,
                             socket_connect_timeout=2).ping()
        health.checks["redis"] = "ok"
    except Exception as exc:  # report, never raise
        health.checks["redis"] = f"failing: {type(exc).__name__}"
    if health.checks["database"] == "ok":
        beat = Heartbeat.objects.filter(name=SWEEP).first()
        if beat is None:
            health.checks["sweep"] = "failing: no sweep has succeeded yet"
        else:
            health.sweep_age_seconds = (now - beat.last_success_at).total_seconds()
            health.checks["sweep"] = ("ok" if health.sweep_age_seconds
                                      <= stale_after_seconds()
                                      else "failing: no sweep for over two intervals")
    return health


@transaction.atomic
def sweeps_watch(*, now: datetime | None = None) -> SystemAlert | None:
    """Raise one alert (in-app and by e-mail to administrators) when sweeps stop; resolve it
    when they are back. Returns the alert raised, if any."""
    now = now or timezone.now()
    beat = Heartbeat.objects.filter(name=SWEEP).first()
    stale = beat is not None and (now - beat.last_success_at).total_seconds() > (
        stale_after_seconds())
    open_alert = SystemAlert.objects.select_for_update().filter(
        key=SWEEP_STOPPED, resolved_at__isnull=True).first()
    if not stale:
        if open_alert is not None:
            open_alert.resolved_at = now
            open_alert.save(update_fields=["resolved_at"])
        return None
    if open_alert is not None:
        return None
    when = timezone.localtime(beat.last_success_at).strftime("%-d %B %Y at %H:%M")
    text = (f"Deadline reminders and escalations have stopped: the last sweep finished on "
            f"{when}. Check the Celery worker and beat, and Redis.")
    alert = SystemAlert.objects.create(key=SWEEP_STOPPED, text=text, raised_at=now)
    admins = sorted({u.email for u in User.objects.filter(
        role=Role.ADMINISTRATOR, is_active=True) if u.email})
    if admins:
        outbox_enqueue(message=EmailMessage(
            "Deadline sweeps have stopped", f"{text}\n\n{settings.SERVICE_NAME}",
            settings.DEFAULT_FROM_EMAIL, admins), kind="system alert")
    logger.error("Health: %s", text)
    return alert


def open_alerts() -> list[SystemAlert]:
    return list(SystemAlert.objects.filter(resolved_at__isnull=True)[:5])
