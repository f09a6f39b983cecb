"""Celery tasks of the returns: thin wrappers over services (cpcases/beat.py runs them)."""

from __future__ import annotations

from celery import shared_task

from returns.dfe.readiness import refresh_every_authority


@shared_task(name="returns.refresh_readiness")
def refresh_readiness_nightly() -> int:
    """Store every authority's census readiness for the ended census years."""
    return refresh_every_authority()
