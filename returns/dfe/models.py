"""What was sent to the DfE children's social care API, and the stored census readiness
results (issue 16 point 4; the readiness page's gap).

Imported by returns.models so Django registers them with the returns app (one migration
history for the app).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cpcases.accounts.models import Authority


class DfeMode(models.TextChoices):
    FULL = "full", "Every child in the cohort"
    CHANGED = "changed", "Only children whose record changed since it was last sent"


class DfeBatchStatus(models.TextChoices):
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    PARTLY_SENT = "partly_sent", "Partly sent"
    FAILED = "failed", "Failed"


class DfeBatch(models.Model):
    """One send to the DfE API (one or more HTTP requests of up to the batch size): written
    by returns.dfe.sender only."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=8, choices=DfeMode.choices)
    status = models.CharField(max_length=12, choices=DfeBatchStatus.choices,
                              default=DfeBatchStatus.SENDING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    children_count = models.PositiveIntegerField(default=0, help_text="Children to send")
    sent_count = models.PositiveIntegerField(default=0, help_text="Children the API accepted")
    requests = models.JSONField(default=list, help_text="Each HTTP request: children, "
                                                         "attempts, status")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"DfE send {self.pk} ({self.get_status_display()})"


class DfeChildSent(models.Model):
    """The last record of a child the API accepted: its hash decides "changed only"."""

    child = models.OneToOneField("children.Child", on_delete=models.CASCADE,
                                 related_name="dfe_sent")
    payload_hash = models.CharField(max_length=64)
    sent_at = models.DateTimeField()
    batch = models.ForeignKey(DfeBatch, on_delete=models.PROTECT, related_name="children_sent")

    def __str__(self) -> str:
        return f"Child {self.child_id} sent {self.sent_at:%d/%m/%Y %H:%M}"


class ReadinessRun(models.Model):
    """When the census readiness of an authority's year was last checked, by whom (None:
    the nightly task)."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    checked_at = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    children_checked = models.PositiveIntegerField(default=0)
    problems = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["authority", "year"],
                                               name="returns_readiness_run_once")]

    def __str__(self) -> str:
        return f"Readiness {self.year} checked {self.checked_at:%d/%m/%Y %H:%M}"


class ReadinessProblem(models.Model):
    """One census rule a child's record (or the whole return) breaks, as found by the last
    check: the readiness page reads these rows, it does not rebuild the census."""

    run = models.ForeignKey(ReadinessRun, on_delete=models.CASCADE, related_name="rows")
    child = models.ForeignKey("children.Child", null=True, blank=True,
                              on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=8)
    severity = models.CharField(max_length=1)  # "E" error, "Q" query (the DfE's)
    message = models.CharField(max_length=300)
    target_kind = models.CharField(max_length=16)
    target_id = models.BigIntegerField(null=True, blank=True)
    fix_url = models.CharField(max_length=200, blank=True)
    fix_text = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["run", "child"])]

    def __str__(self) -> str:
        return f"Rule {self.rule} for child {self.child_id}"
