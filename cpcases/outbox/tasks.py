"""Celery tasks: thin wrappers over cpcases.outbox.services."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from cpcases.outbox.services import outbox_deliver


@shared_task(name="outbox.deliver", autoretry_for=(DatabaseError,), retry_backoff=True,
             max_retries=8)
def deliver(ids: list[int] | None = None) -> dict[str, int]:
    """Send the given outbox messages (queued when the change commits). Redelivered if the
    worker dies (late acks); whatever it leaves behind, the flush sends."""
    result = outbox_deliver(ids=ids)
    return {"sent": result.sent, "failed": result.failed}


@shared_task(name="outbox.flush", autoretry_for=(DatabaseError,), retry_backoff=True,
             max_retries=3)
def flush() -> dict[str, int]:
    """Every OUTBOX_FLUSH_SECONDS (cpcases/beat.py): send whatever is pending or failing and
    due for another attempt."""
    result = outbox_deliver(ids=None)
    return {"sent": result.sent, "failed": result.failed}
