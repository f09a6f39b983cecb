"""Every issued letter or record kept exactly as sent (issue 12 §8): the PDF in the document
store (S3-compatible in production, var/media in development), its SHA-256, when, by whom
and to whom. Regenerating a document later may differ; this is what went out."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models


def issued_upload_to(instance: IssuedDocument, filename: str) -> str:
    return f"issued/{instance.issued_at:%Y/%m}/{filename}"


class IssuedDocument(models.Model):
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=issued_upload_to, max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    issued_at = models.DateTimeField(db_index=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                  on_delete=models.PROTECT, related_name="+")
    issued_to = models.TextField(help_text="Who it was sent to, as recorded when issued.")
    conference_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # Plain ids, as in the access log: the record of what was sent outlives any edit.
    child_ids = ArrayField(models.BigIntegerField(), default=list)

    class Meta:
        ordering = ["-issued_at", "-id"]
        triggers = [
            pgtrigger.Protect(name="issued_document_append_only",
                              operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.title} issued {self.issued_at:%Y-%m-%d}"
