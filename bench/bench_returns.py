"""Benchmark the statutory returns for an authority of 50,000 children (issue 16).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/bench_returns.py
    (optional: --children 50000 --db cpcases_bench_returns --keep)

Creates (and migrates) its own database on DATABASE_URL's server and loads, with the audit
triggers off for the load only: the children with allocations; a referral (Child in Need
episode) for each in the 2025-26 census year with an assessment; for one in three an S47
enquiry with the engine-style ICPC target; for half of those a held initial conference and
a child protection plan starting that day. Then times the CIN census (build, rules, XML),
each Annex A list (xlsx) and the DfE children's social care API payload (every child, as
JSON; then "changed only" after every child is marked sent, which finds none), and prints
the time of each and the process's peak resident memory after it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_search import _prepare_database

BATCH = 5000


def _load(children: int, rng: random.Random) -> object:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone

    from conferences.models import Conference, ConferenceKind, ConferenceStatus
    from cpcases.accounts.models import Authority, Service, Team, User
    from cpcases.accounts.roles import Role
    from cpcases.children.models import Allocation, Child
    from cpcases.plans.models import ChildProtectionPlan
    from deadlines.models import Deadline
    from frontdoor.models import Assessment, Referral
    from strategy.models import Section47Enquiry, StrategyDiscussion

    authority, _ = Authority.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    officer = User.objects.filter(username="bench-pdo").first()
    loaded = Child.objects.filter(authority=authority).count()
    if officer and loaded == children:
        return officer
    if loaded:
        raise SystemExit(f"The database holds {loaded:,} bench children, not {children:,}: "
                         "drop it (run without --keep) or choose another --db.")
    service, _ = Service.objects.get_or_create(authority=authority, name="Bench service")
    teams = [Team.objects.get_or_create(service=service, name=f"Team {i}")[0]
             for i in range(20)]
    worker, _ = User.objects.get_or_create(
        username="bench-sw", defaults={"role": Role.SOCIAL_WORKER, "authority": authority,
                                       "team": teams[0], "full_name": "Bench Worker"})
    chair, _ = User.objects.get_or_create(
        username="bench-chair", defaults={"role": Role.CP_CHAIR, "authority": authority,
                                          "full_name": "Bench Chair"})
    officer, _ = User.objects.get_or_create(
        username="bench-pdo", defaults={"role": Role.PERFORMANCE_OFFICER,
                                        "authority": authority, "full_name": "Bench Officer"})
    start = dt.date(2025, 4, 1)
    now = timezone.now()
    s47_type = ContentType.objects.get_for_model(Section47Enquiry)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no audit rows for the load
    for first in range(0, children, BATCH):
        count = min(BATCH, children - first)
        kids = Child.objects.bulk_create(
            Child(authority=authority, la_child_id=f"B{first + n:07d}", first_name="Bench",
                  last_name=f"Child{first + n}", sex=rng.choice("MFU"),
                  date_of_birth=dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(6000)),
                  disabilities=["NONE"]) for n in range(count))
        Allocation.objects.bulk_create(
            Allocation(child=c, team=teams[i % 20], social_worker=worker, started_on=start)
            for i, c in enumerate(kids))
        days = [start + dt.timedelta(days=rng.randrange(300)) for _ in kids]
        days = [d + dt.timedelta(days=(7 - d.weekday()) % 7 if d.weekday() >= 5 else 0)
                for d in days]  # weekdays
        referrals = Referral.objects.bulk_create(
            Referral(authority=authority, child=c, referral_date=d, source="6",
                     primary_need="N1") for c, d in zip(kids, days, strict=True))
        Assessment.objects.bulk_create(
            Assessment(referral=r, child_id=r.child_id, social_worker=worker, allocated_at=now,
                       started_on=r.referral_date, factors=["16A"]) for r in referrals)
        picked = [(c, d) for i, (c, d) in enumerate(zip(kids, days, strict=True)) if i % 3 == 0]
        talks = StrategyDiscussion.objects.bulk_create(
            StrategyDiscussion(authority=authority, concern_identified_at=now, urgency="complex",
                               format="meeting", held_at=now, information_shared="bench")
            for _ in picked)
        enquiries = Section47Enquiry.objects.bulk_create(
            Section47Enquiry(child=c, initiated_by=t, started_on=d, outcome="substantiated")
            for (c, d), t in zip(picked, talks, strict=True))
        Deadline.objects.bulk_create(
            Deadline(authority=authority, child_id=e.child_id, rule_id="icpc",
                     content_type=s47_type, object_id=e.pk, anchor_date=e.started_on,
                     due_date=e.started_on + dt.timedelta(days=21)) for e in enquiries)
        held = enquiries[::2]
        conferences = Conference.objects.bulk_create(
            Conference(authority=authority, kind=ConferenceKind.INITIAL,
                       date=e.started_on + dt.timedelta(days=14), start_time=dt.time(10),
                       venue="Bench", chair=chair, minute_taker=chair,
                       status=ConferenceStatus.HELD) for e in held)
        Conference.children.through.objects.bulk_create(
            Conference.children.through(conference_id=k.pk, child_id=e.child_id)
            for k, e in zip(conferences, held, strict=True))
        ChildProtectionPlan.objects.bulk_create(
            ChildProtectionPlan(authority=authority, child_id=e.child_id, conference=k,
                                started_on=k.date, category="NEG", lead_social_worker=worker)
            for k, e in zip(conferences, held, strict=True))
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = origin")
        cursor.execute("ANALYZE")
    return officer


def _measure(label: str, fn) -> None:
    """Time it; the process's peak resident memory so far (it only grows: the largest step
    sets it)."""
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"  {label:<32} {elapsed:6.1f} s   peak resident memory {peak_rss:6.0f} MiB"
          f"   {result}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--db", default="cpcases_bench_returns")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    _prepare_database(args.db)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from cpcases.children.models import Child
    from returns import annex_a, census, rules
    from returns.periods import annex_a_window, census_period

    started = time.perf_counter()
    _load(args.children, random.Random(2026))
    print(f"Authority of {args.children:,} children ready in "
          f"{time.perf_counter() - started:.1f} s.")
    children = Child.objects.filter(authority__slug="bench")
    period = census_period(2026, today=dt.date(2026, 12, 3))

    def census_xml() -> str:
        built = census.build_census(children, period)
        failures = rules.check_census(built)
        xml = census.to_xml(built)
        return f"{len(built.children):,} children, {len(failures)} failures, {len(xml):,} bytes"

    _measure("CIN census (build, rules, XML)", census_xml)
    window = annex_a_window(dt.date(2026, 3, 31), 12, today=dt.date(2026, 12, 3))
    for number in sorted(annex_a.BUILDERS):
        def listing(number: int = number) -> str:
            built = annex_a.build_list(number, children, window)
            return f"{len(built.rows):,} rows, {len(annex_a.to_xlsx(built)):,} bytes"

        _measure(f"Annex A list {number} (.xlsx)", listing)
    from django.utils import timezone

    from returns.dfe.models import DfeBatch, DfeChildSent, DfeMode
    from returns.dfe.payload import build_payload

    today = dt.date(2026, 12, 3)
    sent: list = []

    def dfe_full() -> str:
        payload = build_payload(children, mode=DfeMode.FULL, today=today)
        sent.extend(payload.records)
        return f"{len(payload.records):,} children, {len(payload.to_json()):,} bytes"

    _measure("DfE API payload (full, JSON)", dfe_full)
    batch = DfeBatch.objects.create(authority=children.first().authority, mode=DfeMode.FULL)
    DfeChildSent.objects.all().delete()
    DfeChildSent.objects.bulk_create(
        (DfeChildSent(child_id=r.child_id, payload_hash=r.payload_hash, batch=batch,
                      sent_at=timezone.now()) for r in sent), batch_size=BATCH)
    sent.clear()

    def dfe_changed() -> str:
        payload = build_payload(children, mode=DfeMode.CHANGED, today=today)
        return f"{len(payload.records):,} of {payload.cohort:,} children changed"

    _measure("DfE API payload (changed only)", dfe_changed)
    if not args.keep:
        from django.db import connection

        connection.close()
        import psycopg

        base = urlparse(os.environ["DATABASE_URL"])
        with psycopg.connect(urlunparse(base._replace(path="/postgres")),
                             autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
