"""Writes for the conference day and after.

Each service checks the user's role and scope and the workflow's preconditions, writes in one
transaction (pghistory's triggers record who changed what), and sets, meets or cancels the
deadlines of DOMAIN §4 through the engine (deadlines.services): no timescale is computed here.

The day (002 §5, §17-19, §22-23; 001; 003):
  attendance recorded by the minute-taker or chair → quorate: the chair starts it; inquorate:
  the chair adjourns with a new date (`inquorate_reconvene`) or proceeds on an exceptional
  ground (an early review follows) → the chair records each child's decision separately
  (plan with one category, lead social worker, core group and first date, first review booked;
  or a Child in Need plan; at a review, continue or end) → decision letter and decisions
  summary (`decision_letter`) → the record, signed off by the chair and distributed
  (`record_to_professionals`, `record_to_family`), amendment requests judged against
  `record_amendment_window` → letters to professionals who neither came nor sent a report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.utils import timezone

from conferences.models import Conference, ConferenceKind, ConferenceStatus
from conferences.outcomes import selectors
from conferences.outcomes.models import (
    INITIAL_OUTCOMES,
    REVIEW_OUTCOMES,
    AgencyView,
    AmendmentRequest,
    Attendance,
    AttendanceStatus,
    Audience,
    ChildDecision,
    ConferenceDay,
    ConferenceRecord,
    DecisionOutcome,
    Distribution,
    ExceptionalCircumstance,
    ManagementEscalation,
    NonAttendanceLetter,
    ParticipantType,
    ProceedGround,
    RecordSection,
    ReviewChange,
    ReviewTrigger,
    SafetyScore,
)
from conferences.preparation.services import report_deadlines_set
from cpcases.accounts.models import User
from cpcases.accounts.roles import MANAGEMENT_LADDER, Agency, Role
from cpcases.children.models import (
    Allocation,
    Child,
    CpStage,
    InvolvementKind,
    PartnerInvolvement,
)
from cpcases.core.errors import NotPermitted, ServiceError
from cpcases.outbox.services import outbox_enqueue
from cpcases.plans import services as plans
from cpcases.plans.models import ChildProtectionPlan, PlanCategory, PlanEndReason
from deadlines import lifecycle
from deadlines import services as deadlines
from deadlines.models import Deadline, DeadlineStatus
from lifeevents.ending import plan_end_views_seek
from returns import entry

MAX_SCORE = 10  # 001: scaling 0-10
REVIEW_KINDS = (ConferenceKind.REVIEW,)
# Review deadlines a review conference meets when it is held (003; 002 §7.13). The early
# review after an inquorate conference that proceeded is `inquorate_reconvene` (see
# _review_limit).
REVIEW_RULES = ("first_review", "next_review", "prebirth_first_review",
                "eighteenth_birthday_review", "inquorate_reconvene")
# Deadlines an initial, pre-birth or transfer-in conference meets when it is held.
# 002 §3.2-3.3: an ICPC brought forward by an order (lifeevents) is met by the same ICPC.
HELD_RULES = {ConferenceKind.INITIAL: ("icpc", "icpc_before_order_expiry", "icpc_after_cao"),
              ConferenceKind.PRE_BIRTH: ("prebirth_conference", "icpc"),
              ConferenceKind.TRANSFER_IN: ("transfer_conference",)}


# --- helpers ----------------------------------------------------------------------------------


def _mail_on_commit(subject: str, body: str, recipients: Iterable[User | None]) -> None:
    addresses = sorted({u.email for u in recipients if u and u.email and u.is_active})
    if addresses:
        # Into the outbox with the change; sent once it commits (issue 12 §1).
        outbox_enqueue(message=EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL,
                                            addresses), kind="workflow")


def _locked(conference: Conference, user: User) -> Conference:
    """The conference, locked for this transaction, if the user may see it."""
    if not selectors.conferences_visible(user=user).filter(pk=conference.pk).exists() \
            or user.role == Role.PARTNER:
        raise NotPermitted("You do not have access to this conference.")
    return Conference.objects.select_for_update().select_related("authority", "chair").get(
        pk=conference.pk)


def _require_chair(user: User, conference: Conference, action: str) -> None:
    """002 §17.3, §18.1: the chair decides; nobody else records it in their name."""
    if user.pk != conference.chair_id:
        raise NotPermitted(f"Only the conference's chair ({conference.chair}) can {action}.")


def _require_minutes(user: User, conference: Conference, action: str) -> None:
    """The dedicated minute-taker (002 §22.3), the chair, or the authority's business
    support standing in."""
    if user.pk in (conference.chair_id, conference.minute_taker_id) or (
            user.role == Role.BUSINESS_SUPPORT and user.authority_id == conference.authority_id):
        return
    raise NotPermitted(f"Only the chair or the minute-taker can {action}.")


def _day(conference: Conference) -> ConferenceDay:
    day, _ = ConferenceDay.objects.select_for_update().get_or_create(conference=conference)
    return day


def _record(conference: Conference) -> ConferenceRecord:
    record, _ = ConferenceRecord.objects.select_for_update().get_or_create(
        conference=conference)
    return record


def _children(conference: Conference) -> list[Child]:
    return list(conference.children.select_related("authority").order_by("date_of_birth",
                                                                           "pk"))


def _open(child: Child, rule_ids: Iterable[str], subject: models.Model | None = None
          ) -> list[Deadline]:
    queryset = Deadline.objects.filter(child=child, rule_id__in=list(rule_ids),
                                       status=DeadlineStatus.OPEN)
    if subject is not None:
        queryset = queryset.filter(content_type__app_label=subject._meta.app_label,
                                   content_type__model=subject._meta.model_name,
                                   object_id=subject.pk)
    return list(queryset)


def _meet(child: Child, rule_ids: Iterable[str], at: datetime, user: User,
          subject: models.Model | None = None) -> None:
    for deadline in _open(child, rule_ids, subject):
        deadlines.deadline_meet(deadline=deadline, at=at, user=user)


def _working_day_on_or_before(authority_id: int, day: date) -> date:
    """The conference is held on a working day: step back from a weekend or bank holiday."""
    calendar = deadlines.calendar_for(authority_id)
    return day if calendar.is_working_day(day) else calendar.previous_working_day(day)


def _check_date(conference: Conference, on: date, what: str) -> None:
    if not deadlines.calendar_for(conference.authority_id).is_working_day(on):
        raise ServiceError(f"{on:%-d %B %Y} is not a working day: choose another date for "
                           f"{what}.")


def _managers_of(child: Child) -> list[User]:
    """The team manager(s) of the child's allocated team and the service manager(s) of its
    service (001: escalate to social work management)."""
    allocation = (Allocation.objects.filter(child=child, ended_on__isnull=True)
                  .select_related("team").first())
    if allocation is None:
        return []
    return list(User.objects.filter(is_active=True).filter(
        models.Q(role=Role.TEAM_MANAGER, team_id=allocation.team_id)
        | models.Q(role=Role.SERVICE_MANAGER, service_id=allocation.team.service_id)))


def _book(*, like: Conference, kind: str, on: date, children: Sequence[Child], user: User,
          request: Any = None) -> Conference:
    """Book a conference the day itself decides on (a reconvened or review conference),
    with the same chair, minute-taker, time and place; the social worker's attendee details
    are due a week before (004), as for any booking."""
    _check_date(like, on, "the conference")
    conference = Conference.objects.create(
        authority_id=like.authority_id, kind=kind, request=request, date=on,
        start_time=like.start_time, venue=like.venue, online_link=like.online_link,
        chair=like.chair, minute_taker=like.minute_taker, created_by=user, updated_by=user)
    conference.children.set(children)
    for child in children:
        deadlines.deadline_set(child=child, rule_id="attendee_details", anchor=on,
                               subject=conference, user=user)
    # Reports are due before a review or reconvened conference as before any other (002 §15).
    report_deadlines_set(conference=conference, user=user)
    return conference


# --- attendance -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceData:
    name: str
    agency: str = ""
    role: str = ""
    participant_type: str = ParticipantType.PROFESSIONAL
    status: str = AttendanceStatus.PRESENT
    direct_contact: bool = False
    report_sent: bool = False
    email: str = ""
    address: str = ""
    user: User | None = None


def _check_attendance(data: AttendanceData) -> None:
    if not data.name.strip():
        raise ServiceError("Give the person's name.")
    if data.status not in AttendanceStatus.values:
        raise ServiceError("Choose present, apologies or absent.")
    if data.participant_type not in ParticipantType.values:
        raise ServiceError("Choose who the person is: professional, family, child or "
                           "supporter.")
    if data.participant_type == ParticipantType.PROFESSIONAL and data.agency not in \
            Agency.values:
        raise ServiceError(f"Give {data.name}'s agency.")


def _involve_partner(conference: Conference, attendance: Attendance) -> None:
    """A partner who attended sees the children of the conference (and its decisions
    summary) through a conference involvement."""
    user = attendance.user
    if user is None or user.role != Role.PARTNER or \
            attendance.status != AttendanceStatus.PRESENT:
        return
    for child in conference.children.all():
        PartnerInvolvement.objects.update_or_create(
            child=child, user=user, kind=InvolvementKind.CONFERENCE, object_id=conference.pk,
            defaults={"agency": user.agency, "ended_on": None})


def _check_open_for_attendance(conference: Conference) -> None:
    if conference.status == ConferenceStatus.CANCELLED:
        raise ServiceError("This conference was cancelled.")
    record = selectors.record_for(conference)
    if record is not None and record.signed_off_at is not None:
        raise ServiceError("The record has been signed off: attendance can no longer change.")


@transaction.atomic
def attendance_add(*, conference: Conference, user: User, data: AttendanceData) -> Attendance:
    """The minute-taker records who was invited and whether they came (002 §22.4)."""
    conference = _locked(conference, user)
    _require_minutes(user, conference, "record attendance")
    _check_open_for_attendance(conference)
    _check_attendance(data)
    attendance = Attendance.objects.create(
        conference=conference, participant_type=data.participant_type, user=data.user,
        name=data.name.strip(), agency=data.agency, role=data.role, email=data.email,
        address=data.address, status=data.status, direct_contact=data.direct_contact,
        report_sent=data.report_sent, created_by=user, updated_by=user)
    _involve_partner(conference, attendance)
    return attendance


@transaction.atomic
def attendance_add_many(*, conference: Conference, user: User, rows: list[AttendanceData]
                        ) -> list[Attendance]:
    """Several people added to the attendance at once (the "Add another" rows): all or none."""
    return [attendance_add(conference=conference, user=user, data=row) for row in rows]


@transaction.atomic
def attendance_update(*, attendance: Attendance, user: User, data: AttendanceData
                      ) -> Attendance:
    conference = _locked(attendance.conference, user)
    _require_minutes(user, conference, "record attendance")
    _check_open_for_attendance(conference)
    _check_attendance(data)
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    for name in ("participant_type", "agency", "role", "status", "direct_contact",
                 "report_sent", "email", "address"):
        setattr(attendance, name, getattr(data, name))
    attendance.name, attendance.updated_by = data.name.strip(), user
    if data.user is not None:
        attendance.user = data.user
    attendance.save()
    _involve_partner(conference, attendance)
    return attendance


_FROM_INVITEE = {"family": ParticipantType.FAMILY, "child": ParticipantType.CHILD,
                 "professional": ParticipantType.PROFESSIONAL}
_FROM_RESPONSE = {"attending": AttendanceStatus.PRESENT,
                  "apologies": AttendanceStatus.APOLOGIES}


@transaction.atomic
def attendance_prefill(*, conference: Conference, user: User) -> int:
    """One attendance row per invitation not yet listed (conferences.models.Invitation):
    replies of "attending" start as present, apologies as apologies, the rest absent; a
    professional whose report arrived is marked as having sent one. The invited observer
    becomes the day's observer, with the consents recorded on the invitation."""
    from conferences.models import Invitation

    conference = _locked(conference, user)
    _require_minutes(user, conference, "record attendance")
    _check_open_for_attendance(conference)
    listed = set(conference.attendances.exclude(invitation_id=None).values_list(
        "invitation_id", flat=True))
    created = 0
    for invitation in Invitation.objects.filter(conference=conference).select_related(
            "person", "user").prefetch_related("reports"):
        if invitation.pk in listed:
            continue
        if invitation.kind == "observer":
            day = _day(conference)
            if not day.observer_name:
                day.observer_name, day.observer_role = invitation.name, invitation.role
                day.observer_chair_consent = invitation.observer_chair_consent
                day.observer_family_consent = invitation.observer_family_consent
                day.save()
            continue
        participant = _FROM_INVITEE.get(invitation.kind, ParticipantType.SUPPORTER)
        agency = invitation.agency
        if participant == ParticipantType.PROFESSIONAL and not agency:
            agency = Agency.OTHER
        attendance = Attendance.objects.create(
            conference=conference, participant_type=participant, user=invitation.user,
            name=invitation.name, agency=agency, role=invitation.role, email=invitation.email,
            address=invitation.person.address if invitation.person else "",
            status=_FROM_RESPONSE.get(invitation.response, AttendanceStatus.ABSENT),
            report_sent=invitation.reports.exists(), invitation_id=invitation.pk,
            created_by=user, updated_by=user)
        _involve_partner(conference, attendance)
        created += 1
    created += _lead_social_workers_present(conference, user)
    return created


