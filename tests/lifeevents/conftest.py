"""Life events around the conftest's child (Alfie, team A, allocated to sw). The senior child
protection manager is the service manager (sm), set in the authority's safeguarding
contacts with the partnership's chair; time is frozen unless a test travels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cpcases.accounts.models import User
from cpcases.children.models import Child
from cpcases.plans import services as plans
from cpcases.plans.models import ChildProtectionPlan, PlanCategory
from lifeevents.models import SafeguardingContacts

LONDON = ZoneInfo("Europe/London")


def at(y: int, m: int, d: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hour, minute, tzinfo=LONDON)


@pytest.fixture
def contacts(org, sm: User) -> SafeguardingContacts:
    return SafeguardingContacts.objects.create(
        authority=org.authority, senior_cp_manager=sm,
        partnership_chair_name="Professor Pat Partnership",
        partnership_chair_email="chair@partnership.example")


@pytest.fixture
def monday() -> Iterator[time_machine.Coordinates]:
    """Monday 8 February 2027, 10:00."""
    with time_machine.travel(at(2027, 2, 8), tick=False) as traveller:
        yield traveller


@pytest.fixture
def on_plan(monday, child: Child, sw: User, chair: User) -> ChildProtectionPlan:
    """Alfie on a plan since the ICPC of Monday 1 February 2027, sw leading."""
    return plans.plan_start(child=child, started_on=dt.date(2027, 2, 1),
                            category=PlanCategory.NEGLECT, lead_social_worker=sw, user=chair)
