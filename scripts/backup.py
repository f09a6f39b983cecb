"""`make backup` / `make restore`: PostgreSQL and the document store, together (issue 12 §8).

    python scripts/backup.py backup [--to backups]
        writes backups/<UTC time>/ with database.dump (pg_dump, custom format),
        documents.tar.gz (every file in Django's default storage: the filesystem under
        MEDIA_ROOT in development, the S3 bucket in production) and manifest.json (what is
        in it, with each document's SHA-256).

    python scripts/backup.py restore backups/<UTC time>
        restores database.dump into the (new, empty) database named by DATABASE_URL and
        writes every document back into the default storage; then checks every document
        against the manifest's SHA-256.

Both read the same settings as the app (DJANGO_SETTINGS_MODULE, DATABASE_URL, storage
variables). pg_dump and pg_restore must be on PATH, of the server's major version or newer.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpcases.settings.dev")
    import django

    django.setup()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    from django.db import connection

    db = connection.settings_dict
    args = ["--dbname", db["NAME"], "--username", db["USER"] or "postgres"]
    if db["HOST"]:
        args += ["--host", db["HOST"]]
    if db["PORT"]:
        args += ["--port", str(db["PORT"])]
    env = dict(os.environ)
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _all_files(storage: object, directory: str = "") -> list[str]:
    # Listed, not tested with exists(""): S3 has no key "" (found by the moto test).
    try:
        directories, files = storage.listdir(directory)  # type: ignore[attr-defined]
    except FileNotFoundError:  # the filesystem store before its first document
        return []
    found = [f"{directory}/{name}".lstrip("/") for name in files]
    for sub in directories:
        found += _all_files(storage, f"{directory}/{sub}".lstrip("/"))
    return found


def backup(target_root: Path) -> Path:
    _setup()
    from django.core.files.storage import default_storage

    target = target_root / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target.mkdir(parents=True, exist_ok=False)
    args, env = _pg_env()
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file",
                    str(target / "database.dump"), *args], env=env, check=True)
    manifest: dict[str, object] = {"created": datetime.now(UTC).isoformat(), "documents": {}}
    with tarfile.open(target / "documents.tar.gz", "w:gz") as archive:
        for name in sorted(_all_files(default_storage)):
            with default_storage.open(name, "rb") as handle:
                data = handle.read()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            manifest["documents"][name] = hashlib.sha256(data).hexdigest()  # type: ignore[index]
    (target / "manifest.json").write_text(json.dumps(manifest, indent=1))
    print(f"backup written to {target} ({len(manifest['documents'])} documents)")  # type: ignore[arg-type]
    return target


def restore(source: Path) -> None:
    _setup()
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    manifest = json.loads((source / "manifest.json").read_text())
    args, env = _pg_env()
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", *args,
                    str(source / "database.dump")], env=env, check=True)
    bad = []
    with tarfile.open(source / "documents.tar.gz", "r:gz") as archive:
        for member in archive.getmembers():
            if not member.isfile():
                continue
            data = archive.extractfile(member).read()  # type: ignore[union-attr]
            if default_storage.exists(member.name):
                default_storage.delete(member.name)
            saved = default_storage.save(member.name, ContentFile(data))
            if saved != member.name or (hashlib.sha256(data).hexdigest()
                                        != manifest["documents"].get(member.name)):
                bad.append(member.name)
    if bad:
        sys.exit(f"restore: {len(bad)} documents did not restore as backed up: {bad[:5]}")
    print(f"restored {source} ({len(manifest['documents'])} documents)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup")
    make.add_argument("--to", type=Path, default=BASE_DIR / "backups")
    back = commands.add_parser("restore")
    back.add_argument("source", type=Path)
    options = parser.parse_args()
    if options.command == "backup":
        backup(options.to)
    else:
        restore(options.source)


if __name__ == "__main__":
    main()
