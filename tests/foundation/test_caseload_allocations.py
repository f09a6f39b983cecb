"""The caseload's social workers: each child's current allocation's social worker, read in
the page's own query (issue 13 §2: children.selectors._worker_shown), is the name the
allocations the ORM prefetched showed (`str()` of the social worker, "Unallocated" for none)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Prefetch, prefetch_related_objects

from cpcases.children.models import Allocation, Child
from cpcases.children.selectors import _worker_shown
from tests.factories import AllocationFactory, ChildFactory, UserFactory

pytestmark = pytest.mark.django_db


def _prefetched(children: list[Child]) -> list[str]:
    """The column as the template's loop wrote it from the prefetched allocations."""
    prefetch_related_objects(children, Prefetch(
        "allocations", queryset=Allocation.objects.filter(ended_on__isnull=True),
        to_attr="current_allocations"))
    return ["".join(str(a.social_worker or "Unallocated") for a in c.current_allocations)
            or "Unallocated" for c in children]


def test_the_worker_shown_is_the_prefetchs(org, sw, sw_b) -> None:
    # One current allocation a child at most (allocation_one_current); ended ones not shown.
    one, moved, unallocated, none, nameless = (ChildFactory(authority=org.authority)
                                               for _ in range(5))
    AllocationFactory(child=one, team=org.team_a, social_worker=sw)
    AllocationFactory(child=moved, team=org.team_b, social_worker=sw_b,
                      ended_on=dt.date(2026, 1, 9))
    AllocationFactory(child=moved, team=org.team_a, social_worker=sw,
                      started_on=dt.date(2026, 1, 9))
    AllocationFactory(child=unallocated, team=org.team_a, social_worker=None)
    no_full_name = UserFactory(role=sw.role, authority=org.authority, team=org.team_a,
                               full_name="")
    AllocationFactory(child=nameless, team=org.team_a, social_worker=no_full_name)
    ids = [one.pk, none.pk, moved.pk, unallocated.pk, nameless.pk]
    expected = _prefetched(list(Child.objects.filter(pk__in=ids).order_by("-pk")))
    read = Child.objects.filter(pk__in=ids).order_by("-pk").annotate(
        worker_shown=_worker_shown())
    assert [c.worker_shown or "Unallocated" for c in read] == expected
    assert no_full_name.username in expected
    assert sw.full_name in expected


def test_the_caseload_reads_its_workers_with_its_children(client, tm, org, sw) -> None:
    for _ in range(3):
        AllocationFactory(child=ChildFactory(authority=org.authority), team=org.team_a,
                          social_worker=sw)
    client.force_login(tm)
    client.get("/children/")  # the SQL built
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        page = client.get("/children/").content.decode()
    assert not any(q["sql"].startswith('SELECT "children_allocation"')
                   for q in captured.captured_queries)
    assert page.count(sw.full_name) == 3
