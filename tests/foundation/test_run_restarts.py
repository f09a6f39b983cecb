"""`make run` restarts a worker or beat that dies (issue 12 §2), and gives up on one that
keeps dying rather than looping for ever."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

RUN_PY = Path(__file__).resolve().parents[2] / "scripts" / "run.py"


@pytest.fixture
def run_module(monkeypatch):
    spec = importlib.util.spec_from_file_location("cpcases_run_script", RUN_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "RESTART_PAUSE_SECONDS", 0)
    return module


def test_a_dead_worker_is_started_again_with_the_same_command(run_module):
    command = [sys.executable, "-c", "print('worker up')"]
    worker = run_module.Child("worker", command, {}, signal_group=False)
    worker.proc.wait(timeout=10)
    assert not worker.alive()
    again = run_module.Child.restarted(worker)
    assert again is not None
    again.proc.wait(timeout=10)
    again.reader.join(timeout=5)
    assert again.command == command
    assert "worker up" in "".join(again.tail)


def test_one_that_keeps_dying_is_given_up_on(run_module):
    child = run_module.Child("beat", [sys.executable, "-c", "raise SystemExit(3)"], {},
                             signal_group=False)
    for _ in range(run_module.RESTARTS_PER_WINDOW):
        child.proc.wait(timeout=10)
        child = child.restarted()
        assert child is not None
    child.proc.wait(timeout=10)
    assert child.restarted() is None
