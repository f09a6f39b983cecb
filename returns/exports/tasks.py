"""Celery tasks: thin wrappers over returns.exports.services."""

from __future__ import annotations

from celery import shared_task

from returns.exports import services


@shared_task(name="returns.run_export")
def run_export(job_id: int) -> str:
    """Build one export (queued when the job is created)."""
    job = services.export_run(job_id=job_id)
    return job.status if job is not None else "skipped"


@shared_task(name="returns.expire_exports")
def expire_exports() -> int:
    """Hourly (cpcases/beat.py): delete expired export files."""
    return services.exports_expire()
