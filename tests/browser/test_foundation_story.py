"""The Foundation story in a real browser: sign in, find a child, edit the record, see the
change and the views in the audit trail, sign out; access refused outside the user's scope;
the second of two concurrent edits refused with what the other person changed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cpcases.audit.models import AccessAction, AccessEvent

# The live server's thread has its own database connection: the data must be committed. The
# rollback restores what migrations loaded (policy profiles), which a flush would remove.
pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]

NEW_ADDRESS = "22 Acacia Avenue, Anytown"


def test_social_worker_signs_in_finds_a_child_edits_the_record_and_sees_the_audit_entry(
        signed_in_page, sw, tm, child) -> None:
    social_worker = signed_in_page(sw)
    page = social_worker.page
    # Signed in, "My work" (issue 9); the caseload is one link away.
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Caseload").click()
    expect(page.get_by_role("heading", name="My caseload", level=1)).to_be_visible()
    expect(page.get_by_test_id("caseload").get_by_role("link", name="Alfie Example")
           ).to_be_visible()

    page.get_by_role("main").get_by_role("link", name="Find a child").click()
    expect(page.get_by_role("heading", name="Find a child", level=1)).to_be_visible()
    page.get_by_label("Name or child ID").fill("Example")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 result", level=2)).to_be_visible()
    page.get_by_role("list").get_by_role("link", name="Alfie Example").click()

    expect(page.get_by_role("heading", name="Alfie Example", level=1)).to_be_visible()
    expect(page.get_by_test_id("address")).to_contain_text("1 High Street, Anytown")
    page.get_by_role("link", name="Edit record").click()
    expect(page.get_by_role("heading", name="Edit Alfie Example's record")).to_be_visible()
    address = page.get_by_label("Address", exact=True)
    expect(address).to_have_value("1 High Street, Anytown")
    address.fill(NEW_ADDRESS)
    page.get_by_role("button", name="Save changes").click()

    expect(page).to_have_url(re.compile(rf"/children/{child.pk}/$"))
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Changes saved.")
    expect(page.get_by_test_id("address")).to_contain_text(NEW_ADDRESS)

    # The team manager, in a browser of their own, reads the record's audit trail.
    manager = signed_in_page(tm)
    mpage = manager.goto("/children/")
    expect(mpage.get_by_role("heading", name="Children", level=1)).to_be_visible()
    mpage.get_by_test_id("caseload").get_by_role("link", name="Alfie Example").click()
    mpage.get_by_role("navigation", name=re.compile("Sections of Alfie Example")).get_by_role(
        "link", name="Audit").click()
    expect(mpage.get_by_role("heading", name="Changes", level=2)).to_be_visible()

    change = mpage.get_by_test_id("audit-changes").get_by_role("row").filter(
        has_text="Address:")
    expect(change).to_have_count(1)
    expect(change).to_contain_text("Sam Social")
    address_change = change.locator("div").filter(has_text="Address:")
    expect(address_change.locator("del")).to_have_text("1 High Street, Anytown")
    expect(address_change.locator("ins")).to_have_text(NEW_ADDRESS)

    expect(mpage.get_by_role("heading", name="Who has looked at this record")).to_be_visible()
    views = mpage.get_by_test_id("audit-access").get_by_role("row").filter(
        has_text="Sam Social").filter(has_text="Viewed")
    expect(views.filter(has_text="summary").first).to_be_visible()
    expect(views.filter(has_text="edit").first).to_be_visible()

    # The social worker signs out with the header's button and lands on the sign-in page.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in/$"))
    expect(page.get_by_role("heading", name=re.compile("^Sign in to"), level=1)).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    # Signed out for real: the record now asks for sign-in.
    page.goto(f"{social_worker.base_url}/children/{child.pk}/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next="))


def test_social_worker_cannot_open_a_child_of_another_team_or_a_restricted_child(
        signed_in_page, sw, child, other_team_child, restricted_child) -> None:
    session = signed_in_page(sw)
    page = session.goto("/children/")
    caseload = page.get_by_test_id("caseload")
    expect(caseload.get_by_role("link", name="Alfie Example")).to_be_visible()
    expect(caseload).not_to_contain_text("Otherteam")
    expect(caseload).not_to_contain_text("Restricted")

    for hidden in (other_team_child, restricted_child):
        for path in (f"/children/{hidden.pk}/", f"/children/{hidden.pk}/edit/"):
            response = page.goto(f"{session.base_url}{path}")
            assert response is not None
            if hidden == restricted_child and path.endswith(f"/{hidden.pk}/"):
                # Their own team's restricted record: opened only with a stated reason.
                assert response.status == 200, path
                expect(page.get_by_role("heading", level=1)).to_contain_text(
                    "Open the restricted record")
                expect(page.get_by_text(hidden.first_name)).to_have_count(0)
                continue
            assert response.status == 404, path
            expect(page.get_by_role("heading", name="Page not found", level=1)).to_be_visible()
            expect(page.get_by_text(hidden.last_name)).to_have_count(0)

        page.goto(f"{session.base_url}/children/search/")
        page.get_by_label("Name or child ID").fill(hidden.last_name)
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("heading", name="0 results", level=2)).to_be_visible()
        expect(page.get_by_text("No children you can see match.")).to_be_visible()
        expect(page.get_by_role("link", name=hidden.display_name)).to_have_count(0)

    # The same search for a child in scope does find them: the empty results are not an error.
    page.get_by_label("Name or child ID").fill("Example")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Alfie Example")).to_be_visible()

    refused = AccessEvent.objects.filter(user=sw, action=AccessAction.REFUSED)
    assert set(refused.values_list("child_id", flat=True)) == {other_team_child.pk,
                                                                restricted_child.pk}


def test_second_save_is_refused_and_shows_what_the_other_person_changed(
        signed_in_page, sw, tm, child) -> None:
    edit_path = f"/children/{child.pk}/edit/"
    social_worker = signed_in_page(sw)
    manager = signed_in_page(tm)
    page = social_worker.goto(edit_path)
    mpage = manager.goto(edit_path)
    expect(page.get_by_role("heading", name="Edit Alfie Example's record")).to_be_visible()
    expect(mpage.get_by_role("heading", name="Edit Alfie Example's record")).to_be_visible()

    # The team manager saves first.
    mpage.get_by_label("First language").fill("Polish")
    mpage.get_by_role("button", name="Save changes").click()
    expect(mpage.locator(".govuk-notification-banner--success")).to_contain_text(
        "Changes saved.")

    # The social worker's save, from the version they opened, is refused.
    typed = "Flat 3, 9 Long Road, Anytown (moved in with grandmother)"
    page.get_by_label("Address", exact=True).fill(typed)
    page.get_by_role("button", name="Save changes").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Tara Manager changed this record after you opened it.")
    expect(page.get_by_test_id("edit-conflict")).to_contain_text(
        "Your changes have not been saved yet.")
    table = page.get_by_role("table").filter(has_text="What changed since you opened the record")
    expect(table.get_by_role("columnheader", name="Saved by Tara Manager")).to_be_visible()
    row = table.get_by_role("row").filter(has_text="First language")
    expect(row.get_by_role("cell")).to_have_text(["First language", "English", "Polish",
                                                  "English"])
    # Nothing the social worker typed is lost.
    expect(page.get_by_label("Address", exact=True)).to_have_value(typed)
    child.refresh_from_db()
    assert child.address == "1 High Street, Anytown"
    assert child.first_language == "Polish"

    # Having seen the manager's change, the social worker keeps it and saves again.
    page.get_by_label("First language").fill("Polish")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Changes saved.")
    expect(page.get_by_test_id("address")).to_contain_text(typed)
    child.refresh_from_db()
    assert (child.address, child.first_language) == (typed, "Polish")
