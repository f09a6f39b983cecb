"""The export job pages (issue 16 point 5): the job's progress (a bar and a status line that
a small script advances by polling `status`, without reloading), its download, and the
user's own jobs. Only the person who started a job sees it, and only while they may run the
returns; a download is audited, an expired one says so (410)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from cpcases.core.errors import NotPermitted
from returns.exports import kinds, selectors, services
from returns.exports.models import ExportJob, JobStatus
from returns.selectors import may_run_returns

PAGE_SIZE = 25


def _job(request: HttpRequest, pk: int) -> ExportJob:
    if not may_run_returns(request.user):
        raise PermissionDenied("Only the performance and data officer and managers may "
                               "export the statutory returns.")
    job = selectors.my_jobs(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404("No export of yours has this number")
    return job


def poll_ms() -> int:
    """How often the job page asks for the job's status (RETURNS_EXPORT_POLL_MS)."""
    return int(getattr(settings, "RETURNS_EXPORT_POLL_MS", 1000))


def describe(job: ExportJob) -> str:
    try:
        return kinds.get(job.kind).describe(job.parameters)
    except Exception:  # a kind no longer registered, or parameters from an older version
        return job.kind


def status_text(job: ExportJob) -> str:
    if job.status == JobStatus.QUEUED:
        return "Waiting to start."
    if job.status == JobStatus.RUNNING:
        if not job.total:
            return "In progress: gathering the records."
        return f"In progress: {job.percent}% done ({job.done:,} of {job.total:,})."
    if job.status == JobStatus.DONE:
        return f"Ready to download: {job.filename}, naming {job.children_count:,} children."
    if job.status == JobStatus.FAILED:
        return f"The export failed. {job.error} No file was kept."
    expired = timezone.localtime(job.expires_at) if job.expires_at else None
    return (f"This export expired{f' on {expired:%-d %B %Y}' if expired else ''} and its "
            "file has been deleted. Start a new export.")


def kept_until(job: ExportJob) -> str:
    """The "Kept until" line of the job page, as the page draws it (the script updates it when
    the job finishes while the page is open)."""
    if job.expires_at is None:
        return f"{services.expiry_days()} days after it finishes"
    return f"{timezone.localtime(job.expires_at):%-d %B %Y %H:%M}"


def status_data(job: ExportJob) -> dict[str, Any]:
    return {"id": job.pk, "kind": job.kind, "description": describe(job),
            "status": job.status, "status_label": job.get_status_display(),
            "done": job.done, "total": job.total, "percent": job.percent,
            "finished": job.finished, "error": job.error, "text": status_text(job),
            "filename": job.filename, "kept_until": kept_until(job),
            "download_url": (reverse("returns:exports:download", args=[job.pk])
                             if job.status == JobStatus.DONE else "")}


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    if not may_run_returns(request.user):
        raise PermissionDenied
    page = Paginator(selectors.my_jobs(request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "returns/exports/list.html", {
        "page": page, "rows": [(job, describe(job)) for job in page],
        "expiry_days": services.expiry_days()})


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "returns/exports/job.html", {
        "job": job, "description": describe(job), "text": status_text(job),
        "poll_ms": poll_ms(), "kept_until": kept_until(job)})


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    response = JsonResponse(status_data(_job(request, pk)))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        services.export_download(job=job, user=request.user, request=request)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    except (services.ExportExpired, services.ExportNotReady) as exc:
        status = 410 if isinstance(exc, services.ExportExpired) else 409
        return render(request, "returns/exports/job.html", {
            "job": job, "description": describe(job), "text": status_text(job),
            "refusal": str(exc), "poll_ms": poll_ms(), "kept_until": kept_until(job)},
            status=status)
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename,
                            content_type=job.content_type)
    response["Cache-Control"] = "no-store"
    return response
