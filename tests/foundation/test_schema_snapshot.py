"""A new database from the committed schema snapshot, then `migrate`, is the database a plain
`migrate` builds (issue 13 §5, cpcases.core.snapshot): same tables and columns, indexes,
constraints, triggers, functions and applied migrations. The test database itself was built
by plain `migrate`, so it is the reference."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from cpcases.core import snapshot

BASE_DIR = Path(__file__).resolve().parent.parent.parent

_CATALOG = """
    SELECT 'column', table_name || '.' || column_name,
           data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
    FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL
    SELECT 'index', tablename || '.' || indexname, indexdef
    FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL
    SELECT 'constraint', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'trigger', tgrelid::regclass::text || '.' || tgname, pg_get_triggerdef(oid)
    FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL
    SELECT 'function', proname || '(' || pg_get_function_identity_arguments(oid) || ')',
           md5(prosrc)
    FROM pg_proc WHERE pronamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'migration', app || '.' || name, '' FROM django_migrations
"""


def _url(name: str) -> str:
    s = connection.settings_dict
    auth = quote(s["USER"]) + (":" + quote(s["PASSWORD"]) if s.get("PASSWORD") else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _catalog(url: str) -> set[tuple[str, str, str]]:
    with psycopg.connect(url) as conn:
        return {tuple(row) for row in conn.execute(_CATALOG).fetchall()}


@pytest.fixture
def scratch_database(db: None):
    name = f"{connection.settings_dict['NAME']}_from_snapshot"
    server = _url("postgres")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield _url(name)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


def test_the_snapshot_then_migrate_builds_the_database_migrate_builds(scratch_database):
    seconds = snapshot.load(scratch_database)
    assert seconds is not None, "the snapshot was not loaded into the empty database"
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=BASE_DIR,
                   env={**os.environ, "DATABASE_URL": scratch_database,
                        "DJANGO_SETTINGS_MODULE": "cpcases.settings.test"},
                   check=True, capture_output=True)
    from_snapshot = _catalog(scratch_database)
    reference = _catalog(_url(connection.settings_dict["NAME"]))
    assert sorted(reference - from_snapshot) == []
    assert sorted(from_snapshot - reference) == []


def test_the_snapshot_is_never_loaded_over_existing_tables(scratch_database):
    with psycopg.connect(scratch_database, autocommit=True) as conn:
        conn.execute("CREATE TABLE keep_me (id int)")
    assert snapshot.load(scratch_database) is None
    with psycopg.connect(scratch_database) as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert tables == {"keep_me"}
