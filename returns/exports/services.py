"""Exports as background jobs (issue 16 points 5 and 7).

`export_start` checks who asks and what for (a bad period, list or year is refused naming
the field), creates the job and queues the Celery task when the transaction commits.
`export_run` (the task) builds the file with the kind's builder, reporting progress at most
every RETURNS_EXPORT_PROGRESS_SECONDS; it stores the file in the document store and records
the export (a ReturnExport row, one access-log entry per child named) only once the whole
file is built and stored: a failure stores nothing and says why on the job.
`export_download` audits each download; `exports_expire` (hourly, cpcases/beat.py) deletes
files older than RETURNS_EXPORT_EXPIRY_DAYS.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.audit.middleware import client_ip
from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.core.errors import NotPermitted, ServiceError
from returns import selectors as return_selectors
from returns import services as return_services
from returns.exports import kinds
from returns.exports.models import ExportJob, JobStatus
from returns.periods import PeriodError

logger = logging.getLogger(__name__)

# A job queued this long ago and still not started is queued again (the broker was down when
# it was started); one running this long is taken to have died with its worker.
REQUEUE_AFTER = dt.timedelta(minutes=10)
STALE_AFTER = dt.timedelta(hours=2)


class ExportExpired(ServiceError):
    """The job's file has been deleted (API: 410)."""


class ExportNotReady(ServiceError):
    """The job has not finished, or failed (API: 409)."""


def _require(user: User) -> None:
    if not return_selectors.may_run_returns(user):
        raise NotPermitted("Only the performance and data officer and managers may export "
                           "the statutory returns")


def expiry_days() -> int:
    return int(getattr(settings, "RETURNS_EXPORT_EXPIRY_DAYS", 7))


def export_start(*, user: User, kind: str, parameters: Mapping[str, Any],
                 request: HttpRequest | None = None) -> ExportJob:
    """Create the job and queue it on commit. Raises NotPermitted, or PeriodError naming
    the field for an unknown kind, a period in the future, an unknown list or a year
    outside the supported ones."""
    _require(user)
    spec = kinds.get(kind)
    kept = spec.clean(parameters, timezone.localdate())
    with transaction.atomic():
        job = ExportJob.objects.create(authority_id=user.authority_id, kind=spec.key,
                                       parameters=kept, user=user)
        # Who asked for what, when (the children named are logged when it is built).
        AccessEvent.objects.create(
            user=user, child_id=None, action=AccessAction.EXPORT,
            path=request.get_full_path()[:500] if request is not None else "export job",
            section="return-export-start", detail={"job": job.pk, "kind": spec.key,
                                                   "parameters": kept},
            ip_address=client_ip(request) if request is not None else None)
        transaction.on_commit(lambda: queue(job.pk))
    return job


def queue(job_id: int) -> None:
    """Queue the task; if the broker is down the job stays queued and the hourly sweep
    queues it again."""
    from cpcases.celery import app  # the task by name: returns.exports.tasks imports us

    try:
        app.send_task("returns.run_export", args=[job_id], retry=False,
                      queue=getattr(settings, "RETURNS_EXPORT_QUEUE", None) or None)
    except Exception:
        logger.warning("Could not queue export job %s; the hourly sweep will", job_id,
                       exc_info=True)


@dataclass
class _Progress:
    """Writes the job's progress at most every `every` seconds (and always the last)."""

    job_id: int
    every: float
    last: float = float("-inf")

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if 0 < done < total and now - self.last < self.every:
            return
        self.last = now
        ExportJob.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
            done=min(done, total), total=total)


def _fail(job_id: int, reason: str) -> None:
    ExportJob.objects.filter(pk=job_id).update(
        status=JobStatus.FAILED, error=reason[:2000], finished_at=timezone.now(),
        file="", size=0)


