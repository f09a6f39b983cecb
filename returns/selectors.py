"""Whose children a return covers (issue 16 point 5).

The performance and data officer: every child of the authority (the return is the
authority's, restricted records included; their names are never shown on the returns pages).
Service managers and heads of service: the children they may see, those allocated to a team of
their own service. Anyone else: refused.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from cpcases.accounts.models import User
from cpcases.accounts.roles import Capability, Role
from cpcases.children.models import Child
from cpcases.children.scoping import visible_children
from returns.models import ReturnExport


def may_run_returns(user: User) -> bool:
    return user.is_authenticated and user.can(Capability.RUN_RETURNS)


def return_children(user: User) -> QuerySet[Child]:
    if not may_run_returns(user):
        raise PermissionDenied
    if user.role == Role.PERFORMANCE_OFFICER:
        return Child.objects.filter(authority_id=user.authority_id, merged_into__isnull=True)
    # A manager's own service: the children they see that are allocated to it (not a record
    # opened for the day with a reason).
    return visible_children(user).filter(allocations__ended_on__isnull=True,
                                         allocations__team__service_id=user.effective_service_id)


def scope_label(user: User) -> str:
    if user.role == Role.PERFORMANCE_OFFICER:
        return user.authority.name
    service = user.service or (user.team.service if user.team_id else None)
    return f"{service} (your service)" if service else "your service"


def recent_exports(user: User) -> QuerySet[ReturnExport]:
    """The exports of this user's authority (the officer) or their own (a manager)."""
    rows = ReturnExport.objects.filter(authority_id=user.authority_id).select_related("user")
    if user.role != Role.PERFORMANCE_OFFICER:
        rows = rows.filter(user=user)
    return rows