def _lead_social_workers_present(conference: Conference, user: User) -> int:
    """The lead social worker of each child attends their conference (002 §5.2: children's
    social care is part of every quorum), so they are listed as present unless someone from
    children's social care already is; the minute-taker corrects it if they are not there."""
    from cpcases.children.models import Allocation

    listed = set(conference.attendances.exclude(user=None).values_list("user_id", flat=True))
    if conference.attendances.filter(agency=Agency.CHILDRENS_SOCIAL_CARE).exists():
        return 0
    created = 0
    for allocation in (Allocation.objects.filter(child__in=_children(conference),
                                                 ended_on__isnull=True)
                       .exclude(social_worker=None).select_related("social_worker")
                       .order_by("social_worker_id")):
        worker = allocation.social_worker
        if worker.pk in listed:
            continue
        listed.add(worker.pk)
        Attendance.objects.create(
            conference=conference, participant_type=ParticipantType.PROFESSIONAL,
            user=worker, name=worker.full_name, agency=Agency.CHILDRENS_SOCIAL_CARE,
            role="Lead social worker", email=worker.email, status=AttendanceStatus.PRESENT,
            direct_contact=True, created_by=user, updated_by=user)
        created += 1
    return created


@transaction.atomic
def observer_record(*, conference: Conference, user: User, name: str, role: str,
                    chair_consent: bool, family_consent: bool) -> ConferenceDay:
    """002 §4.5: one professional observer at most, only with the prior consent of the chair
    and the family; they take no part in the discussion or decision."""
    conference = _locked(conference, user)
    _require_minutes(user, conference, "record the observer")
    day = _day(conference)
    if not name.strip():
        raise ServiceError("Give the observer's name.")
    if day.observer_name and day.observer_name.strip().lower() != name.strip().lower():
        raise ServiceError(f"{day.observer_name} is already the observer: there can be only "
                           "one observer at a conference.")  # 002 §4.5
    if not (chair_consent and family_consent):
        raise ServiceError("An observer may attend only with the consent of both the chair "
                           "and the family.")  # 002 §4.5
    day.observer_name, day.observer_role = name.strip(), role
    day.observer_chair_consent, day.observer_family_consent = chair_consent, family_consent
    day.updated_by = user
    day.version += 1
    day.save()
    return day


