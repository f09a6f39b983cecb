"""A social worker records a strategy discussion with the keyboard alone: every field is
reached with Tab, choices are made with Space and the arrow keys, a participant row is added
with "Add another participant" and the form is sent with Enter. Nothing needs a mouse."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from strategy.models import StrategyDiscussion
from tests.browser.test_concern_to_booked_icpc import hughes  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


def tab_to(page: Page, target: Locator, limit: int = 120) -> None:
    """Press Tab until the target has the focus (fails if it never does)."""
    handle = target.element_handle()
    for _ in range(limit):
        if page.evaluate("el => document.activeElement === el", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} cannot be reached with the Tab key")


def type_into(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def pick_radio(page: Page, group: Locator, label: str) -> None:
    """Tab into a group of radios (one tab stop), then move to the option with the arrows."""
    tab_to(page, group.get_by_role("radio").first)
    page.keyboard.press("Space")
    target = group.get_by_label(label)
    for _ in range(10):
        if target.is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{label} cannot be chosen with the arrow keys")


def choose(page: Page, select: Locator, label: str) -> None:
    """Pick an option of a list with the arrow keys."""
    tab_to(page, select)
    for _ in range(20):
        if select.evaluate("s => s.options[s.selectedIndex].text.trim()") == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{label} cannot be chosen with the arrow keys")


def test_a_strategy_discussion_is_recorded_with_the_keyboard_alone(
        signed_in_page, sw, hughes) -> None:  # noqa: F811
    mia = hughes.mia
    page = signed_in_page(sw).page
    page.goto(page.url.split("/children/")[0] + f"/strategy/child/{mia.pk}/discussions/new/")
    today = timezone.localdate()

    def date(legend: str) -> None:
        group = page.get_by_role("group", name=legend)
        type_into(page, group.get_by_label("Day"), str(today.day))
        type_into(page, group.get_by_label("Month"), str(today.month))
        type_into(page, group.get_by_label("Year"), str(today.year))

    date("Date the concern was identified")
    type_into(page, page.get_by_label("Time the concern was identified"), "00:00")
    pick_radio(page, page.get_by_role("group", name="Urgency"), "Child protection concerns")
    pick_radio(page, page.get_by_role("group", name="Meeting or phone calls"), "Meeting")
    date("Date the discussion was held")
    type_into(page, page.get_by_label("Time the discussion was held"), "00:01")
    type_into(page, page.get_by_label("Information shared"), "Bruising seen at school.")
    choose(page, page.get_by_label("Decision for Mia Hughes"), "Initiate a Section 47 enquiry")
    type_into(page, page.get_by_label("If the minimum attendance was not met, why"),
              "Recorded at once; the others were told by phone.")
    row = page.get_by_test_id("participant-0")
    type_into(page, row.get_by_label("Name", exact=True), "Sam Social")
    # A second row, by keyboard: the page comes back with everything typed kept.
    tab_to(page, page.get_by_role("button", name="Add another participant"))
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("participant-1")).to_be_visible()
    expect(page.get_by_label("Information shared")).to_have_value("Bruising seen at school.")
    second = page.get_by_test_id("participant-1")
    type_into(page, second.get_by_label("Name", exact=True), "Tara Manager")
    choose(page, second.get_by_label("Part in the discussion"), "Social work manager")
    tab_to(page, page.get_by_role("button", name="Record the strategy discussion"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Strategy discussion recorded.")).to_be_visible()
    assert StrategyDiscussion.objects.get().participants.count() == 2


def test_the_chair_completes_the_conference_day_with_the_keyboard_alone(
        signed_in_page, org, sw, chair, bso) -> None:
    """Attendance (two rows with "Add another person", then a third), the quorum, the start,
    the decision with its category, the core group and an agency's dissent: all by keyboard."""
    import datetime as dt

    from conferences.models import Conference
    from conferences.outcomes.models import ChildDecision
    from cpcases.children.models import CpStage
    from tests.factories import AllocationFactory, ChildFactory

    today = timezone.localdate()
    ada = ChildFactory(authority=org.authority, first_name="Ada", last_name="Okafor",
                       cp_stage=CpStage.CONFERENCE, date_of_birth=dt.date(2015, 6, 1))
    AllocationFactory(child=ada, team=org.team_a, social_worker=sw)
    conference = Conference.objects.create(
        authority=org.authority, date=today, start_time=dt.time(10), venue="Room 2",
        chair=chair, minute_taker=bso)
    conference.children.set([ada])
    session = signed_in_page(chair)
    page = session.goto(f"/conferences/{conference.pk}/day/")

    def press(target: Locator) -> None:
        tab_to(page, target)
        page.keyboard.press("Enter")

    def person(index: int, name: str, agency: str) -> None:
        row = page.get_by_test_id(f"person-{index}")
        type_into(page, row.get_by_label("Name", exact=True), name)
        choose(page, row.get_by_label("Agency (professionals)"), agency)
        tab_to(page, row.get_by_label("Their agency has had direct contact with the child "
                                      "and family"))
        page.keyboard.press("Space")

    press(page.get_by_test_id("add-attendance"))
    person(0, "Sam Social", "Children's social care")
    press(page.get_by_role("button", name="Add another person"))
    expect(page.get_by_test_id("person-1")).to_be_visible()
    person(1, "Hana Health", "Health")
    press(page.get_by_role("button", name="Add another person"))
    person(2, "Ed School", "Education")
    press(page.get_by_role("button", name="Save attendance"))
    expect(page.get_by_test_id("quoracy")).to_contain_text("Quorate")

    press(page.get_by_test_id("start"))
    press(page.get_by_role("button", name="Start the conference"))
    expect(page.get_by_test_id("day-status")).to_contain_text("Started")

    press(page.get_by_test_id(f"decide-{ada.pk}"))
    expect(page.get_by_role("heading", name="Decision for Ada Okafor")).to_be_visible()
    pick_radio(page, page.get_by_role("group", name="Decision"), "Child protection plan")
    pick_radio(page, page.get_by_role("group", name="Category (a plan has exactly one)"),
               "Neglect")
    type_into(page, page.get_by_label("Reasons for the decision"), "Continuing neglect.")
    type_into(page, page.get_by_label("Outline plan"), "Weekly visits.")
    type_into(page, page.get_by_label("Contingency plan"), "Legal planning meeting.")
    choose(page, page.get_by_label("Lead social worker"), sw.full_name)
    tab_to(page, page.get_by_label("Hana Health (Health)"))
    page.keyboard.press("Space")
    first = today + dt.timedelta(days=7)
    group = page.get_by_role("group", name="Date of the first core group")
    type_into(page, group.get_by_label("Day"), str(first.day))
    type_into(page, group.get_by_label("Month"), str(first.month))
    type_into(page, group.get_by_label("Year"), str(first.year))
    type_into(page, page.get_by_label("View of education"), "Would prefer Child in Need.")
    tab_to(page, page.get_by_label("Education dissents from the decision"))
    page.keyboard.press("Space")
    press(page.get_by_role("button", name="Record the decision"))
    expect(page.get_by_test_id("decisions")).to_contain_text("Child protection plan (neglect)")
    expect(page.get_by_test_id("decisions")).to_contain_text("Education")  # the dissent
    decision = ChildDecision.objects.get(child=ada)
    assert decision.category == "NEG"
    assert conference.attendances.count() == 3
    assert not session.problems.console_errors + session.problems.page_errors
