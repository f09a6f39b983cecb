"""Writes: recording a strategy discussion, the Section 47 outcome, the threshold decision and
the consultation with a CP chair.

Each is one transaction that checks who may act and the procedure's preconditions, writes
(pghistory's triggers record who changed what), sets, meets or cancels the deadlines through
the engine (a due date is never computed here), and sends e-mail on commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency, Capability, Role
from cpcases.children.models import (
    Child,
    CpStage,
    InvolvementKind,
    PartnerInvolvement,
)
from cpcases.children.scoping import visible_children
from cpcases.core.compiled import CompiledQuery, first
from cpcases.core.errors import NotPermitted, RuleError, ServiceError
from cpcases.outbox.services import outbox_enqueue
from deadlines import lifecycle
from deadlines import services as deadlines
from deadlines.models import Deadline, DeadlineStatus
from returns import entry
from strategy.models import (
    CaseNote,
    Concern,
    ConsultationRequest,
    ConsultationStatus,
    DiscussionAction,
    DiscussionChild,
    NextStep,
    NoteType,
    Participant,
    ParticipantRole,
    S47Outcome,
    Section47Enquiry,
    StrategyDiscussion,
    ThresholdDecision,
    Urgency,
)

# The value of a child's outcome at a discussion that initiates a Section 47 enquiry; any
# other value is a NextStep.
S47 = "s47"


@dataclass(frozen=True)
class ParticipantData:
    name: str
    agency: str
    role: str
    attendance: str = "present"
    job_title: str = ""
    user: User | None = None


@dataclass(frozen=True)
class ActionData:
    who: str
    what: str
    by_when: date


# --- helpers ------------------------------------------------------------------------------------


def _require_visible(user: User, child: Child) -> None:
    if not visible_children(user).filter(pk=child.pk).exists():
        raise NotPermitted("You do not have access to this child's record.")


def _require_case_worker(user: User) -> None:
    """Social workers and their managers record the case's work (DOMAIN §1)."""
    if not user.can(Capability.EDIT_CHILD):
        raise NotPermitted(f"A {user.role_label.lower()} cannot do this.")


def _aware(moment: datetime, what: str) -> datetime:
    if timezone.is_naive(moment):
        raise ServiceError(f"Give the time zone of {what}.")
    return moment


def _on_commit_mail(subject: str, body: str, recipients: Iterable[User]) -> None:
    addresses = sorted({u.email for u in recipients if u.email and u.is_active})
    if addresses:
        # Into the outbox with the change; sent once it commits (issue 12 §1).
        outbox_enqueue(message=EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL,
                                            addresses), kind="workflow")


def minimum_attendance_gaps(participants: Sequence[ParticipantData]) -> list[str]:
    """003: "Minimum participants: LA social worker and their manager, health, police".
    Returns what is missing (empty when the minimum is met). Someone who contributed
    without attending counts: the discussion may be phone calls (000)."""
    roles = {(p.role, p.agency) for p in participants}
    agencies = {p.agency for p in participants}
    gaps = []
    if (ParticipantRole.SOCIAL_WORKER, Agency.CHILDRENS_SOCIAL_CARE) not in roles:
        gaps.append("the local authority social worker")
    if (ParticipantRole.MANAGER, Agency.CHILDRENS_SOCIAL_CARE) not in roles:
        gaps.append("their manager")
    if not agencies & {Agency.HEALTH, Agency.MIDWIFERY}:
        gaps.append("health")
    if Agency.POLICE not in agencies:
        gaps.append("police")
    return gaps


def strategy_discussion_due(child: Child, concern_identified_at: datetime,
                            urgency: str) -> date:
    """The engine's due date for the discussion (000: 1/3/5 working days by urgency)."""
    due = deadlines.due_date_for(child.authority, "strategy_discussion",
                                 concern_identified_at, variant=urgency)
    return due.date() if isinstance(due, datetime) else due


def current_enquiry(child: Child) -> Section47Enquiry | None:
    """The child's enquiry under way or substantiated and not yet replaced by a later one
    (its SQL compiled once per process: the conferences and strategy tabs ask on every
    view; issue 13 §2)."""
    return first(_CURRENT_ENQUIRY.run("current", child.pk))


