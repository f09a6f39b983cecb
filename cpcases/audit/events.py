"""Writing access-log rows: one INSERT of the children's ids as an array (issue 13 §2).

The rows `AccessEvent.objects.create` or `bulk_create` would write (one time for all, the
rest the same), without building and preparing a model instance per row: on a child's page,
the ORM's instance, save and INSERT compilation were a tenth of the page's time. No signal is
lost: nothing listens to AccessEvent's, and bulk_create sends none. A child_id of None writes
a row for no child (a search, a refusal)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from cpcases.audit.models import AccessEvent

ASYNC_COMMIT = "SET LOCAL synchronous_commit TO OFF"
_COLUMNS = ("at", "user", "child_id", "action", "path", "section", "ip_address", "detail")


def insert_access_events(*, user_id: int | None, child_ids: Sequence[int | None],
                         action: str, path: str, section: str, ip: str | None,
                         detail: dict[str, Any] | None = None) -> None:
    fields = _fields()
    values = [fields[name].get_db_prep_save(value, connection) for name, value in (
        ("at", timezone.now()), ("user", user_id), ("action", action), ("path", path),
        ("section", section), ("ip_address", ip), ("detail", detail or {}))]
    params = [*values, list(child_ids)]
    pending = _pending.get()
    if pending is not None:  # sent with the others at the end of `one_round_trip`
        pending.append(params)
        return
    _send([params])


def _send(inserts: list[list[Any]]) -> None:
    sql = "; ".join([_sql(connection.vendor)] * len(inserts))
    params = [param for insert in inserts for param in insert]
    if connection.in_atomic_block or not getattr(settings, "ACCESS_LOG_ASYNC_COMMIT", True):
        # Part of the request's own transaction (a write): committed, durably, with it.
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return
    # A page that only reads: the row is committed at once, but without waiting for its WAL
    # to reach the disk (issue 13 §2: that flush was 2-3 ms of every record page, more than
    # the page's own queries). Both statements go in one simple query, which PostgreSQL runs
    # as one implicit transaction: SET LOCAL holds for it alone, in one round trip. A crash
    # of the database server itself can lose the last moments' rows (at most three times
    # wal_writer_delay, 0.6 s by default); decisions §53 says why that is accepted and
    # ACCESS_LOG_ASYNC_COMMIT=false turns it off.
    with connection.cursor() as cursor:
        cursor.execute(f"{ASYNC_COMMIT}; {sql}", params)


_pending: ContextVar[list[list[Any]] | None] = ContextVar("cpcases_access_events_pending",
                                                          default=None)


@contextmanager
def one_round_trip() -> Iterator[None]:
    """The access-log rows written inside are sent together when it ends, in the order they
    were written, each with the time it was written at: one statement and one commit instead
    of one each (issue 13 §2: the search page logs the search, then the children it lists).
    Sent also when the block ends with an error, as each would have been sent at once."""
    pending: list[list[Any]] = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
        if pending:
            _send(pending)


@lru_cache(maxsize=1)
def _fields() -> dict[str, Any]:
    return {f.name: f for f in AccessEvent._meta.concrete_fields}


@lru_cache(maxsize=4)
def _sql(vendor: str) -> str:
    fields = _fields()
    table = connection.ops.quote_name(AccessEvent._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(fields[name].column) for name in _COLUMNS)
    return (f"INSERT INTO {table} ({columns}) SELECT %s, %s, child_id, %s, %s, %s, %s, %s "  # noqa: S608 - names from the model
            "FROM unnest(%s::bigint[]) WITH ORDINALITY AS ids(child_id, n) ORDER BY n")
