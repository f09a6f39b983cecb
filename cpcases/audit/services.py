"""Recording access to a child's record."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cpcases.audit.events import insert_access_events
from cpcases.audit.middleware import client_ip
from cpcases.audit.models import AccessAction


def access_record(*, request: HttpRequest, child_id: int | None, action: AccessAction,
                  section: str = "", detail: dict[str, Any] | None = None) -> None:
    user = request.user if request.user.is_authenticated else None
    # Tell the global read hooks (cpcases.audit.reads) this request is already logged.
    raw = getattr(request, "_request", request).__dict__
    if action == AccessAction.REFUSED:
        raw["_refusal_logged"] = True
    elif child_id is not None:
        raw.setdefault("_audited_children", set()).add(child_id)
    insert_access_events(user_id=user.pk if user else None, child_ids=[child_id],
                         action=action, path=request.get_full_path()[:500], section=section,
                         ip=client_ip(request), detail=detail)