_CURRENT_ENQUIRY: CompiledQuery[Section47Enquiry] = CompiledQuery(
    lambda key, child_id: Section47Enquiry.objects.filter(
        child_id=child_id, superseded_by__isnull=True,
        outcome__in=[S47Outcome.OPEN, S47Outcome.SUBSTANTIATED])
    .select_related("initiated_by").order_by("-started_on", "-id")[:1])


def _icpc_still_to_come(enquiry: Section47Enquiry) -> bool:
    """The enquiry's conference is still to be held (its deadline open or delayed)."""
    return Deadline.objects.filter(
        child_id=enquiry.child_id, rule_id="icpc", object_id=enquiry.pk,
        content_type__app_label="strategy", content_type__model="section47enquiry",
        status__in=[DeadlineStatus.OPEN, DeadlineStatus.DELAY_AUTHORISED],
        met_at__isnull=True).exists()


# --- concern identified -------------------------------------------------------------------------


def open_concerns(child: Child) -> list[Concern]:
    """The child's concerns whose strategy discussion is still to be held, oldest first."""
    return list(Concern.objects.filter(child=child, discussion__isnull=True)
                .order_by("identified_at", "id"))


@transaction.atomic
def concern_record(*, actor: User, child: Child, identified_at: datetime, urgency: str,
                   summary: str, origin: Any = None) -> Concern:
    """Record that a child protection concern about the child was identified (DOMAIN §2
    step 2). Opens the `strategy_discussion` deadline with the urgency's variant (000:
    immediate protection 1, child protection concerns 3, complex 5 working days, or the
    authority's override); the next strategy discussion about the child meets it.

    `origin` is the record the concern came from (a contact or referral), if any. An origin
    that grants it (`origin.grants_concern_record(actor, child)`: the front door's contact
    naming the child) lets its decider record the concern on a child outside their scope.
    """
    _require_case_worker(actor)
    grants = getattr(origin, "grants_concern_record", None)
    if not (grants is not None and grants(actor, child)):
        _require_visible(actor, child)
    if urgency not in Urgency.values:
        raise ServiceError("Choose how urgent the concern is.", field="urgency")
    identified_at = _aware(identified_at, "when the concern was identified")
    if identified_at > timezone.now():
        raise ServiceError("The concern must have been identified by now, not in the future.")
    if not summary.strip():
        raise ServiceError("Summarise the concern.")
    child = Child.objects.select_for_update().get(pk=child.pk)
    concern = Concern(child=child, identified_at=identified_at, urgency=urgency,
                      summary=summary, recorded_by=actor, created_by=actor, updated_by=actor)
    if origin is not None:
        concern.origin = origin
    concern.save()
    lifecycle.emit(lifecycle.Event.CONCERN_RECORDED, child=child, subject=concern,
                   anchor=identified_at, variant=urgency, actor=actor)
    if child.cp_stage == CpStage.NONE:
        # Business support and chairs see children in a child protection process.
        child.cp_stage = CpStage.STRATEGY
        child.save(update_fields=["cp_stage", "updated_at"])
    return concern


# --- strategy discussion ------------------------------------------------------------------------


