"""The child's audit page: every change (pghistory events) and every access."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import connection
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
    with connection.cursor() as cursor:
        cursor.execute(_events_sql(child.pk, limit), ())
        events = cursor.fetchall()
    user_ids = {user_id for *_, user_id in events if user_id is not None}
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    entries = []
    for at, label, model, diff, user_id in events:
        if isinstance(diff, str):
            diff = json.loads(diff)
        changes = [(field.replace("_", " ").capitalize(), old_new[0], old_new[1])
                   for field, old_new in (diff or {}).items() if field not in _HIDDEN_FIELDS]
        if label == "update" and not changes:
            continue
        entries.append(ChangeEntry(at=at, user=users.get(user_id), what=_model_name(model),
                                   verb=_LABELS.get(label, label), changes=changes))
    return entries


# A pk no child has. pghistory writes the child's pk into the SQL of a child's events (some
# thirty tables' UNION) as a literal; building it cost more CPU than the rest of the audit
# tab (issue 13 §2), so it is built once a process for this pk, which each read replaces.
_PK_MARK = 918273645546372819
_EVENT_COLUMNS = ("pgh_created_at", "pgh_label", "pgh_model", "pgh_diff", "user")


def _events_sql(child_pk: int, limit: int) -> str:
    return _events_sql_template(limit).replace(str(_PK_MARK), str(int(child_pk)))


@lru_cache(maxsize=8)
def _events_sql_template(limit: int) -> str:
    query = (MiddlewareEvents.objects.references(Child(pk=_PK_MARK))
             .order_by("-pgh_created_at").values_list(*_EVENT_COLUMNS)[:limit]).query
    sql, params = query.sql_with_params()
    if params or str(_PK_MARK) not in sql:
        raise RuntimeError("pghistory's SQL for a child's events changed shape")
    return sql


def child_access_log(child: Child, *, limit: int = 200) -> QuerySet[AccessEvent]:
    # Only what the audit tab shows (issue 13 §2): not the detail, address or user's record.
    return (AccessEvent.objects.filter(child_id=child.pk).select_related("user")
            .only(*_ACCESS_SHOWN).order_by("-at", "-id")[:limit])


_ACCESS_SHOWN = ("at", "action", "path", "section", "user__full_name", "user__username")
