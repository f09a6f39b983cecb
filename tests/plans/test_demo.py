"""The plans demo data: plans for the demo children on a plan, idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cpcases.children.models import InvolvementKind, PartnerInvolvement
from cpcases.plans.demo import seed_plans_demo
from cpcases.plans.models import ChildProtectionPlan, CoreGroupMeeting

pytestmark = pytest.mark.django_db


def test_seed_plans_demo_makes_plans_once() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    seed_plans_demo(io.StringIO())
    plans = ChildProtectionPlan.objects.filter(child__is_restricted=False).exclude(
        child__la_child_id__startswith="RET").exclude(  # the returns' history of last year
        child__la_child_id__startswith="PF")  # and the performance figures' (this year's)
    families = set(plans.values_list("child__last_name", flat=True))
    assert families == {"Khan", "Okoro", "Hughes"}
    count = plans.count()
    assert all(p.actions.exists() and p.members.exists() for p in plans)
    assert CoreGroupMeeting.objects.filter(plan__child__first_name="Aisha").count() == 1
    assert PartnerInvolvement.objects.filter(user__username="police.pat",
                                             kind=InvolvementKind.CORE_GROUP).count() == 1
    seed_plans_demo(io.StringIO())
    assert plans.count() == count
    assert CoreGroupMeeting.objects.count() == 1
