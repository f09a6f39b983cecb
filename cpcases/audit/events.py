"""Writing access-log rows: one prepared INSERT of the children's ids as an array (issue 13 §2).

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
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.postgresql.operations import get_json_dumps
from django.utils import timezone
from pghistory.runtime import _inject_history_context

from cpcases.audit.models import AccessEvent
from cpcases.core.compiled import prepared_cursor

# The read's row is committed without waiting for its WAL to reach the disk: set for the
# statement's own transaction alone, from within the statement (see `_send`).
ASYNC_COMMIT = "(SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL"
_COLUMNS = ("at", "user", "child_id", "action", "path", "section", "ip_address", "detail")
# Each written as its column's type: the statement is prepared, its values sent apart.
_VALUES = ("%s::timestamptz", "%s::bigint", "child_id", "%s::varchar", "%s::varchar",
           "%s::varchar", "%s::inet", "%s::jsonb")


def insert_access_events(*, user_id: int | None, child_ids: Sequence[int | None],
                         action: str, path: str, section: str, ip: str | None,
                         detail: dict[str, Any] | None = None) -> None:
    fields = _fields()
    # The values the model's fields would send, as text PostgreSQL casts (issue 13 §2:
    # psycopg's wrappers for the address and the JSON cost more than the casts).
    params = [timezone.now(), user_id, action, path, section,
              fields["ip_address"].get_prep_value(ip) or None,
              get_json_dumps(fields["detail"].encoder)(detail or {}), _id_array(child_ids)]
    pending = _pending.get()
    if pending is not None:  # sent with the others at the end of `one_round_trip`
        pending.append(params)
        return
    _send([params])


def _id_array(child_ids: Sequence[int | None]) -> str:
    """The ids as an array's text, for `::bigint[]` (psycopg's dumper of a list, in Python,
    looked at each of a page's 50 ids several times: issue 13 §2)."""
    return "{" + ",".join("NULL" if i is None else str(int(i)) for i in child_ids) + "}"


def _send(inserts: list[list[Any]]) -> None:
    """One statement for all the inserts, prepared once per connection (issue 13 §2: parsed,
    planned and its values quoted into its text on every page, the INSERT took 0.7-1.0 ms
    of which PostgreSQL's writing was 0.4 ms).

    Inside the request's own transaction (a write), the rows are part of it, committed
    durably with it. A page that only reads commits them at once, but without waiting for
    their WAL to reach the disk (issue 13 §2: that flush was 2-3 ms of every record page,
    more than the page's own queries): the statement sets synchronous_commit off for its own
    implicit transaction (`set_config(…, true)` is SET LOCAL), which ends with it. A crash
    of the database server itself can lose the last moments' rows (at most three times
    wal_writer_delay, 0.6 s by default); decisions §53 says why that is accepted and
    ACCESS_LOG_ASYNC_COMMIT=false turns it off."""
    db = connections[DEFAULT_DB_ALIAS]  # once, not through the proxy at each use
    durable = db.in_atomic_block or not getattr(settings, "ACCESS_LOG_ASYNC_COMMIT", True)
    params = [param for insert in inserts for param in insert]
    with _without_history_context(db), prepared_cursor(db) as cursor:
        cursor.execute(_sql(len(inserts), durable=durable), params)


@contextmanager
def _without_history_context(db: Any) -> Iterator[None]:
    """pghistory puts its context (the user, the URL) before every write a request sends,
    for its triggers on the tracked tables. The access log has none of them (it is its own
    trail), and a prepared statement cannot be two: the INSERT is sent without it. Its
    values are local to the transaction, so a tracked write after it still carries them."""
    wrappers = db.execute_wrappers
    kept = [wrapper for wrapper in wrappers if wrapper is not _inject_history_context]
    if len(kept) == len(wrappers):
        yield
        return
    db.execute_wrappers = kept
    try:
        yield
    finally:
        db.execute_wrappers = wrappers


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


@lru_cache(maxsize=16)
def _sql(inserts: int, *, durable: bool) -> str:
    """INSERT … SELECT of `inserts` groups of rows, each group's values then its ids, the
    rows in the order given (their ids in that order)."""
    fields = _fields()
    table = connection.ops.quote_name(AccessEvent._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(fields[name].column) for name in _COLUMNS)
    names = ", ".join(f"v{i}" for i in range(len(_COLUMNS)))
    groups = " UNION ALL ".join(
        f"SELECT {', '.join(_VALUES)}, {group} AS g, n "  # noqa: S608 - no value in the text
        "FROM unnest(%s::bigint[]) WITH ORDINALITY AS ids(child_id, n)"
        for group in range(inserts))
    where = "" if durable else f" WHERE {ASYNC_COMMIT}"
    return (f"INSERT INTO {table} ({columns}) SELECT {names} "  # noqa: S608 - names from the model
            f"FROM ({groups}) AS logged({names}, g, n){where} ORDER BY g, n")
