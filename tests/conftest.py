"""Personas, one per role, in one authority with two teams in one service, plus an outsider
team; and the children each of them is expected to see.

    team A (service 1): sw (social worker), tm (team manager)
    team B (service 1): sw_b, tm_b
    service 1:          sm (service manager), hos (head of service)
    authority-wide:     chair (CP chair / IRO), bso (business support), admin
    partner:            police (partner agency professional)
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import pytest

from cpcases.accounts.models import Authority, Service, Team, User
from cpcases.accounts.roles import Agency, Role
from cpcases.children.models import Child, CpStage
from tests.factories import (
    AllocationFactory,
    AuthorityFactory,
    ChildFactory,
    ServiceFactory,
    TeamFactory,
    UserFactory,
)


@dataclass
class Org:
    authority: Authority
    service: Service
    team_a: Team
    team_b: Team


@pytest.fixture
def org(db: None) -> Org:
    authority = AuthorityFactory(name="Anyshire Council", slug="anyshire")
    service = ServiceFactory(authority=authority, name="Safeguarding and Family Support")
    return Org(authority=authority, service=service,
               team_a=TeamFactory(service=service, name="Assessment Team A"),
               team_b=TeamFactory(service=service, name="Assessment Team B"))


def _persona(org: Org, username: str, role: str, **extra: object) -> User:
    return UserFactory(username=username, role=role, authority=org.authority, **extra)


@pytest.fixture
def sw(org: Org) -> User:
    return _persona(org, "sw", Role.SOCIAL_WORKER, team=org.team_a, full_name="Sam Social")


@pytest.fixture
def tm(org: Org) -> User:
    return _persona(org, "tm", Role.TEAM_MANAGER, team=org.team_a, full_name="Tara Manager")


@pytest.fixture
def sw_b(org: Org) -> User:
    return _persona(org, "sw_b", Role.SOCIAL_WORKER, team=org.team_b, full_name="Bea Other")


@pytest.fixture
def tm_b(org: Org) -> User:
    return _persona(org, "tm_b", Role.TEAM_MANAGER, team=org.team_b, full_name="Ben Other")


@pytest.fixture
def sm(org: Org) -> User:
    return _persona(org, "sm", Role.SERVICE_MANAGER, service=org.service,
                    full_name="Sunita Service")


@pytest.fixture
def hos(org: Org) -> User:
    return _persona(org, "hos", Role.HEAD_OF_SERVICE, service=org.service,
                    full_name="Harriet Head")


@pytest.fixture
def chair(org: Org) -> User:
    return _persona(org, "chair", Role.CP_CHAIR, full_name="Chris Chair")


@pytest.fixture
def bso(org: Org) -> User:
    return _persona(org, "bso", Role.BUSINESS_SUPPORT, full_name="Bola Support")


@pytest.fixture
def police(org: Org) -> User:
    return _persona(org, "police", Role.PARTNER, agency=Agency.POLICE,
                    full_name="DC Pat Police")


@pytest.fixture
def admin_user(org: Org) -> User:
    return _persona(org, "admin", Role.ADMINISTRATOR, full_name="Ada Admin", is_staff=True)


@pytest.fixture
def child(org: Org, sw: User) -> Child:
    """A child on team A's caseload, allocated to sw, in a section 47 enquiry."""
    child = ChildFactory(authority=org.authority, first_name="Alfie", last_name="Example",
                         cp_stage=CpStage.SECTION_47)
    AllocationFactory(child=child, team=org.team_a, social_worker=sw)
    return child


@pytest.fixture
def other_team_child(org: Org, sw_b: User) -> Child:
    child = ChildFactory(authority=org.authority, first_name="Olive", last_name="Otherteam")
    AllocationFactory(child=child, team=org.team_b, social_worker=sw_b)
    return child


@pytest.fixture
def restricted_child(org: Org, sw: User) -> Child:
    """A sealed record on team A: nobody but its named users may see it."""
    child = ChildFactory(authority=org.authority, first_name="Rosa", last_name="Restricted",
                         is_restricted=True, cp_stage=CpStage.SECTION_47)
    AllocationFactory(child=child, team=org.team_a, social_worker=sw)
    return child


# --- the shipped policy ----------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _shipped_policy(request: pytest.FixtureRequest, django_db_blocker: object) -> None:
    """Migration 0003 loads the shipped policy profiles; a transactional test's flush empties
    them for the rest of the run. Put them back (once) before any test that uses the database.
    """
    uses_db = request.node.get_closest_marker("django_db") or {
        "db", "transactional_db", "live_server"} & set(request.fixturenames)
    if not uses_db:
        return
    request.getfixturevalue("django_db_setup")
    from deadlines.models import PolicyProfile
    from deadlines.policy import load_shipped_profiles

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        if not PolicyProfile.objects.filter(shipped=True).exists():
            load_shipped_profiles()


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    """After a transactional test's flush, put the shipped policy back, committed: loaded by
    `_shipped_policy` inside each later test's transaction instead, it would be rolled back
    and loaded again before every test (hundreds of writes each: the walks took minutes)."""
    yield
    # The last test of a run (or of an xdist worker): the test database has just been torn
    # down with the session's fixtures, and nothing later needs the policy.
    if nextitem is None or not _transactional(item):
        return
    from pytest_django.plugin import blocking_manager_key

    from deadlines.models import PolicyProfile
    from deadlines.policy import load_shipped_profiles

    with item.config.stash[blocking_manager_key].unblock():
        if not PolicyProfile.objects.filter(shipped=True).exists():
            load_shipped_profiles()


# --- browser tests -----------------------------------------------------------------------------
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without chromium, skip browser tests with a way to enable them; under CI, fail."""
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    browser_items = [i for i in items if i.get_closest_marker("browser")]
    if not browser_items:
        return
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError(
            f"CI=true but no Chromium at {CHROMIUM}: the browser tests must run in CI. "
            "Install it with: apt-get install -y chromium")
    skip = pytest.mark.skip(reason=f"No Chromium at {CHROMIUM}. To run the browser tests: "
                            "sudo apt-get install -y chromium (or set CHROMIUM_PATH)")
    for item in browser_items:
        item.add_marker(skip)


@pytest.fixture(autouse=True)
def _documents_in_a_temporary_store(settings, tmp_path_factory) -> None:
    """Documents kept as sent (letters, records, invitations) never land in var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"
