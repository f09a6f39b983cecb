"""`make run` on a warm restart skips migrate and seed_demo when nothing they depend on
changed (issue 13 §5): the database, every migration, the schema snapshot, the demo code.
On a first start they run in one process (manage.py prepare_demo), whose SCHEMA_READY line
starts the web server beside the seeding (decisions §44)."""

from __future__ import annotations

import importlib.util
import io
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from cpcases.accounts.management.commands import prepare_demo

RUN_PY = Path(__file__).resolve().parents[2] / "scripts" / "run.py"


@pytest.fixture
def run_module(monkeypatch, tmp_path):
    spec = importlib.util.spec_from_file_location("cpcases_run_script_warm", RUN_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "STATE_FILE", tmp_path / "run-state.json")
    monkeypatch.delenv("CPCASES_FORCE_SETUP", raising=False)
    return module


@pytest.fixture
def database_url(db):
    s = connection.settings_dict
    return f"postgresql://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _first_start(run_module, database_url) -> str:
    mark = run_module.fingerprint(database_url)
    assert run_module.warm_start(database_url, mark) is None  # nothing recorded: they run
    run_module.record_start(database_url, mark, "sw.sam  social worker")
    return mark


def test_the_first_start_migrates_and_seeds_and_a_warm_restart_skips_both(run_module,
                                                                           database_url):
    mark = _first_start(run_module, database_url)
    # The sign-ins seed_demo printed are shown again without running it.
    assert run_module.warm_start(database_url, mark) == "sw.sam  social worker"


def test_a_changed_migration_runs_them_again(run_module, database_url):
    _first_start(run_module, database_url)
    assert run_module.warm_start(database_url, "a new migration") is None


def test_a_database_recreated_since_runs_them_again(run_module, database_url, monkeypatch):
    mark = _first_start(run_module, database_url)
    monkeypatch.setattr(run_module, "applied_migrations", lambda url: -1)
    assert run_module.warm_start(database_url, mark) is None


def test_asking_for_it_runs_them_again(run_module, database_url, monkeypatch):
    mark = _first_start(run_module, database_url)
    monkeypatch.setenv("CPCASES_FORCE_SETUP", "1")
    assert run_module.warm_start(database_url, mark) is None


def test_prepare_demo_migrates_says_so_then_seeds(run_module, db):
    """run.py waits for the very line prepare_demo prints between migrate and seed_demo."""
    assert run_module.SCHEMA_READY == prepare_demo.SCHEMA_READY
    assert run_module.DEMO_READY == prepare_demo.DEMO_READY
    out = io.StringIO()
    call_command("prepare_demo", stdout=out)
    text = out.getvalue()
    assert text.index(prepare_demo.SCHEMA_READY) < text.index("Sign in with any of these")
    assert "sw.sam" in text
    assert text.index("Sign in with any of these") < text.index(prepare_demo.DEMO_READY)


def test_bytecode_goes_to_var_where_the_environment_forbids_writing_it(run_module):
    env = run_module.child_env({"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/bin"})
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["PYTHONPYCACHEPREFIX"] == str(run_module.PYCACHE)
    assert run_module.child_env({"PATH": "/bin"}) == {"PATH": "/bin"}


def _fake_preparation(run_module, script: str):
    return run_module.Preparation({"PATH": "/usr/bin:/bin"}, [sys.executable, "-c", script])


def _wait(preparation, seconds: float = 20) -> int | None:
    deadline = time.monotonic() + seconds
    while (code := preparation.finished()) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return code


def test_the_demo_is_ready_at_its_line_without_waiting_for_the_process_to_end(run_module):
    preparation = _fake_preparation(run_module, (
        f"import time; print({run_module.SCHEMA_READY!r}, flush=True); "
        f"print('Sign in with any of these', flush=True); "
        f"print({run_module.DEMO_READY!r}, flush=True); time.sleep(60)"))
    try:
        assert _wait(preparation) == 0
        assert preparation.schema_ready.is_set()
        assert preparation.seed_output == "Sign in with any of these\n"
        assert preparation.proc.poll() is None  # still tearing down: not waited for
    finally:
        preparation.stop()
    assert preparation.proc.poll() is not None


def test_a_preparation_that_fails_gives_its_exit_code(run_module):
    preparation = _fake_preparation(
        run_module, f"print({run_module.SCHEMA_READY!r}, flush=True); raise SystemExit(3)")
    assert _wait(preparation) == 3
