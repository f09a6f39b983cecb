"""Configuration without code (issue 9 point 9): the authority's administrator adds and
removes closure days on a page, with the reason; open deadlines are recomputed at once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from deadlines.models import ClosureDay, ClosureDayChange, Deadline
from deadlines.services import deadline_set

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2027, 12, 13, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_administrator_adds_christmas_eve_and_the_icpc_moves_a_day(client, admin_user, child):
    # 15 working days from Monday 13 December 2027: 6 January 2028 (27, 28 Dec and 3 Jan
    # are bank holidays); closed on Christmas Eve (a Friday), it moves to the 7th.
    deadline = deadline_set(child=child, rule_id="icpc", anchor=dt.date(2027, 12, 13))
    assert deadline.due_date == dt.date(2028, 1, 6)
    client.force_login(admin_user)
    response = client.post(reverse("deadlines:closure_days"),
                           {"date_0": "24", "date_1": "12", "date_2": "2027",
                            "reason": "Christmas Eve closure"})
    assert response.status_code == 302
    deadline.refresh_from_db()
    assert deadline.due_date == dt.date(2028, 1, 7)
    page = client.get(reverse("deadlines:closure_days")).content.decode()
    assert "Friday 24 December 2027" in page
    assert "Christmas Eve closure" in page
    assert "1 open deadline recomputed" in page


def test_removing_a_closure_day_needs_a_reason_and_recomputes(client, admin_user, child):
    ClosureDay.objects.create(authority=child.authority, date=dt.date(2027, 12, 24),
                              reason="Christmas Eve")
    deadline = deadline_set(child=child, rule_id="icpc", anchor=dt.date(2027, 12, 13))
    assert deadline.due_date == dt.date(2028, 1, 7)
    day = ClosureDay.objects.get()
    client.force_login(admin_user)
    url = reverse("deadlines:closure_day_remove", args=[day.pk])
    page = client.post(url, {"reason": ""})
    assert page.status_code == 200
    assert "Enter why this is no longer a closure day" in page.content.decode()
    assert ClosureDay.objects.exists()
    assert client.post(url, {"reason": "Council open after all"}).status_code == 302
    assert not ClosureDay.objects.exists()
    assert Deadline.objects.get(pk=deadline.pk).due_date == dt.date(2028, 1, 6)
    change = ClosureDayChange.objects.get()
    assert (change.action, change.reason, change.user) == ("removed",
                                                           "Council open after all",
                                                           admin_user)


def test_a_duplicate_day_is_refused_naming_the_date(client, admin_user, child):
    ClosureDay.objects.create(authority=child.authority, date=dt.date(2027, 12, 24))
    client.force_login(admin_user)
    page = client.post(reverse("deadlines:closure_days"),
                       {"date_0": "24", "date_1": "12", "date_2": "2027", "reason": "Again"})
    assert "24 December 2027 is already a closure day" in page.content.decode()


def test_a_team_manager_cannot_manage_closure_days(client, tm):
    client.force_login(tm)
    assert client.get(reverse("deadlines:closure_days")).status_code == 403
