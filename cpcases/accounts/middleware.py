"""Sign a user out after a period without activity; the page warns before it happens.

The browser script (static/js/session-timeout.js) shows a warning SESSION_WARNING_SECONDS
before the end and lets the user stay signed in, and typing in a form counts as activity,
so a social worker writing a long record is never signed out mid-sentence.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from cpcases.core.api import problem_json_response

LAST_ACTIVITY = "last_activity"


def activity_resolution() -> int:
    """How stale the stored last activity may be, in seconds. Storing it on every request
    wrote the session row (an UPDATE and a commit) on every page and API read, a fixed cost of
    each request (issue 13 §2); storing it when it is this old signs a user out at most this
    much early, always well inside the warning the page gives first."""
    return max(0, min(settings.SESSION_ACTIVITY_RESOLUTION_SECONDS,
                      settings.SESSION_WARNING_SECONDS // 4))


class InactivityTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # request.user here comes from the session alone (API tokens are read later, by
        # DRF), so every session-authenticated request is timed, whatever headers it carries:
        # an Authorization header must not keep a stale session alive (issue 12 §6).
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY, now)
            if now - last > settings.SESSION_INACTIVITY_SECONDS:
                logout(request)
                if request.path.startswith("/api/") or request.headers.get("Accept") == (
                    "application/json"
                ):
                    return problem_json_response(request, 401, "Your session has timed out.")
                messages.info(request, "You were signed out because you were inactive for "
                              f"{_duration(settings.SESSION_INACTIVITY_SECONDS)}.")
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            if LAST_ACTIVITY not in request.session or now - last >= activity_resolution():
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{seconds // 60} minutes"
