"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against pytest-django's
live server, and personas signed in through the real sign-in form.

Each test needs transactional database access (the live server's thread has its own database
connection, so data made inside a test's transaction would be invisible to it): use the
``live_server`` fixture, which asks for ``transactional_db`` itself, and mark the test
``@pytest.mark.django_db(transaction=True)``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from tests.conftest import CHROMIUM
from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in the main thread, so Django's async-safety check
# would refuse the ORM calls that the tests (and their fixtures) make between page actions.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parents[2]
GOVUK_CSS = ROOT / "static" / "build" / "govuk.css"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# Without these, a sandboxed headless Chromium on a machine with no network stalls on
# connections it tries to make to Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Long enough for a slow CI machine, short enough that a missing element fails the test fast.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium: Playwright must never download a browser of its own."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS]}


@pytest.fixture(autouse=True)
def _built_stylesheet() -> None:
    """The pages link static/build/govuk.css, built from Sass at setup, never committed."""
    if not GOVUK_CSS.exists():
        pytest.fail(f"{GOVUK_CSS.relative_to(ROOT)} is missing: the GOV.UK Frontend styles "
                    "are built from Sass. Run `npm install && npm run build` (or `make setup`).",
                    pytrace=False)


@pytest.fixture
def axe_script() -> Path:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS.relative_to(ROOT)} is missing: the accessibility checks need "
                    "axe-core from npm. Run `npm install` (or `make setup`).", pytrace=False)
    return AXE_JS


@dataclass
class PageProblems:
    """What a page reported that it should not: console errors, uncaught exceptions."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        def on_console(message: ConsoleMessage) -> None:
            # The browser asks for /favicon.ico by itself; the service has no icon of its own
            # (the GOV.UK crown is for GOV.UK only), so that one 404 is not the page's fault.
            if message.type == "error" and not message.location.get("url", "").endswith(
                    "/favicon.ico"):
                self.console_errors.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))


@dataclass
class Session:
    """A signed-in person: their own browser context (cookies), page and the live server."""

    context: BrowserContext
    page: Page
    base_url: str
    problems: PageProblems

    def goto(self, path: str) -> Page:
        self.page.goto(self.base_url + path)
        return self.page


@pytest.fixture
def new_context(browser: Browser, browser_context_args: dict[str, Any]
                ) -> Iterator[Callable[..., BrowserContext]]:
    """A fresh browser context (a separate person: no shared cookies); closed after the test."""
    contexts: list[BrowserContext] = []

    def make(**kwargs: Any) -> BrowserContext:
        context = browser.new_context(**{**browser_context_args, **kwargs})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real form, as a person would."""
    page.goto(f"{base_url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()


@pytest.fixture
def signed_in_page(live_server: Any, new_context: Callable[..., BrowserContext]
                   ) -> Callable[..., Session]:
    """signed_in_page(persona, **context_options): a new context with the persona signed in.

    The page is on the persona's landing page ("My work") when it is returned.
    """

    def make(persona: Any, **context_options: Any) -> Session:
        context = new_context(**context_options)
        page = context.new_page()
        problems = PageProblems()
        problems.watch(page)
        sign_in(page, live_server.url, persona.username)
        return Session(context=context, page=page, base_url=live_server.url,
                       problems=problems)

    return make
