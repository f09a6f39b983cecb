"""The front door in a real browser (issue 10), with dates relative to today: the duty social
worker records a contact about a new child; the MASH manager decides it is a referral; the
referral shows its clocks and the manager allocates the single assessment; the social worker
completes it. Every page passes the automated WCAG 2.2 AA checks (axe-core)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cpcases.accounts.roles import Role
from frontdoor.models import Assessment, Contact, FrontDoorTeam
from tests.browser.test_accessibility import axe_violations, describe
from tests.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mash_people(org):
    team = TeamFactory(service=org.service, name="MASH")
    FrontDoorTeam.objects.create(team=team)
    worker = UserFactory(username="duty_sw", role=Role.SOCIAL_WORKER, authority=org.authority,
                         team=team, full_name="Dana Duty")
    manager = UserFactory(username="duty_tm", role=Role.TEAM_MANAGER, authority=org.authority,
                          team=team, full_name="Mo Mash")
    return worker, manager


def fill_date(page: Page, legend: str, on: dt.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(on.day))
    group.get_by_label("Month").fill(str(on.month))
    group.get_by_label("Year").fill(str(on.year))


def test_contact_decision_referral_and_assessment(signed_in_page, axe_script, mash_people):
    worker, manager = mash_people
    failures: dict[str, str] = {}

    def check(page: Page, name: str) -> None:
        violations = axe_violations(page, axe_script)
        if violations:
            failures[name] = describe(violations)

    received = timezone.localtime() - dt.timedelta(minutes=30)
    # The context bypasses the CSP only so that Playwright can add the axe script.
    duty = signed_in_page(worker, bypass_csp=True)
    page = duty.goto("/front-door/")
    expect(page.get_by_role("heading", name="Front door", level=1)).to_be_visible()
    check(page, "queue")
    page.get_by_role("link", name="Record a contact").click()
    fill_date(page, "Date the contact was received", received.date())
    page.get_by_label("Time the contact was received").fill(received.strftime("%H:%M"))
    page.get_by_label("Who made the contact").select_option("2A")
    page.get_by_label("What the concern is").fill("Bruises on both arms, says dad did it")
    page.get_by_label("Parents consented").check()
    page.get_by_label("First name").fill("Jon")
    page.get_by_label("Last name").fill("Smyth")
    fill_date(page, "Date of birth", dt.date(2016, 4, 2))
    check(page, "contact form")
    page.get_by_role("button", name="Record the contact").click()
    expect(page.get_by_text("A decision is due 24 hours after contact received")).to_be_visible()
    check(page, "contact")
    contact = Contact.objects.get()

    mash = signed_in_page(manager, bypass_csp=True)
    page = mash.goto(f"/front-door/contacts/{contact.pk}/")
    page.get_by_label("Referral to children's social care").check()
    page.get_by_label("Reasons for the decision").fill("Threshold for assessment met")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("contact-decision")).to_contain_text(
        "Referral to children's social care")
    page.get_by_role("link", name="Referral of Jon Smyth").click()
    expect(page.get_by_test_id("frontdoor-deadlines")).to_contain_text(
        "Single assessment completed")
    check(page, "referral")
    page.get_by_label("Social worker to complete the assessment").select_option(
        label=worker.full_name)
    page.get_by_role("button", name="Allocate the assessment").click()
    expect(page.get_by_text("Assessment by Dana Duty")).to_be_visible()

    assessment = Assessment.objects.get()
    page = duty.goto(f"/front-door/assessments/{assessment.pk}/")
    page.get_by_label("Domestic abuse: parent", exact=True).check()
    page.get_by_label("Primary need").select_option("N1")
    page.get_by_label("Summary of the assessment").fill("Physical abuse by father")
    page.get_by_label("Early help").check()
    fill_date(page, "Date completed", timezone.localdate())
    check(page, "assessment form")
    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.get_by_test_id("assessment-completed")).to_contain_text(
        str(timezone.localdate().day))
    expect(page.get_by_test_id("frontdoor-deadlines")).to_contain_text("Met")
    check(page, "assessment")
    assert not duty.problems.console_errors
    assert not mash.problems.console_errors
    assert not failures, "Accessibility violations (axe-core, WCAG 2.2 AA):\n" + "\n".join(
        f"{name}:\n{text}" for name, text in failures.items())
