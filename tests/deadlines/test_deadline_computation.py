"""Due dates per unit (DOMAIN §3): working days, months, weeks, days, clock hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from deadlines import services
from deadlines.models import ClosureDay, Deadline, PolicyProfile
from deadlines.policy import load_shipped_profiles

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _shipped_profiles(db):
    """The migration loads them; a transactional test elsewhere may have flushed them."""
    if not PolicyProfile.objects.filter(shipped=True).exists():
        load_shipped_profiles()


def test_icpc_due_15_working_days_after_strategy_discussion_over_christmas(org):
    # 25 Dec (Fri), 28 Dec (substitute Boxing Day) and 1 Jan are bank holidays.
    assert services.due_date_for(org.authority, "icpc", dt.date(2026, 12, 18)) == \
        dt.date(2027, 1, 13)


def test_icpc_due_date_skips_the_authoritys_closure_days(org):
    ClosureDay.objects.create(authority=org.authority, date=dt.date(2026, 12, 24))
    assert services.due_date_for(org.authority, "icpc", dt.date(2026, 12, 18)) == \
        dt.date(2027, 1, 14)


def test_strategy_discussion_on_a_saturday_counts_from_monday(org):
    # 000: CP concerns 3 wd; immediate protection 1 wd.
    saturday = dt.date(2026, 6, 13)
    assert services.due_date_for(org.authority, "strategy_discussion", saturday) == \
        dt.date(2026, 6, 17)
    assert services.due_date_for(org.authority, "strategy_discussion", saturday,
                                 variant="immediate_protection") == dt.date(2026, 6, 15)


def test_report_to_chair_3_working_days_before_the_conference(org):
    # 002 §15.7: strictly before Monday 4 January 2027, skipping 1 Jan.
    assert services.due_date_for(org.authority, "report_to_chair", dt.date(2027, 1, 4)) == \
        dt.date(2026, 12, 29)


def test_first_review_3_months_clamped_to_month_end(org):
    assert services.due_date_for(org.authority, "first_review", dt.date(2026, 11, 30)) == \
        dt.date(2027, 2, 28)
    assert services.due_date_for(org.authority, "core_group_next", dt.date(2027, 1, 31)) == \
        dt.date(2027, 2, 28)
    assert services.due_date_for(org.authority, "core_group_next", dt.date(2028, 1, 31)) == \
        dt.date(2028, 2, 29)


def test_pre_birth_conference_3_months_before_the_expected_delivery_date(org):
    assert services.due_date_for(org.authority, "prebirth_conference", dt.date(2027, 5, 31)) \
        == dt.date(2027, 2, 28)


def test_weeks_and_days(org):
    assert services.due_date_for(org.authority, "bedroom_seen", dt.date(2026, 3, 2)) == \
        dt.date(2026, 4, 13)
    assert services.due_date_for(org.authority, "attendee_details", dt.date(2026, 3, 9)) == \
        dt.date(2026, 3, 2)
    assert services.due_date_for(org.authority, "plan_distributed", dt.date(2026, 3, 27)) == \
        dt.date(2026, 4, 1)


def test_24_hours_across_the_october_clock_change_are_clock_hours(org):
    request = dt.datetime(2026, 10, 24, 12, 0, tzinfo=LONDON)  # BST
    due = services.due_date_for(org.authority, "icpc_date_offered", request)
    assert due.astimezone(dt.UTC) - request.astimezone(dt.UTC) == dt.timedelta(hours=24)
    assert due.astimezone(LONDON).replace(tzinfo=None) == dt.datetime(2026, 10, 25, 11, 0)


def test_48_hours_before_a_conference_across_the_march_clock_change(org):
    start = dt.datetime(2027, 3, 29, 10, 0, tzinfo=LONDON)  # BST
    due = services.due_date_for(org.authority, "report_countersigned", start)
    assert due.astimezone(LONDON).replace(tzinfo=None) == dt.datetime(2027, 3, 27, 9, 0)
    assert start.astimezone(dt.UTC) - due.astimezone(dt.UTC) == dt.timedelta(hours=48)


def test_an_hour_rule_from_a_date_counts_from_the_start_of_that_day(org):
    due = services.due_date_for(org.authority, "icpc_date_offered", dt.date(2026, 3, 2))
    assert due == dt.datetime(2026, 3, 3, 0, 0, tzinfo=LONDON)


def test_due_date_for_saves_nothing(org):
    services.due_date_for(org.authority, "icpc", dt.date(2026, 3, 2))
    assert not Deadline.objects.exists()


def test_an_unknown_rule_is_refused(org):
    from cpcases.core.errors import ServiceError

    with pytest.raises(ServiceError):
        services.due_date_for(org.authority, "no_such_rule", dt.date(2026, 3, 2))
