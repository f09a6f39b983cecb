"""The team deadlines page's ordinary filters read without django-filter's form
(deadlines.teamfilter, issue 13 §2): the same kept query, the same controls character for
character, the same page; anything the form must judge still goes through the form."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from deadlines import services
from tests.factories import AllocationFactory, ChildFactory, UserFactory

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _wednesday_4_march_2026():
    with time_machine.travel(dt.datetime(2026, 3, 4, 9, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def team(org, sw, tm, child, other_team_child):
    from cpcases.accounts.roles import Role

    sw2 = UserFactory(username="sw2", role=Role.SOCIAL_WORKER, authority=org.authority,
                      team=org.team_a, full_name="")  # named by their username
    UserFactory(username="gone", role=Role.SOCIAL_WORKER, authority=org.authority,
                team=org.team_a, full_name="Left Us", is_active=False)
    zara = ChildFactory(authority=org.authority, first_name="Zara", last_name="Young")
    AllocationFactory(child=zara, team=org.team_a, social_worker=sw2)
    for who, day in ((child, 2), (zara, 20), (other_team_child, 2)):
        services.deadline_set(child=who, rule_id="plan_distributed",
                              anchor=dt.date(2026, 3, day) - dt.timedelta(days=5))
    services.deadline_set(child=child, rule_id="icpc", anchor=dt.date(2026, 3, 2))
    return {"sw2": sw2, "zara": zara}


def _form_way(user, query):
    """The FilterSet as the page built it before: validated, its worker menu listed."""
    from django.test import RequestFactory

    from deadlines import selectors
    from deadlines.filters import DeadlineFilter

    request = RequestFactory().get("/deadlines/team/", query)
    request.user = user
    data = request.GET.copy()
    data.setdefault("status", "open")
    found = DeadlineFilter(data, queryset=selectors.deadlines_visible(user=user),
                           request=request)
    found.is_valid()
    found.list_worker_choices()
    return data, found


def _controls(form) -> str:
    from django.template import engines

    return engines["django"].from_string(
        "{% load deadline_tables %}{% filter_controls form %}").render({"form": form})


ORDINARY = [
    {}, {"status": "overdue"}, {"status": ""}, {"rule_id": "icpc"},
    {"status": "due_today", "rule_id": "plan_distributed", "sort": "-child", "page": "2"},
    {"responsible": "SW"}, {"responsible": "SW2"}, {"responsible": ""}, {"child_name": ""},
    {"due_after": "", "due_before": ""}, {"status": "open", "unknown": "<b>"},
]
FOR_THE_FORM = [
    {"child_name": "zara"}, {"child_name": " "}, {"due_after": "3/3/2026"},
    {"due_before": "nonsense"}, {"child": "1"}, {"conference": "2"}, {"plan": "3"},
    {"status": "not-a-state"}, {"rule_id": "<b>"}, {"responsible": "999999"},
    {"responsible": "GONE"}, {"responsible": "0SW"}, {"responsible": " SW"},
    {"responsible": "abc"}, {"status": "Overdue"},
]


def _people(query, sw, team):
    """The query with SW, SW2 and GONE as those people's keys (0SW: a leading zero)."""
    gone = type(sw).objects.get(username="gone")
    keys = {"SW": str(sw.pk), "SW2": str(team["sw2"].pk), "GONE": str(gone.pk)}
    found = dict(query)
    if "responsible" in found:
        value = found["responsible"]
        for name in sorted(keys, key=len, reverse=True):
            value = value.replace(name, keys[name])
        found["responsible"] = value
    return found


@pytest.mark.parametrize("query", ORDINARY)
def test_an_ordinary_request_cleans_and_shows_as_the_form_does(tm, sw, team, query):
    from deadlines import teamfilter
    from deadlines.teampage import cleaned_key

    data, found = _form_way(tm, _people(query, sw, team))
    plain = teamfilter.plain_filters(data, tm)
    assert plain is not None
    assert found.form.is_valid()
    assert cleaned_key(plain.cleaned) == cleaned_key(found.form.cleaned_data)
    assert not plain.errors
    written = _controls(plain.form)
    assert written == _controls(found.form)
    assert "<option" in written
    assert "Left Us" not in written  # not active


@pytest.mark.parametrize("query", FOR_THE_FORM)
def test_anything_else_is_left_to_the_form(tm, sw, team, query):
    from deadlines import teamfilter

    data, _found = _form_way(tm, _people(query, sw, team))
    assert teamfilter.plain_filters(data, tm) is None


