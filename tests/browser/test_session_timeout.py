"""The inactivity warning (static/js/session-timeout.js, cpcases.accounts.middleware) in a real
browser. Playwright's fake clock moves the page's time on, so nothing waits for real."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

# The live server's thread has its own database connection: the data must be committed. The
# rollback restores what migrations loaded (policy profiles), which a flush would remove.
pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


def test_inactivity_warning_appears_and_stay_signed_in_keeps_the_session(
        signed_in_page, settings, sw, child) -> None:
    # The live server runs in this process, so the override reaches its pages too.
    settings.SESSION_INACTIVITY_SECONDS = 40
    settings.SESSION_WARNING_SECONDS = 35
    session = signed_in_page(sw)
    page = session.page
    page.clock.install()
    session.goto(f"/children/{child.pk}/")
    expect(page.get_by_role("heading", name="Alfie Example", level=1)).to_be_visible()

    dialog = page.get_by_role("dialog", name="You will be signed out soon")
    expect(dialog).to_be_hidden()
    # 16 s of doing nothing: the 15-second check runs with 24 s left, inside the warning.
    page.clock.fast_forward(16_000)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("you will be signed out in 1 minute")
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()

    with page.expect_response(re.compile(r"/session/extend/$")) as extended:
        stay.click()
    assert extended.value.status == 200
    # The body itself is not kept by Chromium for a no-store response (every signed-in
    # response is no-store), so the renewal is proved below: still signed in after a reload.
    assert extended.value.headers["content-type"].startswith("application/json")
    expect(dialog).to_be_hidden()
    # The warning's clock starts again from now: another check finds nothing to warn about.
    page.evaluate("window.cpcasesSessionTimeout.check()")
    expect(dialog).to_be_hidden()

    # Still signed in on the server.
    page.reload()
    expect(page.get_by_role("heading", name="Alfie Example", level=1)).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_be_visible()


def _expire_server_session(session) -> None:
    """Make the server's record of the last activity old enough to have timed out."""
    from django.contrib.sessions.backends.db import SessionStore

    from cpcases.accounts.middleware import LAST_ACTIVITY

    (cookie,) = [c for c in session.context.cookies() if c["name"] == "sessionid"]
    store = SessionStore(session_key=cookie["value"])
    store[LAST_ACTIVITY] = store[LAST_ACTIVITY] - 3600
    store.save()


def test_without_an_answer_the_user_is_signed_out_and_comes_back_to_the_same_page(
        signed_in_page, settings, sw, child) -> None:
    settings.SESSION_INACTIVITY_SECONDS = 40
    settings.SESSION_WARNING_SECONDS = 35
    session = signed_in_page(sw)
    page = session.page
    page.clock.install()
    session.goto(f"/children/{child.pk}/people/")
    dialog = page.get_by_role("dialog", name="You will be signed out soon")
    page.clock.fast_forward(16_000)
    expect(dialog).to_be_visible()
    # Nobody answers; by the end the server's session has timed out too.
    _expire_server_session(session)
    page.clock.fast_forward(45_000)

    expect(page).to_have_url(re.compile(rf"/sign-in/\?next=/children/{child.pk}/people/$"))
    expect(page.get_by_text("You were signed out because you were inactive")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    page.get_by_label("Username").fill(sw.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"/children/{child.pk}/people/$"))
    expect(page.get_by_role("heading", name="People around the child")).to_be_visible()


def test_at_its_end_the_page_defers_to_the_server_which_another_tab_kept_signed_in(
        signed_in_page, settings, sw, child) -> None:
    """At its end the page asks the server for the page again, and shows what it answers: the
    session is the server's to end. (Here another tab has kept it open.)"""
    settings.SESSION_INACTIVITY_SECONDS = 40
    settings.SESSION_WARNING_SECONDS = 35
    session = signed_in_page(sw)
    page = session.page
    page.clock.install()
    session.goto(f"/children/{child.pk}/")
    page.clock.fast_forward(16_000)
    expect(page.get_by_role("dialog", name="You will be signed out soon")).to_be_visible()
    with page.expect_navigation():
        page.clock.fast_forward(45_000)
    expect(page).to_have_url(re.compile(rf"/children/{child.pk}/$"))
    expect(page.get_by_text("Signed in as")).to_be_visible()