@transaction.atomic
def strategy_discussion_record(
        *, user: User, children: Sequence[Child], concern_identified_at: datetime,
        urgency: str, format: str, held_at: datetime, outcomes: dict[int, str],
        participants: Sequence[ParticipantData], information_shared: str,
        actions: Sequence[ActionData] = (), criminal_investigation: str = "",
        shareable_with_family: str = "", late_reason: str = "",
        minimum_not_met_reason: str = "") -> StrategyDiscussion:
    """Record a strategy discussion held about one or more children of a household (000,
    003). `outcomes` maps each child's pk to S47 (an enquiry is initiated) or a NextStep.

    For each child: the `strategy_discussion` deadline (from when the concern was identified,
    by urgency) is set and met at `held_at`; an initiated enquiry gets the `icpc` and
    `icpc_request` deadlines anchored on this discussion, and the `assessment` deadline.
    """
    _require_case_worker(user)
    if not children:
        raise ServiceError("Choose the children the discussion was about.")
    for child in children:
        _require_visible(user, child)
    households = {c.household_id for c in children}
    if len(children) > 1 and (len(households) != 1 or None in households):
        # 002 §2.2: the children considered are the children of one household.
        raise ServiceError("The children of one discussion must be of the same household.")
    if urgency not in Urgency.values:
        raise ServiceError("Choose how urgent the concern is.", field="urgency")
    concern_identified_at = _aware(concern_identified_at, "when the concern was identified")
    held_at = _aware(held_at, "when the discussion was held")
    now = timezone.now()
    if held_at > now:
        raise ServiceError("Record the discussion once it has been held: the date and time "
                           "it was held must not be in the future.", field="held_date")
    if concern_identified_at > held_at:
        raise ServiceError("The date the concern was identified must be before the date the "
                           "discussion was held.", field="concern_date")
    if not information_shared.strip():
        raise ServiceError("Enter the information shared at the discussion.",
                           field="information_shared")
    # 000: "any delay should be explained and recorded"
    held_on = timezone.localdate(held_at)
    due = strategy_discussion_due(children[0], concern_identified_at, urgency)
    # A concern recorded earlier started the clock: the discussion is judged against it.
    for child in children:
        for concern in open_concerns(child):
            if concern.identified_at <= held_at:
                due = min(due, strategy_discussion_due(child, concern.identified_at,
                                                       concern.urgency))
    if held_on > due and not late_reason.strip():
        raise ServiceError(
            f"The discussion was due by {due:%d %B %Y} ({Urgency(urgency).label.lower()}) "
            f"and was held on {held_on:%d %B %Y}: give the reason it was held late.")
    if not participants:
        raise ServiceError("Add the people who took part.")
    gaps = minimum_attendance_gaps(participants)
    if gaps and not minimum_not_met_reason.strip():
        raise ServiceError(
            "The minimum attendance is not met (missing " + ", ".join(gaps) + "): give the "
            "reason to record the discussion without them.")
    missing = [c for c in children if c.pk not in outcomes]
    if missing:
        raise ServiceError(f"Say whether a Section 47 enquiry is initiated for {missing[0]}.")

    discussion = StrategyDiscussion.objects.create(
        authority_id=user.authority_id, household_id=children[0].household_id,
        concern_identified_at=concern_identified_at, urgency=urgency, format=format,
        held_at=held_at, late_reason=late_reason if held_on > due else "",
        minimum_not_met_reason=minimum_not_met_reason if gaps else "",
        information_shared=information_shared, criminal_investigation=criminal_investigation,
        shareable_with_family=shareable_with_family, created_by=user, updated_by=user)
    for p in participants:
        if p.user is not None and p.user.authority_id != user.authority_id:
            raise ServiceError(f"{p.user} is not a user of this authority.")
        Participant.objects.create(discussion=discussion, name=p.name, agency=p.agency,
                                   role=p.role, attendance=p.attendance,
                                   job_title=p.job_title, user=p.user)
    for a in actions:
        DiscussionAction.objects.create(discussion=discussion, who=a.who, what=a.what,
                                        by_when=a.by_when)

    for child in children:
        # Census rules on the S47 it starts: 2889, 8890, 8839, 2991 (returns.entry).
        with entry.census_checks(child, "strategy"):
            _record_child_outcome(user=user, discussion=discussion, child=child,
                                  outcome=outcomes[child.pk], urgency=urgency)
        # A named partner professional sees the child, and this discussion (scoping).
        for p in participants:
            if p.user is not None and p.user.role == Role.PARTNER:
                PartnerInvolvement.objects.get_or_create(
                    child=child, user=p.user, kind=InvolvementKind.STRATEGY,
                    object_id=discussion.pk, defaults={"agency": p.user.agency})
    return discussion


