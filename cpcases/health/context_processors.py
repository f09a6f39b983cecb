from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cpcases.accounts.roles import Role


def system_alerts(request: HttpRequest) -> dict[str, Any]:
    """Open alerts, for administrators only (shown in the page header)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role != Role.ADMINISTRATOR:
        return {}
    from cpcases.health.services import open_alerts

    return {"system_alerts": open_alerts()}
