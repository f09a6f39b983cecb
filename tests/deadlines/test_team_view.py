"""The team deadlines page and /api/v1/deadlines/ (issue 9 points 7 and 10): filters by
worker, rule, child, status and due range, sorting, paging; bounded whatever the team size;
never another team's deadlines."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from deadlines import services
from tests.factories import AllocationFactory, ChildFactory, UserFactory

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _wednesday_4_march_2026():
    with time_machine.travel(dt.datetime(2026, 3, 4, 9, tzinfo=LONDON), tick=False):
        yield


def login(client, user):
    client.force_login(user)
    return client


def _distributed(child, due: dt.date):
    return services.deadline_set(child=child, rule_id="plan_distributed",
                                 anchor=due - dt.timedelta(days=5))


@pytest.fixture
def team(org, sw, tm, child, other_team_child):
    """sw's child Alfie, a second social worker's child Zara, and another team's child."""
    from cpcases.accounts.roles import Role

    sw2 = UserFactory(username="sw2", role=Role.SOCIAL_WORKER, authority=org.authority,
                      team=org.team_a, full_name="Abel Second")
    zara = ChildFactory(authority=org.authority, first_name="Zara", last_name="Young")
    AllocationFactory(child=zara, team=org.team_a, social_worker=sw2)
    return {
        "alfie_overdue": _distributed(child, dt.date(2026, 3, 2)),
        "alfie_icpc": services.deadline_set(child=child, rule_id="icpc",
                                            anchor=dt.date(2026, 3, 2)),
        "zara_later": _distributed(zara, dt.date(2026, 3, 20)),
        "other": _distributed(other_team_child, dt.date(2026, 3, 2)),
        "sw2": sw2,
    }


def _rows(html: str) -> list[str]:
    return [part.split('"')[0] for part in html.split('data-testid="deadline-')[1:]]


def test_open_deadlines_of_the_team_only_by_default(client, tm, team):
    html = login(client, tm).get("/deadlines/team/").content.decode()
    assert set(_rows(html)) == {str(team[k].pk) for k in
                                ("alfie_overdue", "alfie_icpc", "zara_later")}


def test_filter_by_worker_rule_child_status_and_due_range(client, tm, team):
    client = login(client, tm)

    def rows(**query: str) -> set[str]:
        return set(_rows(client.get("/deadlines/team/", query).content.decode()))

    assert rows(responsible=str(team["sw2"].pk)) == {str(team["zara_later"].pk)}
    assert rows(rule_id="icpc") == {str(team["alfie_icpc"].pk)}
    assert rows(child_name="zara") == {str(team["zara_later"].pk)}
    assert rows(status="overdue") == {str(team["alfie_overdue"].pk)}
    assert rows(due_after="2026-03-10", due_before="31/3/2026") == {
        str(team["alfie_icpc"].pk), str(team["zara_later"].pk)}


def test_a_bad_date_in_the_filter_is_named_and_kept(client, tm, team):
    html = login(client, tm).get("/deadlines/team/", {"due_after": "31/02/2026"}
                                 ).content.decode()
    assert "There is a problem with the filters" in html
    assert "Due on or after" in html
    assert 'value="31/02/2026"' in html


def test_sorting_by_child_and_by_latest_due(client, tm, team):
    client = login(client, tm)
    by_child = _rows(client.get("/deadlines/team/", {"sort": "child"}).content.decode())
    assert by_child[-1] == str(team["zara_later"].pk)  # Young after Example
    latest = _rows(client.get("/deadlines/team/", {"sort": "-due"}).content.decode())
    assert latest == [str(team[k].pk) for k in ("alfie_icpc", "zara_later", "alfie_overdue")]


def test_the_column_headers_sort_the_list_and_keep_the_filters(client, tm, team):
    html = login(client, tm).get("/deadlines/team/",
                                 {"status": "open", "sort": "child"}).content.decode()
    # The sorted column says so (MOJ sortable table) and its link turns the order round.
    assert '<th scope="col" class="govuk-table__header" aria-sort="ascending">' \
           '<a class="app-sort-link" href="?status=open&amp;sort=-child"' in html
    assert 'aria-sort="none"><a class="app-sort-link" href="?status=open&amp;sort=due"' in html
    by_child_desc = _rows(login(client, tm).get("/deadlines/team/",
                                                {"sort": "-child"}).content.decode())
    assert by_child_desc[0] == str(team["zara_later"].pk)  # Young before Example


