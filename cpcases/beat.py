"""The Celery beat schedule, declared in one place with readable names.

cpcases.settings.base builds CELERY_BEAT_SCHEDULE from this with its DEADLINE_SWEEP_SECONDS.
"""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

DEADLINE_SWEEP = "deadline escalation sweep"
OUTBOX_FLUSH = "e-mail outbox flush"
SWEEP_WATCH = "deadline sweep watch"
FORM_TOKEN_PURGE = "one-time form token purge"  # noqa: S105 - a name, not a secret
RETURNS_READINESS = "census readiness refresh"


def beat_schedule(*, sweep_seconds: int, outbox_seconds: int = 60
                  ) -> dict[str, dict[str, Any]]:
    if sweep_seconds <= 0:
        raise ValueError("DEADLINE_SWEEP_SECONDS must be a positive number of seconds")
    return {
        # DOMAIN §4: reminders, breach notices and escalations of statutory deadlines.
        DEADLINE_SWEEP: {
            "task": "deadlines.sweep",
            "schedule": float(sweep_seconds),
            # A sweep still queued when the next is due is redundant: the next one does it.
            "options": {"expires": float(sweep_seconds)},
        },
        # Issue 12 §2: administrators are told when sweeps have stopped.
        SWEEP_WATCH: {
            "task": "health.watch_sweeps",
            "schedule": float(sweep_seconds),
            "options": {"expires": float(sweep_seconds)},
        },
        # Issue 12 §1: e-mail still pending or failing (a worker died, the relay failed, the
        # broker was down when the change committed) is tried again.
        OUTBOX_FLUSH: {
            "task": "outbox.flush",
            "schedule": float(outbox_seconds),
            "options": {"expires": float(outbox_seconds)},
        },
        # Issue 12 §4: one-time form tokens are remembered for two days, then forgotten
        # nightly (decisions §25, §27).
        FORM_TOKEN_PURGE: {
            "task": "core.purge_form_tokens",
            "schedule": crontab(hour=3, minute=15),
        },
        # Issue 16: the return readiness page reads what this stores, every night at 02:30.
        RETURNS_READINESS: {
            "task": "returns.refresh_readiness",
            "schedule": crontab(hour=2, minute=30),
            "options": {"expires": 6 * 3600.0},
        },
    }