@transaction.atomic
def observer_remove(*, conference: Conference, user: User) -> ConferenceDay:
    conference = _locked(conference, user)
    _require_minutes(user, conference, "remove the observer")
    day = _day(conference)
    day.observer_name = day.observer_role = ""
    day.observer_chair_consent = day.observer_family_consent = False
    day.version += 1
    day.save()
    return day


# --- starting, proceeding, adjourning ---------------------------------------------------------


def _require_bookable_day(conference: Conference, day: ConferenceDay) -> None:
    if conference.status == ConferenceStatus.CANCELLED:
        raise ServiceError("This conference was cancelled.")
    if day.adjourned_at is not None:
        raise ServiceError("This conference was adjourned.")
    if day.started:
        raise ServiceError("This conference has already started.")
    if conference.date > timezone.localdate():
        raise ServiceError(f"This conference is booked for {conference.date:%-d %B %Y}: it "
                           "cannot start before then.")


@transaction.atomic
def conference_start(*, conference: Conference, user: User, proceed_ground: str = "",
                     proceed_reason: str = "") -> ConferenceDay:
    """The chair starts the conference. Quorate: it goes ahead. Inquorate: only on one of
    the exceptional grounds of 002 §5.4 with reasons; an early review then follows (002 §5.5).

    The deadlines the conference meets by being held are met (the ICPC's, or the review's)."""
    conference = _locked(conference, user)
    _require_chair(user, conference, "start the conference")
    day = _day(conference)
    _require_bookable_day(conference, day)
    check = selectors.conference_quoracy(conference)
    if check.quorate:
        proceed_ground, proceed_reason = "", ""
    else:
        if not proceed_ground:
            raise ServiceError(check.message + " Adjourn it with a new date, or choose the "
                               "exceptional ground on which you proceed.")
        if proceed_ground not in ProceedGround.values:
            raise ServiceError("Choose one of the exceptional grounds.")  # 002 §5.4
        if not proceed_reason.strip():
            raise ServiceError("Give your reasons for proceeding although the conference is "
                               "inquorate.")
        if proceed_ground == ProceedGround.CSC_AND_ONE and not (
                check.csc_present and check.other_agencies_present):
            raise ServiceError("Children's social care and one other agency are not both "
                               "present: choose another ground or adjourn.")
    now = timezone.now()
    day.started_at, day.started_by, day.quorate_at_start = now, user, check.quorate
    day.proceed_ground, day.proceed_reason = proceed_ground, proceed_reason.strip()
    day.version += 1
    day.updated_by = user
    day.save()
    with ExitStack() as checks:  # held: the census rules on its date (8615, 1104, 2884 ...)
        for child in _children(conference):
            checks.enter_context(entry.census_checks(child, "conference"))
        conference.status, conference.updated_by = ConferenceStatus.HELD, user
        conference.save(update_fields=["status", "updated_by", "updated_at"])
    held_at = deadlines.start_of_day(conference.date)
    reconvenes = ConferenceDay.objects.filter(reconvened_as=conference).select_related(
        "conference").first()
    for child in _children(conference):
        if conference.kind in REVIEW_KINDS:
            _meet(child, REVIEW_RULES, held_at, user)
        else:
            _meet(child, HELD_RULES.get(conference.kind, ()), held_at, user)
        if reconvenes is not None:
            _meet(child, ("inquorate_reconvene",), held_at, user,
                  subject=reconvenes.conference)
        # Issue 9: what prepared for this conference and was not done by now never will be
        # (missed, with the reason), as the policy declares.
        lifecycle.emit(lifecycle.Event.CONFERENCE_STARTED, child=child, actor=user, at=now,
                       scope=[conference],
                       reason=f"The conference started on {conference.date:%-d %B %Y} "
                              "before this was done.")
    _record(conference)
    return day