def test_the_page_shows_25_deadlines_a_page_and_the_filters_survive_paging(
        client, tm, org, sw, team):
    # 25 a page, as the product's other lists (decision 97).
    for _ in range(55):
        c = ChildFactory(authority=org.authority)
        AllocationFactory(child=c, team=org.team_a, social_worker=sw)
        _distributed(c, dt.date(2026, 3, 2))
    client = login(client, tm)
    html = client.get("/deadlines/team/", {"status": "overdue"}).content.decode()
    assert len(_rows(html)) == 25
    assert "56 deadlines" in html
    assert 'href="?status=overdue&amp;page=2"' in html
    second = client.get("/deadlines/team/", {"status": "overdue", "page": "2"}).content.decode()
    assert len(_rows(second)) == 25
    assert 'href="?status=overdue&amp;page=3"' in second
    third = client.get("/deadlines/team/", {"status": "overdue", "page": "3"}).content.decode()
    assert len(_rows(third)) == 6
    assert len(set(_rows(html)) | set(_rows(second)) | set(_rows(third))) == 56  # each once


def test_a_service_manager_sees_both_teams(client, sm, team):
    html = login(client, sm).get("/deadlines/team/").content.decode()
    assert str(team["other"].pk) in _rows(html)


@pytest.mark.parametrize("size", [10, 200])
def test_team_view_queries_stay_constant(client, tm, org, sw, size,
                                         django_assert_max_num_queries):
    for _ in range(size):
        c = ChildFactory(authority=org.authority)
        AllocationFactory(child=c, team=org.team_a, social_worker=sw)
        _distributed(c, dt.date(2026, 3, 2))
    client = login(client, tm)
    # The same cap at 10 and at 200 children (the header's counts from each app included;
    # the policy read afresh, as by a first request: 12 once it is cached; the page's rows
    # carry their count, deadlines.teampage: 18 → 17).
    with django_assert_max_num_queries(17):
        assert client.get("/deadlines/team/").status_code == 200


# --- the API --------------------------------------------------------------------------------


@pytest.fixture
def api(tm):
    client = APIClient()
    client.force_authenticate(tm)
    return client


def _ids(body) -> set[int]:
    return {row["id"] for row in body["results"]}


def test_api_filters_by_child_responsible_status_and_due_range(api, child, team):
    assert _ids(api.get("/api/v1/deadlines/", {"child": child.pk}).json()) == {
        team["alfie_overdue"].pk, team["alfie_icpc"].pk}
    assert _ids(api.get("/api/v1/deadlines/", {"responsible": team["sw2"].pk}).json()) == {
        team["zara_later"].pk}
    assert _ids(api.get("/api/v1/deadlines/", {"status": "overdue"}).json()) == {
        team["alfie_overdue"].pk}
    assert _ids(api.get("/api/v1/deadlines/", {"due_after": "2026-03-21"}).json()) == {
        team["alfie_icpc"].pk}
    # Never another team's, whatever the filter asks for.
    assert _ids(api.get("/api/v1/deadlines/", {"child": team["other"].child_id}).json()) == set()


def test_api_filters_by_conference_and_plan(api, child, team):
    from django.contrib.contenttypes.models import ContentType

    from conferences.models import Conference
    from deadlines.models import Deadline

    deadline = team["alfie_icpc"]
    Deadline.objects.filter(pk=deadline.pk).update(
        content_type=ContentType.objects.get_for_model(Conference), object_id=4242)
    assert _ids(api.get("/api/v1/deadlines/", {"conference": 4242}).json()) == {deadline.pk}
    assert _ids(api.get("/api/v1/deadlines/", {"plan": 4242}).json()) == set()


def test_api_is_paged(api, org, sw, team):
    for _ in range(55):
        c = ChildFactory(authority=org.authority)
        AllocationFactory(child=c, team=org.team_a, social_worker=sw)
        _distributed(c, dt.date(2026, 3, 2))
    body = api.get("/api/v1/deadlines/").json()
    assert body["count"] == 58
    assert len(body["results"]) == 50
    assert body["next"]