def _record_child_outcome(*, user: User, discussion: StrategyDiscussion, child: Child,
                          outcome: str, urgency: str) -> None:
    child = Child.objects.select_for_update().get(pk=child.pk)
    current = current_enquiry(child)
    if outcome == S47:
        if current is not None and (current.is_open or _icpc_still_to_come(current)):
            # 000: the ICPC is anchored on the discussion "at which the S47 was initiated":
            # a later discussion does not start another while one is under way.
            # Census rules 8890 and 8839: one enquiry at a time in a referral.
            raise RuleError(
                f"{child} already has a Section 47 enquiry, initiated at the discussion on "
                f"{current.initiated_by.held_at:%d %B %Y}: choose to continue it.",
                rule="8890", reference=entry.REFERENCE)
    elif outcome == NextStep.CONTINUE_S47:
        if current is None or not current.is_open:
            raise ServiceError(f"{child} has no Section 47 enquiry under way to continue.")
    elif outcome not in NextStep.values:
        raise ServiceError(f"Choose the next step for {child}.")
    initiated = outcome == S47
    DiscussionChild.objects.create(discussion=discussion, child=child, s47_initiated=initiated,
                                   next_step="" if initiated else outcome)

    # 000: the discussion meets the clock the recorded concerns opened (late ones were
    # explained above); with no concern recorded first, the discussion's own clock is set
    # from when the concern was identified, and met at once.
    concerns = [c for c in open_concerns(child) if c.identified_at <= discussion.held_at]
    if concerns:
        Concern.objects.filter(pk__in=[c.pk for c in concerns]).update(discussion=discussion)
        lifecycle.emit(lifecycle.Event.STRATEGY_DISCUSSION_HELD, child=child, actor=user,
                       at=discussion.held_at, scope=concerns)
    else:
        sd = deadlines.deadline_set(child=child, rule_id="strategy_discussion",
                                    anchor=discussion.concern_identified_at,
                                    subject=discussion, variant=urgency, user=user)
        deadlines.deadline_meet(deadline=sd, at=discussion.held_at, user=user)

    if initiated:
        enquiry = Section47Enquiry.objects.create(
            child=child, initiated_by=discussion,
            started_on=timezone.localdate(discussion.held_at), created_by=user,
            updated_by=user)
        if current is not None:  # substantiated, its conference held: replaced
            current.superseded_by = enquiry
            current.save(update_fields=["superseded_by", "updated_at"])
        _set_enquiry_deadlines(enquiry, user)
        if child.cp_stage in (CpStage.NONE, CpStage.STRATEGY):
            child.cp_stage = CpStage.SECTION_47
    elif outcome != NextStep.CONTINUE_S47 and child.cp_stage == CpStage.STRATEGY:
        child.cp_stage = CpStage.NONE
    child.save(update_fields=["cp_stage", "updated_at"])


def _set_enquiry_deadlines(enquiry: Section47Enquiry, user: User | None) -> None:
    """The policy's rules opened by an S47 enquiry starting (LIFECYCLES): 000, 002 §2.6, 003:
    the ICPC within 15 working days of the discussion at which the S47 was initiated; the
    request the same day (004: by day 3 of the S47, a profile)."""
    child, held_on = enquiry.child, timezone.localdate(enquiry.initiated_by.held_at)
    lifecycle.emit(lifecycle.Event.S47_INITIATED, child=child, actor=user,
                   subject=enquiry, anchor=held_on)
    # 003: the single assessment within 45 working days of the referral. When the front
    # door recorded a referral, its clock is the one (anchored on the referral, met by the
    # assessment's completion); only a child with no referral gets one from the S47 start,
    # the latest the referral can have been.
    if not Deadline.objects.filter(child=child, rule_id="assessment",
                                   status=DeadlineStatus.OPEN).exists() and \
            not Deadline.objects.filter(child=child, rule_id="assessment",
                                        anchor_date__lte=enquiry.started_on,
                                        status=DeadlineStatus.MET).exclude(
                content_type=ContentType.objects.get_for_model(Section47Enquiry)).exists():
        deadlines.deadline_set(child=child, rule_id="assessment", anchor=enquiry.started_on,
                               subject=enquiry, user=user)


