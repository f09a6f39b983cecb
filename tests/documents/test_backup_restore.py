"""Durable documents and a tested way back (issue 12 §8): an issued document is kept as sent
with its hash; `make backup` then `make restore` into a fresh database finds every record and
every document, byte for byte."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.test import override_settings
from psycopg import sql

from cpcases.children.models import Child
from cpcases.documents.models import IssuedDocument
from cpcases.documents.services import document_keep_issued, document_verify

BASE_DIR = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n% a decision letter as issued\n%%EOF\n"


@pytest.mark.django_db
def test_an_issued_document_is_kept_as_sent_with_its_hash(settings, tmp_path, sw, child):
    settings.MEDIA_ROOT = tmp_path
    document = document_keep_issued(kind="conference letter", title="Decision letter",
                                     filename="CP-1-letter.pdf", content=PDF,
                                     issued_to="Parent One; Parent Two", user=sw,
                                     child_ids=[child.pk], conference_id=1)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (tmp_path / document.file.name).read_bytes() == PDF
    assert document_verify(document)


def _server_url(name: str) -> str:
    db = connection.settings_dict
    return f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_every_record_and_document(
        s3, tmp_path, sw, child, other_team_child):
    """Against a real S3-compatible server (moto's), as production runs on MinIO: from the
    live bucket and database into a fresh bucket and database."""
    s3.make_bucket("live")
    s3.make_bucket("restored")
    with override_settings(STORAGES=s3.storages("live")):
        document = document_keep_issued(
            kind="conference letter", title="Decision letter", filename="CP-1-letter.pdf",
            content=PDF, issued_to="Parent One", user=sw, child_ids=[child.pk])
    children = sorted(Child.objects.values_list("la_child_id", flat=True))

    run = [sys.executable, str(BASE_DIR / "scripts" / "backup.py")]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cpcases.settings.test"}
    subprocess.run([*run, "backup", "--to", str(tmp_path / "backups")], check=True, env={
        **env, **s3.env("live"), "DATABASE_URL": _server_url(connection.settings_dict["NAME"])})
    (backup,) = (tmp_path / "backups").iterdir()

    fresh = f"{connection.settings_dict['NAME']}_restore"
    with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(fresh)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(fresh)))
    try:
        subprocess.run([*run, "restore", str(backup)], check=True, env={
            **env, **s3.env("restored"), "DATABASE_URL": _server_url(fresh)})
        with psycopg.connect(_server_url(fresh)) as restored:
            assert sorted(r[0] for r in restored.execute(
                "SELECT la_child_id FROM children_child")) == children
            (name, digest), = restored.execute(
                "SELECT file, sha256 FROM documents_issueddocument").fetchall()
            events = restored.execute("SELECT count(*) FROM children_childevent").fetchone()
        assert name == document.file.name
        body = s3.client().get_object(Bucket="restored", Key=name)["Body"].read()
        assert hashlib.sha256(body).hexdigest() == digest == hashlib.sha256(PDF).hexdigest()
        assert events[0] > 0  # the audit history came back too
    finally:
        with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(fresh)))
    assert IssuedDocument.objects.count() == 1
