"""The booking tests run in March 2027: the ICPC of a S47 initiated on Monday 15 March falls
due after Easter (Good Friday 26 March and Easter Monday 29 March are bank holidays)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cpcases.accounts.models import User
from cpcases.children.models import Child, CpStage
from tests.conferences.factories import at, ready_for_request
from tests.factories import AllocationFactory, ChildFactory, HouseholdFactory

# Wednesday 17 March 2027, noon in London.
TODAY = dt.date(2027, 3, 17)
S47_HELD = at(2027, 3, 15, 10)


@pytest.fixture
def frozen():
    with time_machine.travel(at(2027, 3, 17, 12), tick=False) as traveller:
        yield traveller


@pytest.fixture
def smiths(org, sw: User) -> list[Child]:
    """Two children of one household on team A, allocated to sw."""
    household = HouseholdFactory(authority=org.authority, name="Smith, 12 Elm Road")
    children = []
    for first, dob in (("Lily", dt.date(2017, 3, 14)), ("Jack", dt.date(2019, 9, 2))):
        child = ChildFactory(authority=org.authority, first_name=first, last_name="Smith",
                             date_of_birth=dob, household=household, cp_stage=CpStage.STRATEGY)
        AllocationFactory(child=child, team=org.team_a, social_worker=sw)
        children.append(child)
    return children


@pytest.fixture
def ready(frozen, smiths, sw, tm) -> list[Child]:
    """S47 initiated on 15 March 2027, substantiated, threshold met by the team manager."""
    ready_for_request(sw=sw, tm=tm, children=smiths, held_at=S47_HELD)
    return smiths


# --- before the conference (invitations, reports, exclusions) ------------------------------


@pytest.fixture
def booked(ready, sw, tm, bso, chair):
    """The Smiths' ICPC booked for Thursday 1 April 2027 at 10:00 (Lily is 10 that day,
    Jack 7)."""
    from tests.conferences.factories import approved_request, book

    request = approved_request(sw=sw, tm=tm, children=ready)
    return book(bso=bso, request=request, on=dt.date(2027, 4, 1), chair=chair)


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded reports go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
