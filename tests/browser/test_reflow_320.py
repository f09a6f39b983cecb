"""WCAG 1.4.10 Reflow, measured: at 320 CSS pixels wide no main page scrolls sideways (the
document is no wider than the window). The caseload, a child's record and every one of its
tabs, a plan, the chronology, My work, the team's deadlines, the conference day and the long
forms, each as the person who uses it, with rows in their tables."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from cpcases.children.models import CpStage
from tests.browser.test_error_summaries import _context_for
from tests.factories import AllocationFactory, ChildFactory
from tests.foundation.test_permission_walk import ACCESS, _placeholders

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 640}

# The main pages, by route name (their people and placeholders are the permission walk's).
# The lists come last, when the children made for the pages before fill their rows.
MAIN_PAGES = ("plans:detail", "plans:meeting_new", "chronology:child",
              "conference_outcomes:day", "conference_outcomes:attendance_add",
              "strategy:discussion_new", "conferences:conference", "deadlines:child",
              "children:caseload", "home", "deadlines:team")


def _overflow(page: Page) -> str:
    """"" when nothing is wider than the window, else the width and the widest culprits."""
    return page.evaluate("""() => {
      const width = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth <= width) return "";
      const wide = [...document.querySelectorAll("body *")]
        .filter(el => el.getBoundingClientRect().right > width + 1)
        .slice(0, 5)
        .map(el => el.tagName.toLowerCase() + (el.className ? "." + String(el.className)
             .trim().split(/\\s+/).join(".") : "") + " " +
             Math.round(el.getBoundingClientRect().right) + "px");
      return document.documentElement.scrollWidth + "px wide: " + wide.join(", ");
    }""")


def test_no_main_page_scrolls_sideways_at_320_css_pixels(live_server, new_context, request,
                                                          org, sw) -> None:
    contexts: dict[str, Any] = {}
    failures: list[str] = []
    checked: list[str] = []

    def page_for(persona: str) -> Page:
        if persona not in contexts:
            contexts[persona] = _context_for(request.getfixturevalue(persona), new_context,
                                             live_server, viewport=NARROW)
            contexts[persona].new_page()
        return contexts[persona].pages[0]

    def check(page: Page, path: str, label: str) -> None:
        response = page.goto(live_server.url + path)
        if response is None or response.status != 200:
            failures.append(f"{label}: {path} answered {response and response.status}")
            return
        checked.append(path)
        if problem := _overflow(page):
            failures.append(f"{label} ({path}): {problem}")

    for name in MAIN_PAGES:
        access = ACCESS[name]
        child = ChildFactory(authority=org.authority, cp_stage=CpStage.PLAN,
                             first_name="Maximilian-Alexander", last_name="Featherstonehaugh")
        AllocationFactory(child=child, team=org.team_a, social_worker=sw)
        path = access.path.format(child=child.pk, person=0,
                                  **_placeholders(request, access.path, child))
        check(page_for(access.insider), path, name)

    # The child's record and every tab the social worker sees on it.
    page = page_for("sw")
    check(page, f"/children/{child.pk}/", "children:detail")
    tabs = page.eval_on_selector_all(
        "nav.app-subnav a", "links => links.map(a => a.getAttribute('href'))")
    assert len(tabs) >= 5, tabs
    for href in tabs:
        check(page, href, f"tab {href}")
    assert not failures, "\n".join(failures)
    assert len(checked) >= len(MAIN_PAGES) + 5


ROLES = ("sw", "tm", "sm", "hos", "chair", "bso", "police", "admin_user")


@pytest.mark.parametrize("width", [1024, 1280])
def test_every_roles_menu_fits_on_one_row_at_desktop_widths(live_server, new_context,
                                                            request, width) -> None:
    """Each role's service navigation is one row (every entry at the same height) at common
    desktop widths, and nothing pushes the page sideways; account links sit beside "Signed
    in as", and a manager's oversight lists are on My work."""
    rows: dict[str, list[str]] = {}
    for persona in ROLES:
        context = _context_for(request.getfixturevalue(persona), new_context, live_server,
                               viewport={"width": width, "height": 800})
        page = context.new_page()
        page.goto(live_server.url + "/")
        menu = page.get_by_role("navigation", name="Menu")
        assert menu.get_by_role("link").count() >= 2, persona
        tops = menu.locator("li").evaluate_all(
            "items => items.map(li => Math.round(li.getBoundingClientRect().top))")
        if len(set(tops)) != 1:
            rows[persona] = menu.locator("li").all_inner_texts()
        assert not _overflow(page), persona
        account = page.get_by_role("navigation", name="Account")
        assert account.get_by_role("link", name="Help").is_visible()
        assert account.get_by_role("button", name="Sign out").is_visible()
        context.close()
    assert not rows, f"menus on more than one row at {width} px: {rows}"


def test_the_menu_at_tablet_width_never_pushes_the_page_sideways(live_server, new_context,
                                                                 tm) -> None:
    context = _context_for(tm, new_context, live_server,
                           viewport={"width": 768, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.get_by_role("navigation", name="Menu").get_by_role("link").count() >= 5
    assert not _overflow(page)
