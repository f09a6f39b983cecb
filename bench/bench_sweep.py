"""Benchmark the escalation sweep: 1,000,000 and 5,000,000 open deadlines, 1% needing a notice.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_sweep.py
    (optional: --sizes 100000 1000000 --db cpcases_bench)

Creates (and migrates) its own database `cpcases_bench` on the server of DATABASE_URL, loads
the deadlines with one INSERT … SELECT FROM generate_series (audit triggers off for the load
only: it measures the sweep, not the load; no ANALYZE afterwards, so the claim runs on stale
statistics as after a real bulk load), runs one sweep and prints seconds per sweep and rows
per second. Goals (issue 13 §4, §6): 1,000,000 in under 5 s, 5,000,000 in under 20 s, and
the process under 200 MB.

References measured in the same run, beside each sweep:
- `floor s`: the database work alone, in SQL: claim every due row through the queue (FOR
  UPDATE) and advance it (its queue row moved by the trigger) in one statement, rolled back:
  no sweep can do less (it does not write the escalations and notices);
- `base MB`: the resident memory of the process that sweeps (started fresh, like a Celery
  worker) after Django's start-up and before the sweep; `peak MB` is its peak (VmHWM)
  after the sweep. The benchmark's own set-up and load run in another process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCH_DB = os.environ.get("CPCASES_BENCH_DB", "cpcases_bench")
CHILDREN = 10_000


def _prepare_database(name: str) -> None:
    import psycopg

    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    parsed = urlparse(base)
    with psycopg.connect(urlunparse(parsed._replace(path="/postgres")), autocommit=True) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                           [name]).fetchone()
        if not exists:
            c.execute(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{name}"))
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/3")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "cpcases.settings.dev"


def _organisation():
    from cpcases.accounts.models import Authority, Service, Team, User
    from cpcases.accounts.roles import Role
    from cpcases.children.models import Allocation, Child

    authority, _ = Authority.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    service, _ = Service.objects.get_or_create(authority=authority, name="Bench service")
    team, _ = Team.objects.get_or_create(service=service, name="Bench team")

    def user(username: str, role: str, **kw: object) -> User:
        found, _ = User.objects.get_or_create(
            username=username, defaults={"role": role, "authority": authority,
                                         "full_name": username, "email": f"{username}@x.example",
                                         **kw})
        return found

    sw = user("bench-sw", Role.SOCIAL_WORKER, team=team)
    user("bench-tm", Role.TEAM_MANAGER, team=team)
    user("bench-sm", Role.SERVICE_MANAGER, service=service)
    user("bench-hos", Role.HEAD_OF_SERVICE, service=service)
    if Child.objects.filter(authority=authority).count() < CHILDREN:
        children = Child.objects.bulk_create(
            [Child(authority=authority, la_child_id=f"B{i:06d}", first_name="Bench",
                   last_name=f"Child {i}", date_of_birth=date(2018, 1, 1))
             for i in range(CHILDREN)], batch_size=5000)
        Allocation.objects.bulk_create(
            [Allocation(child=c, team=team, social_worker=sw, started_on=date(2026, 1, 5))
             for c in children], batch_size=5000)
    child_ids = list(Child.objects.filter(authority=authority).values_list("pk", flat=True))
    return authority, sw, child_ids


def _load(total: int, authority, sw, child_ids: list[int], now: datetime) -> float:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from cpcases.children.models import Child

    content_type = ContentType.objects.get_for_model(Child).pk
    due_past = (now - timedelta(days=3)).date()
    due_future = (now + timedelta(days=60)).date()
    past_action = now - timedelta(hours=1)
    future_action = now + timedelta(days=50)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE deadlines_notification, deadlines_notificationdigest, "
                       "deadlines_escalation, "
                       "deadlines_deadline RESTART IDENTITY CASCADE")
        cursor.execute("SET LOCAL session_replication_role = replica")  # no audit rows
        # The queue is filled once after the load, not through its trigger's table of every
        # new row (decisions §43); the same rows either way.
        cursor.execute("ALTER TABLE deadlines_deadline DISABLE TRIGGER "
                       "deadline_sweep_queue_insert")
        # Generated in the server (generate_series): no row crosses the wire or becomes a
        # Python object, so the load takes seconds, not minutes, at 5,000,000.
        cursor.execute(_GENERATE, {
            "total": total, "authority": authority.pk, "children": child_ids,
            "content_type": content_type, "due_past": due_past, "due_future": due_future,
            "past_action": past_action, "future_action": future_action,
            "responsible": sw.pk, "stamp": now})
        cursor.execute("ALTER TABLE deadlines_deadline ENABLE ALWAYS TRIGGER "
                       "deadline_sweep_queue_insert")
        cursor.execute(_QUEUE)
        # No ANALYZE: the sweep must not need fresh statistics (decisions §35).
    return time.perf_counter() - started


# Every hundredth deadline (1%) needs a notice now; the rest are due in 60 days.
_GENERATE = """
    INSERT INTO deadlines_deadline (
        authority_id, child_id, rule_id, content_type_id, object_id, variant, anchor_date,
        due_date, responsible_id, status, cancelled_reason, delay_reason, next_action_at,
        next_level, created_at, updated_at, ended_by_event, holder)
    SELECT %(authority)s, (%(children)s::bigint[])[1 + i %% cardinality(%(children)s::bigint[])],
           'child_seen', %(content_type)s, i, '',
           CASE WHEN i %% 100 = 0 THEN %(due_past)s::date ELSE %(due_future)s::date END,
           CASE WHEN i %% 100 = 0 THEN %(due_past)s::date ELSE %(due_future)s::date END,
           %(responsible)s, 'open', '', '',
           CASE WHEN i %% 100 = 0 THEN %(past_action)s::timestamptz
                ELSE %(future_action)s::timestamptz END,
           CASE WHEN i %% 100 = 0 THEN 'breach' ELSE 'reminder' END,
           %(stamp)s, %(stamp)s, '', ''
    FROM generate_series(0, %(total)s - 1) AS i
