"""axe (WCAG 2.2 A and AA) on every page the permission walk reaches, as the person it admits:
not a hand-picked list, so a new page is checked the day its route is added. /api/docs/
included. Downloads (PDF, CSV, calendar files) and the JSON API are not pages."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import BrowserContext

from cpcases.children.models import CpStage
from tests.browser.test_accessibility import axe_violations, describe
from tests.browser.test_error_summaries import _context_for
from tests.factories import AllocationFactory, ChildFactory
from tests.foundation.test_permission_walk import ACCESS, _placeholders

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


def _page_routes() -> list[str]:
    return sorted(name for name, a in ACCESS.items()
                  if a.method == "get" and a.ok == 200
                  and (not a.path.startswith("/api/") or name == "api-docs")
                  # files, and the export job's JSON status (a page polls it)
                  and not a.path.endswith(("pdf/", ".csv", ".ics", "download/", "status/"))
                  and name != "documents:download")  # a stored file, not a page


def test_every_page_of_every_role_passes_axe(live_server, new_context, axe_script, request,
                                              org, sw) -> None:
    contexts: dict[str, BrowserContext] = {}
    failures: list[str] = []
    checked = 0
    for name in _page_routes():
        access = ACCESS[name]
        child = ChildFactory(authority=org.authority, cp_stage=CpStage.SECTION_47)
        AllocationFactory(child=child, team=org.team_a, social_worker=sw)
        path = access.path.format(child=child.pk, person=0,
                                  **_placeholders(request, access.path, child))
        persona = access.insider
        if persona not in contexts:
            # bypass_csp only so that Playwright can add the axe script.
            contexts[persona] = _context_for(request.getfixturevalue(persona), new_context,
                                             live_server, bypass_csp=True)
            contexts[persona].new_page()
        page = contexts[persona].pages[0]
        response = page.goto(live_server.url + path)
        if response is None or response.status != 200:
            failures.append(f"{name}: {path} answered {response and response.status}")
            continue
        if name == "api-docs":
            page.wait_for_selector("#swagger-ui .info", state="attached")
        violations: list[dict[str, Any]] = axe_violations(page, axe_script)
        checked += 1
        if violations:
            failures.append(f"{name} ({path}, as {persona}):\n{describe(violations)}")
    assert not failures, "\n".join(failures)
    assert checked >= 60, f"only {checked} pages checked"
