"""Restricted records (issue 11 point 8): a manager of the child's team (team manager, or
the service manager or head of service over it) marks the record restricted with a reason
and the people who may see it (cpcases.children RestrictedAccess, read by
cpcases.children.scoping.visible_children), and may lift it. Every change is a tracked row
(RecordRestriction). Anyone else with a case reason opens it through break-glass
(frontdoor.services.break_glass_open), and the manager who marked it is told.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import Role
from cpcases.children.models import Child, RestrictedAccess
from cpcases.children.scoping import visible_children
from cpcases.children.selectors import current_allocation
from cpcases.core.errors import NotPermitted, ServiceError
from lifeevents.models import RecordRestriction


def current_restriction(child: Child) -> RecordRestriction | None:
    return (RecordRestriction.objects.filter(child=child, lifted_at__isnull=True)
            .select_related("marked_by").first())


def may_restrict(user: User, child: Child) -> bool:
    """A manager of the team holding the child's case, or above it in that service."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role not in (Role.TEAM_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE):
        return False  # User.manages_team: no other role manages a team (no query)
    # The child's one open allocation with its team, through SQL built once (issue 13 §2:
    # the Missing, orders and complaints tab asks on every view).
    allocation = current_allocation(child=child)
    return allocation is not None and user.manages_team(allocation.team)


def people_who_may_be_named(child: Child) -> list[User]:
    """Active case-working staff of the child's authority (partners see a child through
    their part in its conference or core group, not by name here)."""
    roles = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.SERVICE_MANAGER,
             Role.HEAD_OF_SERVICE, Role.CP_CHAIR, Role.BUSINESS_SUPPORT)
    return list(User.objects.filter(authority_id=child.authority_id, is_active=True,
                                    role__in=roles).order_by("full_name", "id"))


def _check(user: User, child: Child) -> Child:
    if not user.is_authenticated or \
            not visible_children(user).filter(pk=child.pk).exists():
        raise NotPermitted("You do not have access to this child's record.")
    if not may_restrict(user, child):
        raise NotPermitted("Only a manager of the child's team restricts the record.")
    return Child.objects.select_for_update().get(pk=child.pk)


@transaction.atomic
def record_restrict(*, child: Child, user: User, reason: str,
                    named: Iterable[User]) -> RecordRestriction:
    """Mark (or re-mark) the record restricted: only the named people, and the manager
    marking it, see it from now on."""
    child = _check(user, child)
    if not reason.strip():
        raise ServiceError("Give the reason the record is restricted.")
    allowed = {u.pk for u in people_who_may_be_named(child)}
    people = {u.pk: u for u in named}
    if set(people) - allowed:
        raise ServiceError("Name only active staff of this council.")
    people[user.pk] = user
    listed = [{"id": u.pk, "name": u.full_name or u.username}
              for u in sorted(people.values(), key=lambda u: (u.full_name, u.pk))]
    restriction = (RecordRestriction.objects.select_for_update()
                   .filter(child=child, lifted_at__isnull=True).first())
    if restriction is None:
        restriction = RecordRestriction(child=child, created_by=user)
    restriction.reason, restriction.named = reason.strip(), listed
    restriction.marked_by, restriction.marked_at = user, timezone.now()
    restriction.updated_by = user
    restriction.save()
    Child.objects.filter(pk=child.pk, is_restricted=False).update(is_restricted=True)
    RestrictedAccess.objects.filter(child=child).exclude(user_id__in=people).delete()
    have = set(RestrictedAccess.objects.filter(child=child).values_list("user_id", flat=True))
    RestrictedAccess.objects.bulk_create(
        RestrictedAccess(child=child, user_id=pk, created_by=user, updated_by=user)
        for pk in people if pk not in have)
    return restriction


@transaction.atomic
def record_unrestrict(*, child: Child, user: User, reason: str) -> RecordRestriction:
    """Lift the restriction: the record is back in its team's and service's scope."""
    child = _check(user, child)
    restriction = (RecordRestriction.objects.select_for_update()
                   .filter(child=child, lifted_at__isnull=True).first())
    if restriction is None or not child.is_restricted:
        raise ServiceError("This record is not restricted.")
    if not reason.strip():
        raise ServiceError("Give the reason the restriction is lifted.")
    restriction.lifted_at, restriction.lifted_by = timezone.now(), user
    restriction.lift_reason, restriction.updated_by = reason.strip(), user
    restriction.save()
    Child.objects.filter(pk=child.pk).update(is_restricted=False)
    RestrictedAccess.objects.filter(child=child).delete()
    return restriction


def marking_manager(child: Child) -> User | None:
    """Who is told when someone breaks the glass on the restricted record."""
    restriction = current_restriction(child)
    return restriction.marked_by if restriction else None
