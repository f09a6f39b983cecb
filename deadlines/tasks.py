"""Celery tasks: thin wrappers over services; errors propagate (no broad except)."""

from __future__ import annotations

from celery import shared_task

from deadlines.sweep import deadlines_sweep


@shared_task(name="deadlines.sweep")
def sweep_deadlines() -> dict[str, int]:
    """Send the notices due now (cpcases/beat.py runs this every DEADLINE_SWEEP_SECONDS)."""
    result = deadlines_sweep()
    return {**result.notices, "notifications": result.notifications, "emails": result.emails}
