"""docker-compose watches and restarts the service (issue 12 §2): web, worker and beat come
back after a crash, and web's health check is /healthz, run here exactly as compose runs it
(its own command, against a live server): healthy while sweeps run, failing when they stop."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

from cpcases.health.services import SWEEP, heartbeat_record

COMPOSE = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml")
                         .read_text())
SERVICES = COMPOSE["services"]


@pytest.mark.parametrize("service", ["web", "worker", "beat", "postgres", "redis", "minio"])
def test_a_service_that_dies_is_restarted(service):
    assert SERVICES[service]["restart"] in ("unless-stopped", "always", "on-failure")


def test_web_worker_and_beat_wait_for_healthy_postgres_and_redis():
    for service in ("web", "worker", "beat"):
        needs = SERVICES[service]["depends_on"]
        assert needs["postgres"]["condition"] == "service_healthy"
        assert needs["redis"]["condition"] == "service_healthy"


def _web_health_check(live_server) -> subprocess.CompletedProcess:
    kind, *argv = SERVICES["web"]["healthcheck"]["test"]
    assert kind == "CMD"
    assert argv[:2] == ["python", "-c"]
    script = argv[2].replace("http://127.0.0.1:8000", live_server.url)
    assert script != argv[2], "the check no longer asks web's own port"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60,
                          env={**os.environ, "DJANGO_ALLOWED_HOSTS": "localhost"}, check=False)


@pytest.mark.django_db(transaction=True)
def test_the_web_health_check_passes_while_sweeps_run_and_fails_when_they_stop(
        live_server, settings):
    assert "/healthz" in SERVICES["web"]["healthcheck"]["test"][3]
    heartbeat_record(name=SWEEP, at=timezone.now() - dt.timedelta(seconds=5))
    assert _web_health_check(live_server).returncode == 0

    stale = 2 * settings.DEADLINE_SWEEP_SECONDS + 30
    heartbeat_record(name=SWEEP, at=timezone.now() - dt.timedelta(seconds=stale))
    failed = _web_health_check(live_server)
    assert failed.returncode != 0
    assert b"503" in failed.stderr
