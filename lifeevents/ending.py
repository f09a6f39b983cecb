"""Before a plan ends for good (003 "Discontinuing the Child Protection Plan"): the views of
the agencies invited to the review that ended it who were not there are sought in writing,
by the means they were invited, each letter kept as sent; `plan_end_views` runs from the
review (deadlines.policy) and is met when the last view is recorded.

Called by conferences.outcomes.services.child_decision_record when a review ends a plan.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import Role
from cpcases.children.scoping import visible_children
from cpcases.core.errors import NotPermitted, ServiceError
from cpcases.plans.models import ChildProtectionPlan, PlanEndReason
from deadlines import lifecycle
from deadlines import services as deadlines
from deadlines.policy import Event
from lifeevents import letters, notify
from lifeevents.models import AgencyViewRequest, LetterKind, PlanEndViews

# Who records an agency's view: the chair of the review, and the case roles around it.
VIEW_ROLES = (Role.CP_CHAIR, Role.BUSINESS_SUPPORT, Role.SOCIAL_WORKER, Role.TEAM_MANAGER,
              Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)


def absent_agency_invitations(conference: Any) -> list[Any]:
    """The professionals invited to the review whose agency nobody attended for."""
    from conferences.models import InviteeKind
    from conferences.outcomes.models import AttendanceStatus

    present = set(conference.attendances.filter(status=AttendanceStatus.PRESENT)
                  .exclude(agency="").values_list("agency", flat=True))
    present_invites = set(conference.attendances.filter(
        status=AttendanceStatus.PRESENT, invitation_id__isnull=False)
        .values_list("invitation_id", flat=True))
    return [i for i in conference.invitations.filter(kind=InviteeKind.PROFESSIONAL)
            .exclude(agency="").select_related("person").order_by("agency", "name", "id")
            if i.agency not in present and i.pk not in present_invites]


@transaction.atomic
def plan_end_views_seek(*, plan: ChildProtectionPlan, conference: Any, user: User
                        ) -> PlanEndViews | None:
    """The review ended the plan because the child is no longer at risk: each absent
    agency's invitee is asked for their view in writing (003). Nothing when every agency
    was there, or when the plan ended for a reason no view can change (moved, died, 18)."""
    plan = ChildProtectionPlan.objects.select_related("child").get(pk=plan.pk)
    if plan.ended_on is None or plan.end_reason != PlanEndReason.NO_LONGER_AT_RISK or \
            PlanEndViews.objects.filter(plan=plan).exists():
        return None
    absent = absent_agency_invitations(conference)
    if not absent:
        return None
    views = PlanEndViews.objects.create(plan=plan, conference=conference,
                                        sought_at=timezone.now(), sought_by=user,
                                        created_by=user, updated_by=user)
    deadline = lifecycle.emit(Event.PLAN_END_PROPOSED, child=plan.child, actor=user,
                              anchor=conference.date, subject=views)["opened"][0]
    for invitation in absent:
        subject, body = letters.views_sought(plan, conference, invitation, deadline.due_date,
                                             user)
        letter = notify.letter_send(
            child=plan.child, kind=LetterKind.VIEWS_SOUGHT, about=views,
            recipient_name=invitation.name, recipient_email=invitation.email,
            recipient_address=letters.invitee_address(invitation),
            method=letters.method_for(invitation), subject=subject, body=body, user=user)
        AgencyViewRequest.objects.create(views=views, invitation=invitation,
                                         name=invitation.name, agency=invitation.agency,
                                         letter=letter, created_by=user, updated_by=user)
    return views


@transaction.atomic
def agency_view_record(*, request: AgencyViewRequest, user: User, view: str,
                       received_on: date) -> AgencyViewRequest:
    """An absent agency's written view is in. The last one meets `plan_end_views`."""
    child = request.views.plan.child
    if not user.is_authenticated or \
            not visible_children(user).filter(pk=child.pk).exists():
        raise NotPermitted("You do not have access to this child's record.")
    if user.role not in VIEW_ROLES:
        raise NotPermitted(f"A {user.role_label.lower()} cannot record an agency's view.")
    request = AgencyViewRequest.objects.select_for_update().select_related(
        "views__plan__child").get(pk=request.pk)
    if request.is_in:
        raise ServiceError(f"The view of {request.name} has already been recorded.")
    if not view.strip():
        raise ServiceError("Enter the agency's view.")
    if received_on > timezone.localdate():
        raise ServiceError("The date the view was received must be today or in the past.")
    views = PlanEndViews.objects.select_for_update().get(pk=request.views_id)
    if received_on < timezone.localtime(views.sought_at).date():
        raise ServiceError("The view cannot be received before it was asked for.")
    request.view, request.received_on = view.strip(), received_on
    request.recorded_by, request.updated_by = user, user
    request.save()
    if not views.requests.filter(received_on__isnull=True).exists():
        last = max(r.received_on for r in views.requests.all())
        views.completed_at, views.updated_by = timezone.now(), user
        views.save()
        lifecycle.emit(Event.AGENCY_VIEWS_SOUGHT, child=child, actor=user, scope=[views],
                       at=deadlines.start_of_day(last))
    return request
