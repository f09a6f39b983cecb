"""`make run` on a warm restart skips migrate and seed_demo when nothing they depend on
changed (issue 13 §5): the database, every migration, the schema snapshot, the demo code."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.db import connection

RUN_PY = Path(__file__).resolve().parents[2] / "scripts" / "run.py"


@pytest.fixture
def run_module(monkeypatch, tmp_path):
    spec = importlib.util.spec_from_file_location("cpcases_run_script_warm", RUN_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "STATE_FILE", tmp_path / "run-state.json")
    monkeypatch.delenv("CPCASES_FORCE_SETUP", raising=False)
    ran: list[str] = []
    # The commands themselves are not the point here: record which would run.
    monkeypatch.setattr(module, "manage", lambda args, env, capture=False: ran.append(args[0])
                        or "sw.sam  social worker")
    module.ran = ran
    return module


@pytest.fixture
def database_url(db):
    s = connection.settings_dict
    return f"postgresql://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_the_first_start_migrates_and_seeds_and_a_warm_restart_skips_both(run_module,
                                                                           database_url):
    assert run_module.prepare_database(database_url, {}) == "sw.sam  social worker"
    assert run_module.ran == ["migrate", "seed_demo"]
    run_module.ran.clear()
    # The sign-ins seed_demo printed are shown again without running it.
    assert run_module.prepare_database(database_url, {}) == "sw.sam  social worker"
    assert run_module.ran == []


def test_a_changed_migration_runs_them_again(run_module, database_url, monkeypatch):
    run_module.prepare_database(database_url, {})
    run_module.ran.clear()
    monkeypatch.setattr(run_module, "fingerprint", lambda url: "a new migration")
    run_module.prepare_database(database_url, {})
    assert run_module.ran == ["migrate", "seed_demo"]


def test_a_database_recreated_since_runs_them_again(run_module, database_url, monkeypatch):
    run_module.prepare_database(database_url, {})
    run_module.ran.clear()
    monkeypatch.setattr(run_module, "applied_migrations", lambda url: -1)
    run_module.prepare_database(database_url, {})
    assert run_module.ran == ["migrate", "seed_demo"]


def test_asking_for_it_runs_them_again(run_module, database_url, monkeypatch):
    run_module.prepare_database(database_url, {})
    run_module.ran.clear()
    monkeypatch.setenv("CPCASES_FORCE_SETUP", "1")
    run_module.prepare_database(database_url, {})
    assert run_module.ran == ["migrate", "seed_demo"]
