"""The child's audit page: every change (pghistory events) and every access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from pghistory.models import MiddlewareEvents

from cpcases.accounts.models import User
from cpcases.audit.models import AccessEvent
from cpcases.children.models import Child

_LABELS = {"insert": "Created", "update": "Changed", "delete": "Deleted"}
# Bookkeeping columns every write touches: listing them would bury the real change.
_HIDDEN_FIELDS = {"version", "updated_at", "updated_by", "updated_by_id", "created_at",
                  "created_by", "created_by_id", "id"}


@dataclass(frozen=True)
class ChangeEntry:
    at: datetime
    user: User | None
    what: str
    verb: str
    changes: list[tuple[str, Any, Any]]


def _model_name(label: str) -> str:
    # "children.ChildEvent" → "Child"
    return label.split(".")[-1].removesuffix("Event")


def child_audit_entries(child: Child, *, limit: int = 200) -> list[ChangeEntry]:
    events = (MiddlewareEvents.objects.references(child)
              .select_related("user").order_by("-pgh_created_at")[:limit])
    entries = []
    for event in events:
        diff = event.pgh_diff or {}
        changes = [(field.replace("_", " ").capitalize(), old_new[0], old_new[1])
                   for field, old_new in diff.items() if field not in _HIDDEN_FIELDS]
        if event.pgh_label == "update" and not changes:
            continue
        entries.append(ChangeEntry(at=event.pgh_created_at, user=event.user,
                                   what=_model_name(event.pgh_model),
                                   verb=_LABELS.get(event.pgh_label, event.pgh_label),
                                   changes=changes))
    return entries


def child_access_log(child: Child, *, limit: int = 200) -> QuerySet[AccessEvent]:
    # Only what the audit tab shows (issue 13 §2): not the detail, address or user's record.
    return (AccessEvent.objects.filter(child_id=child.pk).select_related("user")
            .only(*_ACCESS_SHOWN).order_by("-at", "-id")[:limit])


_ACCESS_SHOWN = ("at", "action", "path", "section", "user__full_name", "user__username")
