"""A child on a child protection plan (team A, allocated to sw), partners in and out of the
core group, and helpers that record visits and entries through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency, Role
from cpcases.children.models import Child, CpStage, InvolvementKind
from cpcases.chronology import services
from cpcases.chronology.models import ChronologyEntry, Visit
from tests.factories import PartnerInvolvementFactory, UserFactory

LONDON = ZoneInfo("Europe/London")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def plan_child(child: Child) -> Child:
    child.cp_stage = CpStage.PLAN
    child.save(update_fields=["cp_stage"])
    return child


@pytest.fixture
def core_police(police: User, plan_child: Child) -> User:
    """The police officer is a member of the child's core group."""
    PartnerInvolvementFactory(child=plan_child, user=police, kind=InvolvementKind.CORE_GROUP,
                              agency=Agency.POLICE)
    return police


@pytest.fixture
def school(org: Any) -> User:
    """A designated safeguarding lead with no part in the child's case."""
    return UserFactory(username="school", role=Role.PARTNER, authority=org.authority,
                       agency=Agency.EDUCATION, full_name="Mrs Ellis")


def visit(user: User, child: Child, when: dt.datetime, **kwargs: Any) -> Visit:
    data: dict[str, Any] = {"child_seen": True, "seen_alone": True, "bedroom_seen": True}
    data.update(kwargs)
    return services.visit_record(user=user, child=child, visited_at=when, **data)


def entry(user: User, child: Child, day: dt.date, at_time: dt.time | None = None,
          **kwargs: Any) -> ChronologyEntry:
    data: dict[str, Any] = {"significant_event": "Reported incident", "source": "Police record",
                            "child_seen": False, "event_type": "police"}
    data.update(kwargs)
    return services.chronology_entry_add(user=user, child=child, event_date=day,
                                         event_time=at_time, **data)