def export_run(*, job_id: int) -> ExportJob | None:
    """Run one job (the Celery task). A job already taken by another worker, or finished,
    is left alone."""
    claimed = ExportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), done=0, total=0)
    if not claimed:
        return None
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    stored = ""
    try:
        _require(job.user)
        spec = kinds.get(job.kind)
        progress = _Progress(job.pk, float(getattr(settings,
                                                   "RETURNS_EXPORT_PROGRESS_SECONDS", 1.0)))
        built = spec.build(job.user, dict(job.parameters), progress)
        # Stored whole, then recorded: a failure from here on deletes what was stored.
        stored = job.file.storage.save(
            job.file.field.generate_filename(job, built.filename), ContentFile(built.content))
        with transaction.atomic():
            record = return_services.record_export(built, user=job.user,
                                                   command=f"export job {job.pk}")
            now = timezone.now()
            updated = ExportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.DONE, file=stored, filename=built.filename,
                content_type=built.content_type, size=len(built.content),
                children_count=len(built.child_ids), record=record, finished_at=now,
                expires_at=now + dt.timedelta(days=expiry_days()), done=F("total"))
            if not updated:
                raise ServiceError("The export was stopped before it finished")
    except (PeriodError, ServiceError, PermissionDenied) as exc:
        _discard(stored)
        _fail(job.pk, str(exc) or "You may no longer export the statutory returns")
    except OSError as exc:
        _discard(stored)
        logger.exception("Export job %s could not store its file", job.pk)
        _fail(job.pk, f"The file could not be stored ({exc.strerror or exc}). Nothing was "
                      "kept: start the export again, or tell the system administrator if it "
                      "fails again.")
    except Exception:
        _discard(stored)
        logger.exception("Export job %s failed", job.pk)
        _fail(job.pk, f"Something went wrong while building the file (job {job.pk}). "
                      "Nothing was kept: start the export again, or tell the system "
                      "administrator if it fails again.")
    return ExportJob.objects.get(pk=job.pk)


def _discard(name: str) -> None:
    if name:
        try:
            ExportJob._meta.get_field("file").storage.delete(name)
        except OSError:
            logger.exception("Could not delete the unfinished export file %s", name)


def export_download(*, job: ExportJob, user: User, request: HttpRequest | None = None
                    ) -> ExportJob:
    """Check a download may go ahead and record it: one access-log entry per child the file
    names (as the export itself did). Raises ExportExpired, ExportNotReady."""
    _require(user)
    if job.user_id != user.pk:
        raise NotPermitted("Only the person who started an export may download it")
    if job.status == JobStatus.EXPIRED:
        raise ExportExpired(
            f"This export expired on {timezone.localtime(job.expires_at):%-d %B %Y} and its "
            "file has been deleted. Start a new export.")
    if job.status != JobStatus.DONE:
        raise ExportNotReady("The export has failed: start it again" if job.status ==
                             JobStatus.FAILED else "The export has not finished yet")
    child_ids = [] if job.record_id is None else list(AccessEvent.objects.filter(
        action=AccessAction.EXPORT, detail__export=job.record_id,
        child_id__isnull=False).values_list("child_id", flat=True))
    path = request.get_full_path()[:500] if request is not None else f"export job {job.pk}"
    ip = client_ip(request) if request is not None else None
    detail = {"job": job.pk, "return_export": job.record_id, "file": job.filename,
              "download": True}
    AccessEvent.objects.bulk_create(
        [AccessEvent(user=user, child_id=child_id, action=AccessAction.EXPORT, path=path,
                     section="return-export-download", ip_address=ip, detail=detail)
         for child_id in child_ids]
        or [AccessEvent(user=user, child_id=None, action=AccessAction.EXPORT, path=path,
                        section="return-export-download", ip_address=ip, detail=detail)],
        batch_size=2000)
    if request is not None:
        request.__dict__.setdefault("_audited_children", set()).update(child_ids)
    return job


def exports_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the files of exports past their expiry and mark them expired; queue again jobs
    left queued (the broker was down) and fail jobs whose worker died. Returns the number
    expired."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(status=JobStatus.DONE, expires_at__lte=now).only(
            "pk", "file").iterator():
        _discard(job.file.name)
        expired += ExportJob.objects.filter(pk=job.pk, status=JobStatus.DONE).update(
            status=JobStatus.EXPIRED, file="")
    for job_id in ExportJob.objects.filter(status=JobStatus.QUEUED,
                                           created_at__lte=now - REQUEUE_AFTER).values_list(
            "pk", flat=True):
        queue(job_id)
    for job_id in ExportJob.objects.filter(status=JobStatus.RUNNING,
                                           started_at__lte=now - STALE_AFTER).values_list(
            "pk", flat=True):
        _fail(job_id, "The export stopped before it finished (the server running it was "
                      "restarted). Nothing was kept: start it again.")
    return expired
