"""A household of two children on team A (the Smiths), frozen time, and a helper that records
a strategy discussion through the service with sensible defaults."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency
from cpcases.children.models import Child, CpStage
from deadlines.models import PolicyProfile
from deadlines.policy import load_shipped_profiles
from strategy import services
from strategy.models import ParticipantRole, StrategyDiscussion, Urgency
from tests.factories import AllocationFactory, ChildFactory, HouseholdFactory

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 12, 18, 17, 0, tzinfo=LONDON)  # a Friday, a week before Christmas


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _shipped_profiles(db: None) -> None:
    if not PolicyProfile.objects.filter(shipped=True).exists():
        load_shipped_profiles()


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def smiths(org: Any, sw: User, tm: User) -> list[Child]:
    household = HouseholdFactory(authority=org.authority, name="Smith, 12 Elm Road")
    children = []
    for first in ("Lily", "Jack"):
        child = ChildFactory(authority=org.authority, first_name=first, last_name="Smith",
                             household=household, cp_stage=CpStage.STRATEGY)
        AllocationFactory(child=child, team=org.team_a, social_worker=sw)
        children.append(child)
    return children


def full_attendance(police: User | None = None) -> list[services.ParticipantData]:
    """003's minimum: the social worker, their manager, health and police."""
    return [
        services.ParticipantData("Sam Social", Agency.CHILDRENS_SOCIAL_CARE,
                                 ParticipantRole.SOCIAL_WORKER),
        services.ParticipantData("Tara Manager", Agency.CHILDRENS_SOCIAL_CARE,
                                 ParticipantRole.MANAGER),
        services.ParticipantData("Nina Nurse", Agency.HEALTH, ParticipantRole.PROFESSIONAL,
                                 attendance="contributed"),
        services.ParticipantData("DC Pat Police", Agency.POLICE, ParticipantRole.PROFESSIONAL,
                                 user=police),
    ]


def record(user: User, children: list[Child], *, outcomes: dict[int, str] | None = None,
           concern: dt.datetime | None = None, held: dt.datetime | None = None,
           urgency: str = Urgency.CP_CONCERNS, **kwargs: Any) -> StrategyDiscussion:
    kwargs.setdefault("participants", full_attendance())
    return services.strategy_discussion_record(
        user=user, children=children,
        concern_identified_at=concern or at(2026, 12, 17, 9),
        urgency=urgency, format="meeting", held_at=held or at(2026, 12, 18, 10),
        outcomes=outcomes or {c.pk: services.S47 for c in children},
        information_shared=kwargs.pop("information_shared", "Bruising seen at school."),
        **kwargs)
