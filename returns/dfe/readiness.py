"""Stored census readiness (issue 16 point 2's readiness page, made cheap to read): the
census is built and checked by a refresh (on demand from the page, and nightly by Celery
beat), and the page and the API read the stored ReadinessProblem rows, paged.

A refresh covers the whole authority for one census year and replaces that year's rows in
one transaction (the page shows the last complete check, with when it was made). Who sees
which rows is decided when they are read: the officer every row, a manager the rows of the
children of their own service (returns.selectors.return_children). Rules about the return as
a whole (no child: rule 2883) are shown to the officer only, since they are computed over
the whole authority.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cpcases.accounts.models import Authority, User
from cpcases.accounts.roles import Role
from cpcases.children.models import Child
from returns import census, rules
from returns.dfe.models import ReadinessProblem, ReadinessRun
from returns.links import fix_link as _fix  # the page that puts each problem right
from returns.periods import SUPPORTED_CENSUS_YEARS, census_period
from returns.selectors import return_children


def refresh_readiness(*, authority: Authority, year: int, user: User | None = None,
                      today: dt.date | None = None) -> ReadinessRun:
    """Check the authority's census for `year` and store what fails. Raises PeriodError for
    a year not supported or not ended."""
    period = census_period(year, today=today)
    built = census.build_census(
        Child.objects.filter(authority=authority, merged_into__isnull=True), period)
    failures = rules.check_census(built)
    rows = []
    for f in failures:
        url, text = _fix(f)
        rows.append(ReadinessProblem(
            child_id=f.child.pk if f.child else None, rule=f.rule, severity=f.severity,
            message=f.message[:300], target_kind=f.target[0], target_id=f.target[1],
            fix_url=url[:200], fix_text=text[:100]))
    with transaction.atomic():
        run, _ = ReadinessRun.objects.select_for_update().update_or_create(
            authority=authority, year=year,
            defaults={"checked_at": timezone.now(), "user": user,
                      "children_checked": len(built.children), "problems": len(rows),
                      "errors": sum(1 for r in rows if r.severity == "E")})
        run.rows.all().delete()
        for row in rows:
            row.run = run
        ReadinessProblem.objects.bulk_create(rows, batch_size=2000)
    return run


def refresh_every_authority(today: dt.date | None = None) -> int:
    """The nightly refresh: every authority, every supported census year that has ended.
    The number of checks made."""
    today = today or timezone.localdate()
    years = [y for y in SUPPORTED_CENSUS_YEARS if dt.date(y, 3, 31) <= today]
    made = 0
    for authority in Authority.objects.order_by("pk"):
        for year in years:
            refresh_readiness(authority=authority, year=year, today=today)
            made += 1
    return made


def last_run(user: User, year: int) -> ReadinessRun | None:
    return ReadinessRun.objects.filter(authority_id=user.authority_id, year=year).first()


def stored_problems(user: User, run: ReadinessRun) -> QuerySet[ReadinessProblem]:
    """The stored rows of `run` this user may see (raises PermissionDenied for a user who
    may not run the returns)."""
    mine = Q(child__in=return_children(user))
    if user.role == Role.PERFORMANCE_OFFICER:
        mine |= Q(child__isnull=True)
    return run.rows.filter(mine).select_related("child").order_by("id")
