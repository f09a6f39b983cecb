"""Put the signed-in user and the URL into pghistory's context for every write."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from pghistory.middleware import HistoryMiddleware

from cpcases.core.client import client_address


class AuditContextMiddleware(HistoryMiddleware):
    def get_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().get_context(request)
        context["ip"] = client_ip(request)
        return context


def client_ip(request: HttpRequest) -> str | None:
    """The one client-address function (issue 12 §6), shared with the sign-in lockout."""
    return client_address(request)


SAFE_METHODS = ("GET", "HEAD")
PAGE_TYPES = ("text/html", "application/json")


class ReadAuditMiddleware:
    """Logs the children whose records a request read (issue 12 §5), for every route.

    A successful read (GET or HEAD, 2xx) logs each child it loaded a record of, naming the
    user and the route; a form page answered again after a refused submission (200) too, and
    an API write's answer (POST/PUT/PATCH, 2xx JSON: the record made or changed).
    Files (PDFs, calendars, downloads) are logged as exports, search routes as searches.
    Children a view already logged (child_for_view, the API hooks) are not logged twice.
    Every refusal (403/404) of a known route to a signed-in user is logged. Below the
    authentication middlewares, so DRF's token users are known by the time it looks.
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        from cpcases.audit import loaded

        token = loaded.start()
        try:
            response = self.get_response(request)
        finally:
            rows = loaded.stop(token)
        self._log(request, response, rows)
        return response

    def _log(self, request: HttpRequest, response: Any, rows: list[Any]) -> None:
        from cpcases.audit.models import AccessAction
        from cpcases.audit.reads import (
            child_ids_of,
            not_yet_logged,
            record_children_shown,
            record_refusal,
        )

        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if user is None or not user.is_authenticated or match is None:
            return
        route = match.view_name or match.url_name or "page"
        status = response.status_code
        if status in (403, 404):
            record_refusal(request, section=f"refused {route}")
            return
        content_type = response.get("Content-Type", "").split(";")[0]
        shown = (200 <= status < 300 and request.method in SAFE_METHODS) or (
            status == 200 and content_type == "text/html") or (
            # An API write answers with the record it made or changed (issue 12 §5).
            200 <= status < 300 and content_type == "application/json"
            and request.path.startswith("/api/"))
        rows = not_yet_logged(request, rows)
        if not shown or not rows:
            return
        children = {c for ids in child_ids_of(rows).values() for c in ids}
        if content_type not in PAGE_TYPES or "attachment" in response.get(
                "Content-Disposition", ""):
            action = AccessAction.EXPORT
        elif "search" in route:
            action = AccessAction.SEARCH
        else:
            action = AccessAction.VIEW
        record_children_shown(request=request, child_ids=children, section=route, action=action)
