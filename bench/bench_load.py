"""Load benchmark (issue 13 §1): a large authority served by gunicorn under production
settings, loaded by locust with 20 signed-in users.

    .venv/bin/python bench/bench_load.py                       # 1,500 on plans, 10,000 known
    .venv/bin/python bench/bench_load.py --children 300 --known 2000 --duration 60

Creates (and migrates) its own database `cpcases_bench_load_<children>_<known>` on
DATABASE_URL's server (or the embedded one; CPCASES_BENCH_TEMPLATE_DB names a migrated
database to copy, saving the migrations' minutes) and loads one team (5 team managers, 30
social workers) with --children children on child protection plans, each with their initial
conference, plan (and its first version), two visits and the open deadlines of a plan, and
--known children in all (the rest known to children's services, in another team or none).
Rows are bulk-inserted with the audit triggers off (it measures the pages, not the load); a
second run at the same size reuses them.

Then starts gunicorn with gunicorn.conf.py and production settings (bench/load_settings.py:
production plus one trivial signed-in page, the floor), signs in --users users (half team
managers, half social workers), and runs locust headless for --duration seconds: every user
requests, in turn at random, the caseload, a child's record and each of its tabs, My work,
the team deadlines, search, every API list endpoint of the OpenAPI schema, and the floor.
It prints, per page, p50 and p95 (ms) with their ratio to the floor's in the same run,
requests per second and non-2xx answers, and the peak memory (RSS) of any web worker.
The target (issue 13 §2): every p95 at most 3 x the floor's.
"""

from __future__ import annotations

import argparse
import csv
import inspect
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from urllib.parse import urlparse, urlunparse
from urllib.request import Request, urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# One database per size (`cpcases_bench_load_<children>_<known>`), reused by a later run.
BENCH_DB = os.environ.get("CPCASES_BENCH_LOAD_DB", "cpcases_bench_load")
SOCIAL_WORKERS = 30
MANAGERS = 5
# The open deadlines of a child on a plan, and who holds them (DOMAIN §4; 003).
PLAN_RULES = (("core_group_next", "sw"), ("plan_distributed", "sw"), ("next_review", "tm"),
              ("child_seen", "sw"), ("bedroom_seen", "sw"))
TARGET = 3.0
WARM_UP = 6  # requests of each page a worker answers before the run (see main)


def _environment(port: int, database: str) -> dict[str, str]:
    """Production settings' variables for the benchmark's own database and server."""
    import psycopg

    base = os.environ.get("DATABASE_URL", "")
    if not base:
        from cpcases.core import devservices

        base = devservices.embedded_postgres_url()
    parsed = urlparse(base)
    with psycopg.connect(urlunparse(parsed._replace(path="/postgres")), autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                         [database]).fetchone():
            # A migrated database to copy saves the minutes migrations take from nothing.
            template = os.environ.get("CPCASES_BENCH_TEMPLATE_DB", "")
            c.execute(f"CREATE DATABASE {database}"
                      + (f" TEMPLATE {template}" if template else ""))
    redis = os.environ.get("REDIS_URL", "")
    if not redis:
        from cpcases.core import devservices

        redis = devservices.embedded_redis_url()
    return {
        "DATABASE_URL": urlunparse(parsed._replace(path=f"/{database}")),
        "REDIS_URL": redis,
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "DJANGO_SECRET_KEY": "bench-load-only-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "MFA_REQUIRED": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CPCASES_BENCH_STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        # Each request's path, status and time in the worker (µs): the server's share of
        # the time, without the wait for a free worker.
        "GUNICORN_ACCESS_LOG": "",  # set per run in main()
        "GUNICORN_ACCESS_FORMAT": "%(U)s %(q)s %(s)s %(D)s",
        "GUNICORN_MAX_REQUESTS": "0",  # the same workers all run: their peak memory counts
        "PYTHONPATH": str(ROOT),
    }


