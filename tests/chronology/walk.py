"""Objects for the permission walk (tests/foundation/test_permission_walk.py): a visit to the
walk's child (team A, allocated to sw), recorded through the service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cpcases.children.models import Child
from cpcases.chronology import services


def walk_visit(fixtures: Any, child: Child) -> int:
    return services.visit_record(
        user=fixtures.getfixturevalue("sw"), child=child,
        visited_at=timezone.now() - dt.timedelta(hours=1), child_seen=True,
        seen_alone=True, bedroom_seen=True).pk


WALK_PLACEHOLDERS = {"visit": walk_visit}