# --- Section 47 outcome -------------------------------------------------------------------------


@transaction.atomic
def s47_record_outcome(*, user: User, enquiry: Section47Enquiry, outcome: str,
                       outcome_date: date, reasons: str = "",
                       next_step: str = "") -> Section47Enquiry:
    """003 "Outcomes of a Section 47": not substantiated (with the next step: the ICPC
    deadlines are cancelled) or substantiated (the ICPC is to be requested)."""
    _require_case_worker(user)
    enquiry = Section47Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    _require_visible(user, enquiry.child)
    if not enquiry.is_open:
        raise ServiceError("The outcome of this enquiry has already been recorded.")
    if outcome not in (S47Outcome.NOT_SUBSTANTIATED, S47Outcome.SUBSTANTIATED):
        raise ServiceError("Choose the outcome of the enquiry.", field="outcome")
    if outcome_date > timezone.localdate() or outcome_date < enquiry.started_on:
        raise ServiceError("The outcome date must be between the start of the enquiry and "
                           "today.")
    if outcome == S47Outcome.NOT_SUBSTANTIATED:
        if next_step not in (NextStep.NO_FURTHER_ACTION, NextStep.CHILD_IN_NEED,
                             NextStep.EARLY_HELP):
            raise ServiceError("Choose the next step: no further action, child in need or "
                               "early help.")
    else:
        next_step = ""
    with entry.census_checks(enquiry.child_id, "s47_outcome"):  # ICPCnotRequired (8839)
        enquiry.outcome, enquiry.outcome_date = outcome, outcome_date
        enquiry.next_step, enquiry.outcome_reasons = next_step, reasons
        enquiry.decided_by, enquiry.updated_by = user, user
        enquiry.save()
    child = Child.objects.select_for_update().get(pk=enquiry.child_id)
    # An assessment clock anchored on this enquiry (no referral recorded) is met by its
    # outcome; a referral's clock is met only by the assessment's completion (LIFECYCLES).
    lifecycle.emit(lifecycle.Event.S47_CONCLUDED, child=child, actor=user, scope=[enquiry])
    if outcome == S47Outcome.NOT_SUBSTANTIATED:
        # The anchor of the ICPC is undone: no conference is needed.
        for rule_id in ("icpc", "icpc_request"):
            deadlines.deadline_cancel(child=child, rule_id=rule_id, subject=enquiry,
                                      reason="Section 47 enquiry not substantiated",
                                      user=user)
        # 000: a conference already requested is no longer needed: business support is to
        # be told within 5 working days of the request (`icpc_cancellation`, met when the
        # request is cancelled).
        for request in _live_requests(child):
            lifecycle.emit(lifecycle.Event.S47_NOT_SUBSTANTIATED, child=child, actor=user,
                           subject=request, anchor=request.submitted_at or request.created_at,
                           only=["icpc_cancellation"])
        if child.cp_stage == CpStage.SECTION_47:
            child.cp_stage = CpStage.NONE
            child.save(update_fields=["cp_stage", "updated_at"])
    return enquiry


def _live_requests(child: Child) -> list[Any]:
    """The child's conference requests not yet cancelled or held (conferences app)."""
    from conferences.models import OPEN_REQUEST_STATUSES, ConferenceRequest

    return list(ConferenceRequest.objects.filter(requested_children__child=child,
                                             status__in=OPEN_REQUEST_STATUSES,
                                             submitted_at__isnull=False))


# --- threshold decision -------------------------------------------------------------------------


def may_decide_threshold(user: User, child: Child, *, child_visible: bool = False) -> bool:
    """002 §2.3: the team manager decides; of the child's team (service and head of service
    too, within their service). `child_visible`: the caller has just found the child in the
    user's scope (`child_for_view`), so it is not asked again (issue 13 §2)."""
    if user.role not in (Role.TEAM_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE):
        return False
    return child_visible or visible_children(user).filter(pk=child.pk).exists()


