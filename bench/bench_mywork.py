"""Benchmark "My work" and the team deadlines page for a team of 1,500 children on plans.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/bench_mywork.py
    (optional: --children 1500 --repeat 5)

Creates (and migrates) its own database `cpcases_bench_mywork` on the server of DATABASE_URL;
loads one team (a team manager, 30 social workers) with 1,500 children on child protection
plans, each with the open deadlines of a plan (next core group, detailed plan distributed,
next review, child seen, sleeping place seen: 7,500 in all, due from 15 days ago to 60 days
ahead), with COPY and the audit triggers off for the load only (it measures the pages, not
the load). Then renders each page through the Django test client, signed in, `--repeat`
times, and prints the median time, the response size and the queries, beside a trivial
page's time in the same run. Issue 9 measured the unpaged team page at 3.8 MB and 10-18 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCH_DB = os.environ.get("CPCASES_BENCH_MYWORK_DB", "cpcases_bench_mywork")
SOCIAL_WORKERS = 30
# The open deadlines of a child on a plan, and who holds them (DOMAIN §4; 003).
PLAN_RULES = (("core_group_next", "sw"), ("plan_distributed", "sw"), ("next_review", "tm"),
              ("child_seen", "sw"), ("bedroom_seen", "sw"))


def _prepare_database() -> None:
    import psycopg

    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    parsed = urlparse(base)
    with psycopg.connect(urlunparse(parsed._replace(path="/postgres")), autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                         [BENCH_DB]).fetchone():
            c.execute(f"CREATE DATABASE {BENCH_DB}")
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{BENCH_DB}"))
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/3")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "cpcases.settings.dev"
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")


def _team(children: int):
    """The authority, team, manager and social workers; children and their deadlines loaded
    once (a second run reuses them)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from cpcases.accounts.models import Authority, Service, Team, User
    from cpcases.accounts.roles import Role
    from cpcases.children.models import Allocation, Child, CpStage

    authority, _ = Authority.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    service, _ = Service.objects.get_or_create(authority=authority, name="Bench service")
    team, _ = Team.objects.get_or_create(service=service, name="Bench team")

    def user(username: str, role: str) -> User:
        found, _ = User.objects.get_or_create(username=username, defaults={
            "role": role, "authority": authority, "team": team, "full_name": username,
            "email": f"{username}@x.example"})
        return found

    tm = user("bench-tm", Role.TEAM_MANAGER)
    workers = [user(f"bench-sw-{i:02d}", Role.SOCIAL_WORKER) for i in range(SOCIAL_WORKERS)]
    if Child.objects.filter(authority=authority).count() >= children:
        return tm, workers
    started = time.perf_counter()
    made = Child.objects.bulk_create(
        [Child(authority=authority, la_child_id=f"P{i:06d}", first_name=f"Child{i}",
               last_name=f"Bench{i % 97}", date_of_birth=date(2016, 1, 1),
               cp_stage=CpStage.PLAN) for i in range(children)], batch_size=5000)
    Allocation.objects.bulk_create(
        [Allocation(child=c, team=team, social_worker=workers[i % SOCIAL_WORKERS],
                    started_on=date(2026, 1, 5)) for i, c in enumerate(made)], batch_size=5000)
    today = date.today()
    content_type = ContentType.objects.get_for_model(Child).pk
    columns = ("authority_id, child_id, rule_id, content_type_id, object_id, variant, "
               "anchor_date, due_date, responsible_id, status, cancelled_reason, "
               "delay_reason, next_action_at, next_level, holder, ended_by_event, created_at, "
               "updated_at")
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no audit rows for the load
        with cursor.cursor.copy(f"COPY deadlines_deadline ({columns}) FROM STDIN") as copy:
            n = 0
            for i, child in enumerate(made):
                worker = workers[i % SOCIAL_WORKERS]
                for rule_id, holder in PLAN_RULES:
                    due = today + timedelta(days=(n * 7) % 76 - 15)
                    copy.write_row((
                        authority.pk, child.pk, rule_id, content_type, child.pk, "",
                        due - timedelta(days=10), due, (tm if holder == "tm" else worker).pk,
                        "open", "", "", None, "", "", "", "now()", "now()"))
                    n += 1
        cursor.execute("SET session_replication_role = origin")
        cursor.execute("ANALYZE")
    print(f"loaded {children:,} children and {n:,} open deadlines in "
          f"{time.perf_counter() - started:.1f} s")
    return tm, workers


def _measure(client, path: str, repeat: int) -> tuple[float, int, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    size = status = queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
        size, status, queries = len(response.content), response.status_code, len(captured)
    return statistics.median(times), size, status, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _prepare_database()

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    tm, workers = _team(args.children)
    from deadlines.models import Deadline

    open_count = Deadline.objects.filter(authority_id=tm.authority_id, status="open").count()
    print(f"team: {args.children:,} children on plans, {len(workers)} social workers, "
          f"{open_count:,} open deadlines; median of {args.repeat} requests each\n")
    anonymous = Client()
    manager, worker = Client(), Client()
    manager.force_login(tm)
    worker.force_login(workers[0])
    pages = [
        ("trivial page (sign-in form)", anonymous, "/sign-in/"),
        ("My work, team manager", manager, "/"),
        ("My work, social worker", worker, "/"),
        ("team deadlines, page 1", manager, "/deadlines/team/"),
        ("team deadlines, page 100", manager, "/deadlines/team/?page=100"),
        ("team deadlines, overdue by child", manager,
         "/deadlines/team/?status=overdue&sort=child"),
        ("my deadlines, all (paged)", worker, "/deadlines/"),
        ("API deadlines, page 1", manager, "/api/v1/deadlines/"),
        ("API my work, team manager", manager, "/api/v1/my-work/"),
    ]
    for _, client, path in pages:  # warm up: templates, calendars, URL resolvers
        client.get(path)
    print(f"{'page':<36} {'median s':>9} {'x trivial':>10} {'bytes':>9} {'queries':>8} "
          f"{'status':>7}")
    trivial = None
    for name, client, path in pages:
        seconds, size, status, queries = _measure(client, path, args.repeat)
        trivial = trivial or seconds
        print(f"{name:<36} {seconds:>9.3f} {seconds / trivial:>10.1f} {size:>9,} "
              f"{queries:>8} {status:>7}")


if __name__ == "__main__":
    main()
