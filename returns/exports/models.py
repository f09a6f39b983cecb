"""An export run in the background (issue 16 point 5): what was asked for, by whom, how far
it has got, and the file it made, kept in the document store until it expires."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cpcases.accounts.models import Authority
from returns.models import ReturnExport


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "In progress"
    DONE = "done", "Ready to download"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


def export_upload_to(job: ExportJob, filename: str) -> str:
    return f"return-exports/{job.authority_id}/{job.pk}/{filename}"


class ExportJob(models.Model):
    """Written only by returns.exports.services (the task updates status and progress)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32, help_text="A key of returns.exports.kinds")
    parameters = models.JSONField(default=dict)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="+")
    status = models.CharField(max_length=16, choices=JobStatus.choices,
                              default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why it failed, in plain words")
    file = models.FileField(upload_to=export_upload_to, max_length=300, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    children_count = models.PositiveIntegerField(default=0)
    record = models.ForeignKey(ReturnExport, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", help_text="Who exported what, when")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"]),
                   models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.kind}, {self.status})"

    @property
    def percent(self) -> int:
        if self.status in (JobStatus.DONE, JobStatus.EXPIRED):
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.EXPIRED)