@pytest.mark.parametrize("size", [10, 200])
def test_api_list_queries_stay_constant(api, org, sw, size, django_assert_max_num_queries):
    for _ in range(size):
        c = ChildFactory(authority=org.authority)
        AllocationFactory(child=c, team=org.team_a, social_worker=sw)
        _distributed(c, dt.date(2026, 3, 2))
    # The page's rows carry their count (the kept query, deadlines.teampage): 9 → 8.
    with django_assert_max_num_queries(8):  # the policy read afresh; 3 once it is cached
        assert api.get("/api/v1/deadlines/").status_code == 200


def test_a_large_teams_count_of_deadlines_reads_with_a_thousands_separator() -> None:
    from deadlines.views import _caption

    assert _caption(7500, "deadline") == "7,500 deadlines"
    assert _caption(1, "open deadline") == "1 open deadline"


# --- the page's kept query (deadlines.teampage, issue 13 §2) ------------------------------------

def _orm_page(tm, data, sort, number, now):
    from django.core.paginator import Paginator
    from django.test import RequestFactory

    from deadlines import mywork, selectors
    from deadlines.filters import SORTS, DeadlineFilter

    request = RequestFactory().get("/deadlines/team/", data)
    request.user = tm
    query = request.GET.copy()
    query.setdefault("status", "open")
    found = DeadlineFilter(query, queryset=selectors.deadlines_visible(user=tm),
                           request=request)
    with time_machine.travel(now, tick=False):
        orm = Paginator(mywork.slim(found.qs).order_by(*SORTS[sort]), 2).get_page(number)
    return found, SORTS[sort], orm


@pytest.mark.parametrize(("data", "sort"), [
    ({}, "due"), ({}, "-child"), ({"status": "overdue"}, "due"),
    ({"status": "not_yet_due"}, "-due"), ({"status": "due_today"}, "rule"),
    ({"child_name": "zara"}, "responsible"), ({"due_after": "3/3/2026"}, "due")])
@pytest.mark.parametrize("number", [None, "1", "2"])
def test_the_kept_page_query_pages_as_the_orm_does(tm, sw, org, team, data, sort, number):
    from cpcases.core import compiled
    from deadlines.teampage import team_page

    for day in (1, 3, 4, 5, 6):
        c = ChildFactory(authority=org.authority)
        AllocationFactory(child=c, team=org.team_a, social_worker=sw)
        _distributed(c, dt.date(2026, 3, day))
    compiled.clear()
    # Two moments of one day: the same kept SQL, each judged at its own time.
    for hour in (9, 23):
        now = dt.datetime(2026, 3, 4, hour, tzinfo=LONDON)
        found, ordering, orm = _orm_page(tm, data, sort, number, now)
        kept = team_page(user=tm, found=found, ordering=ordering, number=number,
                         per_page=2, now=now)
        if kept is None:  # only past the end
            assert orm.number < int(number or 1)
            continue
        assert [d.pk for d in kept.object_list] == [d.pk for d in orm.object_list]
        assert (kept.number, kept.paginator.count, kept.paginator.num_pages) == (
            orm.number, orm.paginator.count, orm.paginator.num_pages)


def test_an_odd_page_number_or_invalid_filters_go_the_orms_way(client, tm, team):
    client = login(client, tm)
    for query in ("?page=last", "?page=0", "?page=99", "?due_after=nonsense"):
        response = client.get(f"/deadlines/team/{query}")
        assert response.status_code == 200
    html = client.get("/deadlines/team/?page=99").content.decode()
    assert str(team["zara_later"].pk) in _rows(html)  # the last page


@pytest.mark.parametrize("query", [
    {}, {"page": "2"}, {"page": "1", "ordering": "-child__last_name"},
    {"ordering": "status,-due_date"}, {"status": "overdue"}, {"status": "not_yet_due"},
    {"child_name": "zara"}, {"due_before": "2026-03-04"}, {"rule_id": "icpc"}])
