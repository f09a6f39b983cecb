"""Who holds a deadline's role for this child or conference now (deadlines.policy.Holder).

A rule names a role (the allocated social worker, the lead social worker, the team manager,
the service manager, the assigned chair) or a queue (business support, partner agencies): the
deadline goes to whoever holds that role *now*, or to the queue with no one person, which
anyone in that role may pick up. deadlines.services.deadlines_reassign_for moves open
deadlines when a holder changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps

from cpcases.accounts.models import Team, User
from cpcases.accounts.roles import Role
from cpcases.children.models import Allocation, Child
from deadlines.policy import QUEUE_HOLDERS, Holder


@dataclass(frozen=True)
class Holding:
    """The person who must act (None for a queue or when nobody holds the role) and the
    team the deadline belongs to."""

    user: User | None
    team_id: int | None


def _allocation(child: Child) -> Allocation | None:
    return (Allocation.objects.filter(child=child, ended_on__isnull=True)
            .select_related("social_worker", "team").order_by("-started_on", "-id").first())


def _lead_social_worker(child: Child) -> User | None:
    plan_model = apps.get_model("plans", "ChildProtectionPlan")
    plan = (plan_model.objects.filter(child=child, ended_on__isnull=True)
            .select_related("lead_social_worker").first())
    return plan.lead_social_worker if plan else None


def _chair_of(subject: Any) -> User | None:
    """The chair of a conference or consultation, or of the conference a record belongs to."""
    for candidate in (subject, getattr(subject, "conference", None)):
        chair = getattr(candidate, "chair", None)
        if isinstance(chair, User):
            return chair
    return None


def _manager(role: str, team: Team | None) -> User | None:
    if team is None:
        return None
    people = User.objects.filter(role=role, is_active=True).order_by("full_name", "id")
    if role == Role.TEAM_MANAGER:
        return people.filter(team_id=team.pk).first()
    return people.filter(service_id=team.service_id).first()


def resolve(child: Child, holder: str, subject: Any = None) -> Holding:
    """Who holds `holder` for the child (and the subject: a conference, a consultation)."""
    allocation = _allocation(child)
    team = allocation.team if allocation else None
    team_id = team.pk if team else None
    worker = allocation.social_worker if allocation else None
    if holder in QUEUE_HOLDERS:
        return Holding(None, team_id)
    if holder == Holder.SENIOR_CP_MANAGER:
        # Named by the authority, not the case (lifeevents): the caller's `responsible`.
        return Holding(None, team_id)
    if holder == Holder.LEAD_SOCIAL_WORKER:
        return Holding(_lead_social_worker(child) or worker, team_id)
    if holder == Holder.TEAM_MANAGER:
        return Holding(_manager(Role.TEAM_MANAGER, team), team_id)
    if holder == Holder.SERVICE_MANAGER:
        return Holding(_manager(Role.SERVICE_MANAGER, team), team_id)
    if holder == Holder.CHAIR:
        return Holding(_chair_of(subject), team_id)
    return Holding(worker, team_id)
