"""A plainly asked API list from its SQL kept per process (cpcases.core.kept_lists; issue 13
§2): the same answer, byte for byte, as the ORM's queryset through DRF's filter backends and
paginator, for each persona and page; the same access log; nothing kept but SQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cpcases.audit.models import AccessEvent
from cpcases.audit.reads import AuditedPageNumberPagination
from cpcases.chronology.models import Visit
from cpcases.core import compiled
from cpcases.core.kept_lists import KeptListMixin
from tests.foundation.test_query_counts import _add_children

pytestmark = pytest.mark.django_db

LISTS = ("/api/v1/visits/", "/api/v1/children/", "/api/v1/plans/", "/api/v1/conferences/",
         "/api/v1/conference-days/")
PERSONAS = ("sw", "tm", "sw_b", "sm", "chair", "bso", "police", "admin_user")
# The first page, a later one, the last (part full), past the end, and what only DRF's
# paginator answers (a word, zero) or a filter or sort (the ORM's way).
PAGES = ("", "?page=1", "?page=2", "?page=4", "?page=99", "?page=999999",
         "?page=99999999999999999999", "?page=last", "?page=0", "?page=x", "?page=",
         "?ordering=-id", "?page=2&ordering=-id")


def _the_orms_way(patch: pytest.MonkeyPatch) -> None:
    """Every list through the filter backends and paginator, as before the kept lists."""
    patch.setattr(KeptListMixin, "_kept_rows", lambda self, found: None)


def _answer(client: Client, url: str, *, kept: bool, monkeypatch: pytest.MonkeyPatch
            ) -> tuple[int, bytes, list[tuple[object, ...]]]:
    """The response and the access-log rows it wrote, with lists kept or not."""
    with monkeypatch.context() as patch:
        if not kept:
            _the_orms_way(patch)
        last = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = client.get(url)
    logged = list(AccessEvent.objects.filter(id__gt=last).order_by("id").values_list(
        "user_id", "child_id", "action", "path", "section"))
    return response.status_code, response.content, logged


@pytest.fixture
def caseload(request: pytest.FixtureRequest, monkeypatch, org, sw, other_team_child,
             restricted_child):
    """16 children on team A (each with some of every record: plans, visits, conferences),
    another team's child and a restricted one; pages of 3, so that each list has several."""
    monkeypatch.setattr(AuditedPageNumberPagination, "page_size", 3)
    _add_children(request, org, sw, 16, 0, groups=2)


def test_each_list_answers_as_the_orm_did(request, caseload, monkeypatch):
    compared = 0
    for persona in PERSONAS:
        client = Client()
        client.force_login(request.getfixturevalue(persona))
        for path in LISTS:
            for page in PAGES:
                old = _answer(client, path + page, kept=False, monkeypatch=monkeypatch)
                new = _answer(client, path + page, kept=True, monkeypatch=monkeypatch)
                assert new == old, (persona, path + page)
                compared += old[0] == 200 and len(old[2]) > 0
    assert compared > 60  # the lists had rows to compare, for most personas


# The plans' members, actions and versions come as JSON rows of the page's own query, and
# so does each child's current allocation.
KEPT_PREFETCHES = {"/api/v1/visits/": 0, "/api/v1/children/": 0, "/api/v1/plans/": 0,
                   "/api/v1/conferences/": 1, "/api/v1/conference-days/": 2}
# The conference lists ask for their attendances and decisions only of the conferences that
# have some (conferences.outcomes.selectors.prefetched_if_any): a prefetch a relation with
# rows on the page.
ASKED_WHERE_ANY = {"/api/v1/conferences/": ("child_decisions",),
                   "/api/v1/conference-days/": ("attendances", "child_decisions")}


def _kept_prefetches(path: str, page: Any) -> int:
    relations = ASKED_WHERE_ANY.get(path)
    if relations is None:
        return KEPT_PREFETCHES[path]
    from conferences.models import Conference

    ids = [row["id"] for row in page.json()["results"]]
    return sum(Conference.objects.filter(pk__in=ids, **{f"{relation}__isnull": False})
               .exists() for relation in relations)


def test_a_plain_list_reads_its_page_and_count_in_one_kept_query(request, caseload,
                                                                 monkeypatch):
    client = Client()
    client.force_login(request.getfixturevalue("tm"))
    for path in LISTS:
        client.get(path)
        with CaptureQueriesContext(connection) as kept:
            page = client.get(path + "?page=2")
        with monkeypatch.context() as patch:
            _the_orms_way(patch)
            with CaptureQueriesContext(connection) as orm:
                client.get(path + "?page=2")
        kept_sql = [q["sql"] for q in kept.captured_queries]
        orm_sql = [q["sql"] for q in orm.captured_queries]
        # The ORM's way counts in a query of its own; the kept query's rows carry the count,
        # a window over the list's narrow rows beside the page's ids (compile_narrow).
        assert any('"__count"' in sql for sql in orm_sql), path
        assert not any('"__count"' in sql for sql in kept_sql), path
        narrow = [sql for sql in kept_sql if "WITH compiled_page AS MATERIALIZED" in sql]
        assert len(narrow) == 1, path
        assert narrow[0].count("COUNT(*) OVER ()") == 1, path
        assert '= ANY(ARRAY(SELECT "pk" FROM compiled_page))' in narrow[0], path
        # Prefetches into plain lists of a one-to-many relation, kept too, the page's keys
        # one array: the conferences' attendances and decisions
        # (the decisions' agency views: Django's; /conferences/ reads its attendances' parts
        # in the quoracy as a column).
        # (The read audit's lookup of rows' children selects `… AS "pk"` by an array too.)
        def prefetches(sqls: list[str]) -> int:
            return sum("IN (SELECT unnest(" in sql and ' AS "pk"' not in sql for sql in sqls)

        assert prefetches(kept_sql) == _kept_prefetches(path, page), path
        assert prefetches(orm_sql) == 0, path


def test_the_next_request_sees_a_new_row(request, org, sw, child, monkeypatch):
    """Only SQL is kept: a visit recorded between two reads is in the second's count."""
    client = Client()
    client.force_login(sw)
    compiled.clear()
    first = client.get("/api/v1/visits/").json()
    Visit.objects.create(child=child, visited_at=timezone.now(), visited_by=sw,
                         child_seen=True)
    second = client.get("/api/v1/visits/").json()
    assert second["count"] == first["count"] + 1
    assert len(second["results"]) == len(first["results"]) + 1
