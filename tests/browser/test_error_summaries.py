"""Every form of the service, submitted empty and then with bad values, as the person the
permission walk admits: each error in the summary links to an input that exists, takes the
focus and is the field whose message it repeats; no message is a bare "This field is
required." and none is listed twice.

The walk reuses the URL list of tests/foundation/test_permission_walk.py (ACCESS) and its
placeholders, one fresh child per page so that one form's success cannot disturb another's.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from cpcases.children.models import CpStage
from tests.factories import AllocationFactory, ChildFactory
from tests.foundation.test_permission_walk import ACCESS, _placeholders

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]

GENERIC = ("This field is required", "Enter the day, month and year", "Select a valid choice",
           "Enter a valid", "Choose one")

# What the page does to each link of its error summary, in the browser.
CHECK_LINKS = """() => [...document.querySelectorAll('.govuk-error-summary a')].map(a => {
  const id = decodeURIComponent(a.getAttribute('href').slice(1));
  const el = id ? document.getElementById(id) : null;
  const text = a.textContent.trim();
  const message = text.replace(/^[A-Z][a-z]+ \\d+: /, '');
  const shown = [...document.querySelectorAll('.govuk-error-message')]
      .some(m => m.textContent.includes(message));
  const group = el ? el.closest('.govuk-form-group--error') : null;
  return {id, text, exists: !!el,
          focusable: !!el && el.matches('input, select, textarea') && !el.disabled
                     && el.type !== 'hidden',
          right: !shown || (!!group && group.textContent.includes(message))};
})"""

SUBMIT = """() => {
  const forms = [...document.querySelectorAll('main form[method=post], main form[method=POST]')]
      .filter(f => f.querySelector('input:not([type=hidden]), select, textarea'));
  if (!forms.length) return false;
  const form = forms.sort((a, b) => b.elements.length - a.elements.length)[0];
  const buttons = [...form.querySelectorAll('button, input[type=submit]')]
      .filter(b => b.name !== 'add-row' && (b.type || 'submit') === 'submit');
  form.requestSubmit(buttons.length ? buttons[buttons.length - 1] : undefined);
  return true;
}"""

BAD_VALUES = """() => {
  for (const el of document.querySelectorAll('main input, main textarea')) {
    if (el.type === 'hidden' || el.type === 'checkbox' || el.type === 'radio'
        || el.type === 'file') continue;
    const id = el.id || '';
    if (/_0$/.test(id) && el.closest('.govuk-date-input')) el.value = '32';
    else if (/_1$/.test(id) && el.closest('.govuk-date-input')) el.value = '';
    else if (/_2$/.test(id) && el.closest('.govuk-date-input')) el.value = '20x';
    else if (el.type === 'email' || /email/.test(el.name)) el.value = 'not-an-address';
    else if (/time/.test(el.name)) el.value = '25:99';
    else if (el.tagName === 'TEXTAREA') el.value = '';
  }
}"""


def _form_routes() -> list[str]:
    return sorted(name for name, a in ACCESS.items()
                  if a.method == "get" and a.ok == 200 and not a.path.startswith("/api/")
                  and not a.path.endswith(("pdf/", ".csv", ".ics", "download/"))
                  and "/documents/" not in a.path
                  # the returns' forms answer a valid request with a file; their errors are
                  # tested in tests/returns
                  and not a.path.startswith("/returns/")
                  and ("new" in a.path or "add" in a.path or "edit" in a.path
                       or "/record" in a.path or any(
                           word in a.path for word in (
                               "request/", "approve", "return", "agree", "book", "cancel",
                               "delay", "send", "upload", "countersign", "share", "decide",
                               "report/", "outcome", "assign", "start", "adjourn", "scores",
                               "decision", "bring-forward", "distribute", "amendments",
                               "revise", "end/", "observer", "visits/new", "entries/new",
                               "allocation/change", "people/add", "iro", "distributed",
                               "authorise-delay", "policy/icpc", "threshold"))))


def _context_for(user: Any, new_context: Any, live_server: Any,
                 **options: Any) -> BrowserContext:
    """A browser signed in as `user` without the sign-in form (it has its own tests)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    context = new_context(**options)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key,
                          "url": live_server.url}])
    return context


def _submit(page: Page) -> bool:
    if not page.evaluate("() => !!document.querySelector('main form[method=post] "
                         "input:not([type=hidden]), main form[method=post] select, "
                         "main form[method=post] textarea')"):
        return False
    with page.expect_navigation():
        page.evaluate(SUBMIT)
    return True


def _problems(page: Page, where: str) -> tuple[int, list[str]]:
    links = page.evaluate(CHECK_LINKS)
    problems = []
    texts = [link["text"] for link in links]
    for link in links:
        if not link["exists"]:
            problems.append(f"{where}: '{link['text']}' links to #{link['id']}, which is not "
                            "on the page")
        elif not link["focusable"]:
            problems.append(f"{where}: '{link['text']}' links to #{link['id']}, which cannot "
                            "take the focus")
        elif not link["right"]:
            problems.append(f"{where}: '{link['text']}' links to #{link['id']}, not to the "
                            "field that shows the message")
        if any(link["text"].startswith(g) for g in GENERIC):
            problems.append(f"{where}: '{link['text']}' does not name its field")
    problems.extend(f"{where}: '{t}' is listed twice" for t in set(texts)
                    if texts.count(t) > 1)
    if links and links[0]["exists"] and links[0]["focusable"]:
        # Following the first link puts the cursor in the field.
        page.locator(".govuk-error-summary a").first.click()
        focused = page.evaluate("() => document.activeElement && document.activeElement.id")
        if focused != links[0]["id"]:
            problems.append(f"{where}: following '{links[0]['text']}' focused #{focused}")
    return len(links), problems


def test_every_error_link_leads_to_its_field(live_server, new_context, request, org,
                                             sw) -> None:
    contexts: dict[str, BrowserContext] = {}
    problems: list[str] = []
    summaries = 0
    forms = 0
    for name in _form_routes():
        access = ACCESS[name]
        child = ChildFactory(authority=org.authority, cp_stage=CpStage.SECTION_47)
        AllocationFactory(child=child, team=org.team_a, social_worker=sw)
        try:
            path = access.path.format(child=child.pk,
                                      **_placeholders(request, access.path, child))
        except Exception as exc:  # a builder that needs a state this child cannot have
            problems.append(f"{name}: could not build the page's objects: {exc!r}")
            continue
        persona = access.insider
        if persona not in contexts:
            contexts[persona] = _context_for(request.getfixturevalue(persona), new_context,
                                             live_server)
        page = contexts[persona].pages[0] if contexts[persona].pages else \
            contexts[persona].new_page()
        for attempt in ("empty", "bad values"):
            response = page.goto(live_server.url + path)
            if response is None or response.status != 200:
                break
            if attempt == "bad values":
                page.evaluate(BAD_VALUES)
            try:
                if not _submit(page):
                    break
            except PlaywrightTimeout:
                problems.append(f"{name} ({attempt}): submitting the form went nowhere")
                break
            forms += attempt == "empty"
            count, found = _problems(page, f"{name} ({attempt})")
            summaries += bool(count)
            problems.extend(found)
    assert not problems, "\n".join(problems)
    # The walk reached the forms: most of them refuse an empty submission.
    assert forms >= 30, f"only {forms} forms were submitted"
    assert summaries >= 30, f"only {summaries} submissions showed an error summary"