"""

_QUEUE = """
    INSERT INTO deadlines_sweepqueue (deadline_id, next_action_at)
    SELECT id, next_action_at FROM deadlines_deadline
    WHERE status = 'open' AND next_action_at IS NOT NULL
"""

# The sweep's own statements minus its Python: lock every due deadline through the queue
# (its index, each deadline by key, as the claim) and advance it, which moves its queue row.
_FLOOR = """
    WITH due AS (SELECT d.id FROM deadlines_sweepqueue AS q
                 JOIN deadlines_deadline AS d ON d.id = q.deadline_id
                 WHERE q.next_action_at <= %s AND d.status = 'open'
                 ORDER BY q.next_action_at, q.deadline_id  -- the index's order: driven by it
                 FOR UPDATE OF d)
    UPDATE deadlines_deadline AS d SET next_action_at = d.next_action_at + interval '3 days',
                                       next_level = 'service_manager'
    FROM due WHERE d.id = due.id
"""


def _floor(now: datetime) -> float:
    """The least the database must do: lock and advance every due row, set-based, rolled
    back."""
    from django.db import connection, transaction

    from deadlines.sweep import _INDEX_ONLY

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_INDEX_ONLY)  # the claim's plan (no statistics after the load)
        cursor.execute(_FLOOR, [now])
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    """This process's own peak: VmHWM, the high-water mark of its address space since exec.
    Not getrusage's ru_maxrss, which Linux carries across fork and exec: the worker would
    report the benchmark process's peak (about 270 MB after it ran migrations), not its own."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _sweep_in_worker(db: str, now: datetime) -> dict[str, float]:
    """Run one sweep, then a second (nothing due), in a fresh process started like a Celery
    worker (Django set up, URL conf loaded): its memory is the sweep's, not the benchmark's
    (the organisation and the load stay in this process)."""
    out = subprocess.run([sys.executable, __file__, "--db", db, "--sweep-at", now.isoformat()],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _worker(at: str) -> None:
    import django

    django.setup()
    from django.urls import reverse

    from deadlines.sweep import deadlines_sweep

    reverse("deadlines:child", args=[1])  # the URL conf: loaded once per worker, not per sweep
    now = datetime.fromisoformat(at)
    base = _rss_mb()
    started = time.perf_counter()
    result = deadlines_sweep(now=now)
    seconds = time.perf_counter() - started
    peak = _peak_mb()
    again = time.perf_counter()
    second = deadlines_sweep(now=now)
    print(json.dumps({"seconds": seconds, "breach": result.notices["breach"],
                      "notifications": result.notifications, "emails": result.emails,
                      "base": base, "peak": peak, "second": time.perf_counter() - again,
                      "second_claimed": second.claimed}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--db", default=BENCH_DB)
    parser.add_argument("--sweep-at", help=argparse.SUPPRESS)  # the worker process (above)
    args = parser.parse_args()
    _prepare_database(args.db)
    if args.sweep_at:
        _worker(args.sweep_at)
        return

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from deadlines.models import Escalation, Notification

    call_command("migrate", verbosity=0)
    authority, sw, child_ids = _organisation()
    now = timezone.now()
    print(f"{'deadlines':>10} {'to notify':>10} {'load s':>7} {'sweep s':>8} {'floor s':>8} "
          f"{'ratio':>6} {'deadlines/s':>12} {'notices':>8} {'e-mails':>8} {'base MB':>8} "
          f"{'peak MB':>8}")
    for total in args.sizes:
        load_seconds = _load(total, authority, sw, child_ids, now)
        floor = _floor(now)
        run = _sweep_in_worker(args.db, now)
        seconds = run["seconds"]
        expected = (total + 99) // 100
        assert run["breach"] == expected, run
        assert Escalation.objects.count() == expected
        assert Notification.objects.count() == 2 * expected
        print(f"{total:>10,} {expected:>10,} {load_seconds:>7.0f} {seconds:>8.2f} {floor:>8.2f} "
              f"{seconds / floor:>6.1f} {total / seconds:>12,.0f} {run['notifications']:>8,} "
              f"{run['emails']:>8,} {run['base']:>8.0f} {run['peak']:>8.0f}", flush=True)
        print(f"{'':>10} second sweep (nothing due): {run['second']:.3f} s, "
              f"{run['second_claimed']} claimed", flush=True)


if __name__ == "__main__":
    main()
