"""A plan for the conftest's child (Alfie, team A, led by sw), made at an ICPC on Wednesday
24 March 2027, the week before Easter (Good Friday 26 March and Easter Monday 29 March 2027
are bank holidays); time frozen the day after, unless a test travels on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from cpcases.plans import services
from cpcases.plans.models import Attendance, ChildProtectionPlan, PlanCategory

LONDON = ZoneInfo("Europe/London")
ICPC = dt.date(2027, 3, 24)


def at(day: dt.date, hour: int = 17) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(at(ICPC + dt.timedelta(days=1)), tick=False) as traveller:
        yield traveller


@pytest.fixture
def plan(clock: time_machine.Coordinates, child: Child, sw: User, tm: User, chair: User,
         police: User) -> ChildProtectionPlan:
    """Started as the conference issue will: by the chair, with the core group named."""
    return services.plan_start(
        child=child, started_on=ICPC, category=PlanCategory.NEGLECT, lead_social_worker=sw,
        user=chair, outcomes="Alfie is fed, clean and safe at home.",
        contingency="Strategy discussion the same day if the plan breaks down.",
        core_group_members=[
            services.MemberData(user=police, role="Police officer"),
            services.MemberData(name="Ms Whitfield", agency=Agency.EDUCATION,
                                role="Class teacher", email="whitfield@school.example",
                                contact_frequency="Daily"),
        ],
        actions=[services.ActionData(who="Anytown Primary", what="Weekly attendance report",
                                     by_when=ICPC + dt.timedelta(days=14))])


def all_attended(plan: ChildProtectionPlan, **overrides: str) -> dict[int, str]:
    """Everyone attended, except members named (by name) in `overrides`."""
    return {m.pk: overrides.get(m.name, Attendance.ATTENDED)
            for m in plan.members.filter(removed_on__isnull=True)}
