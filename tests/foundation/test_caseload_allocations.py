"""The caseload's social workers: each child's current allocations read with SQL built once,
the page's ids one array (issue 13 §2: children.selectors._attach_current_allocations), are
the allocations the ORM's prefetch gave, in its order, each with its child set."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import prefetch_related_objects

from cpcases.children.models import Child
from cpcases.children.selectors import _attach_current_allocations, _current_allocations
from tests.factories import AllocationFactory, ChildFactory

pytestmark = pytest.mark.django_db


def _shown(children: list[Child]) -> list[list[tuple]]:
    return [[(a.pk, a.child_id, a.team_id, str(a.social_worker or "Unallocated"),
              a.started_on, a.ended_on) for a in c.current_allocations] for c in children]


def test_the_allocations_are_the_prefetchs(org, sw, sw_b) -> None:
    # One current allocation a child at most (allocation_one_current); ended ones not shown.
    one, moved, unallocated, none = (ChildFactory(authority=org.authority) for _ in range(4))
    AllocationFactory(child=one, team=org.team_a, social_worker=sw)
    AllocationFactory(child=moved, team=org.team_b, social_worker=sw_b,
                      ended_on=dt.date(2026, 1, 9))
    AllocationFactory(child=moved, team=org.team_a, social_worker=sw,
                      started_on=dt.date(2026, 1, 9))
    AllocationFactory(child=unallocated, team=org.team_a, social_worker=None)
    ids = [one.pk, none.pk, moved.pk, unallocated.pk]
    expected = list(Child.objects.filter(pk__in=ids).order_by("-pk"))
    prefetch_related_objects(expected, _current_allocations(team=False))
    kept = list(Child.objects.filter(pk__in=ids).order_by("-pk"))
    _attach_current_allocations(kept)
    assert _shown(kept) == _shown(expected)
    assert [len(c.current_allocations) for c in kept] == [0, 1, 1, 1]
    assert all(a.child is c for c in kept for a in c.current_allocations)
    assert all(a.social_worker is None or a.social_worker.full_name
               for c in kept for a in c.current_allocations)


def test_the_caseload_reads_its_allocations_in_one_query(client, tm, org, sw) -> None:
    for _ in range(3):
        AllocationFactory(child=ChildFactory(authority=org.authority), team=org.team_a,
                          social_worker=sw)
    client.force_login(tm)
    client.get("/children/")  # the SQL built
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        page = client.get("/children/").content.decode()
    assert sum("children_allocation" in q["sql"] and "unnest" in q["sql"]
               for q in captured.captured_queries) == 1
    assert page.count(sw.full_name) == 3
