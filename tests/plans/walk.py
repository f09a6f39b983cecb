"""Objects the permission walk's plan routes name, built for the walk's child (team A,
allocated to sw) through the services."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from cpcases.plans import services
from cpcases.plans.models import Attendance, ChildProtectionPlan, PlanCategory


def _plan(fixtures: Any, child: Child) -> ChildProtectionPlan:
    sw = fixtures.getfixturevalue("sw")
    return services.plan_start(
        child=child, started_on=timezone.localdate(), category=PlanCategory.NEGLECT,
        lead_social_worker=sw, user=sw,
        core_group_members=[services.MemberData(name="Walk School", agency=Agency.EDUCATION)],
        actions=[services.ActionData(who="Walk School", what="Walk",
                                     by_when=timezone.localdate())])


def walk_plan(fixtures: Any, child: Child) -> int:
    return _plan(fixtures, child).pk


def walk_plan_action(fixtures: Any, child: Child) -> int:
    return _plan(fixtures, child).actions.get().pk


def walk_plan_version(fixtures: Any, child: Child) -> int:
    return _plan(fixtures, child).versions.get().pk


def walk_core_group_meeting(fixtures: Any, child: Child) -> int:
    plan = _plan(fixtures, child)
    return services.core_group_meeting_record(
        plan=plan, held_on=timezone.localdate(), user=fixtures.getfixturevalue("sw"),
        attendance={m.pk: Attendance.ATTENDED for m in plan.members.all()}).pk


def walk_cin_plan(fixtures: Any, child: Child) -> int:
    return services.cin_plan_start(child=child, started_on=timezone.localdate(),
                                   user=fixtures.getfixturevalue("sw")).pk


WALK_PLACEHOLDERS = {
    "plan": walk_plan, "plan_action": walk_plan_action, "plan_version": walk_plan_version,
    "core_group_meeting": walk_core_group_meeting, "cin_plan": walk_cin_plan,
}