@transaction.atomic
def conference_adjourn(*, conference: Conference, user: User, new_date: date,
                       interim_plan: str, start_time: time | None = None) -> ConferenceDay:
    """Inquorate: the conference does not proceed; the chair produces an interim plan and a
    new date, usually within a month, is set at once (003; 002 §5.3). The reconvened
    conference is a new booking of the same request (the inquorate meeting and its interim
    plan stay on record); `inquorate_reconvene` runs from this date."""
    conference = _locked(conference, user)
    _require_chair(user, conference, "adjourn the conference")
    day = _day(conference)
    _require_bookable_day(conference, day)
    check = selectors.conference_quoracy(conference)
    if check.quorate:
        raise ServiceError("The conference is quorate: start it instead.")
    if not interim_plan.strip():
        raise ServiceError("Record the interim protection plan, or the review of the existing "
                           "plan, agreed with those present.")  # 003
    if new_date <= conference.date:
        raise ServiceError("The reconvened conference must be after this one.")
    reconvened = _book(like=conference, kind=conference.kind, on=new_date,
                       children=_children(conference), user=user, request=conference.request)
    if start_time is not None:
        reconvened.start_time = start_time
        reconvened.save(update_fields=["start_time"])
    now = timezone.now()
    for child in _children(conference):
        # The sitting happened: its preparation not done by now is missed; the reconvened
        # conference has its own (policy LIFECYCLES).
        lifecycle.emit(lifecycle.Event.CONFERENCE_ADJOURNED, child=child, actor=user, at=now,
                       scope=[conference],
                       reason=f"The conference of {conference.date:%-d %B %Y} was adjourned "
                              "before this was done.")
    day.adjourned_at, day.adjourned_by = now, user
    day.interim_plan, day.reconvened_as = interim_plan.strip(), reconvened
    day.quorate_at_start = False
    day.version += 1
    day.updated_by = user
    day.save()
    conference.status, conference.updated_by = ConferenceStatus.HELD, user
    conference.save(update_fields=["status", "updated_by", "updated_at"])
    for child in _children(conference):
        deadlines.deadline_set(child=child, rule_id="inquorate_reconvene",
                               anchor=conference.date, subject=conference,
                               responsible=conference.chair, user=user)
    _mail_on_commit("Conference adjourned: inquorate",
                    f"The conference of {conference.date:%-d %B %Y} was inquorate and is "
                    f"reconvened on {new_date:%-d %B %Y}.",
                    [conference.chair, conference.minute_taker])
    return day


def _require_started(conference: Conference) -> ConferenceDay:
    day = ConferenceDay.objects.select_for_update().filter(conference=conference).first()
    if day is None or not day.started:
        raise ServiceError("The conference has not started: the chair starts it first.")
    return day


# --- safety scores (001) ----------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreData:
    participant: str
    score: int
    agency: str = ""


@transaction.atomic
def safety_scores_record(*, conference: Conference, child: Child, user: User,
                         scores: Sequence[ScoreData]) -> selectors.ScoreAdvice:
    """Each participant's view of the child's safety, 0-10 (001). Most or all scoring 0: the
    team and service managers are told (escalation to social work management); a majority
    above 5: the chair is prompted to consider a Child in Need plan."""
    conference = _locked(conference, user)
    _require_chair(user, conference, "record the safety scores")
    _require_started(conference)
    if not conference.children.filter(pk=child.pk).exists():
        raise ServiceError(f"{child} is not a subject of this conference.")
    if not scores:
        raise ServiceError("Record at least one score.")
    for item in scores:
        if not item.participant.strip():
            raise ServiceError("Give each participant's name.")
        if not 0 <= item.score <= MAX_SCORE:
            raise ServiceError("Scores run from 0 to 10.")
    SafetyScore.objects.filter(conference=conference, child=child).delete()
    SafetyScore.objects.bulk_create(
        SafetyScore(conference=conference, child=child, participant=i.participant.strip(),
                    agency=i.agency, score=i.score, recorded_by=user) for i in scores)
    advice = selectors.score_advice(i.score for i in scores)
    if advice.escalate and not ManagementEscalation.objects.filter(
            conference=conference, child=child).exists():
        recipients = _managers_of(child)
        text = (f"At the conference of {conference.date:%-d %B %Y}, {advice.zeros} of "
                f"{advice.count} participants scored the safety of child {child.la_child_id} "
                "at 0. The chair escalates to social work management for oversight of the "
                "decision making and the immediate next steps.")  # 001
        escalation = ManagementEscalation.objects.create(conference=conference, child=child,
                                                         raised_by=user, text=text)
        escalation.recipients.set(recipients)
        _mail_on_commit("Conference safety scores: escalation", text, recipients)
    return advice


# --- the decision for each child --------------------------------------------------------------


@dataclass(frozen=True)
class AgencyViewData:
    agency: str
    view: str
    name: str = ""
    dissents: bool = False


@dataclass(frozen=True)
class DecisionData:
    outcome: str
    reasons: str
    category: str = ""
    recommendations: str = ""
    outline_plan: str = ""
    contingency: str = ""
    lead_social_worker: User | None = None
    core_group: Sequence[plans.MemberData] = ()
    first_core_group_on: date | None = None
    review_on: date | None = None
    cin_first_meeting_on: date | None = None
    end_reason: str = ""
    exceptional_circumstance: str = ""
    transfer_conference_on: date | None = None
    start_cin_plan: bool = False
    stepdown_rationale: str = ""
    agency_views: Sequence[AgencyViewData] = field(default_factory=tuple)


def eighteenth_birthday(child: Child) -> date | None:
    if child.date_of_birth is None:
        return None
    return child.date_of_birth + relativedelta(years=18)


