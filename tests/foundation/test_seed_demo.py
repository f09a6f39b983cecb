"""Demo data (Foundation §13): idempotent, a user for every role, about thirty children."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from cpcases.accounts.models import User
from cpcases.accounts.roles import Role
from cpcases.children.models import Child
from cpcases.children.scoping import visible_children

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_covers_every_role() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (User.objects.count(), Child.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (User.objects.count(), Child.objects.count()) == counts
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    # About thirty children on the caseloads, and those first met at the front door (its
    # demo contacts create their children, frontdoor.demo).
    assert 25 <= counts[1] <= 50
    assert Child.objects.filter(is_restricted=True).count() == 1


def test_demo_social_worker_cannot_see_the_other_team_or_the_restricted_child() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    sam = User.objects.get(username="sw.sam")
    visible = visible_children(sam)
    assert visible.exists()
    assert not visible.filter(is_restricted=True).exists()
    assert not visible.filter(allocations__team__name="South Assessment Team").exists()
    assert User.objects.get(username="sw.sam").check_password("Demo-pass-2026!")
