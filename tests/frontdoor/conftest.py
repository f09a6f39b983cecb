"""The front door: a MASH team in the personas' service, with a duty social worker and its
manager; and helpers to record a contact at a given moment (time-machine)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cpcases.accounts.models import Team, User
from cpcases.accounts.roles import Role
from frontdoor import services
from frontdoor.models import Consent, FrontDoorTeam, ReferralSource
from tests.conftest import Org
from tests.factories import TeamFactory, UserFactory

LONDON = ZoneInfo("Europe/London")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def mash(org: Org) -> Team:
    team = TeamFactory(service=org.service, name="MASH")
    FrontDoorTeam.objects.create(team=team)
    return team


@pytest.fixture
def duty_sw(org: Org, mash: Team) -> User:
    return UserFactory(username="duty_sw", role=Role.SOCIAL_WORKER, authority=org.authority,
                       team=mash, full_name="Dana Duty", email="dana@example.org")


@pytest.fixture
def duty_tm(org: Org, mash: Team) -> User:
    return UserFactory(username="duty_tm", role=Role.TEAM_MANAGER, authority=org.authority,
                       team=mash, full_name="Mo Mash", email="mo@example.org")


def record_contact(actor: User, received: dt.datetime, **kwargs: object):
    defaults = {"source": ReferralSource.SCHOOLS, "concern": "Bruising seen at school",
                "consent": Consent.GIVEN, "referrer_name": "Mrs Ellis",
                "new_children": [services.NewChild("John", "Smith", dt.date(2016, 4, 2))]}
    defaults.update(kwargs)
    with time_machine.travel(received + dt.timedelta(minutes=5), tick=False):
        return services.contact_record(actor=actor, received_at=received, **defaults)