@transaction.atomic
def threshold_decide(*, user: User, child: Child, harm_evidenced: bool,
                     attributable_to_parental_care: bool, harm_likely: bool, rationale: str,
                     iro: User | None = None, decided_at: datetime | None = None
                     ) -> ThresholdDecision:
    """The team manager answers the Significant Harm Checklist (004) for the child's current
    Section 47 enquiry; met only when all three answers are yes."""
    if not may_decide_threshold(user, child):
        if user.role in (Role.TEAM_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE):
            raise NotPermitted("You do not have access to this child's record.")
        raise NotPermitted("Only the child's team manager decides whether the threshold for "
                           "a conference is met.")  # 002 §2.3
    enquiry = current_enquiry(child)
    if enquiry is None:
        raise ServiceError(f"{child} has no Section 47 enquiry: record the strategy "
                           "discussion that initiated it first.")
    if not rationale.strip():
        raise ServiceError("Give the rationale for the decision.", field="rationale")
    if iro is not None and (iro.role != Role.CP_CHAIR or iro.authority_id != user.authority_id
                            or not iro.is_active):
        raise ServiceError("The threshold discussion is held with a duty IRO (a CP chair).")
    decided_at = _aware(decided_at, "the decision") if decided_at else timezone.now()
    if decided_at > timezone.now():
        raise ServiceError("The decision must not be in the future.")
    decision = ThresholdDecision.objects.create(
        child=child, enquiry=enquiry, decided_by=user, harm_evidenced=harm_evidenced,
        attributable_to_parental_care=attributable_to_parental_care, harm_likely=harm_likely,
        rationale=rationale, decided_at=decided_at, iro=iro)
    if iro is not None:
        _on_commit_mail("Threshold discussion to record",
                        f"{user} held a threshold discussion with you about a child "
                        ". Record its outcome on the child's file in cpcases.", [iro])  # 004
    return decision


@transaction.atomic
def threshold_iro_record(*, user: User, decision: ThresholdDecision,
                         outcome: str) -> ThresholdDecision:
    """004: "the duty IRO records the outcome of this threshold discussion on the child's
    file"."""
    decision = ThresholdDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.iro_id != user.pk:
        raise NotPermitted("Only the IRO who held the threshold discussion records it.")
    if decision.iro_recorded_at is not None:
        raise ServiceError("The outcome of this threshold discussion is already recorded.")
    if not outcome.strip():
        raise ServiceError("Enter the outcome of the threshold discussion.", field="outcome")
    now = timezone.now()
    decision.iro_outcome, decision.iro_recorded_at = outcome, now
    decision.save(update_fields=["iro_outcome", "iro_recorded_at"])
    CaseNote.objects.create(child_id=decision.child_id, note_type=NoteType.THRESHOLD_DISCUSSION,
                            author=user, written_at=now, text=outcome,
                            threshold_decision=decision)
    return decision


# --- consultation with a CP chair ---------------------------------------------------------------


def previous_chair(child: Child) -> User | None:
    """000: "another CP Chair cannot be approached for another consultation, once an initial
    one had been done and recorded on the child's file"."""
    first = (ConsultationRequest.objects
             .filter(child=child, status=ConsultationStatus.RECORDED, chair__isnull=False)
             .select_related("chair").order_by("recorded_at", "id").first())
    return first.chair if first else None


