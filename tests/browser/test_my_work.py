""""My work" in a real browser (issue 9): a social worker signs in to their deadlines by
urgency and follows an item straight to where it is done; business support signs in to
their queues and assigns a chair from one. Both pages pass axe's WCAG 2.2 AA checks, on a
desktop and a 375 px wide screen."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from deadlines import services
from tests.browser.test_accessibility import axe_violations, describe
from tests.factories import AllocationFactory, ChildFactory

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


def _no_violations(page, axe_script, what: str) -> None:
    violations = axe_violations(page, axe_script)
    assert not violations, f"{what}:\n{describe(violations)}"


def test_a_social_worker_signs_in_to_my_work_and_goes_to_the_visit(
        signed_in_page, axe_script, sw, org, child) -> None:
    today = timezone.localdate()
    # Alfie's visit is long overdue (003: seen every 10 working days); Bella's detailed plan
    # goes out today (5 days after the core group).
    overdue = services.deadline_set(child=child, rule_id="child_seen",
                                    anchor=today - dt.timedelta(days=40))
    bella = ChildFactory(authority=org.authority, first_name="Bella", last_name="Example")
    AllocationFactory(child=bella, team=org.team_a, social_worker=sw)
    due_today = services.deadline_set(child=bella, rule_id="plan_distributed",
                                      anchor=today - dt.timedelta(days=5))

    session = signed_in_page(sw, bypass_csp=True)
    page = session.page
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    expect(page.get_by_test_id("count-overdue")).to_have_text("1")
    expect(page.get_by_test_id("count-due_today")).to_have_text("1")
    row = page.get_by_test_id("group-overdue").get_by_test_id(f"deadline-{overdue.pk}")
    expect(row).to_contain_text("Alfie Example")
    expect(row).to_contain_text(re.compile(r"\d+ working days? overdue"))
    expect(row).to_contain_text("Child seen by lead social worker")
    expect(page.get_by_test_id("group-due_today").get_by_test_id(
        f"deadline-{due_today.pk}")).to_contain_text("Due today")
    _no_violations(page, axe_script, "My work (social worker)")

    page.set_viewport_size({"width": 375, "height": 800})
    _no_violations(page, axe_script, "My work (social worker, 375 px)")
    page.set_viewport_size({"width": 1280, "height": 900})

    row.get_by_role("link", name="Visit and see the child").click()
    expect(page).to_have_url(re.compile(rf"/chronology/child/{child.pk}/visits/new/$"))
    assert not session.problems.console_errors, session.problems.console_errors


def test_business_support_signs_in_to_their_queues_and_assigns_a_chair(
        signed_in_page, axe_script, sw, tm, bso, chair, child) -> None:
    from strategy import services as strategy

    consultation = strategy.consultation_request(user=sw, child=child,
                                                 question="Is the threshold met?")
    session = signed_in_page(bso, bypass_csp=True)  # axe is injected
    page = session.page
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    queue = page.get_by_test_id("queue-consultations_to_assign")
    expect(queue.get_by_role("heading")).to_have_text("Consultations to assign (1)")
    expect(queue).to_contain_text("Alfie Example")
    for key in ("dates_to_offer", "invitations_to_send", "records_to_distribute"):
        expect(page.get_by_test_id(f"queue-{key}")).to_be_visible()
    _no_violations(page, axe_script, "My work (business support)")
    page.set_viewport_size({"width": 375, "height": 800})
    _no_violations(page, axe_script, "My work (business support, 375 px)")
    page.set_viewport_size({"width": 1280, "height": 900})

    queue.get_by_role("link", name="Assign a chair").click()
    expect(page).to_have_url(re.compile(rf"/strategy/consultations/{consultation.pk}/assign/$"))
    assert not session.problems.console_errors, session.problems.console_errors


def test_the_team_page_and_notifications_pass_the_checks(signed_in_page, axe_script, tm, sw,
                                                         child) -> None:
    services.deadline_set(child=child, rule_id="child_seen",
                          anchor=timezone.localdate() - dt.timedelta(days=40))
    session = signed_in_page(tm, bypass_csp=True)
    page = session.goto("/deadlines/team/?status=overdue&sort=child")
    expect(page.get_by_role("heading", name="Team deadlines")).to_be_visible()
    expect(page.get_by_test_id("team-deadlines")).to_contain_text("Alfie Example")
    _no_violations(page, axe_script, "Team deadlines")
    page.goto(session.base_url + "/deadlines/team/?due_after=31/02/2026")
    expect(page.get_by_text("There is a problem with the filters")).to_be_visible()
    _no_violations(page, axe_script, "Team deadlines with a bad filter")
    page.goto(session.base_url + "/deadlines/notifications/")
    _no_violations(page, axe_script, "Notifications")
