"""Writes for ICPC requests, bookings and delay authorisations.

Each service checks the user's role and scope and the workflow's preconditions, writes in one
transaction (pghistory's triggers record who changed what), and sets, meets or cancels the
deadlines of DOMAIN §4 through the engine (deadlines.services): no timescale is computed here.

The workflow (000; 004; 002 §11.2):
  draft (social worker) → submitted → approved by the team manager, with a met threshold
  decision for each child (or returned with reasons, revised and resubmitted) → for a child
  who has had a plan before, agreed by the service manager → booked by business support
  (a date beyond the ICPC timescale needs a delay authorisation by the policy's role)
  → rebooked or cancelled with a reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.utils import timezone

from conferences import selectors, strategy_link
from conferences.models import (
    OPEN_REQUEST_STATUSES,
    Conference,
    ConferenceKind,
    ConferenceRequest,
    ConferenceStatus,
    DelayAuthorisation,
    DelayStatus,
    RequestedChild,
    RequestStatus,
)
from conferences.preparation import selectors as preparation_selectors
from conferences.preparation import services as preparation
from cpcases.accounts.models import Authority, User
from cpcases.accounts.roles import MANAGEMENT_LADDER, Role
from cpcases.children.models import Allocation, Child, CpStage
from cpcases.children.scoping import visible_children
from cpcases.core.errors import NotPermitted, ServiceError
from cpcases.outbox.services import outbox_enqueue
from deadlines import lifecycle
from deadlines import services as deadlines
from deadlines.models import Deadline, DeadlineStatus

MAX_DANGER_STATEMENTS = 3  # 000: "a maximum of 3 danger statements"
CHAIR_ROLES = (Role.CP_CHAIR, *MANAGEMENT_LADDER)


# --- helpers ----------------------------------------------------------------------------------


def _require_role(user: User, roles: Iterable[str], action: str) -> None:
    if not user.is_active or user.role not in roles:
        raise NotPermitted(f"A {user.role_label.lower()} cannot {action}.")


def _require_children_visible(user: User, children: Iterable[Child]) -> None:
    ids = {c.pk for c in children}
    if visible_children(user).filter(pk__in=ids).count() != len(ids):
        raise NotPermitted("You do not have access to every child on this request.")


def _locked(request: ConferenceRequest, user: User) -> ConferenceRequest:
    """The request, locked for this transaction, if the user may see it."""
    locked = ConferenceRequest.objects.select_for_update().filter(pk=request.pk).first()
    if locked is None or not selectors.requests_visible(user=user).filter(
            pk=request.pk).exists():
        raise NotPermitted("You do not have access to this conference request.")
    return locked


def _children(request: ConferenceRequest) -> list[Child]:
    return [rc.child for rc in request.requested_children.select_related("child__authority")]


def _require_status(request: ConferenceRequest, statuses: Sequence[str], action: str) -> None:
    if request.status not in statuses:
        raise ServiceError(f"This request is {request.get_status_display().lower()}: "
                           f"it cannot be {action}.")


def _open_deadlines(child: Child, rule_id: str, subject: models.Model | None = None
                    ) -> list[Deadline]:
    queryset = Deadline.objects.filter(child=child, rule_id=rule_id,
                                       status=DeadlineStatus.OPEN)
    if subject is not None:
        queryset = queryset.filter(content_type__model=subject._meta.model_name,
                                   content_type__app_label=subject._meta.app_label,
                                   object_id=subject.pk)
    return list(queryset)


def _cancel_open(child: Child, rule_id: str, subject: models.Model | None, reason: str,
                 user: User) -> None:
    """Cancel the open deadlines whose anchor is undone; met ones stay met (DOMAIN §4)."""
    for deadline in _open_deadlines(child, rule_id, subject):
        deadlines.deadline_cancel(deadline=deadline, reason=reason, user=user)


def _set_stage(children: Iterable[Child], stage: str, *, only_from: Iterable[str] | None = None
               ) -> None:
    """Move the children along the pathway. Not a user edit: the record's version (which
    guards the editable fields against lost updates) is left alone."""
    queryset = Child.objects.filter(pk__in=[c.pk for c in children])
    if only_from is not None:
        queryset = queryset.filter(cp_stage__in=list(only_from))
    queryset.update(cp_stage=stage)


def _mail_on_commit(subject: str, body: str, recipients: Iterable[User | None]) -> None:
    """Tell people once the change is committed (never about a write that rolled back)."""
    addresses = sorted({u.email for u in recipients if u and u.email and u.is_active})
    if addresses:
        # Into the outbox with the change; sent once it commits (issue 12 §1).
        outbox_enqueue(message=EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL,
                                            addresses), kind="workflow")


def _business_support_team(request: ConferenceRequest) -> list[User]:
    return list(User.objects.filter(authority_id=request.authority_id,
                                    role=Role.BUSINESS_SUPPORT, is_active=True))


# --- the request ------------------------------------------------------------------------------


def _check_children(user: User, children: Sequence[Child],
                    exclude_request: ConferenceRequest | None = None) -> None:
    if not children:
        raise ServiceError("Choose at least one child.")
    _require_children_visible(user, children)
    households = {c.household_id for c in children}
    if len(children) > 1 and (len(households) != 1 or None in households):
        raise ServiceError("The children of one request must be of the same household.")
    busy = RequestedChild.objects.filter(child__in=children,
                                         request__status__in=OPEN_REQUEST_STATUSES)
    if exclude_request is not None:
        busy = busy.exclude(request=exclude_request)
    clash = busy.select_related("child").first()
    if clash is not None:
        raise ServiceError(f"{clash.child} is already on conference request "
                           f"{clash.request_id}.")


def _write_children(request: ConferenceRequest, children: Sequence[Child],
                    had_plan_before: Iterable[int]) -> None:
    before = set(had_plan_before)
    request.requested_children.exclude(child__in=children).delete()
    for child in children:
        RequestedChild.objects.update_or_create(
            request=request, child=child,
            defaults={"had_plan_before": child.pk in before})


@transaction.atomic
def conference_request_create(*, user: User, children: Sequence[Child], reason: str,
                              had_plan_before: Iterable[int] = (),
                              kind: str = ConferenceKind.INITIAL,
                              transfer_agreed_on: date | None = None,
                              originating_authority: str = "") -> ConferenceRequest:
    """The social worker drafts a request for one or more children of a household.

    `had_plan_before`: the ids of children who have had a child protection plan before
    (000: a second conference needs the service manager's agreement). A pre-birth request
    includes the unborn baby (002 §7, 003); a transfer-in request the date the authorities
    agreed (or the move was notified) and the originating authority (003): their timescales
    start now (conferences.preparation)."""
    _require_role(user, (Role.SOCIAL_WORKER, Role.TEAM_MANAGER), "request a conference")
    _check_children(user, children)
    if not reason.strip():
        raise ServiceError("Give the reason for the conference.")
    if kind not in ConferenceKind.values:
        raise ServiceError("Choose the kind of conference.")
    preparation.check_request_kind(kind=kind, children=children,
                                   transfer_agreed_on=transfer_agreed_on,
                                   originating_authority=originating_authority)
    transfer = kind == ConferenceKind.TRANSFER_IN
    request = ConferenceRequest.objects.create(
        authority_id=user.authority_id, kind=kind, household_id=children[0].household_id,
        reason=reason, social_worker=user, created_by=user, updated_by=user,
        transfer_agreed_on=transfer_agreed_on if transfer else None,
        originating_authority=originating_authority.strip() if transfer else "")
    _write_children(request, children, had_plan_before)
    preparation.kind_deadlines_set(request=request, user=user)
    return request


@transaction.atomic
def conference_request_update(*, user: User, request: ConferenceRequest,
                              children: Sequence[Child], reason: str,
                              had_plan_before: Iterable[int] = (),
                              transfer_agreed_on: date | None = None,
                              originating_authority: str | None = None) -> ConferenceRequest:
    """Revise a draft, or a request the team manager returned."""
    _require_role(user, (Role.SOCIAL_WORKER, Role.TEAM_MANAGER), "change a request")
    request = _locked(request, user)
    _require_status(request, (RequestStatus.DRAFT, RequestStatus.RETURNED), "changed")
    _check_children(user, children, exclude_request=request)
    if not reason.strip():
        raise ServiceError("Give the reason for the conference.")
    if request.kind == ConferenceKind.TRANSFER_IN:
        request.transfer_agreed_on = transfer_agreed_on or request.transfer_agreed_on
        if originating_authority is not None:
            request.originating_authority = originating_authority.strip()
    preparation.check_request_kind(kind=request.kind, children=children,
                                   transfer_agreed_on=request.transfer_agreed_on,
                                   originating_authority=request.originating_authority)
    request.reason, request.updated_by = reason, user
    request.household_id = children[0].household_id
    request.save()
    _write_children(request, children, had_plan_before)
    preparation.kind_deadlines_set(request=request, user=user)
    return request


@transaction.atomic
def conference_request_submit(*, user: User, request: ConferenceRequest) -> ConferenceRequest:
    """Send the request to the team manager. Each child needs a Section 47 enquiry under way
    or substantiated (000: the manager requests the date on the day of the strategy
    discussion; an enquiry then not substantiated cancels it within `icpc_cancellation`)."""
    _require_role(user, (Role.SOCIAL_WORKER, Role.TEAM_MANAGER), "submit a request")
    request = _locked(request, user)
    _require_status(request, (RequestStatus.DRAFT, RequestStatus.RETURNED), "submitted")
    if request.kind == ConferenceKind.INITIAL:
        for child in _children(request):
            if not strategy_link.s47_requestable(child):
                raise ServiceError(f"{child} has no Section 47 enquiry under way or "
                                   "substantiated: a conference follows an enquiry.")
    request.status, request.submitted_at, request.updated_by = (
        RequestStatus.SUBMITTED, timezone.now(), user)
    request.save()
    return request


def _require_manager_of(user: User, request: ConferenceRequest, action: str) -> None:
    _require_role(user, (Role.TEAM_MANAGER,), action)
    _require_children_visible(user, _children(request))


@transaction.atomic
def conference_request_approve(*, user: User, request: ConferenceRequest,
                               note: str = "") -> ConferenceRequest:
    """The team manager approves: the threshold decision for each child is part of it
    (002 §2.3; 004: the Significant Harm Checklist). Business support is notified
    (`icpc_date_offered`, 24 h: 000); the request is made (`icpc_request` met)."""
    request = _locked(request, user)
    _require_manager_of(user, request, "approve a conference request")
    _require_status(request, (RequestStatus.SUBMITTED,), "approved")
    now = timezone.now()
    # 003: a transfer-in conference is for a child already on another authority's plan:
    # there is no threshold decision here; it is treated as an ICPC once held.
    needs_threshold = request.kind != ConferenceKind.TRANSFER_IN
    for rc in request.requested_children.select_related("child"):
        if not needs_threshold:
            continue
        decision = strategy_link.latest_threshold_decision(rc.child)
        if decision is None:
            raise ServiceError(f"Record the threshold decision for {rc.child} (the "
                               "Significant Harm Checklist) before approving.")
        if not decision.met:
            raise ServiceError(f"The threshold for {rc.child} was decided not met: a "
                               "conference cannot be approved.")
        rc.threshold_decision = decision
        rc.save(update_fields=["threshold_decision"])
    request.status, request.approved_by, request.approved_at = (
        RequestStatus.APPROVED, user, now)
    request.approval_note, request.updated_by = note, user
    request.save()
    if not needs_threshold:
        # The child is in an active child protection process from now: business support
        # and chairs see the record to book the conference.
        _set_stage(_children(request), CpStage.CONFERENCE, only_from=(CpStage.NONE,))
    for child in _children(request):
        # 000: the manager requests the ICPC on the day of the strategy discussion (meets
        # `icpc_request`); business support answers with a date within 24 hours (opens
        # `icpc_date_offered`, their team queue), as the policy declares.
        lifecycle.emit(lifecycle.Event.ICPC_REQUESTED, child=child, actor=user, at=now,
                       subject=request, anchor=now)
    _mail_on_commit("Conference request to book",
                    f"{user} approved conference request {request.pk}. Offer a date within "
                    "24 hours.", _business_support_team(request))  # 000
    return request


@transaction.atomic
def conference_request_return(*, user: User, request: ConferenceRequest,
                              reason: str) -> ConferenceRequest:
    """The team manager sends the request back with reasons; the social worker revises."""
    request = _locked(request, user)
    _require_manager_of(user, request, "return a conference request")
    _require_status(request, (RequestStatus.SUBMITTED,), "returned")
    if not reason.strip():
        raise ServiceError("Give the reasons for returning the request.")
    request.status, request.returned_by, request.returned_at = (
        RequestStatus.RETURNED, user, timezone.now())
    request.return_reason, request.updated_by = reason, user
    request.save()
    _mail_on_commit("Conference request returned",
                    f"{user} returned conference request {request.pk}: {reason}",
                    [request.social_worker])
    return request


@transaction.atomic
def conference_request_agree_second(*, user: User, request: ConferenceRequest,
                                    note: str = "") -> ConferenceRequest:
    """000: "Cases returning to conference for the second time must have the agreement and
    discussion with the Service Manager of the designated services"."""
    _require_role(user, (Role.SERVICE_MANAGER,), "agree a second conference")
    request = _locked(request, user)
    _require_children_visible(user, _children(request))
    _require_status(request, (RequestStatus.APPROVED,), "agreed")
    if not request.needs_second_conference_agreement:
        raise ServiceError("No child on this request has had a plan before.")
    if request.second_conference_agreed:
        raise ServiceError("The second conference has already been agreed.")
    request.second_conference_agreed_by = user
    request.second_conference_agreed_at = timezone.now()
    request.second_conference_note, request.updated_by = note, user
    request.save()
    return request


# --- booking ----------------------------------------------------------------------------------


def check_chair_independent(chair: User, children: Iterable[Child]) -> None:
    """002 §11.2: the chair has no operational or line-management responsibility for the
    case: not the allocated social worker, not a team manager of the allocated team, not the
    service manager or head of service of its service."""
    for child in children:
        allocation = (Allocation.objects.filter(child=child, ended_on__isnull=True)
                      .select_related("team").first())
        if allocation is None:
            continue
        manages = (
            allocation.social_worker_id == chair.pk
            or (chair.role == Role.TEAM_MANAGER and chair.team_id == allocation.team_id)
            or (chair.role in (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
                and chair.effective_service_id == allocation.team.service_id))
        if manages:
            raise ServiceError(f"{chair} manages {child}'s case and cannot chair the "
                               "conference: choose an independent chair.")  # 002 §11.2
    if not chair.is_active or chair.role not in CHAIR_ROLES:
        raise ServiceError(f"{chair} cannot chair a conference: choose a child protection "
                           "chair.")


def _check_booking(user: User, request: ConferenceRequest, *, on: date, start_time: time,
                   venue: str, online_link: str, chair: User, minute_taker: User
                   ) -> tuple[date | None, DelayAuthorisation | None]:
    """Everything a booking or rebooking must satisfy; returns the ICPC due date and the
    delay authorisation that covers a late date."""
    children = _children(request)
    if not (venue.strip() or online_link.strip()):
        raise ServiceError("Give the venue or the online meeting link.")
    if on < timezone.localdate():
        raise ServiceError("The conference date must be today or later.")
    if not deadlines.calendar_for(request.authority_id).is_working_day(on):
        raise ServiceError(f"{on:%-d %B %Y} is not a working day.")
    if chair.authority_id != request.authority_id:
        raise ServiceError("Choose a chair from this authority.")
    check_chair_independent(chair, children)
    if (minute_taker.authority_id != request.authority_id or not minute_taker.is_active
            or minute_taker.role != Role.BUSINESS_SUPPORT):
        raise ServiceError("Choose a minute-taker from business support.")  # 002 §22.3
    if request.kind != ConferenceKind.INITIAL:
        # Pre-birth and transfer-in: the due date is shown (within or outside timescale);
        # 002 §3.4 allows a pre-birth conference to be delayed, and the ICPC delay
        # authorisation is the ICPC's.
        return preparation_selectors.kind_due_date(request), None
    due = selectors.icpc_due_date(request)
    authorisation = None
    if due is not None and on > due:
        authorisation = selectors.authorised_delay(request)
        if authorisation is None or authorisation.latest_date < on:
            raise ServiceError(
                f"{on:%-d %B %Y} is after the ICPC due date ({due:%-d %B %Y}): a date beyond "
                "the timescale needs a delay authorisation. Choose an earlier date or "  # 000
                "request an authorisation.")
    return due, authorisation


def booking_impossible_deadlines(request: ConferenceRequest, on: date, start_time: time
                                 ) -> list[deadlines.Impossible]:
    """The preparation deadlines a booking on `on` at `start_time` makes impossible (already
    past when set: e.g. a same-day booking), for business support to see before confirming
    (issue 9 point 5)."""
    start = datetime.combine(on, start_time, tzinfo=deadlines.LONDON)
    anchors: dict[str, Any] = {"attendee_details": on, "report_countersigned": start,
                               "report_to_family": on, "report_to_chair": on,
                               "agency_report_to_chair": start}
    if request.kind == ConferenceKind.TRANSFER_IN:
        anchors["originating_report"] = on
    authority = Authority.objects.get(pk=request.authority_id)
    return deadlines.deadlines_impossible(authority, anchors)


def impossible_message(on: date, impossible: Sequence[deadlines.Impossible]) -> str:
    return (f"Booking on {on:%-d %B %Y} means these deadlines can no longer be met: "
            + "; ".join(i.describe() for i in impossible)
            + ". Give the reason to book this date anyway: they will be recorded as missed "
              "with it.")


@transaction.atomic
def conference_book(*, user: User, request: ConferenceRequest, on: date, start_time: time,
                    chair: User, minute_taker: User, venue: str = "",
                    online_link: str = "", impossible_reason: str = "") -> Conference:
    """Business support books the approved request (000: a date within 24 hours; the social
    worker then completes the invitation list within 48 hours). A date that makes
    preparation deadlines impossible needs `impossible_reason`; they are recorded missed."""
    _require_role(user, (Role.BUSINESS_SUPPORT,), "book a conference")
    request = _locked(request, user)
    if request.status in (RequestStatus.DRAFT, RequestStatus.SUBMITTED,
                          RequestStatus.RETURNED):
        raise ServiceError("This request has not been approved by the team manager: it "
                           "cannot be booked yet.")
    _require_status(request, (RequestStatus.APPROVED,), "booked")
    if request.needs_second_conference_agreement and not request.second_conference_agreed:
        raise ServiceError("A child on this request has had a plan before: the service "
                           "manager must agree a second conference before it is booked.")  # 000
    due, authorisation = _check_booking(user, request, on=on, start_time=start_time,
                                        venue=venue, online_link=online_link, chair=chair,
                                        minute_taker=minute_taker)
    impossible = booking_impossible_deadlines(request, on, start_time)
    if impossible and not impossible_reason.strip():
        raise ServiceError(impossible_message(on, impossible))
    now = timezone.now()
    conference = Conference.objects.create(
        authority_id=request.authority_id, kind=request.kind, request=request, date=on,
        start_time=start_time, venue=venue, online_link=online_link, chair=chair,
        minute_taker=minute_taker, due_date=due, delay_authorisation=authorisation,
        created_by=user, updated_by=user)
    children = _children(request)
    conference.children.set(children)
    request.status, request.updated_by = RequestStatus.BOOKED, user
    request.save()
    for child in children:
        for deadline in _open_deadlines(child, "icpc_date_offered", request):
            deadlines.deadline_meet(deadline=deadline, at=now, user=user)
        # 000: the social worker completes the invitation list within 48 hours of the offer.
        deadlines.deadline_set(child=child, rule_id="invitation_list", anchor=now,
                               subject=conference, responsible=request.social_worker,
                               user=user)
        # 004: attendee details at least one week before the conference.
        deadlines.deadline_set(child=child, rule_id="attendee_details", anchor=on,
                               subject=conference, responsible=request.social_worker,
                               user=user)
    # 002 §15-16: the report deadlines run from the conference's date and start time.
    preparation.report_deadlines_set(conference=conference, user=user)
    if impossible:
        # Born missed, with the reason given, and no breach notices (issue 9 point 5).
        for child in children:
            deadlines.deadlines_record_impossible(
                child=child, rule_ids=[i.rule_id for i in impossible], subject=conference,
                reason=f"Booked for {on:%-d %B %Y}: {impossible_reason.strip()}", user=user)
    _set_stage(children, CpStage.CONFERENCE)
    _mail_on_commit("Conference booked: complete the invitation list",
                    f"The conference for request {request.pk} is booked for "
                    f"{on:%-d %B %Y} at {start_time:%H:%M}. Complete the invitation list "
                    "within 48 hours.", [request.social_worker, chair])  # 000
    return conference


@transaction.atomic
def conference_reschedule(*, user: User, conference: Conference, on: date, start_time: time,
                          chair: User, minute_taker: User, venue: str = "",
                          online_link: str = "") -> Conference:
    """Move a booked conference; deadlines anchored on its date are recomputed."""
    _require_role(user, (Role.BUSINESS_SUPPORT,), "rebook a conference")
    if conference.request is None:
        raise ServiceError("This conference has no request.")
    request = _locked(conference.request, user)
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    if conference.status != ConferenceStatus.BOOKED:
        raise ServiceError("Only a booked conference can be rebooked.")
    due, authorisation = _check_booking(user, request, on=on, start_time=start_time,
                                        venue=venue, online_link=online_link, chair=chair,
                                        minute_taker=minute_taker)
    chair_changed = conference.chair_id != chair.pk
    conference.date, conference.start_time = on, start_time
    conference.venue, conference.online_link = venue, online_link
    conference.chair, conference.minute_taker = chair, minute_taker
    conference.due_date, conference.delay_authorisation = due, authorisation
    conference.updated_by = user
    conference.save()
    for child in conference.children.all():
        deadlines.deadline_set(child=child, rule_id="attendee_details", anchor=on,
                               subject=conference, user=user)
    preparation.conference_rescheduled(conference=conference, user=user)
    if chair_changed:
        # The chair's deadlines for this conference move with the chair, both told.
        deadlines.deadlines_reassign_for(conference=conference, actor=user,
                                         reason=f"Chair changed to {chair}")
    _mail_on_commit("Conference rebooked",
                    f"The conference for request {request.pk} is now on {on:%-d %B %Y} at "
                    f"{start_time:%H:%M}.", [request.social_worker, chair])
    return conference


@transaction.atomic
def conference_request_cancel(*, user: User, request: ConferenceRequest,
                              reason: str) -> ConferenceRequest:
    """The conference is no longer needed (000: the manager tells business support within 5
    working days of the request, `icpc_cancellation`). Cancels the booking if any, and the
    deadlines whose anchor is undone. A social worker may withdraw their own draft."""
    request = _locked(request, user)
    if request.status in (RequestStatus.DRAFT, RequestStatus.RETURNED):
        _require_role(user, (Role.SOCIAL_WORKER, Role.TEAM_MANAGER), "withdraw a request")
    else:
        _require_role(user, (Role.TEAM_MANAGER, Role.BUSINESS_SUPPORT),
                      "cancel a conference request")
    _require_status(request, OPEN_REQUEST_STATUSES, "cancelled")
    if not reason.strip():
        raise ServiceError("Give the reason the conference is no longer needed.")
    now = timezone.now()
    was_made = request.approved_at is not None
    request.status, request.cancelled_by, request.cancelled_at = (
        RequestStatus.CANCELLED, user, now)
    request.cancellation_reason, request.updated_by = reason, user
    request.save()
    children = _children(request)
    note = f"Conference no longer needed: {reason}"
    for conference in request.conferences.select_for_update().filter(
            status=ConferenceStatus.BOOKED):
        conference.status, conference.cancelled_by, conference.cancelled_at = (
            ConferenceStatus.CANCELLED, user, now)
        conference.cancellation_reason, conference.updated_by = reason, user
        conference.save()
        for child in children:
            _cancel_open(child, "invitation_list", conference, note, user)
            _cancel_open(child, "attendee_details", conference, note, user)
            lifecycle.emit(lifecycle.Event.CONFERENCE_CANCELLED, child=child, actor=user,
                           at=now, scope=[conference], reason=note)
        preparation.conference_cancelled(conference=conference, reason=note, user=user)
    preparation.kind_deadlines_cancel(request=request, reason=note, user=user)
    if was_made:
        for child in children:
            _cancel_open(child, "icpc_date_offered", request, note, user)
            _cancel_open(child, "icpc", None, note, user)
    for child in children:
        # 000: business support told within 5 working days of the request: the cancellation
        # meets `icpc_cancellation`, opened when the enquiry was not substantiated; whatever
        # else led to this conference ends (policy LIFECYCLES).
        lifecycle.emit(lifecycle.Event.ICPC_REQUEST_CANCELLED, child=child, actor=user,
                       at=now, reason=note)
    _set_stage(children, CpStage.SECTION_47, only_from=(CpStage.CONFERENCE,))
    return request


# --- delay authorisations ---------------------------------------------------------------------


def _children_details(children: Iterable[Child], on: date) -> list[dict[str, Any]]:
    """000: "the personal identification number for the child/ren; the age of the
    child/ren"."""
    return [{"child_id": c.pk, "la_child_id": c.la_child_id, "name": c.display_name,
             "age": c.age_on(on)} for c in children]


@transaction.atomic
def delay_authorisation_request(*, user: User, request: ConferenceRequest, latest_date: date,
                                danger_statements: Sequence[str], rationale: str
                                ) -> DelayAuthorisation:
    """Ask for an ICPC beyond the timescale, in writing (000)."""
    _require_role(user, (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.BUSINESS_SUPPORT,
                         Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE),
                  "request a delay authorisation")
    request = _locked(request, user)
    _require_status(request, (RequestStatus.SUBMITTED, RequestStatus.APPROVED,
                              RequestStatus.BOOKED), "delayed")
    statements = [s.strip() for s in danger_statements if s and s.strip()]
    if not statements:
        raise ServiceError("Give at least one danger statement.")
    if len(statements) > MAX_DANGER_STATEMENTS:
        raise ServiceError("Give at most 3 danger statements.")  # 000
    if not rationale.strip():
        raise ServiceError("Give the rationale: why the children are likely to be at risk of "
                           "significant harm.")
    due = selectors.icpc_due_date(request)
    if due is None:
        raise ServiceError("There is no ICPC due date for these children to delay.")
    if latest_date <= due:
        raise ServiceError(f"{latest_date:%-d %B %Y} is within the timescale (due "
                           f"{due:%-d %B %Y}): no authorisation is needed.")
    if request.delay_authorisations.filter(status=DelayStatus.REQUESTED).exists():
        raise ServiceError("A delay authorisation is already awaiting a decision.")
    padded = [*statements, "", ""][:MAX_DANGER_STATEMENTS]
    return DelayAuthorisation.objects.create(
        request=request, latest_date=latest_date,
        children_details=_children_details(_children(request), timezone.localdate()),
        danger_statement_1=padded[0], danger_statement_2=padded[1],
        danger_statement_3=padded[2], rationale=rationale, requested_by=user,
        created_by=user, updated_by=user)


@transaction.atomic
def delay_authorisation_decide(*, user: User, authorisation: DelayAuthorisation,
                               authorise: bool, note: str = "") -> DelayAuthorisation:
    """The policy's role (000: Head of Service; 002 §3.5, 003: team manager) authorises or
    refuses. Authorised: each child's `icpc` deadline is marked delay-authorised."""
    if not selectors.may_authorise_icpc_delay(user):
        raise NotPermitted(f"A {user.role_label.lower()} cannot authorise an ICPC delay in "
                           "this authority.")
    authorisation = (DelayAuthorisation.objects.select_for_update()
                     .select_related("request").get(pk=authorisation.pk))
    request = _locked(authorisation.request, user)
    _require_children_visible(user, _children(request))
    if authorisation.status != DelayStatus.REQUESTED:
        raise ServiceError("This delay authorisation has already been decided.")
    if not authorise and not note.strip():
        raise ServiceError("Give the reason for refusing.")
    authorisation.status = DelayStatus.AUTHORISED if authorise else DelayStatus.REFUSED
    authorisation.decided_by, authorisation.decided_at = user, timezone.now()
    authorisation.decision_note, authorisation.updated_by = note, user
    authorisation.save()
    if authorise:
        reason = (f"ICPC by {authorisation.latest_date:%d/%m/%Y}. Danger statements: "
                  + " / ".join(authorisation.danger_statements)
                  + f". Rationale: {authorisation.rationale}")
        for child in _children(request):
            for deadline in _open_deadlines(child, "icpc"):
                deadlines.deadline_authorise_delay(deadline=deadline, by=user, reason=reason)
    return authorisation

