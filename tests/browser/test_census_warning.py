"""A census query rule at entry, in a real browser (issue 16 point 2): a social worker creates
the record of a school-age child with no unique pupil number; the page keeps everything typed,
shows the query and a box to confirm it; ticked, the record is saved. The page with the
warning passes the automated WCAG 2.2 AA checks (axe-core)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cpcases.children.models import Child
from tests.browser.test_accessibility import axe_violations, describe

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


def test_a_school_age_child_without_a_upn_is_saved_once_the_worker_confirms(
        signed_in_page, axe_script, sw, org):
    page = signed_in_page(sw, bypass_csp=True).goto("/children/new/")
    page.fill("#id_la_child_id", "WARN1")
    page.select_option("#id_team", str(org.team_a.pk))
    page.fill("#id_first_name", "Sana")
    page.fill("#id_last_name", "Pupil")
    page.fill("#id_date_of_birth_0", "1")
    page.fill("#id_date_of_birth_1", "1")
    page.fill("#id_date_of_birth_2", "2016")
    page.select_option("#id_sex", "F")
    page.select_option("#id_ethnicity", "NOBT")
    page.fill("#id_first_language", "Urdu")
    page.fill("#id_address", "9 Typed Street")
    page.locator("main form button.govuk-button").last.click()

    warning = page.get_by_test_id("entry-warnings")
    expect(warning).to_contain_text("A child of school age should have a unique pupil number")
    expect(warning).to_contain_text("census rule 8770")
    expect(page.locator("#id_first_name")).to_have_value("Sana")
    expect(page.locator("#id_address")).to_have_value("9 Typed Street")
    assert not Child.objects.filter(la_child_id="WARN1").exists()
    violations = axe_violations(page, axe_script)
    assert not violations, describe(violations)

    page.get_by_label("I have checked this and it is correct").check()
    page.locator("main form button.govuk-button").last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sana")
    assert Child.objects.get(la_child_id="WARN1").address == "9 Typed Street"
