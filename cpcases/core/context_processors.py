from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cpcases.accounts.roles import CAPABILITIES


def service(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    capabilities: set[str] = set()
    if user is not None and user.is_authenticated:
        capabilities = {str(c) for c in CAPABILITIES.get(user.role, ())}
    return {
        "service_name": settings.SERVICE_NAME,
        "session_inactivity_seconds": settings.SESSION_INACTIVITY_SECONDS,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
        "user_capabilities": capabilities,
    }
