"""The SQL queries of every list are constant in the caseload's size (issue 13 §2).

The lists come from the permission walk's table (which the URL resolver makes complete: every
GET page with no record in its path) and from the OpenAPI schema (every GET path with no
record in it), so a new list cannot be forgotten. Each is requested as the walk's insider with
10 children on the team's caseload, each with one of every record the walk builds (a
conference, a plan, a visit, deadlines, a referral ...), then again with 200; the number of
queries must not grow. A list that grows by a query or more per child (an N+1) fails with
both counts.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from tests.foundation.test_permission_walk import ACCESS, _client_for, _placeholders

pytestmark = pytest.mark.django_db

# Searches ask for a name every built child shares.
SEARCHES = {"children:search": "?q=Counted", "frontdoor:search": "?name=Counted",
            "frontdoor-api:child-search-list": "?name=Counted"}


def _api_lists() -> dict[str, str]:
    """Every GET path of the schema that names no record: route name -> path."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    by_path = {a.path: name for name, a in ACCESS.items()}
    found = {}
    for api_path, operations in schema["paths"].items():
        if "get" in operations and "{" not in api_path:
            found[by_path[api_path]] = api_path  # KeyError: a path the walk does not know
    return found


def _page_lists() -> dict[str, str]:
    """Every GET page the walk reaches (200) with no record in its path."""
    return {name: a.path for name, a in ACCESS.items()
            if a.method == "get" and a.ok == 200 and "{" not in a.path
            and not a.path.startswith("/api/")}


def _lists() -> dict[str, str]:
    return {**_page_lists(), **_api_lists()}


def _keys() -> list[str]:
    """Every record a walked path names; a child's death last (it closes the others)."""
    keys: set[str] = set()
    for access in ACCESS.values():
        keys.update(re.findall(r"{(\w+)}", access.path))
    return sorted(keys - {"child", "person"}, key=lambda key: (key == "child_death", key))


# The 190 more children share the records out (each builder for one child in GROUPS), so
# every list still grows by about 19 rows (past its first page) and building stays quick.
GROUPS = 10


def _add_children(request: pytest.FixtureRequest, org, sw, count: int, start: int,
                  groups: int = 1) -> None:
    """`count` children on team A's caseload, each with one of every record the walk builds
    (or with every `groups`-th of them, in turn); a builder that refuses a child in its
    stage is skipped."""
    from tests.factories import AllocationFactory, ChildFactory, ChildPersonFactory

    for i in range(start, start + count):
        child = ChildFactory(authority=org.authority, first_name=f"Kid{i}",
                             last_name="Counted", la_child_id=f"QC{i:05d}")
        AllocationFactory(child=child, team=org.team_a, social_worker=sw)
        ChildPersonFactory(child=child, person__authority=org.authority)
        for key in _keys()[i % groups::groups]:
            try:
                with transaction.atomic():
                    _placeholders(request, "{" + key + "}", child)
            except Exception:  # noqa: S112 - one record per stage; a later one may clash
                continue


def _count(request: pytest.FixtureRequest, lists: dict[str, str]) -> dict[str, int]:
    counts = {}
    clients: dict[str, object] = {}
    for name, path in sorted(lists.items()):
        insider = ACCESS[name].insider
        if insider not in clients:
            clients[insider] = _client_for(request, insider)
        client = clients[insider]
        url = path + SEARCHES.get(name, "")
        client.get(url)  # warm: caches of policy, calendars, templates
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(captured)
    return counts


def test_every_list_is_known_to_the_walk():
    assert _api_lists()
    assert "deadlines:team" in _page_lists()
    assert "children:caseload" in _page_lists()


def test_queries_of_every_list_page_and_api_list_do_not_grow_with_the_caseload(
        request, org, sw, tm, sm, hos, chair, bso, admin_user, sw_b, tm_b):
    lists = _lists()
    _add_children(request, org, sw, 10, 0, groups=GROUPS)
    small = _count(request, lists)
    _add_children(request, org, sw, 190, 10, groups=GROUPS)
    large = _count(request, lists)
    grown = {name: (small[name], large[name]) for name in lists if large[name] > small[name]}
    assert grown == {}, "queries at 10 and at 200 children: " + ", ".join(
        f"{name} {a} -> {b}" for name, (a, b) in sorted(grown.items()))
