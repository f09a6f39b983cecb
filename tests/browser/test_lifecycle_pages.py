"""Issue 9 in a real browser: booking a date that leaves no time to prepare shows, before
anything is booked, which deadlines it makes impossible and asks for the reason; the closure
days page lets the administrator add and remove a day with the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conferences.models import Conference
from deadlines.models import ClosureDay, Deadline, DeadlineStatus, Notification
from deadlines.services import calendar_for
from tests.conferences.factories import approved_request, ready_for_request
from tests.factories import AllocationFactory, ChildFactory, HouseholdFactory

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


def _fill_date(page, legend: str, on: dt.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(on.day))
    group.get_by_label("Month").fill(str(on.month))
    group.get_by_label("Year").fill(str(on.year))


def test_next_day_booking_lists_impossible_deadlines_and_needs_a_reason(
        signed_in_page, org, sw, tm, bso, chair):
    household = HouseholdFactory(authority=org.authority, name="Hughes, 3 Oak Lane")
    child = ChildFactory(authority=org.authority, first_name="Mia", last_name="Hughes",
                         household=household)
    AllocationFactory(child=child, team=org.team_a, social_worker=sw)
    ready_for_request(sw=sw, tm=tm, children=[child],
                      held_at=timezone.now() - dt.timedelta(hours=1))
    request = approved_request(sw=sw, tm=tm, children=[child])
    tomorrow = calendar_for(org.authority).add_working_days(timezone.localdate(), 1)

    session = signed_in_page(bso)
    page = session.page
    page.goto(f"{session.base_url}/conferences/requests/{request.pk}/book/")
    _fill_date(page, "Date of the conference", tomorrow)
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Venue").fill("Room 4, Civic Centre, Anytown")
    page.get_by_label("Chair", exact=True).select_option(label="Chris Chair")
    page.get_by_label("Minute-taker").select_option(label="Bola Support")
    page.get_by_role("button", name="Book the conference").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("means these deadlines can no longer be met")
    expect(summary).to_contain_text("Report shared with parents and child")
    expect(summary).to_contain_text("Report shared with the chair")
    assert not Conference.objects.exists()
    # What was typed is kept.
    expect(page.get_by_label("Venue")).to_have_value("Room 4, Civic Centre, Anytown")
    page.get_by_label("Reason for booking a date that makes deadlines impossible").fill(
        "Police protection expires the day after; the conference must sit first.")
    page.get_by_role("button", name="Book the conference").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Conference booked")
    missed = Deadline.objects.filter(child=child, status=DeadlineStatus.MISSED,
                                     rule_id="report_to_family")
    assert missed.count() == 1
    assert "Police protection expires" in missed.get().cancelled_reason
    assert not Notification.objects.exists()
    session.page.set_viewport_size({"width": 375, "height": 800})
    # Readable on a phone: nothing wider than the screen.
    assert session.page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not session.problems.console_errors


def test_administrator_adds_and_removes_a_closure_day(signed_in_page, org, admin_user):
    session = signed_in_page(admin_user)
    page = session.page
    page.goto(f"{session.base_url}/deadlines/policy/")
    page.get_by_role("link", name="Manage closure days").click()
    expect(page.get_by_role("heading", name="Closure days", level=1)).to_be_visible()
    day = dt.date(timezone.localdate().year + 1, 12, 24)
    _fill_date(page, "Date the authority is closed", day)
    page.get_by_label("Reason").fill("Christmas Eve closure")
    page.get_by_role("button", name="Add the closure day").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("added")
    expect(page.get_by_test_id("closure-days")).to_contain_text("Christmas Eve closure")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("link", name="Remove").click()
    page.get_by_label("Why is this no longer a closure day?").fill("Council open after all")
    page.get_by_role("button", name="Remove the closure day").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("removed")
    expect(page.get_by_test_id("closure-history")).to_contain_text("Council open after all")
    assert not ClosureDay.objects.exists()
    assert not session.problems.console_errors
