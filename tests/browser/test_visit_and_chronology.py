"""Statutory visits and the chronology in a real browser: the social worker records a visit,
sees the clocks the engine set, and finds the visit in the chronology; a police officer in
the core group adds an entry that the social worker then reads in event order."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cpcases.accounts.roles import Agency
from cpcases.children.models import CpStage, InvolvementKind
from cpcases.chronology.models import Visit
from deadlines.models import Deadline, DeadlineStatus
from tests.factories import PartnerInvolvementFactory

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _fill_date(page: Page, legend: str, day: dt.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _answer(page: Page, question: str, answer: str) -> None:
    page.get_by_role("group", name=question, exact=True).get_by_label(answer,
                                                                      exact=True).check()


def test_social_worker_records_a_visit_and_sees_it_in_the_chronology(
        signed_in_page, sw, tm, police, child) -> None:
    child.cp_stage = CpStage.PLAN
    child.save(update_fields=["cp_stage"])
    PartnerInvolvementFactory(child=child, user=police, kind=InvolvementKind.CORE_GROUP,
                              agency=Agency.POLICE)
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    social_worker = signed_in_page(sw)
    page = social_worker.goto(f"/children/{child.pk}/")
    page.get_by_role("navigation", name=re.compile("Sections of Alfie Example")).get_by_role(
        "link", name="Visits").click()
    expect(page.get_by_role("heading", name="Statutory visits")).to_be_visible()
    expect(page.get_by_test_id("clock-child_seen")).to_contain_text("Not recorded")
    page.get_by_role("link", name="Record a visit").click()

    _fill_date(page, "Date of the visit", yesterday)
    page.get_by_label("Time of the visit").fill("10:30")
    page.get_by_label("The home where the child lives").check()
    _answer(page, "Was access refused?", "No")
    _answer(page, "Was the child seen?", "Yes")
    _answer(page, "Was the child seen alone?", "Yes")
    _answer(page, "Was the child's bedroom or sleeping place seen?", "Yes")
    page.get_by_label("Notes").fill("Alfie showed me his new bunk bed.")
    page.get_by_role("button", name="Save the visit").click()

    expect(page).to_have_url(re.compile(rf"/chronology/child/{child.pk}/visits/$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Visit recorded.")
    visit = Visit.objects.get(child=child)
    assert visit.bedroom_seen
    # The due dates shown are the engine's.
    for rule_id in ("child_seen", "bedroom_seen"):
        deadline = Deadline.objects.get(child=child, rule_id=rule_id,
                                        status=DeadlineStatus.OPEN)
        assert deadline.subject == visit
        expect(page.get_by_test_id(f"due-{rule_id}")).to_have_text(_long(deadline.due_date))
    expect(page.get_by_test_id("visits")).to_contain_text("Alfie showed me his new bunk bed.")

    # The police officer in the core group adds what happened the evening before.
    officer = signed_in_page(police)
    opage = officer.goto(f"/chronology/child/{child.pk}/")
    opage.get_by_role("link", name="Add an entry").click()
    _fill_date(opage, "Date of the event", yesterday)
    opage.get_by_label("Time of the event (if known)").fill("08:05")
    opage.get_by_label("Type of event").select_option(label="Police involvement or criminal "
                                                            "proceedings")
    opage.get_by_label("Significant event").fill("Police called to a disturbance at home")
    opage.get_by_label("Professional or agency record").fill("Police record")
    _answer(opage, "Was the child seen?", "No")
    opage.get_by_role("button", name="Add to the chronology").click()
    expect(opage.locator(".govuk-notification-banner--success")).to_contain_text(
        "Entry added to the chronology.")
    # Partners see the visit's headline in the chronology, never the Visits tab.
    expect(opage.get_by_role("link", name="Visits")).to_have_count(0)

    page.get_by_role("navigation", name=re.compile("Sections of Alfie Example")).get_by_role(
        "link", name="Chronology").click()
    items = page.get_by_test_id("chronology-item")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("08:05")
    expect(items.nth(0)).to_contain_text("Police called to a disturbance at home")
    expect(items.nth(1)).to_contain_text("10:30")
    expect(items.nth(1)).to_contain_text("Statutory visit: child seen alone, bedroom seen")

    page.get_by_label("Agency").select_option(label="Police")
    page.get_by_role("button", name="Filter").click()
    expect(items).to_have_count(1)
    expect(items.nth(0)).to_contain_text("Police called to a disturbance at home")
    assert not social_worker.problems.console_errors
    assert not social_worker.problems.page_errors
    assert not officer.problems.console_errors
