"""Celery tasks: thin wrappers over cpcases.health.services."""

from __future__ import annotations

from celery import shared_task

from cpcases.health.services import sweeps_watch


@shared_task(name="health.watch_sweeps")
def watch_sweeps() -> bool:
    """Every DEADLINE_SWEEP_SECONDS (cpcases/beat.py): tell administrators if sweeps stop."""
    return sweeps_watch() is not None