def review_limit(conference: Conference, child: Child, rule_id: str, *,
                 early: bool = False) -> tuple[date, list[str]]:
    """The latest date the next review may be held, and why: the policy's `first_review` or
    `next_review` from this conference; sooner after an inquorate conference that proceeded
    (002 §5.5: an early review; the policy has no rule of its own for it, so the
    `inquorate_reconvene` interval is used); and on or before the 18th birthday (003)."""
    authority = conference.authority
    limit = deadlines.due_date_for(authority, rule_id, conference.date)
    why = [rule_id]
    if early:
        early_due = deadlines.due_date_for(authority, "inquorate_reconvene", conference.date)
        if early_due < limit:
            limit, why = early_due, ["early review (inquorate conference,)"]  # 002 §5.5
    birthday = eighteenth_birthday(child)
    if birthday is not None:
        by = deadlines.due_date_for(authority, "eighteenth_birthday_review", birthday)
        if by < limit:
            limit, why = by, ["before the 18th birthday"]  # 003
    return limit, why


def default_review_date(conference: Conference, child: Child, rule_id: str, *,
                        early: bool = False) -> date:
    limit, _ = review_limit(conference, child, rule_id, early=early)
    return _working_day_on_or_before(conference.authority_id, limit)


def _set_review_deadlines(conference: Conference, child: Child, plan: ChildProtectionPlan,
                          rule_id: str, early: bool, user: User) -> None:
    deadlines.deadline_set(child=child, rule_id=rule_id, anchor=conference.date, subject=plan,
                           user=user)
    if early:
        deadlines.deadline_set(child=child, rule_id="inquorate_reconvene",
                               anchor=conference.date, subject=conference,
                               responsible=conference.chair, user=user)
    birthday = eighteenth_birthday(child)
    if birthday is not None:
        limit, _ = review_limit(conference, child, rule_id)
        by = deadlines.due_date_for(conference.authority, "eighteenth_birthday_review",
                                    birthday)
        if by <= limit:
            deadlines.deadline_set(child=child, rule_id="eighteenth_birthday_review",
                                   anchor=birthday, subject=plan, user=user)


def _book_review(conference: Conference, child: Child, on: date | None, rule_id: str,
                 early: bool, user: User) -> tuple[Conference, date]:
    """The review is booked on the decision (issue 5: "three months later the review
    conference is already booked and its deadlines running"). Siblings decided at the same
    conference share one review conference when its date suits them both."""
    limit, why = review_limit(conference, child, rule_id, early=early)
    if on is None:
        on = _working_day_on_or_before(conference.authority_id, limit)
    if on <= conference.date:
        raise ServiceError("The review must be after this conference.")
    if on > limit:
        raise ServiceError(f"The review must be held by {limit:%-d %B %Y} "
                           f"({', '.join(why)}).")
    existing = (ChildDecision.objects.filter(conference=conference,
                                             review_conference__isnull=False,
                                             review_conference__date=on,
                                             review_conference__status=ConferenceStatus.BOOKED)
                .select_related("review_conference").first())
    if existing is not None:
        review = existing.review_conference
        review.children.add(child)
        deadlines.deadline_set(child=child, rule_id="attendee_details", anchor=review.date,
                               subject=review, user=user)
        return review, limit
    return _book(like=conference, kind=ConferenceKind.REVIEW, on=on, children=[child],
                 user=user), limit


def _check_decision(conference: Conference, child: Child, data: DecisionData) -> None:
    allowed = REVIEW_OUTCOMES if conference.kind in REVIEW_KINDS else INITIAL_OUTCOMES
    if data.outcome not in allowed:
        raise ServiceError("At a review the plan continues or ends; at an initial, pre-birth "
                           "or transfer-in conference choose a plan, a Child in Need plan or "
                           "neither." if data.outcome in DecisionOutcome.values else
                           "Choose the decision.")
    if not data.reasons.strip():
        raise ServiceError("Give the reasons for the decision.")  # 003
    for view in data.agency_views:
        if view.agency not in Agency.values or not view.view.strip():
            raise ServiceError("Give each agency's view.")
    if data.outcome == DecisionOutcome.PLAN:
        if data.category not in PlanCategory.values:
            raise ServiceError("Choose one category: physical abuse, emotional abuse, sexual "
                               "abuse or neglect.")  # 003: one category only
        if data.lead_social_worker is None:
            raise ServiceError("Name the lead social worker.")  # 002 §19, 003; 002 §19
        if data.first_core_group_on is None:
            raise ServiceError("Set the date of the first core group.")  # 002 §19, 003; 002 §19
        if not data.outline_plan.strip():
            raise ServiceError("Record the outline plan.")
        if not data.contingency.strip():
            raise ServiceError("Record the contingency plan.")
    elif data.category and data.outcome != DecisionOutcome.CONTINUE:
        raise ServiceError("A category is given only with a child protection plan.")
    if data.outcome == DecisionOutcome.CIN and data.cin_first_meeting_on is None:
        raise ServiceError("Set the date of the first Child in Need meeting.")  # 002 §19.8
    if data.outcome == DecisionOutcome.END:
        if data.end_reason not in PlanEndReason.values:
            raise ServiceError("Choose why the plan ends.")
        moved = data.end_reason == PlanEndReason.TRANSFERRED
        if moved and (data.transfer_conference_on is None
                      or data.transfer_conference_on > timezone.localdate()):
            raise ServiceError("A plan ends on a move only after the receiving "
                               "authority's transfer conference: give its date.")  # 003
        if data.exceptional_circumstance and \
                data.exceptional_circumstance not in ExceptionalCircumstance.values:
            raise ServiceError("Choose one of the exceptional circumstances.")