@transaction.atomic
def consultation_request(*, user: User, child: Child, question: str,
                         manager: User | None = None) -> ConsultationRequest:
    """The social worker asks business support for a consultation (000: never a chair
    directly). The chair who consulted on the child before gets it at once."""
    if user.role not in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER):
        raise NotPermitted("Consultations are requested by the social worker or their "
                           "manager.")
    _require_visible(user, child)
    if not question.strip():
        raise ServiceError("Say what the consultation is about.", field="question")
    manager = manager or (user if user.role == Role.TEAM_MANAGER else user.line_manager())
    if manager is None or manager.role not in (Role.TEAM_MANAGER, Role.SERVICE_MANAGER,
                                               Role.HEAD_OF_SERVICE):
        raise ServiceError("Name the manager who will take part (000: the social worker and "
                           "a manager from the team).", field="manager")
    child = Child.objects.select_for_update().get(pk=child.pk)
    now = timezone.now()
    consultation = ConsultationRequest.objects.create(
        child=child, requested_by=user, manager=manager, requested_at=now, question=question,
        without_strategy_discussion=not DiscussionChild.objects.filter(
            child=child, discussion__held_at__lte=now).exists(),
        created_by=user, updated_by=user)
    if child.cp_stage == CpStage.NONE:
        # Asking a CP chair is part of a child protection process: business support and
        # chairs, who see children in one, need to see the request.
        child.cp_stage = CpStage.STRATEGY
        child.save(update_fields=["cp_stage", "updated_at"])
    lifecycle.emit(lifecycle.Event.CONSULTATION_REQUESTED, child=child, actor=user,
                   subject=consultation, anchor=now)
    chair = previous_chair(child)
    if chair is not None and chair.is_active:
        _assign(consultation, chair, by=None, at=now)
    else:
        support = User.objects.filter(authority_id=child.authority_id,
                                      role=Role.BUSINESS_SUPPORT, is_active=True)
        _on_commit_mail("Consultation with a CP chair requested",
                        f"{user} has requested a consultation with a CP chair. "  # 000
                        "Assign a chair within 24 hours in cpcases.", support)
    return consultation


def _assign(consultation: ConsultationRequest, chair: User, *, by: User | None,
            at: datetime) -> None:
    consultation.chair, consultation.assigned_by, consultation.assigned_at = chair, by, at
    consultation.status = ConsultationStatus.ASSIGNED
    consultation.updated_by = by
    consultation.save()
    lifecycle.emit(lifecycle.Event.CONSULTATION_CHAIR_ASSIGNED, child=consultation.child,
                   actor=by, at=at, scope=[consultation])
    _on_commit_mail("Consultation assigned to you",
                    "You have been assigned a consultation: meet the social worker and "  # 000
                    "their manager, then record it within 48 hours.", [chair])


@transaction.atomic
def consultation_assign_chair(*, user: User, consultation: ConsultationRequest,
                              chair: User) -> ConsultationRequest:
    """Business support identifies a chair (000: within 24 hours)."""
    if user.role != Role.BUSINESS_SUPPORT:
        raise NotPermitted("Business support assigns the chair for a consultation.")
    consultation = ConsultationRequest.objects.select_for_update().get(pk=consultation.pk)
    _require_visible(user, consultation.child)
    if consultation.status != ConsultationStatus.REQUESTED:
        raise ServiceError(f"This consultation is already assigned to {consultation.chair}.")
    if chair.role != Role.CP_CHAIR or chair.authority_id != user.authority_id \
            or not chair.is_active:
        raise ServiceError("Choose a CP chair of this authority.", field="chair")
    earlier = previous_chair(consultation.child)
    if earlier is not None and earlier.pk != chair.pk:
        raise ServiceError(f"{earlier} has already consulted on {consultation.child}: later "
                           "consultations go to the same chair.")  # 000
    _assign(consultation, chair, by=user, at=timezone.now())
    return consultation


@transaction.atomic
def consultation_mark_held(*, user: User, consultation: ConsultationRequest,
                           held_at: datetime) -> ConsultationRequest:
    """The chair says the consultation took place: the 48 hours to record it start (000:
    `consultation_recorded`, opened by this, met when the chair records it)."""
    consultation = ConsultationRequest.objects.select_for_update().get(pk=consultation.pk)
    if user.role != Role.CP_CHAIR or consultation.chair_id != user.pk:
        raise NotPermitted("Only the chair assigned to the consultation marks it held.")
    if consultation.status != ConsultationStatus.ASSIGNED:
        raise ServiceError("This consultation is already recorded.")
    if consultation.held_at is not None:
        raise ServiceError(f"Already marked held on "
                           f"{timezone.localtime(consultation.held_at):%-d %B %Y at %H:%M}.")
    held_at = _check_held_at(consultation, _aware(held_at, "when it was held"))
    consultation.held_at, consultation.updated_by = held_at, user
    consultation.save(update_fields=["held_at", "updated_by", "updated_at"])
    lifecycle.emit(lifecycle.Event.CONSULTATION_HELD, child=consultation.child, actor=user,
                   subject=consultation, anchor=held_at)
    return consultation


