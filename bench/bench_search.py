"""Benchmark finding a child across an authority of 100,000 children (issue 10).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/bench_search.py
    (optional: --children 100000 --queries 200 --db cpcases_bench_search --keep)

Creates (and migrates) its own database on DATABASE_URL's server, loads the children and
their allocations with COPY (audit triggers off for the load only), then times
`frontdoor.selectors.authority_search` as a social worker calls it: fuzzy names with typos
and transposed words (pg_trgm on the GIN index), and name + date of birth. Beside them, in the
same run and on the same data, the reference: an exact child-ID lookup through the same
function (a B-tree index), and a postcode typed in lower case without its space ("an12 3bq"
finds "AN12 3BQ", on the normalised-postcode index). Prints the median and p95 of each, in
milliseconds.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _words(text: str) -> list[str]:
    return text.split()


FIRST = _words(
    "Oliver George Harry Noah Jack Leo Arthur Muhammad Oscar Charlie Jacob Thomas Henry "
         "William Alfie Freddie Theo Archie Joshua James Olivia Amelia Isla Ava Mia Ivy Lily "
         "Isabella Rosie Sophia Grace Freya Willow Florence Emily Ella Poppy Evie Elsie Sofia "
         "Aisha Zara Yusuf Ibrahim Amir Hannah Chloe Jessica Ruby Daniel Samuel John Mary")
LAST = _words(
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
        "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel "
        "Jackson Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison "
        "Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths "
        "Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox "
        "Richards Khan Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster "
        "Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer "
        "Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray "
        "Dixon Harvey Nowak Okoro Kowalski Ahmed Rahman Chowdhury Mahmood Iqbal Nguyen")


def _prepare_database(name: str) -> None:
    import psycopg

    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    parsed = urlparse(base)
    with psycopg.connect(urlunparse(parsed._replace(path="/postgres")), autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            c.execute(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{name}"))
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/3")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "cpcases.settings.dev"


def _typo(word: str, rng: random.Random) -> str:
    """A misspelling: a letter dropped, doubled or swapped, or a vowel changed."""
    i = rng.randrange(1, len(word)) if len(word) > 2 else 1
    kind = rng.choice(("drop", "double", "swap", "vowel"))
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i - 1] + word[i:]
    if kind == "swap" and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + rng.choice("aeiouy") + word[i + 1:]


Sample = tuple[str, str, date, str, str]  # first, last, born, child ID, postcode


def _load(children: int, rng: random.Random) -> tuple[object, list[Sample]]:
    from django.db import connection

    from cpcases.accounts.models import Authority, Service, Team, User
    from cpcases.accounts.roles import Role
    from cpcases.children.models import Child

    authority, _ = Authority.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    service, _ = Service.objects.get_or_create(authority=authority, name="Bench service")
    teams = [Team.objects.get_or_create(service=service, name=f"Team {i}")[0]
             for i in range(20)]
    user, _ = User.objects.get_or_create(
        username="bench-search-sw", defaults={"role": Role.SOCIAL_WORKER,
                                              "authority": authority, "team": teams[0],
                                              "full_name": "Bench Worker"})
    sample: list[Sample] = []
    if Child.objects.filter(authority=authority).count() >= children:
        for c in Child.objects.filter(authority=authority).order_by("?")[:1000]:
            sample.append((c.first_name, c.last_name, c.date_of_birth, c.la_child_id,
                           c.postcode))
        return user, sample
    Child.objects.filter(authority=authority).delete()
    now = datetime.now(UTC)
    today = date.today()
    child_cols = ("authority_id, la_child_id, is_unborn, first_name, last_name, date_of_birth, "
                  "sex, gender, ethnicity, disability, first_language, interpreter_needed, "
                  "address, postcode, legal_status, cp_stage, is_restricted, nhs_number, upn, "
                  "former_upn, upn_unknown_reason, disabilities, version, created_at, "
                  "updated_at")
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no audit rows for the load
        with cursor.cursor.copy(f"COPY children_child ({child_cols}) FROM STDIN") as copy:
            for n in range(children):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                born = today - timedelta(days=rng.randrange(0, 18 * 365))
                postcode = (f"AN{rng.randrange(1, 30)} {rng.randrange(1, 9)}"
                            f"{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}")
                copy.write_row((authority.pk, f"B{n:07d}", False, first, last, born,
                                rng.choice("MFU"), "", "NOBT", "", "English", False,
                                f"{rng.randrange(1, 200)} High Street", postcode,
                                "", "none", n % 500 == 0, "", "", "", "", "{}", 1, now, now))
                if n % 100 == 0:
                    sample.append((first, last, born, f"B{n:07d}", postcode))
        cursor.execute("INSERT INTO children_allocation (child_id, team_id, social_worker_id, "
                       "started_on, reason, created_at, updated_at) "
                       "SELECT c.id, (SELECT id FROM accounts_team WHERE service_id = %s "
                       "ORDER BY id OFFSET (c.id %% 20) LIMIT 1), NULL, %s, 'bench', now(), "
                       "now() FROM children_child c WHERE c.authority_id = %s",
                       [service.pk, today, authority.pk])
        cursor.execute("SET session_replication_role = origin")
        cursor.execute("ANALYZE children_child")
        cursor.execute("ANALYZE children_allocation")
    return user, sample


def _time(fn, runs: list) -> list[float]:
    timings = []
    for args in runs:
        start = time.perf_counter()
        fn(args)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def _summary(label: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (f"  {label:<48} median {statistics.median(ordered):7.1f} ms   "
            f"p95 {p95:7.1f} ms   (n={len(ordered)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--db", default="cpcases_bench_search")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    _prepare_database(args.db)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from frontdoor.selectors import SearchCriteria, authority_search

    rng = random.Random(2026)
    started = time.perf_counter()
    user, sample = _load(args.children, rng)
    print(f"Authority of {args.children:,} children ready in "
          f"{time.perf_counter() - started:.1f} s; {args.queries} queries each.")
    picks = [rng.choice(sample) for _ in range(args.queries)]

    def search(criteria: SearchCriteria) -> None:
        authority_search(user=user, criteria=criteria)

    # Warm the caches once so the first query does not count the disk.
    search(SearchCriteria(name="warm up"))
    fuzzy = [SearchCriteria(name=f"{_typo(f, rng)} {_typo(last, rng)}")
             for f, last, _born, _id, _pc in picks]
    transposed = [SearchCriteria(name=f"{last} {f}") for f, last, _born, _id, _pc in picks]
    with_dob = [SearchCriteria(name=f"{_typo(f, rng)} {last}", date_of_birth=born)
                for f, last, born, _id, _pc in picks]
    reference = [SearchCriteria(la_child_id=child_id) for _f, _l, _b, child_id, _pc in picks]
    # Typed as people type it: lower case, the space left out (or not).
    by_postcode = [SearchCriteria(postcode=pc.lower().replace(" ", "" if i % 2 else " "))
                   for i, (_f, _l, _b, _id, pc) in enumerate(picks)]
    print(_summary("fuzzy name, misspelt (\"Jon Smyth\")", _time(search, fuzzy)))
    print(_summary("fuzzy name, transposed (\"Smith John\")", _time(search, transposed)))
    print(_summary("misspelt name + date of birth", _time(search, with_dob)))
    print(_summary("postcode, any case or spacing (\"an12 3bq\")",
                   _time(search, by_postcode)))
    print(_summary("reference: exact child ID (B-tree index)", _time(search, reference)))
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