@transaction.atomic
def child_decision_record(*, conference: Conference, child: Child, user: User,
                          data: DecisionData) -> ChildDecision:
    """The chair records the conference's decision for one child (002 §18.4, 003: each child
    separately). Only the conference's chair, and only once the conference has started.

    A plan: plans.plan_start (sets `core_group_first`), the first review deadline
    (`first_review`, or `next_review` at a review) and the review conference booked. No plan:
    a Child in Need plan with its first meeting date (002 §19.8). At a review: continue
    (next review booked) or end (plans.plan_end; ending at the first review needs one of
    003's exceptional circumstances). The letter and record deadlines start for the child.
    """
    conference = _locked(conference, user)
    _require_chair(user, conference, "record the decision")
    day = _require_started(conference)
    if not conference.children.filter(pk=child.pk).exists():
        raise ServiceError(f"{child} is not a subject of this conference.")
    child = Child.objects.select_related("authority").get(pk=child.pk)
    if ChildDecision.objects.filter(conference=conference, child=child).exists():
        raise ServiceError(f"The decision for {child} has already been recorded.")
    _check_decision(conference, child, data)
    now = timezone.now()
    decision = ChildDecision(
        conference=conference, child=child, outcome=data.outcome, reasons=data.reasons.strip(),
        recommendations=data.recommendations, outline_plan=data.outline_plan,
        contingency=data.contingency, category=data.category,
        lead_social_worker=data.lead_social_worker,
        first_core_group_on=data.first_core_group_on,
        core_group=[{"name": m.name or str(m.user), "agency": m.agency, "role": m.role}
                    for m in data.core_group],
        cin_first_meeting_on=data.cin_first_meeting_on, end_reason=data.end_reason,
        exceptional_circumstance=data.exceptional_circumstance,
        transfer_conference_on=data.transfer_conference_on,
        start_cin_plan=data.start_cin_plan, stepdown_rationale=data.stepdown_rationale,
        decided_by=user, decided_at=now, created_by=user, updated_by=user)
    early = day.early_review
    if data.outcome == DecisionOutcome.PLAN:
        plan = plans.plan_start(
            child=child, started_on=conference.date, category=data.category,
            lead_social_worker=data.lead_social_worker, user=user, conference=conference,
            core_group_members=data.core_group, first_core_group_on=data.first_core_group_on,
            outcomes=data.outline_plan, contingency=data.contingency)
        decision.plan = plan
        decision.prebirth_review_applies = child.is_unborn
        _set_review_deadlines(conference, child, plan, "first_review", early, user)
        decision.review_conference, decision.review_due = _book_review(
            conference, child, data.review_on, "first_review", early, user)
    elif data.outcome == DecisionOutcome.CONTINUE:
        plan = plans.current_plan(child)
        if plan is None:
            raise ServiceError(f"{child} has no current child protection plan to continue.")
        decision.plan, decision.category = plan, data.category or plan.category
        decision.lead_social_worker = data.lead_social_worker or plan.lead_social_worker
        _set_review_deadlines(conference, child, plan, "next_review", early, user)
        decision.review_conference, decision.review_due = _book_review(
            conference, child, data.review_on, "next_review", early, user)
    elif data.outcome == DecisionOutcome.END:
        plan = plans.current_plan(child)
        if plan is None:
            raise ServiceError(f"{child} has no current child protection plan to end.")
        first_review = not ChildDecision.objects.filter(
            plan=plan, outcome=DecisionOutcome.CONTINUE).exists()
        # 003: "A child protection plan should not be removed at the first review
        # conference except in exceptional circumstances". The factual reasons (moved after
        # the transfer conference, 18, died, left the UK) are not a removal on risk.
        if first_review and data.end_reason == PlanEndReason.NO_LONGER_AT_RISK \
                and not data.exceptional_circumstance:
            raise ServiceError("This is the plan's first review: a plan ends here only in "
                               "exceptional circumstances, where all risks are shown to be "
                               "eliminated. Record the exceptional circumstance.")  # 003
        decision.plan, decision.category = plan, plan.category
        plans.plan_end(plan=plan, ended_on=conference.date, reason=data.end_reason, user=user,
                       start_cin_plan=data.start_cin_plan,
                       stepdown_rationale=data.stepdown_rationale,
                       cin_first_meeting_on=data.cin_first_meeting_on, conference=conference,
                       note=data.reasons.strip())
        decision.cin_plan = plan.stepdown_cin_plans.order_by("-id").first()
        # 003 "Discontinuing": the agencies invited but not there are asked for their views.
        plan_end_views_seek(plan=plan, conference=conference, user=user)
    elif data.outcome == DecisionOutcome.CIN:
        decision.cin_plan = plans.cin_plan_start(
            child=child, started_on=conference.date, user=user,
            first_meeting_on=data.cin_first_meeting_on, conference=conference)
        Child.objects.filter(pk=child.pk, cp_stage=CpStage.CONFERENCE).update(
            cp_stage=CpStage.NONE)
    else:
        Child.objects.filter(pk=child.pk, cp_stage=CpStage.CONFERENCE).update(
            cp_stage=CpStage.NONE)
    decision.save()
    AgencyView.objects.bulk_create(
        AgencyView(decision=decision, agency=v.agency, name=v.name, view=v.view.strip(),
                   dissents=v.dissents) for v in data.agency_views)
    _start_output_deadlines(conference, child, user)
    return decision


@transaction.atomic
def child_decision_link_plan(*, conference: Conference, child: Child, user: User,
                             plan: ChildProtectionPlan, reasons: str,
                             agency_views: Sequence[AgencyViewData] = ()) -> ChildDecision:
    """The conference's decision for a child whose plan was already recorded in the plans
    app (a plan made before go-live, or entered there first): the decision points at that
    plan instead of starting a second one; the review is booked and the letter and record
    deadlines start as for any plan."""
    conference = _locked(conference, user)
    _require_chair(user, conference, "record the decision")
    day = _require_started(conference)
    if plan.child_id != child.pk or plan.ended_on is not None:
        raise ServiceError(f"That is not {child}'s current plan.")
    if plan.started_on != conference.date:
        raise ServiceError("The plan was not made at this conference.")
    if ChildDecision.objects.filter(conference=conference, child=child).exists():
        raise ServiceError(f"The decision for {child} has already been recorded.")
    if not reasons.strip():
        raise ServiceError("Give the reasons for the decision.")  # 003
    child = Child.objects.select_related("authority").get(pk=child.pk)
    decision = ChildDecision(
        conference=conference, child=child, outcome=DecisionOutcome.PLAN,
        category=plan.category, reasons=reasons.strip(), outline_plan=plan.outcomes,
        contingency=plan.contingency, lead_social_worker=plan.lead_social_worker,
        first_core_group_on=plan.first_core_group_on, plan=plan,
        core_group=[{"name": m.name, "agency": m.agency, "role": m.role}
                    for m in plan.members.filter(removed_on__isnull=True)],
        prebirth_review_applies=child.is_unborn, decided_by=user, decided_at=timezone.now(),
        created_by=user, updated_by=user)
    _set_review_deadlines(conference, child, plan, "first_review", day.early_review, user)
    decision.review_conference, decision.review_due = _book_review(
        conference, child, None, "first_review", day.early_review, user)
    decision.save()
    AgencyView.objects.bulk_create(
        AgencyView(decision=decision, agency=v.agency, name=v.name, view=v.view.strip(),
                   dissents=v.dissents) for v in agency_views)
    _start_output_deadlines(conference, child, user)
    return decision


