"""Missing and deceased children in a real browser: the social worker records Alfie missing
from his record's tab (the lead social worker is told), then the team manager records his
death (the plan ends, every clock stops); the pages pass axe's WCAG 2.2 AA checks."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cpcases.plans import services as plans
from cpcases.plans.models import PlanCategory
from deadlines.models import Deadline, DeadlineStatus
from lifeevents.models import ChildDeath, MissingEpisode

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


def _fill_date(page: Page, legend: str, day: dt.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _no_axe_violations(page: Page, axe_script) -> None:
    from tests.browser.test_accessibility import axe_violations, describe

    violations = axe_violations(page, axe_script)
    assert not violations, f"{page.url}:\n{describe(violations)}"


def test_recording_a_child_missing_and_then_their_death(signed_in_page, axe_script, sw, tm,
                                                        hos, chair, child) -> None:
    today = timezone.localdate()
    plans.plan_start(child=child, started_on=today - dt.timedelta(days=7),
                     category=PlanCategory.NEGLECT, lead_social_worker=sw, user=chair)
    # Bypassing the CSP only so that Playwright can add the axe script.
    worker = signed_in_page(sw, bypass_csp=True)
    page = worker.goto(f"/children/{child.pk}/")
    page.get_by_role("navigation", name=re.compile("Sections of Alfie Example")).get_by_role(
        "link", name="Missing, orders and complaints").click()
    expect(page.get_by_role("heading", name="Missing, orders and complaints")).to_be_visible()
    _no_axe_violations(page, axe_script)
    page.get_by_role("link", name="Record the child as missing or absent").click()
    _no_axe_violations(page, axe_script)
    page.get_by_label("Missing", exact=True).check()
    # Yesterday evening: "today at 00:05" was in the future in the first minutes of a day.
    _fill_date(page, "Date last seen", today - dt.timedelta(days=1))
    page.get_by_label("Time last seen").fill("18:00")
    page.get_by_label("Who last saw the child").fill("Mrs Example (mother)")
    page.get_by_role("button", name="Record and tell the lead social worker").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The lead social worker has been told.")
    expect(page.get_by_test_id("missing-episodes")).to_contain_text("Missing now")
    expect(page.get_by_test_id("life-deadlines")).to_contain_text("Missing child traced")
    assert MissingEpisode.objects.get(child=child).last_seen_by == "Mrs Example (mother)"
    _no_axe_violations(page, axe_script)

    manager = signed_in_page(tm, bypass_csp=True)
    page = manager.goto(f"/life/child/{child.pk}/")
    page.get_by_role("link", name="Record the child's death").click()
    _fill_date(page, "Date of death", today)
    page.get_by_label("Circumstances, as far as known").fill("Sudden illness in hospital.")
    page.get_by_role("button", name="Record the death and tell the senior manager").click()
    expect(page.get_by_role("heading", name="Death of the child")).to_be_visible()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "every open deadline stopped")
    _no_axe_violations(page, axe_script)
    assert ChildDeath.objects.get(child=child).senior_cp_manager == hos
    assert set(Deadline.objects.filter(child=child, status=DeadlineStatus.OPEN)
               .values_list("rule_id", flat=True)) == {
        "death_partnership_notification", "serious_case_review_consideration"}
    page = manager.goto(f"/life/child/{child.pk}/")
    expect(page.get_by_test_id("death-banner")).to_contain_text("died on")
    expect(page.get_by_test_id("ended-plans")).to_contain_text("closure reason RC2")
    assert not manager.problems.console_errors
    assert not worker.problems.page_errors
