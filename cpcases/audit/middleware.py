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
