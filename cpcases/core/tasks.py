"""Celery tasks: thin wrappers over cpcases.core services."""

from __future__ import annotations

from celery import shared_task

from cpcases.core.idempotency import purge_form_tokens


@shared_task(name="core.purge_form_tokens")
def purge_form_tokens_task() -> int:
    """Nightly (cpcases/beat.py): forget one-time form tokens older than two days."""
    return purge_form_tokens()
