"""The main pages run without console errors, and the content security policy (no
unsafe-inline; scripts only from the service or with the page's nonce) holds in a real
browser: nothing the pages do is refused, and an injected inline script is."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

# The live server's thread has its own database connection: the data must be committed. The
# rollback restores what migrations loaded (policy profiles), which a flush would remove.
pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]

# Runs before the page's own scripts on every page: keeps what the CSP refused.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " refused " + (event.blockedURI ||
    "inline") + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


def csp_violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def test_no_console_errors_and_csp_holds(signed_in_page, new_context, live_server, sw, tm,
                                         child) -> None:
    # The sign-in page, before anyone is signed in.
    anonymous = new_context().new_page()
    anonymous.add_init_script(RECORD_CSP_VIOLATIONS)
    errors: list[str] = []
    anonymous.on("console", lambda m: errors.append(m.text) if m.type == "error"
                 and not m.location.get("url", "").endswith("/favicon.ico") else None)
    response = anonymous.goto(f"{live_server.url}/sign-in/")
    assert response is not None
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self' 'nonce-" in policy, policy
    assert "unsafe-inline" not in policy, policy
    expect(anonymous.get_by_role("button", name="Sign in")).to_be_visible()
    assert csp_violations(anonymous) == []
    assert errors == []

    session = signed_in_page(tm)
    page = session.page
    page.context.add_init_script(RECORD_CSP_VIOLATIONS)
    record = f"/children/{child.pk}"
    visited: dict[str, list[str]] = {}
    for path in ["/children/", "/children/search/?q=Example", f"{record}/",
                 f"{record}/people/", f"{record}/allocation/", f"{record}/audit/",
                 f"{record}/edit/", f"{record}/people/add/", f"{record}/allocation/change/"]:
        response = page.goto(session.base_url + path)
        assert response is not None
        assert response.status == 200, path
        expect(page.locator("h1")).to_be_visible()
        # The page's scripts ran: GOV.UK Frontend's module (with the nonce) and ours.
        expect(page.locator("body.govuk-frontend-supported")).to_have_count(1)
        expect(page.locator("[data-module='govuk-service-navigation'][data-"
                            "govuk-service-navigation-init]")).to_have_count(1)
        assert page.evaluate("typeof window.cpcasesSessionTimeout") == "object", path
        visited[path] = csp_violations(page)

    # A form with errors: the error summary's script focuses it.
    session.goto(f"{record}/edit/")
    page.get_by_role("group", name="Date of birth").get_by_label("Year").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    visited["edit form with errors"] = csp_violations(page)

    # Staying signed in is a script's fetch with the CSRF token.
    page.evaluate("window.cpcasesSessionTimeout.extend()")
    expect(page.locator("#session-timeout")).to_be_hidden()

    assert {path: found for path, found in visited.items() if found} == {}
    assert session.problems.console_errors == []
    assert session.problems.page_errors == []

    # And the policy does refuse what it should: an inline script injected into the page.
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.__inlineRan = true";
        document.body.appendChild(script);
    }""")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__inlineRan") is None
    assert any(v.startswith("script-src") for v in csp_violations(page))
