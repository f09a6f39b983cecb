"""Recording a core group meeting in a real browser: the lead social worker opens the child's
plan, records attendance per member, updates an action and adds one, and sees the first core
group met and the next one set; the partner in the core group then reads the plan."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cpcases.accounts.roles import Agency
from cpcases.plans import services
from cpcases.plans.models import CoreGroupMeeting, PlanCategory
from deadlines.models import Deadline, DeadlineStatus

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


def fill_date(scope, legend: str, day: dt.date) -> None:
    group = scope.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_lead_social_worker_records_the_first_core_group(signed_in_page, sw, chair, police,
                                                          child) -> None:
    today = timezone.localdate()
    plan = services.plan_start(
        child=child, started_on=today - dt.timedelta(days=2), category=PlanCategory.NEGLECT,
        lead_social_worker=sw, user=chair, outcomes="Alfie is safe at home.",
        core_group_members=[
            services.MemberData(user=police, role="Police officer"),
            services.MemberData(name="Ms Whitfield", agency=Agency.EDUCATION,
                                role="Class teacher")],
        actions=[services.ActionData(who="Anytown Primary", what="Weekly attendance report",
                                     by_when=today + dt.timedelta(days=7))])

    session = signed_in_page(sw)
    page = session.goto(f"/children/{child.pk}/")
    page.get_by_role("navigation", name=re.compile("Sections of Alfie Example")).get_by_role(
        "link", name="Plan").click()
    expect(page.get_by_role("heading", name="Child protection plan", level=2)).to_be_visible()
    expect(page.get_by_test_id("plan-category")).to_have_text("Neglect")
    page.get_by_role("link", name="Record a core group meeting").click()

    expect(page.get_by_role("heading", name="Record a core group meeting")).to_be_visible()
    fill_date(page, "Date of the meeting", today)
    page.get_by_role("group", name="DC Pat Police (Police)").get_by_label("Attended").check()
    page.get_by_role("group", name="Ms Whitfield (Education)").get_by_label(
        "Sent apologies").check()
    page.get_by_role("group", name=re.compile("Weekly attendance report")).get_by_label(
        "Done").check()
    page.get_by_label("Minutes").fill("The detailed plan was agreed.")
    first_new = page.get_by_role("group", name="New action 1")
    first_new.get_by_label("Or who (a person or agency)").fill("Health visitor")
    first_new.get_by_label("What").fill("Growth and development check")
    fill_date(first_new, "By when", today + dt.timedelta(days=14))
    page.get_by_role("button", name="Record the meeting").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Core group meeting recorded")
    expect(page.get_by_test_id("attendance")).to_contain_text("Sent apologies")
    meeting = CoreGroupMeeting.objects.get(plan=plan)
    assert meeting.is_first
    first = Deadline.objects.get(child=child, rule_id="core_group_first")
    assert first.status == DeadlineStatus.MET

    page.get_by_role("link", name="Back to the plan").click()
    expect(page.get_by_test_id("plan-actions")).to_contain_text("Growth and development check")
    expect(page.get_by_test_id("versions")).to_contain_text("Version 2")
    expect(page.get_by_test_id("plan-deadlines")).to_contain_text("Next core group held")
    expect(page.get_by_test_id("plan-deadlines")).not_to_contain_text("First core group held")

    # The police officer, a core group member, reads the plan but is not offered changes.
    officer = signed_in_page(police)
    opage = officer.goto(f"/plans/{plan.pk}/")
    expect(opage.get_by_test_id("plan-actions")).to_contain_text("Growth and development")
    expect(opage.get_by_role("link", name="Record a core group meeting")).to_have_count(0)
    assert not session.problems.console_errors
    assert not session.problems.page_errors


def test_plan_pages_meet_wcag_2_2_aa_automated_checks(live_server, new_context, axe_script,
                                                       sw, chair, police, child) -> None:
    from tests.browser.conftest import sign_in
    from tests.browser.test_accessibility import axe_violations, describe

    today = timezone.localdate()
    plan = services.plan_start(
        child=child, started_on=today, category=PlanCategory.NEGLECT, lead_social_worker=sw,
        user=chair, core_group_members=[services.MemberData(user=police)],
        actions=[services.ActionData(who="School", what="Attendance report",
                                     by_when=today - dt.timedelta(days=1))])
    # Bypassing the CSP only so that Playwright can add the axe script.
    page = new_context(bypass_csp=True).new_page()
    sign_in(page, live_server.url, sw.username)
    for path in (f"/plans/child/{child.pk}/", f"/plans/{plan.pk}/core-groups/new/",
                 f"/plans/{plan.pk}/end/"):
        page.goto(live_server.url + path)
        violations = axe_violations(page, axe_script)
        assert not violations, f"{path}:\n{describe(violations)}"
