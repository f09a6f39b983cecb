"""Which children a user may see. Every child queryset in views, API and selectors starts here.

Two layers (capability by role, then object scope), as in cpcases.accounts.roles:
- social workers and team managers: children currently allocated to their team;
- service managers and heads of service: children allocated to a team of their service;
- CP chairs and business support: children with an active child protection process in
  their authority;
- partner professionals: children whose strategy discussion, conference or core group they
  are part of (PartnerInvolvement rows, added by those workflows);
- administrators: none (they manage the policy, not cases).
Restricted records are visible only to their named users and vanish from every other
list, search and count. A case-working user who opened a record outside their scope with a
stated reason (break-glass, frontdoor.services.break_glass_open) sees it for the rest of that
day. A restricted record can be opened so only by someone whose role gives them a case
reason (it is in `case_scope_children`), and the manager who restricted it is told
(lifeevents.restriction); an opening made before it was restricted does not admit them.
A duplicate merged into another record is in nobody's scope.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import Capability, Role
from cpcases.children.models import (
    Allocation,
    BreakGlassAccess,
    Child,
    CpStage,
    PartnerInvolvement,
    RestrictedAccess,
)


def _current_allocation(**filters: object) -> Exists:
    return Exists(Allocation.objects.filter(child=OuterRef("pk"), ended_on__isnull=True,
                                            **filters))


def _role_scope(user: User) -> Q | None:
    role = user.role
    if role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER):
        return Q(_current_allocation(team_id=user.team_id)) if user.team_id else None
    if role in (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE):
        service_id = user.effective_service_id
        return Q(_current_allocation(team__service_id=service_id)) if service_id else None
    if role in (Role.CP_CHAIR, Role.BUSINESS_SUPPORT):
        return ~Q(cp_stage=CpStage.NONE)
    if role == Role.PARTNER:
        return Q(Exists(PartnerInvolvement.objects.filter(
            child=OuterRef("pk"), user_id=user.pk, ended_on__isnull=True)))
    return None


def visible_children(user: User) -> QuerySet[Child]:
    if not user.is_authenticated or not user.can(Capability.VIEW_CHILD):
        return Child.objects.none()
    scope = _role_scope(user)
    if scope is None:
        return Child.objects.none()
    named = Exists(RestrictedAccess.objects.filter(child=OuterRef("pk"), user_id=user.pk))
    today = BreakGlassAccess.objects.filter(child=OuterRef("pk"), user_id=user.pk,
                                            opened_on=timezone.localdate())
    opened = Exists(today)
    return Child.objects.filter(authority_id=user.authority_id, merged_into__isnull=True).filter(
        ((scope | Q(opened)) & Q(is_restricted=False))
        | (Q(is_restricted=True) & (Q(named) | Q(Exists(_since_restricted(today)))))
    )


def _since_restricted(openings: QuerySet[BreakGlassAccess]) -> QuerySet[BreakGlassAccess]:
    """The openings made since the record's current restriction was marked: one made earlier
    (of the record before it was restricted, or before it was marked again) does not admit
    the user to it (lifeevents.RecordRestriction keeps when it was marked)."""
    try:
        restriction = apps.get_model("lifeevents", "RecordRestriction")
    except LookupError:
        return openings
    return openings.exclude(Exists(restriction.objects.filter(
        child=OuterRef("child"), lifted_at__isnull=True, marked_at__gt=OuterRef("opened_at"))))


def case_scope_children(user: User) -> QuerySet[Child]:
    """The children the user's role gives them a case reason to see, restricted or not (who
    may break the glass on a restricted record). Never a list to show: use visible_children."""
    if not user.is_authenticated or not user.can(Capability.VIEW_CHILD):
        return Child.objects.none()
    scope = _role_scope(user)
    if scope is None:
        return Child.objects.none()
    return Child.objects.filter(authority_id=user.authority_id, merged_into__isnull=True
                                ).filter(scope)


def can_view_child(user: User, child_id: int) -> bool:
    return visible_children(user).filter(pk=child_id).exists()
