"""Writes: recording a statutory visit and adding a chronology entry.

Each checks permission and preconditions, writes in one transaction (pghistory records who
changed what), moves the deadlines through the engine, and sends e-mail on commit.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import Capability, Role
from cpcases.children.models import Child, CpStage
from cpcases.children.scoping import visible_children
from cpcases.chronology import notify
from cpcases.chronology.models import (
    MANUAL_EVENT_TYPES,
    ChronologyEntry,
    Visit,
    VisitLocation,
)
from cpcases.chronology.selectors import is_core_group_partner
from cpcases.core.errors import NotPermitted, ServiceError
from deadlines.models import Deadline, DeadlineStatus
from deadlines.services import deadline_meet, deadline_set

# The people who visit a child for children's social care.
VISITING_ROLES = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.SERVICE_MANAGER,
                  Role.HEAD_OF_SERVICE)
# 003 "Multi-Agency Chronologies": all core group members contribute; children's social
# care (the social worker and their managers) collates.
CONTRIBUTING_ROLES = VISITING_ROLES
VISIT_CLOCKS = ("child_seen", "bedroom_seen")


def _require_visible(user: User, child: Child) -> None:
    if not visible_children(user).filter(pk=child.pk).exists():
        raise NotPermitted("You do not have access to this child's record.")


def may_record_visit(user: User, child: Child | None = None) -> bool:
    if not (user.is_authenticated and user.can(Capability.EDIT_CHILD)
            and user.role in VISITING_ROLES):
        return False
    return child is None or visible_children(user).filter(pk=child.pk).exists()


def may_add_entry(user: User, child: Child, *, in_scope: bool = False) -> bool:
    """Any core group member: the social worker and managers of the child's team and service,
    and partner professionals in the child's core group. `in_scope`: the caller reached the
    child through child_for_view in this request (the user's scope), so it is not asked
    again (issue 13 §2)."""
    if not user.is_authenticated or not (
            in_scope or visible_children(user).filter(pk=child.pk).exists()):
        return False
    if user.role in CONTRIBUTING_ROLES:
        return True
    return user.role == Role.PARTNER and is_core_group_partner(user, child)


# --- statutory visits ------------------------------------------------------------------------


def _check_visit(*, visited_at: datetime, child_seen: bool, seen_alone: bool | None,
                 seen_with: str, bedroom_seen: bool, access_refused: bool,
                 access_refused_details: str) -> None:
    if timezone.is_naive(visited_at):
        raise ServiceError("Give the time of the visit with its time zone.")
    if visited_at > timezone.now():
        raise ServiceError("The date and time of the visit must be in the past.")
    if access_refused:
        if child_seen or bedroom_seen:
            raise ServiceError("If access was refused, the child and their bedroom were not "
                               "seen: check your answers.")
        if not access_refused_details.strip():
            raise ServiceError("Describe what happened when access was refused.")
    if child_seen and seen_alone is None:
        raise ServiceError("Say whether the child was seen alone.")
    if child_seen and seen_alone is False and not seen_with.strip():
        raise ServiceError("Say who the child was seen with.")


def _reset_clock(*, child: Child, rule_id: str, visit: Visit, user: User) -> None:
    """003 "Seeing the Child": the clock restarts from this visit. The open deadline is met
    (or missed, if the visit came too late) and the next one runs from the visit's date.
    A visit recorded after a later one has been leaves the clock where it is."""
    visit_date = timezone.localtime(visit.visited_at).date()
    latest = (Deadline.objects.filter(child=child, rule_id=rule_id)
              .exclude(status=DeadlineStatus.CANCELLED)
              .order_by("-anchor_date", "-id").first())
    if latest is not None and latest.anchor_date > visit_date:
        return
    current = (Deadline.objects.filter(child=child, rule_id=rule_id,
                                       status=DeadlineStatus.OPEN)
               .order_by("-anchor_date", "-id").first())
    if current is not None:
        deadline_meet(deadline=current, at=visit.visited_at, user=user)
    deadline_set(child=child, rule_id=rule_id, anchor=visit_date, subject=visit, user=user)


@transaction.atomic
def visit_record(*, user: User, child: Child, visited_at: datetime, child_seen: bool,
                 seen_alone: bool | None = None, seen_with: str = "",
                 bedroom_seen: bool = False, access_refused: bool = False,
                 access_refused_details: str = "", notes: str = "",
                 location: str = VisitLocation.HOME, visited_by: User | None = None) -> Visit:
    """Record a statutory visit (DOMAIN §2 step 14). While the child is on a plan, seeing
    the child restarts `child_seen` and seeing where they sleep restarts `bedroom_seen`;
    access refused tells the manager and the core group (003)."""
    if not may_record_visit(user):
        raise NotPermitted(f"A {user.role_label.lower()} cannot record a statutory visit.")
    _require_visible(user, child)
    visited_by = visited_by or user
    if visited_by.authority_id != child.authority_id or visited_by.role not in VISITING_ROLES:
        raise ServiceError("Choose the social worker who made the visit.")
    if location not in VisitLocation.values:
        raise ServiceError("Choose where the visit took place.")
    _check_visit(visited_at=visited_at, child_seen=child_seen, seen_alone=seen_alone,
                 seen_with=seen_with, bedroom_seen=bedroom_seen,
                 access_refused=access_refused,
                 access_refused_details=access_refused_details)
    # Lock the child: two visits recorded at once must not both restart the same clock.
    child = Child.objects.select_for_update().get(pk=child.pk)
    visit = Visit.objects.create(
        child=child, visited_at=visited_at, visited_by=visited_by, location=location,
        child_seen=child_seen, seen_alone=seen_alone if child_seen else None,
        seen_with=seen_with.strip() if child_seen and not seen_alone else "",
        bedroom_seen=bedroom_seen, access_refused=access_refused,
        access_refused_details=access_refused_details.strip(), notes=notes.strip(),
        created_by=user, updated_by=user)
    if child.cp_stage == CpStage.PLAN:
        if child_seen:
            _reset_clock(child=child, rule_id="child_seen", visit=visit, user=user)
        if bedroom_seen:
            _reset_clock(child=child, rule_id="bedroom_seen", visit=visit, user=user)
    if access_refused:
        # 003: "the Children's Social Care line manager must be informed, as well as other
        # Core Group members".
        notify.access_refused(visit=visit, user=user)
    return visit


# --- chronology entries ----------------------------------------------------------------------


@transaction.atomic
def chronology_entry_add(*, user: User, child: Child, event_date: date,
                         significant_event: str, source: str, child_seen: bool,
                         event_time: time | None = None, event_type: str = "other",
                         who_involved: str = "", decisions_actions_outcome: str = "",
                         child_views: str = "", author_comments: str = "") -> ChronologyEntry:
    """An entry in the multi-agency chronology by a core group member (003), for their own
    agency: the contributing agency is the author's."""
    _require_visible(user, child)
    if not may_add_entry(user, child):
        raise NotPermitted("Only members of the child's core group may add to the "
                           "chronology.")
    if event_date > timezone.localdate():
        raise ServiceError("The date of the event must be today or in the past.")
    if event_type not in MANUAL_EVENT_TYPES:
        raise ServiceError("Choose the type of event from the list.")
    if not significant_event.strip():
        raise ServiceError("Describe the significant event.")
    if not source.strip():
        raise ServiceError("Say which record the information comes from.")
    return ChronologyEntry.objects.create(
        child=child, event_date=event_date, event_time=event_time, event_type=event_type,
        significant_event=significant_event.strip(), source=source.strip(),
        agency=user.agency, who_involved=who_involved.strip(),
        decisions_actions_outcome=decisions_actions_outcome.strip(), child_seen=child_seen,
        child_views=child_views.strip(), author_comments=author_comments.strip(),
        author=user, created_by=user, updated_by=user)
