"""WCAG 2.2 AA automated checks (axe-core) on the Foundation's pages, as a team manager sees
them (every tab of the record, audit included).

axe finds perhaps a third of the problems: the rest needs a person (keyboard, screen reader,
zoom). The check runs in a context that bypasses the CSP only so that Playwright can add the
axe script; the CSP itself is checked in test_console_and_csp.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cpcases.children import services
from cpcases.children.models import Child, Relationship
from tests.browser.conftest import sign_in
from tests.factories import (
    AllocationFactory,
    ChildFactory,
    ChildPersonFactory,
    HouseholdFactory,
    PersonFactory,
)

# The live server's thread has its own database connection: the data must be committed. The
# rollback restores what migrations loaded (policy profiles), which a flush would remove.
pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page: Page, axe_script: Path) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA)
    return result["violations"]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
                     f"  {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {json.dumps(node['target'])}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            lines.append(f"      {summary}")
    return "\n".join(lines)


def test_pages_meet_wcag_2_2_aa_automated_checks(live_server, new_context, axe_script,
                                                  settings, sw, tm, child) -> None:
    # So that the inactivity warning opens on the page's first 15-second check.
    settings.SESSION_INACTIVITY_SECONDS = 40
    settings.SESSION_WARNING_SECONDS = 35
    # Enough on the record for every table to have rows: a parent, a sibling, an audit trail.
    household = HouseholdFactory(authority=child.authority, name="Example household")
    child.household = household
    child.save()
    sibling = ChildFactory(authority=child.authority, first_name="Bella", last_name="Example",
                           household=household)
    AllocationFactory(child=sibling, team=sw.team, social_worker=sw)
    ChildPersonFactory(child=child, relationship=Relationship.MOTHER,
                       person=PersonFactory(authority=child.authority, first_name="Mary",
                                            last_name="Example", email="mary@example.org"))

    page = new_context(bypass_csp=True).new_page()
    base = live_server.url
    checked: dict[str, list[dict[str, Any]]] = {}

    def check(name: str) -> None:
        expect(page.locator("h1")).to_be_visible()
        checked[name] = axe_violations(page, axe_script)

    page.goto(f"{base}/sign-in/")
    check("sign-in page")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check("sign-in page with errors")

    sign_in(page, base, tm.username)
    check("my work")
    page.goto(f"{base}/children/")
    check("caseload")

    page.goto(f"{base}/children/search/?q=Example")
    expect(page.get_by_role("heading", name="2 results")).to_be_visible()
    check("search results")
    page.goto(f"{base}/children/search/?q=Nobody")
    check("search with no results")

    record = f"{base}/children/{child.pk}"
    for name, path in [("child summary", "/"), ("people", "/people/"),
                       ("allocation", "/allocation/"), ("audit", "/audit/")]:
        page.goto(record + path)
        check(name)

    page.goto(record + "/edit/")
    check("edit form")
    for part in ("Day", "Month", "Year"):
        page.get_by_role("group", name="Date of birth").get_by_label(part).fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the child's date of birth")
    check("edit form with errors")
    # The error summary is focused on arrival and its link takes the user to the first box.
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    page.locator(".govuk-error-summary").get_by_role(
        "link", name="Enter the child's date of birth").click()
    expect(page.get_by_role("group", name="Date of birth").get_by_label("Day")).to_be_focused()

    page.goto(record + "/")
    page.get_by_role("link", name="Edit record").click()
    page.get_by_label("Address", exact=True).fill("5 New Road, Anytown")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    check("child summary with success banner")

    page.goto(record + "/allocation/change/")
    check("change allocation form")
    page.goto(record + "/people/add/")
    check("add a person form")

    # Somebody else saves while the manager has the form open: the conflict page.
    page.goto(record + "/edit/")
    services.child_update(user=sw, child=Child.objects.get(pk=child.pk),
                          expected_version=Child.objects.get(pk=child.pk).version,
                          data={"first_language": "Polish"})
    page.get_by_label("Postcode").fill("AN2 2BB")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("edit-conflict")).to_be_visible()
    check("edit conflict")

    page.goto(f"{base}/children/{child.pk + 1000}/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    check("page not found")

    # The check itself works: a picture without a text alternative is found.
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', "
                  "'<img src=\"/static/missing.png\">')")
    assert "image-alt" in {v["id"] for v in axe_violations(page, axe_script)}

    # The inactivity warning, open (the page's clock moved on, not waited for).
    page.clock.install()
    page.goto(record + "/")
    page.clock.fast_forward(16_000)
    expect(page.get_by_role("dialog", name="You will be signed out soon")).to_be_visible()
    checked["inactivity warning"] = axe_violations(page, axe_script)

    failures = {name: found for name, found in checked.items() if found}
    assert not failures, "Accessibility violations (axe-core, WCAG 2.2 AA):\n" + "\n".join(
        f"{name}:\n{describe(found)}" for name, found in failures.items())