def test_the_api_list_from_the_kept_query_is_the_filter_backends(api, org, sw, team, query):
    """?format=json sends the list down the filter backends' way (an unknown parameter to
    the kept query): both give the same count and rows, values, types and key order."""
    from cpcases.core import compiled

    for day in range(1, 8):
        c = ChildFactory(authority=org.authority)
        AllocationFactory(child=c, team=org.team_a, social_worker=sw)
        _distributed(c, dt.date(2026, 3, day))
    compiled.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("cpcases.audit.reads.AuditedPageNumberPagination.page_size", 4)
        kept = api.get("/api/v1/deadlines/", query).json()
        orm = api.get("/api/v1/deadlines/", {**query, "format": "json"}).json()
    assert compiled._CACHE  # the first went the kept query's way
    assert kept["count"] == orm["count"] > 0
    assert kept["results"] == orm["results"]
    assert [list(row) for row in kept["results"]] == [list(row) for row in orm["results"]]


def test_the_first_page_runs_a_statement_with_no_parameter(client, api, tm, team):
    """The team page's and the API's first page run their kept query with every value
    written in but the user's id (teampage.one_page, compiled.page_written_in: planned once
    per connection, issue 13 §2; the user's id a parameter of every user's statement,
    decision 96); other pages, and a list judged at the request's moment, keep their
    parameters. Their rows are the ORM's either way (the tests above)."""
    from cpcases.core import compiled

    def written() -> set[tuple[str, tuple[int, int]]]:
        return {(key[0], query.page) for key, query in compiled._CACHE.items()
                if query.page is not None and len(query.params) == len(query.slots)
                and all(name == "user" for _position, name in query.slots)}

    compiled.clear()
    client = login(client, tm)
    for query in ("?page=2", "?status=overdue", "?status=overdue&page=1"):
        assert client.get(f"/deadlines/team/{query}").status_code == 200
    assert api.get("/api/v1/deadlines/", {"page": "2"}).status_code in (200, 404)
    assert api.get("/api/v1/deadlines/", {"status": "overdue"}).status_code == 200
    assert written() == set()
    assert client.get("/deadlines/team/").status_code == 200
    assert written() == {("team deadlines", (25, 0))}
    assert api.get("/api/v1/deadlines/").json()["count"] > 0
    assert api.get("/api/v1/deadlines/", {"page_size": "2"}).status_code == 200
    assert written() == {("team deadlines", (25, 0)), ("deadlines", (50, 0))}


def test_the_api_past_the_last_page_is_not_found_either_way(api, team):
    assert api.get("/api/v1/deadlines/", {"page": "9"}).status_code == 404
    assert api.get("/api/v1/deadlines/", {"page": "9", "format": "json"}).status_code == 404
    assert api.get("/api/v1/deadlines/", {"page": "last"}).status_code == 200


# The filter fields' loop as templates/deadlines/team.html had it (deadline_tables writes it).
FILTER_LOOP = '  {% for field in filter.form %}{% if field.name != "child" and field.name != "conference" and field.name != "plan" %}\n            <div class="govuk-form-group{% if field.errors %} govuk-form-group--error{% endif %}">\n              <label class="govuk-label govuk-label--s" for="id_{{ field.name }}">{{ field.label }}</label>\n              {% if field.name == "due_after" or field.name == "due_before" %}<div class="govuk-hint" id="id_{{ field.name }}-hint">For example, 27/3/2026</div>{% endif %}\n              {% for error in field.errors %}<p class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {{ error }}</p>{% endfor %}\n              {% if field.widget_type == "select" %}\n              <select class="govuk-select app-filters__control" id="id_{{ field.name }}" name="{{ field.name }}">{% with current=field.value|stringformat:"s" %}{% for value, label in field.field.choices %}<option value="{{ value }}"{% if value|stringformat:"s" == current %} selected{% endif %}>{{ label }}</option>{% endfor %}{% endwith %}</select>\n              {% else %}\n              <input class="govuk-input app-filters__control{% if field.errors %} govuk-input--error{% endif %}" id="id_{{ field.name }}" name="{{ field.name }}" type="text" value="{{ field.value|default:\'\' }}"{% if field.name == "due_after" or field.name == "due_before" %} aria-describedby="id_{{ field.name }}-hint"{% endif %}>\n              {% endif %}\n            </div>\n  {% endif %}{% endfor %}\n'  # noqa: E501


