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
