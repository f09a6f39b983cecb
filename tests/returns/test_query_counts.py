"""The census and the Annex A lists take the same number of queries whatever the caseload."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpcases.children.models import Child
from returns import annex_a
from returns.census import build_census
from returns.periods import annex_a_window, census_period
from returns.rules import check_census

pytestmark = pytest.mark.django_db


def _queries(org) -> list[int]:
    children = Child.objects.filter(authority=org.authority)
    counts = []
    with CaptureQueriesContext(connection) as ctx:
        check_census(build_census(children, census_period(2026)))
    counts.append(len(ctx))
    window = annex_a_window(dt.date(2026, 3, 31), 12)
    for number in annex_a.BUILDERS:
        with CaptureQueriesContext(connection) as ctx:
            annex_a.build_list(number, children, window)
        counts.append(len(ctx))
    return counts


def _copy_demo(org, demo, suffix: str) -> None:
    """The demo's four histories again, for four more children."""
    from returns.demo import seed_returns_demo

    for child in Child.objects.filter(la_child_id__startswith="RET"):
        child.la_child_id = f"X{suffix}{child.la_child_id[3:]}"
        child.save(update_fields=["la_child_id"])
    seed_returns_demo(io.StringIO())


def test_query_counts_do_not_grow_with_the_caseload(org, demo) -> None:
    small = _queries(org)
    _copy_demo(org, demo, "A")
    _copy_demo(org, demo, "B")
    assert Child.objects.filter(authority=org.authority).count() >= 12
    assert _queries(org) == small
