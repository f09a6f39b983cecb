"""The caseload's page from its kept query (cpcases.children.selectors.caseload_page, issue
13 §2): the same children, order and count as the ORM's paginator, for every sort and page;
what it does not serve (odd page numbers, past the end) is left to the paginator."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator

from cpcases.children import selectors
from cpcases.children.views import CASELOAD_SORTS
from cpcases.core import compiled
from tests.factories import AllocationFactory, ChildFactory


@pytest.fixture
def caseload(org, sw, child, other_team_child):
    for n in range(6):
        c = ChildFactory(authority=org.authority, last_name=f"Name{n % 3}")
        AllocationFactory(child=c, team=org.team_a, social_worker=sw if n % 2 else None)


def _ordering(sort: str) -> tuple[str, ...]:
    fields = CASELOAD_SORTS[sort.removeprefix("-")]
    return tuple(f"-{f}" if sort.startswith("-") else f for f in (*fields, "pk"))


@pytest.mark.parametrize("sort", ["name", "-name", "child_id", "born", "-stage"])
@pytest.mark.parametrize("who", ["sw", "tm"])
def test_the_kept_caseload_query_pages_as_the_orm_does(request, caseload, sort, who):
    user = request.getfixturevalue(who)
    compiled.clear()
    ordering = _ordering(sort)
    for number in (None, "1", "2", "3"):
        orm = Paginator(selectors.caseload(user=user).order_by(*ordering), 3).get_page(number)
        kept = selectors.caseload_page(user=user, ordering=ordering, number=number,
                                       per_page=3)
        if kept is None:
            assert orm.number < int(number or 1)  # past the end: the paginator's last page
            continue
        assert [c.pk for c in kept.object_list] == [c.pk for c in orm.object_list]
        assert (kept.number, kept.paginator.count) == (orm.number, orm.paginator.count)
        assert [c.worker_shown for c in kept.object_list] == [
            c.worker_shown for c in orm.object_list]


def test_odd_page_numbers_are_the_paginators(client, sw, caseload):
    client.force_login(sw)
    for query in ("?page=last", "?page=0", "?page=99", "?page=1.0"):
        assert client.get(f"/children/{query}").status_code == 200
    assert selectors.caseload_page(user=sw, ordering=_ordering("name"), number="x",
                                   per_page=3) is None


def test_two_social_workers_of_one_team_share_the_query_and_each_sees_their_own_caseload(
        org, sw, child):
    """The caseload's query is compiled once for every social worker of a team, the
    worker's id its parameter (decision 96): each sees the children allocated to them."""
    from cpcases.accounts.roles import Role
    from tests.factories import UserFactory

    sw2 = UserFactory(username="sw2", role=Role.SOCIAL_WORKER, authority=org.authority,
                      team=org.team_a)
    theirs = ChildFactory(authority=org.authority)
    AllocationFactory(child=theirs, team=org.team_a, social_worker=sw2)
    compiled.clear()
    for worker, own in ((sw, child), (sw2, theirs), (sw, child)):
        page = selectors.caseload_page(user=worker, ordering=_ordering("name"), number="1",
                                       per_page=50)
        assert [c.pk for c in page.object_list] == [own.pk], worker
    assert len([key for key in compiled._CACHE if key[0] == "caseload"]) == 1