def test_a_service_managers_menu_is_their_services_people(sm, sw, team):
    from deadlines import teamfilter

    data, found = _form_way(sm, {"responsible": str(team["sw2"].pk)})
    plain = teamfilter.plain_filters(data, sm)
    assert plain is not None
    assert _controls(plain.form) == _controls(found.form)


def _page(client, user, query, *, plain: bool) -> tuple[str, list[dict]]:
    from cpcases.audit.models import AccessEvent

    client.force_login(user)
    before = AccessEvent.objects.count()
    with pytest.MonkeyPatch.context() as patch:
        if not plain:
            patch.setattr("deadlines.teamfilter.plain_filters", lambda data, user: None)
        response = client.get("/deadlines/team/", query)
    assert response.status_code == 200
    logged = list(AccessEvent.objects.order_by("id").values(
        "user_id", "child_id", "action", "path", "section")[before:])
    html = response.content.decode()
    return html[html.index("<main"):html.index("</main>")], logged


@pytest.mark.parametrize("query", [
    {}, {"status": "overdue"}, {"rule_id": "plan_distributed", "sort": "-due"},
    {"responsible": "SW2", "status": ""}, {"page": "2"}, {"child_name": "zara"}])
def test_the_page_and_its_access_log_are_the_same_either_way(client, tm, sw, team, query):
    from cpcases.core import compiled

    query = _people(query, sw, team)
    compiled.clear()
    plain_page, plain_log = _page(client, tm, query, plain=True)
    form_page, form_log = _page(client, tm, query, plain=False)
    assert plain_page == form_page
    assert plain_log == form_log
    assert "Zara" in plain_page or query.get("page") or query.get("status") == "overdue"


def test_the_plain_way_makes_no_more_queries(client, tm, team, django_assert_num_queries):
    """The worker menu's one query is read before the page's, not after it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(tm)
    client.get("/deadlines/team/")
    with CaptureQueriesContext(connection) as plain:
        client.get("/deadlines/team/")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("deadlines.teamfilter.plain_filters", lambda data, user: None)
        with CaptureQueriesContext(connection) as form:
            client.get("/deadlines/team/")
    assert len(plain.captured_queries) == len(form.captured_queries)


@pytest.mark.parametrize("query", [
    {"status": ""}, {"status": "", "sort": "-responsible"}, {"status": "met"},
    {"status": "", "sort": "child", "page": "2"}])
def test_the_kept_page_is_the_orms_page_in_every_state(client, tm, sw, org, team, query):
    """Met, missed, cancelled, delayed and hour-rule deadlines: the page read through the
    kept query (its own narrower columns, one pass for the ids and count) is the page the
    ORM's paginator drew, character for character, access log included, and no row reads a
    column it left out (a query per row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cpcases.core import compiled
    from deadlines.models import Deadline

    for day in range(1, 60):
        c = ChildFactory(authority=org.authority, last_name=f"Kid{day % 7}")
        AllocationFactory(child=c, team=org.team_a, social_worker=sw if day % 2 else None)
        d = services.deadline_set(child=c, rule_id="plan_distributed",
                                  anchor=dt.date(2026, 2, 1) + dt.timedelta(days=day % 40))
        if day % 5 == 1:
            services.deadline_meet(deadline=d, user=sw)
        elif day % 5 == 2:
            services.deadline_cancel(deadline=d, reason="Moved away", user=sw)
        elif day % 5 == 3:
            services.deadline_miss(deadline=d, reason="Late", user=sw)
        elif day % 5 == 4:
            services.deadline_authorise_delay(deadline=d, by=tm, reason="Family abroad")
        if day % 10 == 0:  # an hour rule: due at a time
            services.deadline_set(child=c, rule_id="icpc_date_offered",
                                  anchor=dt.datetime(2026, 3, 3, day % 24, tzinfo=LONDON))
    assert Deadline.objects.filter(due_at__isnull=False).exists()
    compiled.clear()
    client.force_login(tm)
    client.get("/deadlines/team/", query)  # compiled
    with CaptureQueriesContext(connection) as kept:
        kept_page, kept_log = _page(client, tm, query, plain=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("deadlines.teampage.plain_team_page", lambda **kwargs: None)
        patch.setattr("deadlines.teampage.team_page", lambda **kwargs: None)
        with CaptureQueriesContext(connection) as orm:
            orm_page, orm_log = _page(client, tm, query, plain=True)
    # No row reads a column left out (a query a row); the paginator counts, then reads.
    assert len(kept.captured_queries) < len(orm.captured_queries)
    assert kept_page == orm_page
    assert kept_log == orm_log
    assert kept_page.count('data-testid="deadline-') > 2
