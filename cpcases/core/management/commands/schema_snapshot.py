"""Regenerate cpcases/core/schema_snapshot.sql: migrate a scratch database from nothing and
dump it (cpcases.core.snapshot). Takes as long as a plain migrate (minutes)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from cpcases.core import snapshot


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


class Command(BaseCommand):
    help = "Migrate a scratch database from nothing and write it to the schema snapshot."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from-url", default="",
                            help="Dump this database (freshly migrated, no other data) "
                                 "instead of migrating a scratch one.")

    def handle(self, *args: Any, from_url: str = "", **options: Any) -> None:
        import psycopg
        from psycopg import sql

        if from_url:
            self.stdout.write(f"Dumping {from_url} …")
            text = snapshot.dump(from_url)
        else:
            db = settings.DATABASES["default"]
            server = (f"postgresql://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:"
                      f"{db.get('PORT') or 5432}/postgres")
            scratch = f"{db['NAME']}_snapshot"
            url = _with_database(server, scratch)
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(
                    sql.Identifier(scratch)))
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
            try:
                self.stdout.write(f"Migrating the scratch database {scratch} from nothing …")
                subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"],
                               env={**os.environ, "DATABASE_URL": url}, check=True,
                               cwd=settings.BASE_DIR)
                text = snapshot.dump(url)
            finally:
                with psycopg.connect(server, autocommit=True) as conn:
                    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(
                        sql.Identifier(scratch)))
        snapshot.SNAPSHOT.write_text(text, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(
            f"Wrote {snapshot.SNAPSHOT} ({len(text) // 1024} KB)."))