@pytest.mark.parametrize("query", [
    {}, {"status": "overdue", "rule_id": "icpc"}, {"responsible": "sw2"},
    {"due_after": "nonsense", "due_before": "4/3/2026", "child_name": '<b>"Zo&e\''},
    {"status": "not-a-state", "responsible": "999999"}])
def test_the_filter_fields_are_the_templates_loop_character_for_character(tm, team, query):
    from django.template import engines
    from django.test import RequestFactory

    from deadlines import selectors
    from deadlines.filters import DeadlineFilter

    if query.get("responsible") == "sw2":
        query = {"responsible": str(team["sw2"].pk)}
    request = RequestFactory().get("/deadlines/team/", query)
    request.user = tm
    data = request.GET.copy()
    data.setdefault("status", "open")
    found = DeadlineFilter(data, queryset=selectors.deadlines_visible(user=tm),
                           request=request)
    found.is_valid()
    found.list_worker_choices()
    engine = engines["django"]
    expected = engine.from_string(FILTER_LOOP).render({"filter": found})
    written = engine.from_string(
        "{% load deadline_tables %}  {% filter_controls filter.form %}\n").render(
        {"filter": found})
    assert written == expected
    assert "<option" in written


@pytest.mark.parametrize("sort", ["-child__last_name", "child__last_name,due_date", "status"])
def test_api_pages_sorted_by_a_field_that_ties_show_every_deadline_exactly_once(api, org, sw,
                                                                               sort):
    """Ten children of one family, their deadlines sorted by a field they share: each page
    read (the kept query's way, and the filter backends' way) holds the next rows, the id
    breaking ties, so walking the pages shows every deadline once."""
    from cpcases.core import compiled

    expected = set()
    for _ in range(10):
        c = ChildFactory(authority=org.authority, last_name="Okafor")
        AllocationFactory(child=c, team=org.team_a, social_worker=sw)
        expected.add(_distributed(c, dt.date(2026, 3, 10)).pk)
    compiled.clear()
    api.force_authenticate(sw)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("cpcases.audit.reads.AuditedPageNumberPagination.page_size", 3)
        for extra in ({}, {"format": "json"}):
            seen = []
            for number in range(1, 5):
                body = api.get("/api/v1/deadlines/",
                               {"ordering": sort, "page": str(number), **extra}).json()
                seen += [row["id"] for row in body["results"]]
            assert len(seen) == len(set(seen)) == len(expected), extra
            assert set(seen) == expected
            assert seen == sorted(seen), extra  # one family, one day, one status: by id


def test_two_managers_of_one_team_share_one_statement_and_each_sees_only_their_own_records(
        client, org, tm, team, restricted_child):
    """The first page's statement is compiled once for every manager of the team, the
    manager's id its parameter (decision 96): a sealed record named to one manager is in
    that manager's list, page and API alike, and never in the other's."""
    from cpcases.accounts.roles import Role
    from cpcases.core import compiled
    from tests.factories import RestrictedAccessFactory

    other_tm = UserFactory(username="tm2", role=Role.TEAM_MANAGER, authority=org.authority,
                           team=org.team_a, full_name="Tess Second")
    RestrictedAccessFactory(child=restricted_child, user=tm)
    sealed = _distributed(restricted_child, dt.date(2026, 3, 3))
    compiled.clear()
    for manager, sees in ((tm, True), (other_tm, False), (tm, True)):
        client.force_login(manager)
        page = set(_rows(client.get("/deadlines/team/").content.decode()))
        assert (str(sealed.pk) in page) is sees, manager
        assert str(team["zara_later"].pk) in page
        api = APIClient()
        api.force_authenticate(manager)
        listed = {row["id"] for row in api.get("/api/v1/deadlines/").json()["results"]}
        assert (sealed.pk in listed) is sees, manager
        assert team["zara_later"].pk in listed
    team_pages = [key for key in compiled._CACHE if key[0] == "team deadlines"]
    assert len(team_pages) == 2  # the list and its first page: one of each for both