def _start_output_deadlines(conference: Conference, child: Child, user: User) -> None:
    # 002 §23.2: the decision letter within 2 working days; 002 §22.5: the record to
    # professionals and family.
    deadlines.deadline_set(child=child, rule_id="decision_letter", anchor=conference.date,
                           subject=conference, responsible=conference.chair, user=user)
    for rule_id in ("record_to_professionals", "record_to_family"):
        deadlines.deadline_set(child=child, rule_id=rule_id, anchor=conference.date,
                               subject=conference, responsible=conference.minute_taker,
                               user=user)
    _record(conference)


def all_decided(conference: Conference) -> bool:
    return not conference.children.exclude(
        pk__in=ChildDecision.objects.filter(conference=conference).values("child_id")).exists()


# --- pre-birth: the birth recorded -------------------------------------------------------------


@transaction.atomic
def prebirth_birth_recorded(*, child: Child, user: User) -> Deadline | None:
    """After the birth (the child's date of birth recorded): the first review within 1 month
    of it (002 §7.13). The booked review is brought forward if it is later."""
    child = Child.objects.select_related("authority").get(pk=child.pk)
    if child.date_of_birth is None:
        raise ServiceError("Record the date of birth first.")
    decision = (ChildDecision.objects.filter(child=child, prebirth_review_applies=True,
                                             plan__ended_on__isnull=True)
                .select_related("plan", "review_conference").order_by("-decided_at").first())
    if decision is None:
        return None
    deadline = deadlines.deadline_set(child=child, rule_id="prebirth_first_review",
                                      anchor=child.date_of_birth, subject=decision.plan,
                                      user=user)
    review = decision.review_conference
    if review is not None and review.status == ConferenceStatus.BOOKED \
            and review.date > deadline.due_date:
        on = max(_working_day_on_or_before(review.authority_id, deadline.due_date),
                 timezone.localdate())
        _move_review(review, on, ReviewTrigger.BIRTH,
                     f"Born on {child.date_of_birth:%-d %B %Y}: first review within 1 month "
                     "of the birth.", user)  # 002 §7.13
    return deadline


# --- reviews brought forward (003) -------------------------------------------------------------


def _move_review(review: Conference, on: date, trigger: str, reason: str, user: User
                 ) -> ReviewChange:
    old = review.date
    change = ReviewChange.objects.create(conference=review, from_date=old, to_date=on,
                                         trigger=trigger, reason=reason, changed_by=user)
    review.date, review.updated_by = on, user
    review.save(update_fields=["date", "updated_by", "updated_at"])
    # Deadlines anchored on the review's date move with it (DOMAIN §4: changing an anchor
    # recomputes the dependent deadlines).
    shift = on - old
    for deadline in Deadline.objects.filter(
            content_type__app_label=review._meta.app_label,
            content_type__model=review._meta.model_name, object_id=review.pk,
            status=DeadlineStatus.OPEN).select_related("child"):
        if deadline.anchor_date != old:
            continue
        anchor: date | datetime = deadline.anchor_at + shift if deadline.anchor_at else on
        deadlines.deadline_set(child=deadline.child, rule_id=deadline.rule_id, anchor=anchor,
                               subject=review, user=user, variant=deadline.variant)
    _mail_on_commit("Review conference brought forward",
                    f"The review conference is now on {on:%-d %B %Y} (was {old:%-d %B %Y}): "
                    f"{reason}", [review.chair, review.minute_taker])
    return change


BRING_FORWARD_ROLES = (Role.CP_CHAIR, Role.BUSINESS_SUPPORT, *MANAGEMENT_LADDER)


@transaction.atomic
def review_bring_forward(*, review: Conference, user: User, on: date, trigger: str,
                         reason: str) -> ReviewChange:
    """Bring a booked review forward for one of 003's triggers, with reasons."""
    if user.role not in BRING_FORWARD_ROLES:
        raise NotPermitted(f"A {user.role_label.lower()} cannot move a review conference.")
    review = _locked(review, user)
    if review.kind != ConferenceKind.REVIEW or review.status != ConferenceStatus.BOOKED:
        raise ServiceError("Only a booked review conference can be brought forward.")
    if trigger not in ReviewTrigger.values:
        raise ServiceError("Choose why the review is brought forward.")
    if not reason.strip():
        raise ServiceError("Give the reasons for bringing the review forward.")
    if on >= review.date:
        raise ServiceError(f"Choose a date before {review.date:%-d %B %Y}: a review is "
                           "brought forward, never put back.")
    if on < timezone.localdate():
        raise ServiceError("The new date must be today or later.")
    _check_date(review, on, "the review")
    return _move_review(review, on, trigger, reason.strip(), user)


# --- outputs: letters, summary, record ---------------------------------------------------------


def _require_outputs(conference: Conference) -> None:
    if not all_decided(conference):
        raise ServiceError("Record the decision for every child first.")


def _require_output_role(user: User, conference: Conference, action: str) -> None:
    _require_minutes(user, conference, action)


def _keep_as_sent(conference: Conference, kind_slug: str, user: User,
                  recipients: str = "") -> None:
    """Issue 12 §8: the PDF as issued, its hash, when and to whom, in the document store.
    From then on the PDF of that kind is served from the store, never regenerated."""
    from conferences.outcomes import documents
    from cpcases.documents.services import document_keep_issued

    kind = documents.KINDS[kind_slug]
    children = list(_children(conference))
    recipients = recipients or "; ".join(
        a.name for a in conference.attendances.all()) or "the invited"
    document_keep_issued(
        kind=f"conference {kind_slug}", title=f"{kind.title}, conference CP-{conference.pk}",
        filename=f"CP-{conference.pk}-{kind_slug}.pdf",
        content=documents.render_pdf(conference, kind), issued_to=recipients, user=user,
        child_ids=[c.pk for c in children], conference_id=conference.pk)


@transaction.atomic
def decision_letter_issue(*, conference: Conference, user: User) -> ConferenceRecord:
    """The decision letter to the parents and child (002 §23.2: within 2 working days, with
    whether a plan was made, the lead social worker and the recommendations). Meets
    `decision_letter`."""
    conference = _locked(conference, user)
    _require_output_role(user, conference, "issue the decision letter")
    _require_outputs(conference)
    record = _record(conference)
    if record.decision_letter_issued_at is not None:
        raise ServiceError("The decision letter has already been issued.")
    now = timezone.now()
    record.decision_letter_issued_at, record.updated_by = now, user
    record.version += 1
    record.save()
    _keep_as_sent(conference, "letter", user)
    for child in _children(conference):
        _meet(child, ("decision_letter",), now, user, subject=conference)
    return record


