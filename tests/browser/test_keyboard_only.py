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
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


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
