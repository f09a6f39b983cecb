"""Disagreements about resources at a conference (002 §19.3-19.4): the chair records one; the
service (district) manager resolves it within 3 days. The `resource_disparity` deadline opens
with the record and is met by the resolution (deadlines.policy.LIFECYCLES)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from conferences.models import Conference, ConferenceStatus
from conferences.outcomes.models import ResourceDisparity
from cpcases.accounts.models import User
from cpcases.accounts.roles import Role
from cpcases.children.models import Allocation, Child
from cpcases.children.scoping import visible_children
from cpcases.core.errors import NotPermitted, ServiceError
from cpcases.outbox.services import outbox_enqueue
from deadlines import lifecycle

RESOLVERS = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)


def disparities_visible(*, user: User) -> QuerySet[ResourceDisparity]:
    return (ResourceDisparity.objects.filter(child__in=visible_children(user))
            .select_related("child", "conference", "recorded_by", "resolved_by"))


def disparities_to_resolve(*, user: User) -> QuerySet[ResourceDisparity]:
    return disparities_visible(user=user).filter(resolved_at__isnull=True).order_by(
        "recorded_at", "id")


def _service_managers(child: Child) -> list[User]:
    allocation = (Allocation.objects.filter(child=child, ended_on__isnull=True)
                  .select_related("team").first())
    if allocation is None:
        return []
    return list(User.objects.filter(role=Role.SERVICE_MANAGER, is_active=True,
                                    service_id=allocation.team.service_id))


@transaction.atomic
def resource_disparity_record(*, user: User, conference: Conference, child: Child,
                              minimum_required: str, resources_offered: str
                              ) -> ResourceDisparity:
    """The chair records the disparity; the service manager is told at once (002 §19.4) and
    has 3 days from the conference to resolve it (002 §19.3)."""
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    if user.role != Role.CP_CHAIR or conference.chair_id != user.pk:
        raise NotPermitted("Only the conference's chair records a disagreement about "
                           "resources.")
    if conference.status != ConferenceStatus.HELD:
        raise ServiceError("Record a disagreement about resources once the conference has "
                           "started.")
    if not conference.children.filter(pk=child.pk).exists():
        raise ServiceError(f"{child} is not a subject of this conference.")
    if not minimum_required.strip():
        raise ServiceError("Enter what you specified as the minimum.")
    if not resources_offered.strip():
        raise ServiceError("Enter the resources to be committed.")
    now = timezone.now()
    disparity = ResourceDisparity.objects.create(
        conference=conference, child=child, minimum_required=minimum_required.strip(),
        resources_offered=resources_offered.strip(), recorded_by=user, recorded_at=now,
        created_by=user, updated_by=user)
    lifecycle.emit(lifecycle.Event.RESOURCE_DISAGREEMENT, child=child, actor=user,
                   subject=disparity, anchor=conference.date)
    addresses = sorted({u.email for u in _service_managers(child) if u.email})
    if addresses:
        outbox_enqueue(message=EmailMessage(
            "Resource disparity to resolve",
            f"The chair of the conference on {conference.date:%-d %B %Y} recorded a "
            "disagreement about resources for a child. Resolve it in cpcases: it is on your "
            "work list with its due date.", settings.DEFAULT_FROM_EMAIL, addresses),
            kind="resource disparity")
    return disparity


@transaction.atomic
def resource_disparity_resolve(*, user: User, disparity: ResourceDisparity,
                               resolution: str) -> ResourceDisparity:
    """The service manager resolves the disparity (002 §19.3): meets `resource_disparity`
    (missed if after the 3 days)."""
    if user.role not in RESOLVERS:
        raise NotPermitted("The service manager resolves a disagreement about resources.")
    if not visible_children(user).filter(pk=disparity.child_id).exists():
        raise NotPermitted("You do not have access to this child's record.")
    disparity = ResourceDisparity.objects.select_for_update().get(pk=disparity.pk)
    if disparity.is_resolved:
        raise ServiceError("This disparity is already resolved.")
    if not resolution.strip():
        raise ServiceError("Enter how the disparity was resolved.")
    now = timezone.now()
    disparity.resolution, disparity.resolved_by, disparity.resolved_at = (
        resolution.strip(), user, now)
    disparity.updated_by = user
    disparity.save()
    lifecycle.emit(lifecycle.Event.RESOURCE_DISPARITY_RESOLVED, child=disparity.child,
                   actor=user, at=now, scope=[disparity])
    return disparity