@transaction.atomic
def decisions_summary_issue(*, conference: Conference, user: User) -> ConferenceRecord:
    """003: decisions, category, key worker, core group and outline plan circulated to all
    invited within two working days (the same timescale as the letter)."""
    conference = _locked(conference, user)
    _require_output_role(user, conference, "circulate the decisions summary")
    _require_outputs(conference)
    record = _record(conference)
    if record.summary_issued_at is not None:
        raise ServiceError("The decisions summary has already been circulated.")
    record.summary_issued_at, record.updated_by = timezone.now(), user
    record.version += 1
    record.save()
    _keep_as_sent(conference, "summary", user)
    return record


@transaction.atomic
def record_update(*, conference: Conference, user: User, sections: dict[str, str],
                  confidential_sections: Sequence[str] = (),
                  version: int | None = None) -> ConferenceRecord:
    """The minute-taker writes the record (002 §22.3); confidential sections are left out of
    the parents' copy (003). Not after the chair's sign-off (amendments are then logged)."""
    conference = _locked(conference, user)
    _require_minutes(user, conference, "write the record")
    record = _record(conference)
    if version is not None and version != record.version:
        raise ServiceError("Someone else changed the record while you were editing it: "
                           "reload the page to see their changes.")
    if record.signed_off_at is not None:
        raise ServiceError("The record has been signed off: log an amendment request instead.")
    keys = set(RecordSection.values)
    unknown = set(sections) - keys
    if unknown or set(confidential_sections) - keys:
        raise ServiceError("Unknown record sections.")
    for key, text in sections.items():
        setattr(record, key, text)
    record.confidential_sections = sorted(set(confidential_sections))
    record.version += 1
    record.updated_by = user
    record.save()
    return record


@transaction.atomic
def record_sign_off(*, conference: Conference, user: User) -> ConferenceRecord:
    """The chair signs the record (002 §22.5)."""
    conference = _locked(conference, user)
    _require_chair(user, conference, "sign off the record")
    day = selectors.day_for(conference)
    if day is None or not (day.started or day.adjourned_at):
        raise ServiceError("The conference has not been held.")
    if day.started:
        _require_outputs(conference)
    record = _record(conference)
    if record.signed_off_at is not None:
        raise ServiceError("The record has already been signed off.")
    missing = [label for key, label in RecordSection.choices
               if key in ("purpose", "facts", "discussion") and not getattr(record, key).strip()]
    if missing:
        raise ServiceError("Complete the record first: " + ", ".join(missing).lower() + ".")
    record.signed_off_at, record.signed_off_by = timezone.now(), user
    record.version += 1
    record.save()
    return record


DISTRIBUTION_RULES = {Audience.PROFESSIONALS: "record_to_professionals",
                      Audience.FAMILY: "record_to_family"}


@transaction.atomic
def record_distribute(*, conference: Conference, user: User, audience: str, recipients: str,
                      sent_on: date) -> Distribution:
    """The signed record sent to the professionals invited (10 working days, 002 §22.5; 20 in
    003) or to the family (15 days); the family get the parents' copy (003)."""
    conference = _locked(conference, user)
    _require_minutes(user, conference, "distribute the record")
    record = _record(conference)
    if record.signed_off_at is None:
        raise ServiceError("The chair signs the record off before it is distributed.")
    if audience not in DISTRIBUTION_RULES:
        raise ServiceError("Choose professionals or family.")
    if not recipients.strip():
        raise ServiceError("Say who the record was sent to.")
    if sent_on > timezone.localdate():
        raise ServiceError("The date sent must be today or in the past.")
    if sent_on < conference.date:
        raise ServiceError("The record cannot be sent before the conference.")
    distribution = Distribution.objects.create(record=record, audience=audience,
                                               recipients=recipients.strip(),
                                               sent_on=sent_on, sent_by=user)
    # The family get the parents' copy, without the confidential sections (003).
    _keep_as_sent(conference, "record" if audience == Audience.PROFESSIONALS
                  else "parents-record", user, recipients=recipients.strip())
    if audience == Audience.PROFESSIONALS and record.sent_to_professionals_on is None:
        record.sent_to_professionals_on = sent_on
    if audience == Audience.FAMILY and record.sent_to_family_on is None:
        record.sent_to_family_on = sent_on
    record.version += 1
    record.save()
    at = deadlines.start_of_day(sent_on)
    for child in _children(conference):
        _meet(child, (DISTRIBUTION_RULES[audience],), at, user, subject=conference)
    return distribution


@transaction.atomic
def record_amendment_log(*, conference: Conference, user: User, requested_by: str,
                         received_on: date, requested_on: date, text: str
                         ) -> AmendmentRequest:
    """A written request to amend the record, judged against `record_amendment_window` from
    the day the requester received it (002 §22.6: one week; 003: 10 working days). The window
    is the requester's, so it is computed, not set as anyone's deadline."""
    conference = _locked(conference, user)
    _require_minutes(user, conference, "log an amendment request")
    record = _record(conference)
    if record.signed_off_at is None:
        raise ServiceError("The record has not been signed off and sent yet.")
    if not requested_by.strip() or not text.strip():
        raise ServiceError("Say who asked for which amendment.")
    if requested_on < received_on:
        raise ServiceError("The request cannot be before the record was received.")
    if requested_on > timezone.localdate():
        raise ServiceError("The date requested must be today or in the past.")
    due = deadlines.due_date_for(conference.authority, "record_amendment_window", received_on)
    return AmendmentRequest.objects.create(
        record=record, requested_by=requested_by.strip(), received_on=received_on,
        requested_on=requested_on, text=text.strip(), within_window=requested_on <= due,
        logged_by=user)


# --- non-attendance (001) ----------------------------------------------------------------------


@transaction.atomic
def non_attendance_letters_issue(*, conference: Conference, user: User
                                 ) -> list[NonAttendanceLetter]:
    """001: the chair writes to each professional who neither attended nor sent a report."""
    conference = _locked(conference, user)
    _require_chair(user, conference, "write to professionals who did not attend")
    day = selectors.day_for(conference)
    if day is None or not (day.started or day.adjourned_at):
        raise ServiceError("The conference has not been held.")
    now = timezone.now()
    letters = [NonAttendanceLetter.objects.create(attendance=a, issued_at=now, issued_by=user)
               for a in selectors.non_attenders(conference)
               if not hasattr(a, "non_attendance_letter")]
    return letters
