"""Settings read from the environment by one reader that fails fast (Foundation §1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from cpcases.core import env
from cpcases.settings._services import database_config

ROOT = Path(__file__).resolve().parents[2]


def test_bad_boolean_fails_with_the_variables_name(monkeypatch) -> None:
    monkeypatch.setenv("SOME_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG='perhaps' is not valid"):
        env.env_bool("SOME_FLAG", False)


def test_bad_number_fails(monkeypatch) -> None:
    monkeypatch.setenv("SESSION_INACTIVITY_SECONDS", "thirty")
    with pytest.raises(ImproperlyConfigured, match="a whole number"):
        env.env_int("SESSION_INACTIVITY_SECONDS", 1800)


def test_missing_required_value_fails(monkeypatch) -> None:
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY must be set"):
        env.env_str("DJANGO_SECRET_KEY")


def test_only_postgresql_is_accepted_as_the_database() -> None:
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL is the only engine"):
        database_config("sqlite:///db.sqlite3")


def test_socket_urls_from_the_embedded_server_are_understood() -> None:
    config = database_config("postgresql://postgres:@/cpcases?host=/run/pg")
    assert (config["HOST"], config["NAME"], config["USER"]) == ("/run/pg", "cpcases",
                                                                "postgres")


def test_production_settings_refuse_to_start_without_a_database_url() -> None:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(DJANGO_SETTINGS_MODULE="cpcases.settings.production",
                       DJANGO_SECRET_KEY="x" * 60, DJANGO_ALLOWED_HOSTS="example.org")
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"],
                            env=environment, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "DATABASE_URL must be set in production" in result.stderr


@pytest.mark.django_db
def test_queries_are_never_jit_compiled_so_a_list_answers_in_milliseconds() -> None:
    # Issue 13 §2 (decisions §45): JIT compiling the scoped lists cost 60 ms of a 70 ms query.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_production_web_processes_keep_jit_off_and_add_the_statement_time_out() -> None:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "cpcases.settings.production",
                   "DJANGO_SECRET_KEY": "x" * 60, "DJANGO_ALLOWED_HOSTS": "example.org",
                   "DATABASE_STATEMENT_TIMEOUT": "25s",
                   "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/postgres"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings;"
         " print(settings.DATABASES['default']['OPTIONS']['options'])"],
        env=environment, capture_output=True, text=True, check=False)
    assert result.stdout.strip() == (
        "-c jit=off -c plan_cache_mode=force_generic_plan -c statement_timeout=25s"
    ), result.stderr


def test_a_web_worker_freezes_what_it_loaded_at_start_out_of_the_collectors_passes() -> None:
    # gunicorn.conf.py's post_worker_init, in a process of its own as a worker would run it.
    script = (
        "import gc, runpy, django; django.setup();"
        f"hooks = runpy.run_path({str(ROOT / 'gunicorn.conf.py')!r});"
        "before = gc.get_freeze_count(); hooks['post_worker_init'](None);"
        "from django.urls import get_resolver;"
        "print(before, gc.get_freeze_count(), get_resolver()._populated)")
    result = subprocess.run([sys.executable, "-c", script], env=dict(os.environ),
                            capture_output=True, text=True, check=False)
    before, after, populated = result.stdout.split()
    assert before == "0", result.stderr
    assert int(after) > 100_000  # Django's and the application's modules, URLs and views
    assert populated == "True"


def test_a_connections_age_is_seconds_or_none(monkeypatch) -> None:
    # Issue 13 §2 (decisions §69): production keeps a process's connection by default.
    monkeypatch.delenv("DATABASE_CONN_MAX_AGE", raising=False)
    assert env.env_seconds_or_forever("DATABASE_CONN_MAX_AGE", None) is None
    for raw, expected in (("0", 0), ("600", 600), ("none", None), ("None", None)):
        monkeypatch.setenv("DATABASE_CONN_MAX_AGE", raw)
        assert env.env_seconds_or_forever("DATABASE_CONN_MAX_AGE", None) == expected
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "-1")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_CONN_MAX_AGE='-1' is not valid"):
        env.env_seconds_or_forever("DATABASE_CONN_MAX_AGE", None)


def test_production_keeps_a_processs_connection_unless_told_otherwise() -> None:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "cpcases.settings.production",
                   "DJANGO_SECRET_KEY": "x" * 60, "DJANGO_ALLOWED_HOSTS": "example.org",
                   "DATABASE_URL": "postgresql://u@db/cpcases", "REDIS_URL": "redis://r:6379/0"}
    environment.pop("DATABASE_CONN_MAX_AGE", None)
    read = [sys.executable, "-c", "import django; django.setup(); from django.conf import "
            "settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"]
    kept = subprocess.run(read, env=environment, capture_output=True, text=True, check=True)
    assert kept.stdout.strip() == "None"
    pooled = subprocess.run(read, env={**environment, "DATABASE_CONN_MAX_AGE": "0"},
                            capture_output=True, text=True, check=True)
    assert pooled.stdout.strip() == "0"
