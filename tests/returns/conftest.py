"""The returns demo (four children with 2025-26 census histories) on the personas' authority,
today being 3 December 2026; and the performance and data officer."""

from __future__ import annotations

import io

import pytest
import time_machine

from cpcases.accounts.models import Team, User
from cpcases.accounts.roles import Role
from returns.demo import seed_returns_demo
from tests.conftest import Org
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _today() -> object:
    with time_machine.travel("2026-12-03 10:00:00+00:00", tick=False):
        yield


@pytest.fixture
def pdo(org: Org) -> User:
    return UserFactory(username="pdo", role=Role.PERFORMANCE_OFFICER, authority=org.authority,
                       full_name="Priya Data")


@pytest.fixture
def demo(org: Org) -> Team:
    team = Team.objects.create(service=org.service, name="North Assessment Team")
    for username, role in (("sw.sam", Role.SOCIAL_WORKER), ("tm.tara", Role.TEAM_MANAGER),
                           ("chair.chris", Role.CP_CHAIR), ("bso.bola", Role.BUSINESS_SUPPORT)):
        UserFactory(username=username, role=role, authority=org.authority,
                    team=team if role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER) else None)
    out = io.StringIO()
    seed_returns_demo(out)
    assert "four children" in out.getvalue()
    return team
