"""Abstract bases shared by the domain models."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A record two people may edit at once: saves are conditional on the version read.

    See cpcases.core.concurrency.save_if_unchanged: the second of two concurrent edits is
    refused instead of silently overwriting the first.
    """

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class FormToken(models.Model):
    """One submission of a create form (or one API `Idempotency-Key`), consumed in the same
    transaction as the write it caused: a second submission with the same token finds this
    row and is sent to what the first one made instead of making it again.

    See cpcases.core.idempotency.
    """

    owner = models.CharField(max_length=80, help_text="user:<id>, or a hash of the API "
                                                      "credential")
    token = models.CharField(max_length=120)
    path = models.CharField(max_length=500)
    result_url = models.CharField(max_length=500, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.BinaryField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    child_ids = models.JSONField(default=list, blank=True,
                                 help_text="The children the stored API answer shows (a "
                                           "replay is logged as showing them again)")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "token"],
                                               name="core_formtoken_once")]

    def __str__(self) -> str:
        return f"{self.path} ({self.created_at:%Y-%m-%d %H:%M})"
