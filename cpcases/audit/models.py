"""Who looked at which child, and who exported what. Changes are in pghistory's event tables.

Both are append-only: PostgreSQL triggers refuse UPDATE and DELETE, so no code path in the
app (ORM, bulk or raw SQL) can alter the trail.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models.fields.json import KeyTransform


class AccessAction(models.TextChoices):
    VIEW = "view", "Viewed"
    EXPORT = "export", "Exported"
    REFUSED = "refused", "Refused access"
    SEARCH = "search", "Searched"


class AccessEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING,
                             db_constraint=False, related_name="+")
    # Kept as a plain id so the trail survives the child's deletion. Indexed with the time
    # (Meta.indexes), not alone.
    child_id = models.BigIntegerField(null=True)
    action = models.CharField(max_length=16, choices=AccessAction.choices)
    # Where: the page or endpoint, and what part of the record was shown.
    path = models.CharField(max_length=500)
    section = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        # A child's accesses, latest first (the audit tab's page, its count of the latest
        # 200): read in the index's order and stopped at the page, not every access of the
        # child fetched and sorted. A much-viewed child has thousands (issue 13 §2).
        indexes = [models.Index(fields=["child_id", "at", "id"],
                                name="audit_access_child_at"),
                   # A return export's rows, by the export they name (its download logs the
                   # same children again): without it, each download read the whole trail.
                   # Partial: the other actions' inserts never touch it.
                   models.Index(KeyTransform("export", "detail"), name="audit_access_export",
                                condition=models.Q(action="export"))]
        triggers = [
            pgtrigger.Protect(name="access_event_append_only",
                              operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} child {self.child_id} at {self.at:%Y-%m-%d %H:%M}"
