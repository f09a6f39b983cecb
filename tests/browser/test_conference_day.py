"""The conference day in a real browser: the minute-taker records attendance until the
conference is quorate; the chair starts it, records each sibling's decision (a plan for one,
a Child in Need plan for the other) and the decision letter is issued and read."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conferences.models import Conference
from conferences.outcomes.models import ChildDecision
from cpcases.children.models import CpStage
from deadlines.models import Deadline, DeadlineStatus
from tests.factories import AllocationFactory, ChildFactory, HouseholdFactory

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


def _fill_date(page: Page, name: str, on: dt.date) -> None:
    page.locator(f'input[name="{name}_0"]').fill(str(on.day))
    page.locator(f'input[name="{name}_1"]').fill(str(on.month))
    page.locator(f'input[name="{name}_2"]').fill(str(on.year))


def _add_person(page: Page, name: str, agency: str) -> None:
    page.get_by_test_id("add-attendance").click()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Agency (professionals)").select_option(label=agency)
    page.get_by_label("Their agency has had direct contact with the child and family").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_test_id("attendance")).to_contain_text(name)


def test_conference_day_from_attendance_to_the_decision_letter(
        signed_in_page, org, sw, chair, bso) -> None:
    today = timezone.localdate()
    household = HouseholdFactory(authority=org.authority, name="Okafor, 4 Mill Lane")
    ada, ben = (ChildFactory(authority=org.authority, first_name=first, last_name="Okafor",
                             household=household, date_of_birth=dob,
                             cp_stage=CpStage.CONFERENCE)
                for first, dob in (("Ada", dt.date(2015, 6, 1)), ("Ben", dt.date(2020, 2, 10))))
    for child in (ada, ben):
        AllocationFactory(child=child, team=org.team_a, social_worker=sw)
    conference = Conference.objects.create(
        authority=org.authority, date=today, start_time=dt.time(10), venue="Room 2",
        chair=chair, minute_taker=bso)
    conference.children.set([ada, ben])
    day_path = f"/conferences/{conference.pk}/day/"

    # The minute-taker records attendance; the banner turns from inquorate to quorate.
    minutes = signed_in_page(bso)
    page = minutes.goto(day_path)
    expect(page.get_by_test_id("quoracy")).to_contain_text("No attendance recorded yet")
    _add_person(page, "Sam Social", "Children's social care")
    _add_person(page, "Hana Health", "Health")
    expect(page.get_by_test_id("quoracy")).to_contain_text("Inquorate")
    _add_person(page, "Ed School", "Education")
    expect(page.get_by_test_id("quoracy")).to_contain_text("Quorate")
    expect(page.get_by_test_id("start")).to_have_count(0)  # only the chair starts it

    # The chair starts the conference and records each child's decision.
    chairing = signed_in_page(chair)
    cpage = chairing.goto(day_path)
    cpage.get_by_test_id("start").click()
    cpage.get_by_role("button", name="Start the conference").click()
    expect(cpage.get_by_test_id("day-status")).to_contain_text("Started")

    cpage.get_by_test_id(f"decide-{ada.pk}").click()
    expect(cpage.get_by_role("heading", name="Decision for Ada Okafor")).to_be_visible()
    cpage.get_by_label("Child protection plan", exact=True).check()
    cpage.get_by_label("Neglect", exact=True).check()
    cpage.get_by_label("Reasons for the decision").fill("Continuing neglect.")
    cpage.get_by_label("Outline plan").fill("Weekly visits; school attendance daily.")
    cpage.get_by_label("Contingency plan").fill("Legal planning meeting.")
    cpage.get_by_label("Lead social worker").select_option(label=sw.full_name)
    cpage.get_by_label("Hana Health (Health)").check()
    _fill_date(cpage, "first_core_group_on", today + dt.timedelta(days=7))
    cpage.get_by_label("View of education").fill("Would prefer a Child in Need plan.")
    cpage.get_by_label("Education dissents from the decision").check()
    cpage.get_by_role("button", name="Record the decision").click()
    expect(cpage.get_by_test_id("decisions")).to_contain_text("Child protection plan (neglect)")

    cpage.get_by_test_id(f"decide-{ben.pk}").click()
    cpage.get_by_label("No plan: Child in Need plan").check()
    cpage.get_by_label("Reasons for the decision").fill("Needs help; no continuing risk.")
    _fill_date(cpage, "cin_first_meeting_on", today + dt.timedelta(days=10))
    cpage.get_by_role("button", name="Record the decision").click()
    expect(cpage.get_by_test_id("decisions")).to_contain_text("No plan: Child in Need plan")
    assert ChildDecision.objects.get(child=ada).review_conference is not None

    # The letter, issued the same day and read in its printable form.
    cpage.get_by_test_id("outputs-link").click()
    cpage.get_by_test_id("issue-letter").click()
    expect(cpage.get_by_test_id("status-letter")).to_contain_text("Issued")
    cpage.get_by_test_id("view-letter").click()
    expect(cpage).to_have_url(re.compile(r"/outputs/documents/letter/$"))
    expect(cpage.get_by_role("heading", level=1)).to_contain_text(
        "The decisions of the child protection conference")
    expect(cpage.get_by_role("main")).to_contain_text(
        "Child protection plan under the category of neglect")
    expect(cpage.get_by_role("main")).to_contain_text(sw.full_name)
    assert {d.status for d in Deadline.objects.filter(rule_id="decision_letter")} == {
        DeadlineStatus.MET}
    assert not minutes.problems.console_errors + chairing.problems.console_errors
    assert not minutes.problems.page_errors + chairing.problems.page_errors


def test_conference_day_pages_meet_wcag_2_2_aa_automated_checks(
        live_server, new_context, axe_script, org, sw, chair, bso) -> None:
    from conferences.outcomes import services
    from tests.browser.conftest import sign_in
    from tests.browser.test_accessibility import axe_violations, describe
    from tests.outcomes.helpers import decide, plan_data, quorate_attendance

    child = ChildFactory(authority=org.authority, first_name="Ada", last_name="Okafor",
                         cp_stage=CpStage.CONFERENCE)
    AllocationFactory(child=child, team=org.team_a, social_worker=sw)
    today = timezone.localdate()
    conference = Conference.objects.create(
        authority=org.authority, date=today, start_time=dt.time(10), venue="Room 2",
        chair=chair, minute_taker=bso)
    conference.children.set([child])
    quorate_attendance(conference, bso)
    services.conference_start(conference=conference, user=chair)
    context = new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server.url, chair.username)
    base = f"{live_server.url}/conferences/{conference.pk}"
    checked = {}
    for path in ("/day/", f"/day/children/{child.pk}/decision/",
                 f"/day/children/{child.pk}/scores/", "/day/attendance/add/"):
        page.goto(base + path)
        checked[path] = axe_violations(page, axe_script)
    decide(conference, child, chair, plan_data(sw, first_core_group_on=today
                                               + dt.timedelta(days=7)))
    for path in ("/day/", "/outputs/", "/outputs/record/",
                 "/outputs/documents/parents-record/"):
        page.goto(base + path)
        checked[path] = axe_violations(page, axe_script)
    problems = {p: describe(v) for p, v in checked.items() if v}
    assert not problems, "\n".join(f"{p}:\n{d}" for p, d in problems.items())
