"""Working-day countdowns (issue 9 point 6): the same words on the pages, in the API and in
the e-mails, from the working-day engine; readable rule names; one status vocabulary."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from rest_framework.test import APIClient

from deadlines import services, sweep
from deadlines.presentation import State, countdown
from deadlines.services import calendar_for

LONDON = ZoneInfo("Europe/London")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def login(client, user):
    client.force_login(user)
    return client


def _count(org, *, today: dt.datetime, due: dt.date, due_at: dt.datetime | None = None,
           status: str = "open"):
    return countdown(status=status, due_date=due, due_at=due_at,
                     calendar=calendar_for(org.authority), now=today)


# --- the words, from the engine -------------------------------------------------------------


def test_due_today(org):
    assert _count(org, today=at(2026, 3, 4, 9), due=dt.date(2026, 3, 4)).text == "Due today"


def test_working_days_left_skip_christmas_and_boxing_day_bank_holidays(org):
    # Wed 23 Dec 2026 to Tue 29 Dec: 24 Dec, then 25 (Christmas) and 28 (Boxing Day,
    # substitute) are bank holidays, the weekend between: Thursday 24 and Tuesday 29 remain.
    result = _count(org, today=at(2026, 12, 23, 9), due=dt.date(2026, 12, 29))
    assert (result.text, result.state, result.working_days) == (
        "2 working days left", State.NOT_YET_DUE, 2)


def test_working_days_overdue_over_new_year(org):
    # Due Thu 31 Dec 2026; Fri 1 Jan 2027 is a bank holiday: on Mon 4 Jan one working day late.
    result = _count(org, today=at(2027, 1, 4, 9), due=dt.date(2026, 12, 31))
    assert (result.text, result.state, result.working_days) == (
        "1 working day overdue", State.OVERDUE, -1)


def test_a_closure_day_of_the_authority_is_not_a_working_day(org):
    from deadlines.models import ClosureDay

    ClosureDay.objects.create(authority=org.authority, date=dt.date(2026, 12, 24))
    result = _count(org, today=at(2026, 12, 23, 9), due=dt.date(2026, 12, 29))
    assert result.text == "1 working day left"


def test_hour_rules_count_clock_hours_left_and_overdue(org):
    due_at = at(2026, 3, 3, 10)
    left = _count(org, today=at(2026, 3, 2, 13, 30), due=due_at.date(), due_at=due_at)
    assert (left.text, left.state, left.hours) == ("21 hours left", State.NOT_YET_DUE, 21)
    today = _count(org, today=at(2026, 3, 3, 9), due=due_at.date(), due_at=due_at)
    assert (today.text, today.state) == ("1 hour left", State.DUE_TODAY)
    late = _count(org, today=at(2026, 3, 3, 12), due=due_at.date(), due_at=due_at)
    assert (late.text, late.state, late.hours) == ("2 hours overdue", State.OVERDUE, -2)


def test_closed_deadlines_say_their_state_only(org):
    result = _count(org, today=at(2026, 3, 4, 9), due=dt.date(2026, 3, 2), status="met")
    assert (result.text, result.label) == ("Met", "Met")


# --- the same words on the page, in the API and in the e-mail ---------------------------------


@pytest.fixture
def icpc(child):
    """15 working days after Friday 18 December 2026: Wednesday 13 January 2027."""
    with time_machine.travel(at(2026, 12, 18, 9), tick=False):
        return services.deadline_set(child=child, rule_id="icpc", anchor=dt.date(2026, 12, 18))


@pytest.fixture
def before_christmas():
    with time_machine.travel(at(2026, 12, 23, 9), tick=False):
        yield


def test_the_child_tab_counts_down_in_working_days_over_christmas(client, sw, child, icpc,
                                                                  before_christmas):
    html = login(client, sw).get(f"/deadlines/child/{child.pk}/").content.decode()
    # 24, 29, 30, 31 December; 4 to 8 January; 11, 12, 13 January.
    assert "12 working days left" in html
    assert "Not yet due" in html
    assert "Initial child protection conference held" in html


def test_the_api_gives_the_same_countdown_state_and_rule_name(sw, icpc, before_christmas):
    api = APIClient()
    api.force_authenticate(sw)
    row = api.get(f"/api/v1/deadlines/{icpc.pk}/").json()
    assert row["countdown"] == "12 working days left"
    assert row["working_days"] == 12
    assert (row["state"], row["state_label"]) == ("not_yet_due", "Not yet due")
    assert row["rule_name"] == "Initial child protection conference held"
    assert row["action"] == "Hold the initial child protection conference"


def test_the_breach_email_counts_working_days_overdue_and_names_the_rule(
        tm, child, icpc, django_capture_on_commit_callbacks):
    # Due Wed 13 Jan 2027; on Fri 15 Jan it is two working days late.
    with django_capture_on_commit_callbacks(execute=True):
        sweep.deadlines_sweep(now=at(2027, 1, 15, 9))
    # The ICPC is the team manager's (000).
    bodies = [m.body for m in mail.outbox if m.to == ["tm@authority.example"]]
    assert len(bodies) == 1
    assert "Initial child protection conference held" in bodies[0]
    assert "2 working days overdue" in bodies[0]
    assert "icpc" not in bodies[0]  # never the raw rule id


def test_an_hour_rule_more_than_two_days_ahead_counts_whole_days(org):
    due_at = at(2026, 3, 9, 10)
    result = _count(org, today=at(2026, 3, 3, 9), due=due_at.date(), due_at=due_at)
    assert (result.text, result.hours) == ("6 days left", 145)


def test_a_page_of_deadlines_presented_at_once_is_each_presented_alone(org, child):
    """present() works each (status, due date, due time) out once a page (issue 13 §2): every
    row's countdown and due date words are what presenting it alone gives."""
    from deadlines.models import Deadline, DeadlineStatus
    from deadlines.presentation import present
    from tests.factories import ChildFactory

    for each in (child, ChildFactory(authority=org.authority)):
        for rule, anchor in (("icpc", dt.date(2026, 3, 2)), ("child_seen", dt.date(2026, 3, 2)),
                             ("report_to_family", dt.date(2026, 3, 20)),
                             ("invitation_list", at(2026, 3, 4, 8))):
            services.deadline_set(child=each, rule_id=rule, anchor=anchor)
    Deadline.objects.filter(rule_id="child_seen", child=child).update(
        status=DeadlineStatus.MET, met_at=at(2026, 3, 3, 9))
    now = at(2026, 3, 4, 12)
    together = present(Deadline.objects.order_by("id"), now=now)
    assert len({(d.due_date, d.due_at, d.status) for d in together}) < len(together)
    for d in together:
        alone = present([Deadline.objects.get(pk=d.pk)], now=now)[0]
        assert (d.countdown, d.due_text) == (alone.countdown, alone.due_text)
