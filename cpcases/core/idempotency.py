"""No duplicate from a resubmit (issue 12 §4): every POST form carries a one-time token, and
every API POST may carry an `Idempotency-Key` header.

A page's form gets a hidden `form_token` from the `{% csrf_token %}` tag (cpcases.core.
templatetags.form_guard), so no form can be drawn without one. On a POST that carries one,
`OneTimeFormMiddleware` records the token (a unique row, `core.FormToken`) in a transaction
that also holds everything the view writes:

- the view answers with a redirect (the record was made): the row keeps where it sent the
  user, and commits with the record;
- the view shows the form again (bad input) or fails: the row goes, so the corrected form can
  be sent with the same token;
- the same token comes again (double click, back button then submit): the unique row refuses
  it (a concurrent second request waits for the first to commit) and the user is sent to
  what the first submission made, with a message saying nothing new was saved.

An API POST with `Idempotency-Key` works the same way per caller; a repeat gets the first
answer again (same status and body) with `Idempotent-Replayed: true`. The caller is
authenticated first (DRF's authenticators): a credential that is no longer valid (expired,
revoked, its user deactivated) is never replayed to: the request goes on to the view, which
answers 401. A replay is logged as showing the children of the first answer again.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve
from django.utils import timezone

from cpcases.core.models import FormToken

FORM_TOKEN_FIELD = "form_token"  # noqa: S105 - a field name, not a secret
IDEMPOTENCY_HEADER = "Idempotency-Key"
ALREADY_SAVED = "You had already sent this form, so nothing new was saved. This is what " \
                "your first submission made."
KEEP_FOR = timedelta(days=2)  # how long a token is remembered (purge_form_tokens)
_REDIRECTS = (301, 302, 303)
_MAX_TOKEN = 120


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


def _owner(request: HttpRequest, is_api: bool) -> tuple[str, Any] | None:
    """(owner, user) of a POST, or None if it is not handled (not signed in, or an API
    credential that is not valid now: DRF refuses it 401 in the view)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}", user
    if is_api and request.headers.get("Authorization"):
        caller = _api_caller(request)
        if caller is not None:
            return f"user:{caller.pk}", caller
    return None


def _api_caller(request: HttpRequest) -> Any:
    """The user an API credential stands for now, through DRF's own authenticators (not the
    session: that is Django's, above), or None."""
    from rest_framework.authentication import SessionAuthentication
    from rest_framework.exceptions import APIException
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    drf_request = Request(request)
    for authenticator_class in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        if issubclass(authenticator_class, SessionAuthentication):
            continue
        try:
            found = authenticator_class().authenticate(drf_request)
        except APIException:  # expired, revoked, inactive: refused by the view
            return None
        if found is not None:
            return found[0]
    return None


def _token(request: HttpRequest) -> tuple[str, bool] | None:
    """(token, is_api) for a POST that carries one."""
    if request.method != "POST":
        return None
    if request.path.startswith("/api/"):
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        return (key[:_MAX_TOKEN], True) if key else None
    token = request.POST.get(FORM_TOKEN_FIELD, "").strip()
    return (token[:_MAX_TOKEN], False) if token else None


def consume(*, owner: str, token: str, path: str) -> FormToken | None:
    """Record the token; None if it was already used (the earlier row is then returned by
    `earlier`). Call inside the transaction of the write."""
    try:
        with transaction.atomic():
            return FormToken.objects.create(owner=owner, token=token, path=path)
    except IntegrityError:
        return None


def earlier(*, owner: str, token: str) -> FormToken | None:
    return FormToken.objects.filter(owner=owner, token=token).first()


def purge_form_tokens() -> int:
    """Forget tokens older than KEEP_FOR (run daily by beat)."""
    deleted, _ = FormToken.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()
    return deleted


class OneTimeFormMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = _token(request)
        caller = _owner(request, found[1]) if found else None
        if not found or caller is None:
            return self.get_response(request)
        (token, is_api), (owner, user) = found, caller
        with transaction.atomic():
            row = consume(owner=owner, token=token, path=request.path)
            if row is None:
                prior = earlier(owner=owner, token=token)
                if is_api and prior is not None and prior.path != request.path:
                    # The key names one write: never another route's answer (issue 15 §4).
                    from cpcases.core.api import problem_json_response

                    return problem_json_response(
                        request, 422, "This Idempotency-Key was used for another request. "
                                      "Send a new key for each write.")
                return self._replay(request, prior, is_api, user)
            response = self.get_response(request)
            if is_api and 200 <= response.status_code < 300 and not response.streaming:
                from cpcases.audit.loaded import rows_so_far
                from cpcases.audit.reads import child_ids_of

                row.status, row.body = response.status_code, response.content
                row.content_type = response.get("Content-Type", "")
                row.child_ids = sorted({c for ids in child_ids_of(rows_so_far()).values()
                                        for c in ids})
                row.save(update_fields=["status", "body", "content_type", "child_ids"])
            elif not is_api and response.status_code in _REDIRECTS:
                row.result_url = response["Location"][:500]
                row.save(update_fields=["result_url"])
            else:  # nothing was made: the corrected form may use the token again
                row.delete()
        return response

    def _replay(self, request: HttpRequest, row: FormToken | None, is_api: bool, user: Any
                ) -> HttpResponse:
        if is_api:
            if row is None or row.status is None:
                from cpcases.core.api import problem_json_response

                return problem_json_response(
                    request, 409, "A request with this Idempotency-Key is still being handled.")
            # Issue 12 §5: the first answer's children are shown again, to this user.
            from cpcases.audit.reads import record_children_shown

            request.user = user
            try:  # the view is not reached, so the URL is not resolved yet
                route = resolve(request.path_info).view_name
            except Resolver404:
                route = request.path
            record_children_shown(request=request, child_ids=row.child_ids or (),
                                  section=f"replayed {route}")
            response = HttpResponse(bytes(row.body or b""), status=row.status,
                                    content_type=row.content_type or "application/json")
            response["Idempotent-Replayed"] = "true"
            return response
        messages.info(request, ALREADY_SAVED)
        return HttpResponseRedirect(row.result_url if row and row.result_url else
                                    request.path)
