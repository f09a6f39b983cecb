"""A real Celery worker SIGKILLed while it sends (issue 12 §1, "done when"): every message is
then either delivered exactly once (and marked sent) or still pending; a new worker sends the
rest. Real PostgreSQL, real Redis, a real SMTP conversation with a local sink."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection

from cpcases.celery import app
from cpcases.outbox.models import OutboxMessage, OutboxStatus
from cpcases.outbox.services import outbox_enqueue_many
from tests.outbox.smtp_sink import SmtpSink

BASE_DIR = Path(__file__).resolve().parents[2]
MESSAGES = 200
pytestmark = pytest.mark.django_db(transaction=True)


def _worker(queue: str, smtp_port: int) -> subprocess.Popen:
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.outbox.worker_settings",
           "TEST_SMTP_PORT": str(smtp_port), "REDIS_URL": settings.REDIS_URL,
           # the worker reads and writes the test database this test committed to
           "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cpcases", "worker", "--pool=solo",
         "-Q", queue, "--without-mingle", "--without-gossip", "--without-heartbeat",
         "-l", "warning"], cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)


def _wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_a_worker_killed_while_sending_loses_no_message_and_the_next_one_sends_the_rest(
        monkeypatch):
    assert connection.settings_dict["PASSWORD"] in ("", None), "test assumes trust auth"
    queue = f"outbox-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr("cpcases.outbox.services.dispatch", lambda ids: None)
    rows = outbox_enqueue_many(messages=[
        EmailMessage(f"Notice {i}", "Deadlines that need your attention", None,
                     [f"person{i}@authority.example"]) for i in range(MESSAGES)], kind="test")
    ids = [r.pk for r in rows]

    with SmtpSink(delay=0.01) as sink:
        worker = _worker(queue, sink.port)
        try:
            for start in range(0, MESSAGES, 20):
                app.send_task("outbox.deliver", args=[ids[start:start + 20]], queue=queue)
            _wait_for(lambda: sink.count() >= MESSAGES // 4)
            worker.send_signal(signal.SIGKILL)  # mid-stream: no chance to clean up
            worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        time.sleep(0.5)  # PostgreSQL notices the dead connection and drops its row lock

        # Right after the kill: sent means delivered exactly once; the rest are pending.
        after_kill = dict(OutboxMessage.objects.values_list("message_id", "status"))
        sent = {m for m, s in after_kill.items() if s == OutboxStatus.SENT}
        pending = {m for m, s in after_kill.items() if s != OutboxStatus.SENT}
        assert len(after_kill) == MESSAGES
        assert 0 < len(sent) < MESSAGES
        assert all(sink.received[m] == 1 for m in sent)
        # At most the one message on the wire when the worker died reached the sink unmarked.
        assert len([m for m in pending if sink.received[m]]) <= 1

        # A new worker's flush sends everything left, each message with its own Message-ID.
        worker = _worker(queue, sink.port)
        try:
            app.send_task("outbox.flush", queue=queue)
            _wait_for(lambda: not OutboxMessage.objects.exclude(
                status=OutboxStatus.SENT).exists())
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        assert set(sink.received) == set(after_kill)
        duplicates = sum(n - 1 for n in sink.received.values())
        assert duplicates <= 1, f"{duplicates} copies (same Message-ID) after one kill"
