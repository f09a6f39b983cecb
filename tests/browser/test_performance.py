"""Performance figures in a real browser (issue 16 point 6): a service manager opens the
figures, finds a chart with its accessible name, its data table and its one-sentence summary,
follows a number to the children it counts, all under the page's content security policy
(no console error); the page passes axe's WCAG 2.2 AA checks at 375 px."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from deadlines.models import Deadline
from tests.browser.test_accessibility import axe_violations, describe
from tests.factories import AllocationFactory, ChildFactory

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


def _visit_deadline(child, due: dt.date, status: str) -> None:
    # As the engine leaves a visit's clock once it has ended (met on time or missed).
    Deadline.objects.create(
        authority=child.authority, child=child, rule_id="child_seen",
        anchor_date=due - dt.timedelta(days=14), due_date=due, status=status,
        met_at=timezone.now() if status == "met" else None)


def test_a_manager_reads_a_chart_with_its_table_and_summary_and_drills_down(
        signed_in_page, axe_script, org, sm, sw) -> None:
    due = max(timezone.localdate() - dt.timedelta(days=2),
              timezone.localdate().replace(day=1))
    seen = ChildFactory(authority=org.authority, first_name="Mina", last_name="Okafor")
    AllocationFactory(child=seen, team=org.team_a, social_worker=sw)
    missed = ChildFactory(authority=org.authority, first_name="Kofi", last_name="Mensah")
    AllocationFactory(child=missed, team=org.team_a, social_worker=sw)
    _visit_deadline(seen, due, "met")
    _visit_deadline(missed, due, "missed")

    session = signed_in_page(sm)  # the CSP as served: a violation is a console error
    page = session.goto("/performance/")
    expect(page.get_by_role("heading", name="Performance figures", level=1)).to_be_visible()
    figure = page.get_by_test_id("figure-visit-timeliness")
    expect(figure.get_by_role("img", name=re.compile(r"^Visits within .*percentage by month")
                              )).to_be_visible()
    expect(figure.get_by_test_id("summary-visit-timeliness")).to_contain_text(
        "Of 2 visits due")
    expect(figure.get_by_test_id("summary-visit-timeliness")).to_contain_text("1 (50%)")
    table = figure.get_by_test_id("table-visit-timeliness-month")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name=re.compile(f"{due:%B %Y}"))).to_contain_text("50%")

    figure.get_by_test_id("table-visit-timeliness-team").get_by_role(
        "link", name=re.compile("late or not held")).click()
    expect(page.get_by_role("heading", name=re.compile("^Visits within"), level=1)
           ).to_be_visible()
    expect(page.get_by_test_id("drill-count")).to_contain_text("1 counted")
    drill = page.get_by_test_id("drill-down")
    expect(drill).to_contain_text("Kofi Mensah")
    expect(drill).not_to_contain_text("Mina Okafor")
    drill.get_by_role("link", name="Kofi Mensah").click()
    expect(page).to_have_url(re.compile(rf"/children/{missed.pk}/$"))
    assert not session.problems.console_errors, session.problems.console_errors

    checked = signed_in_page(sm, bypass_csp=True, viewport={"width": 375, "height": 800})
    page = checked.goto("/performance/")
    violations = axe_violations(page, axe_script)
    assert not violations, f"Performance figures at 375 px:\n{describe(violations)}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at 375 px ({width} px wide)"
