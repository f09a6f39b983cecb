"""The DfE API page and the stored readiness page in a browser (issue 16): axe finds nothing
(WCAG 2.2 AA), the page runs within the CSP, and "Check again now" shows the new check."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.test_accessibility import axe_violations, describe
from tests.browser.test_error_summaries import _context_for
from tests.returns.conftest import demo, pdo  # noqa: F401 - the returns' fixtures

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("demo")
def test_dfe_and_readiness_pages_pass_axe_and_the_check_runs(live_server, new_context,
                                                             axe_script, request) -> None:
    from cpcases.plans.models import ChildProtectionPlan

    officer = request.getfixturevalue("pdo")

    ChildProtectionPlan.objects.filter(child__la_child_id="RET2501").update(
        started_on=dt.date(2025, 5, 30))
    page = _context_for(officer, new_context, live_server, bypass_csp=True).new_page()
    page.goto(live_server.url + "/returns/dfe/")
    assert "4 children" in page.inner_text("[data-testid=dfe-counts]")
    assert not (v := axe_violations(page, axe_script)), describe(v)
    page.goto(live_server.url + "/returns/readiness/?year=2026")
    assert "has not been checked yet" in page.inner_text("[data-testid=readiness-summary]")
    page.get_by_role("button", name="Check the census now").click()
    page.wait_for_selector("[data-testid=readiness]")
    assert "Census rule 2885" in page.inner_text("[data-testid=readiness]")
    assert not (v := axe_violations(page, axe_script)), describe(v)
