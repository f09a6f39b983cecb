"""An export in a real browser (issue 16 point 5): the performance and data officer starts
the census from its page, the job page's progress bar and status line move as a real Celery
worker builds it, and the download appears, all without reloading the page, under the
nonce CSP with no console errors."""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import expect

from cpcases.accounts.models import Team, User
from cpcases.accounts.roles import Role
from cpcases.celery import app
from returns import services as return_services
from returns.demo import seed_returns_demo
from returns.exports import kinds
from returns.exports.services import export_start
from tests.browser.test_accessibility import axe_violations, describe
from tests.browser.test_console_and_csp import RECORD_CSP_VIOLATIONS, csp_violations
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]

# Kept by the page: a reload would lose them.
WATCH_THE_BAR = """() => {
  window.__sameDocument = true;
  window.__barValues = [];
  const bar = document.querySelector("progress");
  window.__barValues.push(bar.value);
  new MutationObserver(() => window.__barValues.push(bar.value)).observe(
    bar, {attributes: true, childList: true, characterData: true, subtree: true});
}"""


@pytest.fixture
def pdo(org) -> User:
    team = Team.objects.create(service=org.service, name="North Assessment Team")
    for username, role in (("sw.sam", Role.SOCIAL_WORKER), ("tm.tara", Role.TEAM_MANAGER),
                           ("chair.chris", Role.CP_CHAIR), ("bso.bola", Role.BUSINESS_SUPPORT)):
        UserFactory(username=username, role=role, authority=org.authority,
                    team=team if role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER) else None)
    seed_returns_demo(io.StringIO())
    return UserFactory(username="pdo", role=Role.PERFORMANCE_OFFICER, authority=org.authority,
                       full_name="Priya Data")


@pytest.fixture
def slow_kind() -> Iterator[None]:
    """The census, taking a few seconds over ten reported steps (a kind of its own)."""

    def build(user, params, progress):
        for step in range(10):
            progress(step, 10)
            time.sleep(0.4)
        return return_services.census_build(year=2026, user=user)

    kinds.register(kinds.ExportKind("slow_census", "Census, slowly", lambda p, today: {},
                                    build, lambda p: "Children in Need census, slowly"))
    yield
    del kinds.REGISTRY["slow_census"]


def test_officer_starts_the_census_and_sees_the_bar_advance_then_the_download(
        signed_in_page, pdo, settings, slow_kind, axe_script) -> None:
    import returns.exports.tasks  # noqa: F401  (registers the task with the app)

    queue = f"exports-browser-{uuid.uuid4().hex[:8]}"
    settings.RETURNS_EXPORT_QUEUE = queue
    settings.RETURNS_EXPORT_PROGRESS_SECONDS = 0
    settings.RETURNS_EXPORT_POLL_MS = 200
    session = signed_in_page(pdo)
    page = session.page
    page.context.add_init_script(RECORD_CSP_VIOLATIONS)

    # Started from the census page: queued, waiting for a worker.
    session.goto("/returns/cin-census/")
    page.get_by_role("button", name="Start the export").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Children in Need census 2025-26")
    status = page.get_by_test_id("export-status")
    expect(status).to_contain_text("Waiting to start.")
    bar = page.get_by_test_id("export-progress")
    expect(bar).to_have_attribute("value", "0")
    expect(page.get_by_role("link", name="Download")).to_be_hidden()
    expect(page.get_by_text("refresh this page")).to_be_hidden()  # JavaScript updates it
    page.evaluate(WATCH_THE_BAR)

    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False,
                      queues=[queue], shutdown_timeout=30):
        download = page.get_by_role("link", name="Download cin-census-2026.xml")
        expect(download).to_be_visible(timeout=60_000)
        expect(status).to_contain_text("Ready to download: cin-census-2026.xml, naming 4 "
                                       "children.")
        assert page.evaluate("() => document.querySelector('progress').value") == 100
        expect(page.locator("[data-export-kept-until]")).not_to_contain_text(
            "after it finishes")  # the date the file goes, updated in place
        assert page.evaluate("() => window.__sameDocument") is True  # never reloaded
        with page.expect_download() as downloaded:
            download.click()
        assert downloaded.value.suggested_filename == "cin-census-2026.xml"

        # A longer export: the bar is seen part-way, moving forward, before it is done.
        job = export_start(user=pdo, kind="slow_census", parameters={})
        first_job = page.url.removeprefix(session.base_url)
        session.goto(f"/returns/exports/{job.pk}/")
        page.evaluate(WATCH_THE_BAR)
        expect(page.get_by_role("link", name="Download cin-census-2026.xml")).to_be_visible(
            timeout=60_000)
        values = page.evaluate("() => window.__barValues")
        assert page.evaluate("() => window.__sameDocument") is True
    part_way = [v for v in values if 0 < v < 100]
    assert part_way, f"the bar went {values}"
    assert values == sorted(values), f"the bar went back: {values}"
    assert values[-1] == 100
    assert csp_violations(page) == []
    assert session.problems.console_errors == []
    assert session.problems.page_errors == []

    # WCAG 2.2 AA (axe, which needs the CSP bypassed to be added): a finished job, one
    # waiting for a worker, and the list of the officer's exports.
    waiting = export_start(user=pdo, kind="cin_census", parameters={"year": 2025})
    checker = signed_in_page(pdo, bypass_csp=True)
    for path in (first_job, f"/returns/exports/{waiting.pk}/", "/returns/exports/"):
        checker.goto(path)
        violations = axe_violations(checker.page, axe_script)
        assert not violations, f"{path}:\n{describe(violations)}"
