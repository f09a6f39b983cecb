"""The conference day tests run on Tuesday 4 May 2027 (the day after the early May bank
holiday): three months later is 4 August, 91 days later 3 August."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conferences.models import Conference
from cpcases.accounts.models import User
from cpcases.children.models import Child, CpStage
from tests.factories import AllocationFactory, ChildFactory, ChildPersonFactory, HouseholdFactory
from tests.outcomes.helpers import make_conference

LONDON = ZoneInfo("Europe/London")
DAY = dt.date(2027, 5, 4)


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(dt.datetime(2027, 5, 4, 11, tzinfo=LONDON), tick=False) as t:
        yield t


@pytest.fixture
def siblings(org, sw: User) -> list[Child]:
    """Two children of the Okafor household on team A, allocated to sw."""
    household = HouseholdFactory(authority=org.authority, name="Okafor, 4 Mill Lane")
    children = []
    for first, dob in (("Ada", dt.date(2015, 6, 1)), ("Ben", dt.date(2020, 2, 10))):
        child = ChildFactory(authority=org.authority, first_name=first, last_name="Okafor",
                             date_of_birth=dob, household=household,
                             cp_stage=CpStage.CONFERENCE)
        AllocationFactory(child=child, team=org.team_a, social_worker=sw)
        children.append(child)
    ChildPersonFactory(child=children[0], person__authority=org.authority,
                       person__first_name="Grace", person__last_name="Okafor",
                       person__address="4 Mill Lane, Anytown",
                       person__date_of_birth=dt.date(1990, 1, 2))
    return children


@pytest.fixture
def conference(frozen, siblings, chair: User, bso: User) -> Conference:
    """An initial conference for both siblings today, chaired by chair, minuted by bso."""
    return make_conference(children=siblings, on=DAY, chair=chair, minute_taker=bso)
