"""The child's audit page: every change (pghistory events) and every access."""

from __future__ import annotations

import json
import weakref
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import OperationalError, ProgrammingError, connection, transaction
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
    events = _child_events(child.pk, limit)
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


# Which of our prepared statements each database connection holds (a new connection, after
# CONN_MAX_AGE or a failure, starts with none).
_PREPARED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def _child_events(child_pk: int, limit: int) -> list[tuple[Any, ...]]:
    """The child's change events, newest first.

    Planning the thirty-table UNION cost PostgreSQL 13-40 ms on a quiet machine (over 100 ms
    on a busy one) to run it in 2-4 ms (issue 13 §2): it is prepared once per connection
    with the child as its parameter and executed with the generic plan, so it is planned
    once. Behind a transaction-mode pooler (PgBouncer), where a connection's prepared
    statements do not follow it, DATABASE_PREPARED_STATEMENTS=false sends the SQL itself.

    The setting and the EXECUTE (with the PREPARE, the first time on a connection) go as one
    simple query, which PostgreSQL runs as one implicit transaction, so SET LOCAL holds for
    it alone: one round trip, not the four of BEGIN, SET, EXECUTE and COMMIT. Inside a
    transaction of the caller's the setting lasts until that ends (as it did when set
    inside a savepoint)."""
    with connection.cursor() as cursor:
        if not settings.DATABASE_PREPARED_STATEMENTS:
            cursor.execute(_events_sql(child_pk, limit), ())
            return cursor.fetchall()
        name = f"cpcases_child_events_{int(limit)}"
        prepared = _PREPARED.setdefault(connection.connection, set())
        for attempt in (1, 2):
            statements = [] if name in prepared else [
                f"PREPARE {name}(bigint) AS "
                + _events_sql_template(limit).replace(str(_PK_MARK), "$1")]
            # A custom plan for each child would plan it afresh every time.
            statements += [GENERIC_PLAN, f"EXECUTE {name}(%s)"]
            try:
                # Inside a transaction of the caller's, a savepoint, so that a failure here
                # (the statement gone) does not abort that transaction.
                with transaction.atomic() if connection.in_atomic_block else nullcontext():
                    cursor.execute("; ".join(statements), [int(child_pk)])
            except (ProgrammingError, OperationalError) as error:
                # Not there (the server restarted, a pooler swapped the connection) or
                # there already when we thought not (a pooler handed us another client's
                # session): forget what we knew and prepare it again, once.
                code = getattr(getattr(error, "__cause__", None), "sqlstate", None)
                if attempt == 2 or code not in _PREPARED_STATE_ERRORS:
                    raise
                prepared.discard(name)
                if code == _DUPLICATE_PREPARED:
                    cursor.execute(f"DEALLOCATE {name}", ())
                continue
            prepared.add(name)
            return last_result(cursor)
    raise AssertionError("unreachable")


GENERIC_PLAN = "SET LOCAL plan_cache_mode = force_generic_plan"


def last_result(cursor: Any) -> list[tuple[Any, ...]]:
    """The rows of a simple query's last statement: psycopg stands on the first statement's
    result (pghistory's context wrapper, when a request has one, has already moved on to
    the last)."""
    while cursor.nextset():
        pass
    return cursor.fetchall()


_INVALID_STATEMENT_NAME = "26000"
_DUPLICATE_PREPARED = "42P05"
_PREPARED_STATE_ERRORS = frozenset({_INVALID_STATEMENT_NAME, _DUPLICATE_PREPARED})


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
