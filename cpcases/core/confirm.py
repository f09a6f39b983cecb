"""Query rules confirmed by the user: the one mechanism every form and the API share.

A service that finds data a query rule ("Q") flags raises `WarningsToConfirm`; nothing is
saved. Then:

- **a page** (any form drawn with `{% crispy form %}`): `ask(form, exc)` keeps the form bound
  with everything typed and attaches the warnings; `gds/display_form.html` shows them with a
  checkbox "I have checked this and it is correct" and a hidden field per rule shown. Sent
  again with the box ticked, the service accepts exactly the rules the user saw (a warning the
  changed data raises anew is asked again);
- **the API** answers 409 with the warnings (cpcases.audit.reads); the same body sent again
  with `"confirm_warnings": true` accepts them;
- **code and tests** outside a request: `with accepting(): service(...)`.

`ConfirmWarningsMiddleware` makes the request reachable from the service (a context variable)
without changing any service's signature.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse

from cpcases.core.errors import EntryWarning, WarningsToConfirm

CONFIRM_FIELD = "confirm_warnings"
CONFIRMED_RULES_FIELD = "confirmed_rules"
CONFIRM_LABEL = "I have checked this and it is correct"

_request: ContextVar[HttpRequest | None] = ContextVar("confirm_request", default=None)
_accept_all: ContextVar[bool] = ContextVar("confirm_accept_all", default=False)


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true", "on", "yes")


def _accepted_rules(request: HttpRequest) -> set[str] | None:
    """The rules this request confirms: None for all of them (the API's flag), else the rule
    numbers the page showed when its box is ticked (empty when it is not)."""
    cached = getattr(request, "_confirmed_rules", False)
    if cached is not False:
        return cached  # type: ignore[no-any-return]
    accepted: set[str] | None = set()
    if getattr(request, "_confirm_json", None) is not None:
        accepted = None if _truthy(request._confirm_json) else set()  # type: ignore[attr-defined]
    elif request.method == "POST" and _truthy(request.POST.get(CONFIRM_FIELD)):
        accepted = {r for r in request.POST.getlist(CONFIRMED_RULES_FIELD) if r}
    request._confirmed_rules = accepted  # type: ignore[attr-defined]
    return accepted


def unconfirmed(warnings: list[EntryWarning]) -> list[EntryWarning]:
    """The warnings the user has not confirmed yet."""
    if _accept_all.get():
        return []
    request = _request.get()
    if request is None:
        return list(warnings)
    accepted = _accepted_rules(request)
    if accepted is None:
        return []
    return [w for w in warnings if w.rule not in accepted]


def raise_unconfirmed(warnings: list[EntryWarning]) -> None:
    left = unconfirmed(warnings)
    if left:
        raise WarningsToConfirm(left)


@contextmanager
def accepting() -> Iterator[None]:
    """Every warning raised inside is taken as confirmed (a caller that has already asked)."""
    token = _accept_all.set(True)
    try:
        yield
    finally:
        _accept_all.reset(token)


class ConfirmWarningsMiddleware:
    """Keeps the request where `unconfirmed` finds it. For a JSON body, reads the
    `confirm_warnings` flag now (the body is cached, so the API still parses it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("POST", "PUT", "PATCH") and \
                request.content_type == "application/json":
            try:
                body = json.loads(request.body or b"{}")
            except (ValueError, UnicodeDecodeError):
                body = {}
            request._confirm_json = (  # type: ignore[attr-defined]
                body.get(CONFIRM_FIELD, False) if isinstance(body, dict) else False)
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


# --- pages ---------------------------------------------------------------------------------


def ask(form: forms.BaseForm, exc: WarningsToConfirm) -> None:
    """Show the form again, with what was typed, the warnings and the confirmation box
    (gds/display_form.html draws them inside the page's <form>)."""
    form.entry_warnings = exc.warnings  # type: ignore[attr-defined]


def warnings_of(form: forms.BaseForm) -> list[EntryWarning]:
    return list(getattr(form, "entry_warnings", []) or [])