def _load(children: int, known: int) -> None:
    """The authority, its team and the children (skipped when already there)."""
    from django.db import connection, transaction

    from conferences.models import Conference, ConferenceKind, ConferenceStatus
    from cpcases.accounts.models import Authority, Service, Team, User
    from cpcases.accounts.roles import Role
    from cpcases.children.models import Allocation, Child, CpStage
    from cpcases.chronology.models import Visit
    from cpcases.plans.models import ChildProtectionPlan, PlanVersion
    from deadlines.models import Deadline

    authority, _ = Authority.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    service, _ = Service.objects.get_or_create(authority=authority, name="Bench service")
    team, _ = Team.objects.get_or_create(service=service, name="Bench team")
    other, _ = Team.objects.get_or_create(service=service, name="Bench other team")

    def user(username: str, role: str, **extra: object) -> User:
        found, _ = User.objects.get_or_create(username=username, defaults={
            "role": role, "authority": authority, "full_name": username.title(),
            "email": f"{username}@bench.example", **extra})
        return found

    managers = [user(f"bench-tm-{i}", Role.TEAM_MANAGER, team=team) for i in range(MANAGERS)]
    workers = [user(f"bench-sw-{i:02d}", Role.SOCIAL_WORKER, team=team)
               for i in range(SOCIAL_WORKERS)]
    other_worker = user("bench-sw-other", Role.SOCIAL_WORKER, team=other)
    chair = user("bench-chair", Role.CP_CHAIR)
    bso = user("bench-bso", Role.BUSINESS_SUPPORT)
    user("bench-pdo", Role.PERFORMANCE_OFFICER)  # the returns lists (decisions §28-29)
    if Child.objects.filter(authority=authority).count() >= known:
        return
    started = time.perf_counter()
    today = date.today()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # no audit rows
        made = Child.objects.bulk_create(
            [Child(authority=authority, la_child_id=f"B{i:06d}", first_name=f"Child{i}",
                   last_name=f"Bench{i % 97}", date_of_birth=date(2012 + i % 12, 1 + i % 12, 1),
                   postcode=f"BN{i % 9} 1AA",
                   cp_stage=CpStage.PLAN if i < children else CpStage.NONE)
             for i in range(known)], batch_size=5000)
        on_plan, rest = made[:children], made[children:]
        Allocation.objects.bulk_create(
            [Allocation(child=c, team=team, social_worker=workers[i % SOCIAL_WORKERS],
                        started_on=date(2026, 1, 5)) for i, c in enumerate(on_plan)]
            + [Allocation(child=c, team=other, social_worker=other_worker,
                          started_on=date(2025, 6, 2)) for c in rest[: len(rest) // 2]],
            batch_size=5000)
        held = today - timedelta(days=40)
        conferences = Conference.objects.bulk_create(
            [Conference(authority=authority, kind=ConferenceKind.INITIAL, date=held,
                        start_time=dtime(10, 0), venue="Civic Centre", chair=chair,
                        minute_taker=bso, status=ConferenceStatus.HELD) for _ in on_plan],
            batch_size=5000)
        Conference.children.through.objects.bulk_create(
            [Conference.children.through(conference=conf, child=c)
             for conf, c in zip(conferences, on_plan, strict=True)], batch_size=5000)
        plans = ChildProtectionPlan.objects.bulk_create(
            [ChildProtectionPlan(authority=authority, child=c, conference=conf,
                                 started_on=held, category="N",
                                 lead_social_worker=workers[i % SOCIAL_WORKERS],
                                 outcomes="Safe at home", contingency="Review")
             for i, (conf, c) in enumerate(zip(conferences, on_plan, strict=True))],
            batch_size=5000)
        PlanVersion.objects.bulk_create(
            [PlanVersion(plan=p, number=1, reason="Initial plan", category="N")
             for p in plans], batch_size=5000)
        Visit.objects.bulk_create(
            [Visit(child=c, visited_at=datetime.combine(held + timedelta(days=d), dtime(11))
                   .astimezone(), visited_by=workers[i % SOCIAL_WORKERS], child_seen=True)
             for i, c in enumerate(on_plan) for d in (5, 15)], batch_size=5000)
        from django.contrib.contenttypes.models import ContentType

        content_type = ContentType.objects.get_for_model(Child)
        n = 0
        rows = []
        for i, c in enumerate(on_plan):
            for rule_id, holder in PLAN_RULES:
                due = today + timedelta(days=(n * 7) % 76 - 15)
                rows.append(Deadline(
                    authority=authority, child=c, rule_id=rule_id, content_type=content_type,
                    object_id=c.pk, anchor_date=due - timedelta(days=10), due_date=due,
                    responsible=(managers[i % MANAGERS] if holder == "tm"
                                 else workers[i % SOCIAL_WORKERS]), status="open",
                    holder="team_manager" if holder == "tm" else "allocated_social_worker"))
                n += 1
        Deadline.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"loaded {known:,} children ({children:,} on plans: conferences, plans, "
          f"{2 * children:,} visits, {n:,} open deadlines) in "
          f"{time.perf_counter() - started:.1f} s", flush=True)


def _sessions(users: int) -> list[dict[str, object]]:
    """Signed-in sessions for `users` users (alternately a team manager and a social
    worker), made as a sign-in makes them."""
    from django.conf import settings
    from django.test import Client

    from cpcases.accounts.models import User

    managers = list(User.objects.filter(username__startswith="bench-tm-").order_by("username"))
    workers = list(User.objects.filter(username__startswith="bench-sw-0").order_by("username"))
    sessions = []
    for i in range(users):
        user = managers[(i // 2) % len(managers)] if i % 2 == 0 else workers[i // 2]
        if i == users - 1 and users >= 4:  # one of them runs the returns
            user = User.objects.get(username="bench-pdo")
        client = Client()
        client.force_login(user)
        sessions.append({"cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
                         "role": user.role, "username": user.username})
    return sessions


RETURNS_API = ("/api/v1/returns/", "/api/v1/return-exports/")
# Chairs and managers only (the non-attendance figures by agency; decisions §38).
MANAGERS_API = ("/api/v1/performance/", "/api/v1/conferences/non-attendance/")


def requested_by(target_role: str, role: str) -> bool:
    """Whether a session of `role` requests a target for `target_role`: the performance
    officer sees no caseload, so requests only the returns lists."""
    if role == "performance_officer":
        return target_role in ("all", role)
    return target_role in ("all", "any", role)


def _targets() -> list[dict[str, str]]:
    """Every page the benchmark requests: (name, path, role that requests it: "all" (the
    floor), "any" (every caseholder), "team_manager", "social_worker" or
    "performance_officer")."""
    from django.urls import reverse
    from drf_spectacular.generators import SchemaGenerator

    from cpcases.accounts.models import User
    from cpcases.children.models import Child
    from cpcases.children.tabs import tabs_for

    manager = User.objects.get(username="bench-tm-0")
    on_plans = Child.objects.filter(la_child_id__startswith="B", cp_stage="plan")
    child = on_plans.order_by("la_child_id")[min(37, on_plans.count() - 1)]
    targets = [
        {"name": "floor (trivial signed-in view)", "path": "/bench/floor/", "role": "all"},
        {"name": "caseload", "path": reverse("children:caseload"), "role": "any"},
        {"name": "My work", "path": reverse("home"), "role": "any"},
        {"name": "team deadlines", "path": reverse("deadlines:team"), "role": "team_manager"},
        {"name": "search (name)", "path": reverse("children:search") + "?q=Bench4",
         "role": "any"},
    ]
    for tab in tabs_for(manager):
        targets.append({"name": f"child record: {tab.label}",
                        "path": reverse(tab.url_name, args=[child.pk]),
                        "role": "team_manager"})
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for api_path, operations in sorted(schema["paths"].items()):
        if "get" in operations and "{" not in api_path and api_path.rstrip("/") != "/api/v1":
            # The returns and performance figures are for managers and the performance
            # officer (decisions §28-30): a social worker's 403 there is no measure of speed.
            role = ("performance_officer" if api_path.startswith(RETURNS_API)
                    else "team_manager" if api_path.startswith(MANAGERS_API) else "any")
            targets.append({"name": f"API {api_path}", "path": api_path, "role": role})
    return targets


LOCUSTFILE = '''
import json, os, random
from locust import HttpUser, constant, task

CONFIG = json.load(open(os.environ["CPCASES_BENCH_LOAD_CONFIG"]))
_next = iter(range(10**6))


class SignedIn(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        session = CONFIG["sessions"][next(_next) % len(CONFIG["sessions"])]
        self.role = session["role"]
        self.headers = {"Cookie": CONFIG["cookie_name"] + "=" + session["cookie"],
                        "X-Forwarded-Proto": "https", "Accept": "text/html,application/json"}
        self.targets = [t for t in CONFIG["targets"] if requested_by(t["role"], self.role)]
        # The floor one request in ten: enough for steady percentiles of the denominator.
        floor = self.targets[0]
        self.targets += [floor] * max(1, len(self.targets) // 9)

    @task
    def page(self):
        t = random.choice(self.targets)
        with self.client.get(t["path"], name=t["name"], headers=self.headers,
                             allow_redirects=False, catch_response=True) as response:
            if not 200 <= response.status_code < 300:
                response.failure(f"HTTP {response.status_code}")
            else:
                response.success()
'''


def _children_of(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _rss_mb(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urlopen(Request(url, headers={"X-Forwarded-Proto": "https"}), timeout=5)
            return
        except Exception:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=1500, help="children on plans")
    parser.add_argument("--known", type=int, default=10000, help="children known in all")
    parser.add_argument("--users", type=int, default=20, help="concurrent signed-in users")
    # Five minutes: each page about 600-1,300 requests, so its p95 moves by about 0.1 of a
    # ratio from run to run; in two-minute runs one page's moved by up to 0.4 (decision 98).
    parser.add_argument("--duration", type=int, default=300, help="seconds of load")
    parser.add_argument("--workers", type=int, default=0,
                        help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    args.known = max(args.known, args.children)

    database = f"{BENCH_DB}_{args.children}_{args.known}"
    env = _environment(args.port, database)
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    print(f"database {database}: migrating ...", flush=True)
    call_command("migrate", verbosity=0)
    print("collecting static files ...", flush=True)  # unchanged files are skipped
    call_command("collectstatic", "--noinput", verbosity=0)
    _load(args.children, args.known)
    from django.db import connection

    # As autovacuum keeps a production database (it is off on the CI server): each run's
    # access-log rows analysed and the visibility map set, so every run starts alike.
    print("vacuuming and analysing ...", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    from django.core.cache import cache

    cache.clear()  # sessions of an earlier run
    config = {"sessions": _sessions(args.users), "targets": _targets(),
              "cookie_name": settings.SESSION_COOKIE_NAME}
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    (work / "config.json").write_text(json.dumps(config))
    # The locustfile runs in locust's process: it gets `requested_by` as source.
    (work / "locustfile.py").write_text(LOCUSTFILE + "\n\n" + inspect.getsource(requested_by))

    from django.db import connections

    connections.close_all()
    server_env = {**os.environ, **env, "GUNICORN_ACCESS_LOG": str(work / "access.log")}
    if args.workers:
        server_env["WEB_CONCURRENCY"] = str(args.workers)
    server_log = open(work / "gunicorn.log", "w")  # noqa: SIM115 - the server's lifetime
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
         "cpcases.wsgi:application"], cwd=ROOT, env=server_env,
        stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True)
    peak = {"rss": 0.0, "workers": 0}
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            workers = _children_of(server.pid)
            peak["workers"] = max(peak["workers"], len(workers))
            for pid in workers:
                peak["rss"] = max(peak["rss"], _rss_mb(pid, "VmHWM"), _rss_mb(pid, "VmRSS"))
            stop.wait(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    try:
        base = f"http://127.0.0.1:{args.port}"
        _wait_for(base + "/sign-in/", 120)
        print(f"gunicorn (pid {server.pid}, {len(_children_of(server.pid))} workers) ready; "
              f"warming up ...", flush=True)
        # Warm every worker, unmeasured: its SQL compiled once per process and its connection
        # past PostgreSQL's first five (custom) plans of each prepared statement. Sent
        # sequentially, requests all went to whichever worker was idle, and the others paid
        # their first requests inside the measured run (the slowest twentieth of several
        # pages, all in its first minute). As many at once as there are workers, each worker
        # answers about WARM_UP of every page.
        count = len(_children_of(server.pid))

        def warm(target: dict[str, str]) -> None:
            session = random.choice([s for s in config["sessions"]
                                     if requested_by(target["role"], s["role"])])
            try:
                urlopen(Request(base + target["path"], headers={
                    "Cookie": f"{settings.SESSION_COOKIE_NAME}={session['cookie']}",
                    "X-Forwarded-Proto": "https"}), timeout=120).read()
            except Exception as error:
                print(f"  warm-up {target['path']}: {error}", flush=True)

        with ThreadPoolExecutor(max_workers=count) as pool:
            for target in config["targets"]:
                list(pool.map(warm, [target] * (count * WARM_UP)))
        # The worker's times are read from here on: the warm-up is not the run (locust's
        # figures never held it; the access log did).
        time.sleep(1)  # the last warm-up lines written
        (work / "measured_from").write_text(str((work / "access.log").stat().st_size))
        watcher.start()
        print(f"locust: {args.users} users for {args.duration} s on {len(config['targets'])} "
              f"pages ...", flush=True)
        with open(work / "locust.log", "w") as locust_log:
            subprocess.run(
                [sys.executable, "-m", "locust", "-f", str(work / "locustfile.py"),
                 "--headless", "--users", str(args.users), "--spawn-rate", str(args.users),
                 "--run-time", f"{args.duration}s", "--host", base, "--csv",
                 str(work / "load"), "--only-summary", "--loglevel", "WARNING",
                 "--stop-timeout", "30"],
                env={**server_env, "CPCASES_BENCH_LOAD_CONFIG": str(work / "config.json")},
                check=False, stdout=subprocess.DEVNULL, stderr=locust_log)
    finally:
        stop.set()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)
        server_log.close()
    return _report(work, args, peak)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[round(share * (len(ordered) - 1))] if ordered else 0.0


def _server_times(work: Path) -> dict[str, list[float]]:
    """Per page, the milliseconds each request spent in a worker (gunicorn's access log)."""
    config = json.loads((work / "config.json").read_text())
    names = {t["path"]: t["name"] for t in config["targets"]}
    times: dict[str, list[float]] = {}
    marked = work / "measured_from"
    start = int(marked.read_text()) if marked.exists() else 0
    with open(work / "access.log", "rb") as log:
        log.seek(start)
        lines = log.read().decode().splitlines()
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 4:
            continue
        path, query, _, micros = parts
        name = names.get(path + (f"?{query}" if query and query != "-" else ""))
        if name:
            times.setdefault(name, []).append(int(micros) / 1000)
    return times


def _report(work: Path, args: argparse.Namespace, peak: dict[str, float]) -> int:
    with open(work / "load_stats.csv") as stats:
        rows = {r["Name"]: r for r in csv.DictReader(stats)}
    server = _server_times(work)
    floor = rows.get("floor (trivial signed-in view)")
    if not floor or not float(floor["50%"]):
        print(f"no floor measured; see {work}/locust.log")
        return 1
    f50, f95 = float(floor["50%"]), float(floor["95%"])
    floor_server = server.get(floor["Name"], [0.0])
    s50, s95 = _percentile(floor_server, 0.5), _percentile(floor_server, 0.95)
    print(f"\n{args.children:,} children on plans, {args.known:,} known; {args.users} users, "
          f"{args.duration} s, gunicorn {peak['workers']} workers (production settings)")
    print(f"floor: p50 {f50:.0f} ms, p95 {f95:.0f} ms as the client saw it; "
          f"{s50:.1f} ms, {s95:.1f} ms in the worker")
    print("client: as locust saw it (includes waiting for a free worker); worker: time in "
          "the gunicorn worker (access log); x: ratio to the floor's same figure\n")
    print(f"{'page':<40} {'p50 ms':>7} {'x':>5} {'p95 ms':>7} {'x':>5} {'req/s':>6} "
          f"{'n':>5} {'non2xx':>6} {'wkr p50':>8} {'x':>5} {'wkr p95':>8} {'x':>5}")
    above = []
    failures = 0
    for name, r in rows.items():
        if name == "Aggregated":
            continue
        p50, p95 = float(r["50%"]), float(r["95%"])
        fails = int(r["Failure Count"])
        failures += fails
        ratio = p95 / f95 if f95 else 0
        w = server.get(name, [0.0])
        w50, w95 = _percentile(w, 0.5), _percentile(w, 0.95)
        worker_ratio = w95 / s95 if s95 else 0
        flag = ""
        if not name.startswith("floor") and (ratio > TARGET or worker_ratio > TARGET):
            flag = "  above 3x" + (" (worker)" if ratio <= TARGET else "")
            above.append(name)
        print(f"{name[:40]:<40} {p50:>7.0f} {p50 / f50:>5.1f} {p95:>7.0f} {ratio:>5.1f} "
              f"{float(r['Requests/s']):>6.1f} {int(r['Request Count']):>5} {fails:>6} "
              f"{w50:>8.1f} {w50 / s50 if s50 else 0:>5.1f} {w95:>8.1f} "
              f"{w95 / s95 if s95 else 0:>5.1f}{flag}")
    total = rows.get("Aggregated", {})
    print(f"\nall pages: {float(total.get('Requests/s', 0)):.1f} req/s, "
          f"{int(total.get('Request Count', 0)):,} requests, {failures} non-2xx")
    print(f"peak RSS of a web worker: {peak['rss']:.0f} MB (target under 150 MB)")
    print(f"p95 above {TARGET:.0f}x the floor: {', '.join(above) if above else 'none'}")
    print(f"(locust CSV and logs: {work})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