def _check_held_at(consultation: ConsultationRequest, held_at: datetime) -> datetime:
    # The form records the time to the minute: a consultation held in the minute the chair
    # was assigned is not before the assignment.
    assigned = (consultation.assigned_at.replace(second=0, microsecond=0)
                if consultation.assigned_at else None)
    if held_at > timezone.now() or (assigned and held_at < assigned):
        raise ServiceError("The consultation must have been held after the chair was assigned "
                           "and not in the future.")
    return held_at


@transaction.atomic
def consultation_record(*, user: User, consultation: ConsultationRequest, held_at: datetime,
                        social_worker_took_part: bool, manager_took_part: bool,
                        danger_statements_developed: bool, mapping_shared_with_family: bool,
                        network_safety_plan: bool, recommendation: str,
                        note: str = "") -> ConsultationRequest:
    """The chair records the consultation as a case note of type "CP chair consultation"
    (000: within 48 hours of it being held). The recommendation is advice, not a veto."""
    consultation = ConsultationRequest.objects.select_for_update().get(pk=consultation.pk)
    if user.role != Role.CP_CHAIR or consultation.chair_id != user.pk:
        raise NotPermitted("Only the chair assigned to the consultation records it.")
    if consultation.status == ConsultationStatus.RECORDED:
        raise ServiceError("This consultation is already recorded.")
    held_at = _check_held_at(consultation, _aware(held_at, "when the consultation was held"))
    now = timezone.now()
    marked_at = consultation.held_at  # when the chair marked it held, if they did
    if not (social_worker_took_part and manager_took_part):
        # 000: "All consultation must include the social worker and a manager from the team"
        raise ServiceError("The social worker and their manager must both take part in the "
                           "consultation. Record it once you have met both.")  # 000
    if not recommendation.strip():
        raise ServiceError("Enter the recommendation.", field="recommendation")
    consultation.held_at, consultation.recorded_at = held_at, now
    consultation.social_worker_took_part = social_worker_took_part
    consultation.manager_took_part = manager_took_part
    consultation.danger_statements_developed = danger_statements_developed
    consultation.mapping_shared_with_family = mapping_shared_with_family
    consultation.network_safety_plan = network_safety_plan
    consultation.recommendation = recommendation
    consultation.status, consultation.updated_by = ConsultationStatus.RECORDED, user
    consultation.save()
    if marked_at is None:
        # Recorded without being marked held first: its 48 hours run from when it was held.
        lifecycle.emit(lifecycle.Event.CONSULTATION_HELD, child=consultation.child,
                       actor=user, subject=consultation, anchor=held_at)
    elif held_at != marked_at:
        deadlines.deadline_set(child=consultation.child, rule_id="consultation_recorded",
                               anchor=held_at, subject=consultation, user=user)
    lifecycle.emit(lifecycle.Event.CONSULTATION_RECORDED, child=consultation.child, actor=user,
                   at=now, scope=[consultation])
    checks = [
        ("Danger statements developed with the family", danger_statements_developed),
        ("Mapping developed and shared with the family", mapping_shared_with_family),
        ("Network engaged to develop a safety plan", network_safety_plan),
    ]
    text = "\n".join([
        f"Consultation held {timezone.localtime(held_at):%d/%m/%Y %H:%M} with "
        f"{consultation.requested_by} and {consultation.manager}.",
        *(f"{label}: {'yes' if value else 'no'}" for label, value in checks),
        f"Recommendation (advice, not a decision): {recommendation}",
        *([note] if note.strip() else []),
    ])
    CaseNote.objects.create(child=consultation.child, note_type=NoteType.CP_CHAIR_CONSULTATION,
                            author=user, written_at=now, text=text, consultation=consultation)
    _on_commit_mail("Consultation recorded",
                    f"{user} has recorded the consultation with a CP chair on the child's "
                    "file.", [consultation.requested_by, consultation.manager])
    return consultation
