"""Objects the permission walk's deadline routes name, built for the walk's child."""

from __future__ import annotations

import datetime as dt

import pytest

from cpcases.children.models import Child


def walk_deadline(request: pytest.FixtureRequest, child: Child) -> int:
    from deadlines.services import deadline_set

    return deadline_set(child=child, rule_id="icpc", anchor=dt.date(2026, 12, 18)).pk


def walk_notification(request: pytest.FixtureRequest, child: Child) -> int:
    from deadlines.models import Deadline, Notification

    deadline = Deadline.objects.get(pk=walk_deadline(request, child))
    return Notification.objects.create(recipient=request.getfixturevalue("sw"),
                                       deadline=deadline, level="reminder",
                                       text="Reminder").pk


def walk_closure_day(request: pytest.FixtureRequest, child: Child) -> int:
    from deadlines.models import ClosureDay

    return ClosureDay.objects.create(authority_id=child.authority_id,
                                     date=dt.date(2027, 12, 24), reason="Walk").pk


WALK_PLACEHOLDERS = {"deadline": walk_deadline, "notification": walk_notification,
                     "closure_day": walk_closure_day}
