"""Writes of the front door. Each checks permission and preconditions, writes in one
transaction (pghistory's triggers keep the history), sets or meets the deadlines through the
engine and queues e-mail on commit. Timescales come only from the policy rules
`contact_decision`, `referral_acknowledged`, `assessment_allocated` and `assessment`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from cpcases.accounts.models import Team, User
from cpcases.accounts.roles import MANAGEMENT_LADDER, Capability, Role
from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.children import services as child_services
from cpcases.children.models import BreakGlassAccess, Child, Sex
from cpcases.children.scoping import case_scope_children, visible_children
from cpcases.core.errors import NotPermitted, RuleError, ServiceError
from cpcases.outbox.services import outbox_enqueue
from deadlines import lifecycle
from deadlines import services as deadlines
from deadlines.models import Deadline, DeadlineStatus
from frontdoor.models import (
    Assessment,
    AssessmentOutcome,
    ClosureReason,
    Contact,
    ContactChild,
    ContactDecision,
    FrontDoorTeam,
    NewInformation,
    Referral,
)
from frontdoor.selectors import may_search_authority
from lifeevents.restriction import marking_manager
from returns import entry
from strategy.models import Urgency
from strategy.services import concern_record

_E = lifecycle.Event
_LONDON = ZoneInfo("Europe/London")
URGENCIES = ("immediate_protection", "child_protection_concerns", "complex")


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotPermitted(message)


def _require_visible(user: User, child: Child) -> None:
    _require(visible_children(user).filter(pk=child.pk).exists(),
             "You do not have access to this child's record.")


def _is_manager(user: User) -> bool:
    return user.role in MANAGEMENT_LADDER


def _aware(moment: datetime, what: str) -> datetime:
    if timezone.is_naive(moment):
        raise ServiceError(f"Give the time zone of {what}.")
    return moment


def _end_of(day: date) -> datetime:
    """An event recorded by its date alone counts as happening that day."""
    now = timezone.now()
    if day == timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.combine(day, time(12)))


def front_door_team(user: User) -> Team | None:
    """The user's team, if it is a front-door team (MASH or duty and assessment)."""
    if user.team_id and FrontDoorTeam.objects.filter(team_id=user.team_id).exists():
        return user.team
    return None


# --- contacts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewChild:
    """A child first met at the front door (an unborn child: is_unborn and the expected date
    of delivery; sex U, census rule 8750)."""

    first_name: str
    last_name: str
    date_of_birth: date | None = None
    is_unborn: bool = False
    expected_delivery_date: date | None = None
    sex: str = Sex.UNKNOWN
    postcode: str = ""
    address: str = ""
    nhs_number: str = ""


def _next_la_child_id(authority_id: int) -> str:
    last = Child.objects.filter(authority_id=authority_id).order_by("-pk").first()
    return f"FD{(last.pk if last else 0) + 1:07d}"


def _create_child(actor: User, team: Team, new: NewChild) -> Child:
    data: dict[str, Any] = {k: v for k, v in new.__dict__.items() if v not in (None, "")}
    if new.is_unborn:
        data["sex"] = Sex.UNKNOWN  # census rule 8750: U for an unborn child
    # What the referrer knew: the census checks of the child's details are the case
    # worker's, on the child's record (returns.entry, decisions §31).
    return child_services.child_create(user=actor, la_child_id=_next_la_child_id(
        actor.authority_id), team=team, social_worker=None, census_checks=False, **data)


@transaction.atomic
def contact_record(*, actor: User, received_at: datetime, source: str, concern: str,
                   consent: str, children: list[Child] | None = None,
                   new_children: list[NewChild] | None = None, referrer_name: str = "",
                   referrer_organisation: str = "", referrer_contact: str = "") -> Contact:
    """A contact received by the front door, about existing and new children. The decision
    is due 24 hours after it was received (`contact_decision`, 003 "Making Contact")."""
    team = front_door_team(actor)
    _require(team is not None and actor.can(Capability.EDIT_CHILD),
             "Only the front-door team records contacts.")
    received_at = _aware(received_at, "when the contact was received")
    if received_at > timezone.now():
        raise ServiceError("The time the contact was received must be in the past.")
    if not concern.strip():
        raise ServiceError("Enter what the concern is.", field="concern")
    children = list(children or [])
    for child in children:
        if child.authority_id != actor.authority_id or child.merged_into_id:
            raise ServiceError(f"{child} is not a record of this authority.")
    children += [_create_child(actor, team, new) for new in new_children or []]
    if not children:
        raise ServiceError("Add at least one child the contact is about.")
    contact = Contact.objects.create(
        authority_id=actor.authority_id, team=team, received_at=received_at, source=source,
        concern=concern, consent=consent, referrer_name=referrer_name,
        referrer_organisation=referrer_organisation, referrer_contact=referrer_contact,
        created_by=actor, updated_by=actor)
    for child in children:
        ContactChild.objects.create(contact=contact, child=child)
        lifecycle.emit(_E.CONTACT_RECEIVED, child=child, actor=actor, subject=contact,
                       anchor=received_at)
    return contact


@transaction.atomic
def contact_decide(*, actor: User, contact: Contact, decision: str, reason: str = "",
                   urgency: str = "", decided_at: datetime | None = None,
                   primary_need: str = "") -> Contact:
    """The front door's decision (003 "Making Contact"). A referral opens a Child in Need
    episode per child; an immediate strategy discussion also records the concern, opening the
    `strategy_discussion` clock at the contact's time with its urgency (000)."""
    contact = Contact.objects.select_for_update().select_related("team").get(pk=contact.pk)
    _require(may_decide_contact(actor, contact),
             "Only a manager of the front-door team that received the contact decides it.")
    if contact.decision:
        raise ServiceError("This contact has already been decided.")
    if decision not in ContactDecision.values:
        raise ServiceError("Choose the decision.", field="decision")
    if decision == ContactDecision.STRATEGY_DISCUSSION and urgency not in URGENCIES:
        raise ServiceError("Choose how urgent the strategy discussion is.", field="urgency")
    decided_at = _aware(decided_at or timezone.now(), "the decision")
    if decided_at < contact.received_at:
        raise ServiceError("The decision cannot be before the contact was received.")
    contact.decision, contact.decision_reason = decision, reason
    contact.urgency = urgency if decision == ContactDecision.STRATEGY_DISCUSSION else ""
    contact.decided_at, contact.decided_by, contact.updated_by = decided_at, actor, actor
    contact.save()
    for child in contact.children.all():
        lifecycle.emit(_E.CONTACT_DECIDED, child=child, actor=actor, at=decided_at,
                       scope=[contact])
        already_open = Referral.objects.filter(child=child, closure_date__isnull=True).exists()
        if decision == ContactDecision.REFERRAL or (
                decision == ContactDecision.STRATEGY_DISCUSSION and not already_open):
            # A child already in an open episode keeps it (census rules 8815/8816); the
            # concern is still recorded below.
            referral_open(actor=actor, child=child, contact=contact,
                          referral_date=timezone.localdate(decided_at), source=contact.source,
                          primary_need=primary_need)
        if decision == ContactDecision.STRATEGY_DISCUSSION:
            # The contact grants recording the concern on any child it names, even one held
            # by another team (Contact.grants_concern_record); that team's manager is told.
            concern_record(actor=actor, child=child, identified_at=contact.received_at,
                           urgency=urgency, summary=contact.concern, origin=contact)
            _tell_holding_team(actor, contact, child, urgency)
    return contact


def may_decide_contact(user: User, contact: Contact) -> bool:
    """003 "Making Contact": the team manager decides (the front-door team's own manager, or
    a manager above them in its service). Social workers record contacts but do not decide."""
    return contact.decidable_by(user)


def _tell_holding_team(actor: User, contact: Contact, child: Child, urgency: str) -> None:
    """The managers of the team holding the child, when it is not the front door, are told by
    e-mail (the outbox, sent on commit) that a strategy discussion is now due."""
    current = child.current_allocation
    if current is None or current.team_id == contact.team_id:
        return
    recipients = list(User.objects.filter(team_id=current.team_id, role=Role.TEAM_MANAGER,
                                          is_active=True).exclude(email="")
                      .values_list("email", flat=True))
    if not recipients:
        return
    label = Urgency(urgency).label if urgency in Urgency.values else urgency
    when = contact.received_at.astimezone(_LONDON).strftime("%-d %B %Y at %H:%M")
    text = (f"{actor.full_name or actor.username} ({actor.role_label}, {contact.team}) decided "
            f"that a contact received {when} about {child.display_name} "
            f"({child.la_child_id}), held by "
            f"{current.team}, needs an immediate strategy discussion ({label.lower()}).\n\n"
            "The concern has been recorded on the child's record and the strategy "
            "discussion is now due. The contact said:\n\n"
            f"{contact.concern}\n")
    outbox_enqueue(message=EmailMessage(
        f"Strategy discussion needed: {child.la_child_id}", text,
        settings.DEFAULT_FROM_EMAIL, recipients), kind="front-door-concern")


# --- referrals (Child in Need episodes) ---------------------------------------------------------


def _reanchor_assessment(child: Child, referral: Referral, user: User) -> None:
    """003: the single assessment runs from the referral. A clock the strategy app anchored
    on a Section 47 start (no referral then) gives way to the referral's."""
    referral_type = ContentType.objects.get_for_model(Referral)
    for old in (Deadline.objects.filter(child=child, rule_id="assessment",
                                        status=DeadlineStatus.OPEN)
                .exclude(content_type=referral_type)):
        deadlines.deadline_cancel(deadline=old, user=user,
                                  reason=f"Anchored on the referral of "
                                         f"{referral.referral_date:%d/%m/%Y} instead")


@transaction.atomic
def referral_open(*, actor: User, child: Child, referral_date: date, source: str,
                  contact: Contact | None = None, primary_need: str = "") -> Referral:
    """A Child in Need episode: the referrer acknowledged within 10 working days, the single
    assessment allocated within 2 and completed within 45 working days of the referral (003)."""
    _require(actor.can(Capability.EDIT_CHILD), "Only case workers open a referral.")
    if contact is None:
        _require_visible(actor, child)
    if referral_date > timezone.localdate():
        raise ServiceError("The referral date must be today or in the past.")
    if Referral.objects.filter(child=child, closure_date__isnull=True).exists():
        # Census rules 8815/8816: Child in Need episodes do not overlap.
        raise RuleError(f"{child} already has an open referral: record the new "
                        "information on it.", field="referral_date", rule="8815",
                        reference=entry.REFERENCE)
    with entry.census_checks(child, "referral"):  # 8606, 8820, ... (returns.entry)
        referral = Referral.objects.create(
            authority_id=child.authority_id, child=child, contact=contact,
            referral_date=referral_date, source=source, primary_need=primary_need,
            created_by=actor, updated_by=actor)
    _reanchor_assessment(child, referral, actor)
    lifecycle.emit(_E.REFERRAL_RECEIVED, child=child, actor=actor, subject=referral,
                   anchor=referral_date)
    return referral


def _lock_referral(actor: User, referral: Referral) -> Referral:
    referral = Referral.objects.select_for_update().select_related("child").get(pk=referral.pk)
    _require_visible(actor, referral.child)
    _require(actor.can(Capability.EDIT_CHILD), "Only case workers change a referral.")
    return referral


@transaction.atomic
def referral_acknowledge(*, actor: User, referral: Referral,
                         at: datetime | None = None) -> Referral:
    referral = _lock_referral(actor, referral)
    if referral.acknowledged_at:
        raise ServiceError("The referrer has already been acknowledged.")
    referral.acknowledged_at = _aware(at or timezone.now(), "the acknowledgement")
    referral.updated_by = actor
    referral.save()
    lifecycle.emit(_E.REFERRER_ACKNOWLEDGED, child=referral.child, actor=actor,
                   at=referral.acknowledged_at, scope=[referral])
    return referral


@transaction.atomic
def referral_close(*, actor: User, referral: Referral, closure_date: date, reason: str,
                   no_further_action: bool = False) -> Referral:
    """The end of the Child in Need episode, with the census reason (RC1-RC9). A referral
    with no further action has no assessment (census rule 8831)."""
    referral = _lock_referral(actor, referral)
    if not referral.is_open:
        raise ServiceError("This referral is already closed.")
    if reason not in ClosureReason.values:
        raise ServiceError("Choose the reason the case is closed.", field="reason")
    if closure_date < referral.referral_date or closure_date > timezone.localdate():
        raise ServiceError("The closure date must be between the referral date and today.")
    if no_further_action and referral.assessments.exists():  # census rule 8831
        raise RuleError("A referral with an assessment cannot be recorded as no further "
                        "action.", field="no_further_action", rule="8831",
                        reference=entry.REFERENCE)
    with entry.census_checks(referral.child, "referral_close"):  # 8565, 8868, 8569, ...
        referral.closure_date, referral.closure_reason = closure_date, reason
        referral.no_further_action, referral.updated_by = no_further_action, actor
        referral.save()
    lifecycle.emit(_E.REFERRAL_CLOSED, child=referral.child, actor=actor, scope=[referral],
                   reason=f"Referral closed: {referral.get_closure_reason_display().lower()}")
    return referral


# --- single assessments -------------------------------------------------------------------------


@transaction.atomic
def assessment_allocate(*, actor: User, referral: Referral, social_worker: User,
                        at: datetime | None = None) -> Assessment:
    """A manager allocates the single assessment (003: within 2 working days of the
    referral); the child is allocated to the social worker."""
    referral = _lock_referral(actor, referral)
    _require(actor.can(Capability.ALLOCATE), "Only a manager allocates an assessment.")
    if not referral.is_open:
        raise ServiceError("This referral is closed.")
    if referral.assessments.filter(completed_on__isnull=True).exists():
        raise ServiceError("This referral's assessment is already allocated.")
    if social_worker.role != Role.SOCIAL_WORKER or \
            social_worker.authority_id != actor.authority_id:
        raise ServiceError("Choose a social worker of this authority.", field="social_worker")
    at = _aware(at or timezone.now(), "the allocation")
    with entry.census_checks(referral.child, "assessment"):  # 8831 (returns.entry)
        assessment = Assessment.objects.create(
            referral=referral, child=referral.child, social_worker=social_worker,
            allocated_at=at, started_on=timezone.localdate(at), created_by=actor,
            updated_by=actor)
    lifecycle.emit(_E.ASSESSMENT_ALLOCATED, child=referral.child, actor=actor, at=at,
                   scope=[referral])
    current = referral.child.current_allocation
    if current is None or current.social_worker_id != social_worker.pk:
        child_services.child_allocate(user=actor, child=referral.child,
                                      team=social_worker.team, social_worker=social_worker,
                                      reason="Single assessment allocated")
    return assessment


def _validate_factors(factors: list[str]) -> None:
    if len(set(factors)) != len(factors):
        raise ServiceError("Choose each factor once.", field="factors")
    if "21" in factors and len(factors) > 1:  # census rule 8869
        raise ServiceError("\"No factors identified\" cannot be chosen with other factors.")


@transaction.atomic
def assessment_complete(*, actor: User, assessment: Assessment, factors: list[str],
                        summary: str, outcome: str, completed_on: date,
                        primary_need: str) -> Assessment:
    """The assessment completed: this meets the 45-working-day clock (003), whatever any
    Section 47 enquiry concludes."""
    assessment = Assessment.objects.select_for_update().select_related(
        "referral", "child").get(pk=assessment.pk)
    _require_visible(actor, assessment.child)
    _require(actor.pk == assessment.social_worker_id or _is_manager(actor),
             "Only the allocated social worker or a manager completes the assessment.")
    if assessment.completed_on:
        raise ServiceError("This assessment has already been completed.")
    _validate_factors(factors)
    if not factors:
        raise ServiceError("Choose the factors identified, or \"No factors identified\".",
                           field="factors")
    if outcome not in AssessmentOutcome.values:
        raise ServiceError("Choose the outcome of the assessment.", field="outcome")
    if not primary_need:
        raise ServiceError("Choose the child's primary need.", field="primary_need")
    if completed_on < assessment.started_on or completed_on > timezone.localdate():
        raise ServiceError("The completion date must be between the start of the assessment "
                           "and today.")
    assessment.factors, assessment.summary, assessment.outcome = factors, summary, outcome
    assessment.completed_on, assessment.updated_by = completed_on, actor
    assessment.save()
    referral = assessment.referral
    referral.primary_need, referral.updated_by = primary_need, actor
    referral.save(update_fields=["primary_need", "updated_by", "updated_at"])
    lifecycle.emit(_E.ASSESSMENT_COMPLETED, child=assessment.child, actor=actor,
                   at=_end_of(completed_on), scope=[referral])
    return assessment


_CLOSES = {AssessmentOutcome.NO_FURTHER_ACTION: ClosureReason.RC8,
           AssessmentOutcome.EARLY_HELP: ClosureReason.RC9,
           AssessmentOutcome.STEP_DOWN: ClosureReason.RC7}


@transaction.atomic
def assessment_authorise(*, actor: User, assessment: Assessment,
                         urgency: str = "") -> Assessment:
    """A manager authorises the completed assessment; its outcome then takes effect: the
    episode closes (no further action, early help, step down) or a concern is recorded for a
    strategy discussion."""
    assessment = Assessment.objects.select_for_update().select_related(
        "referral", "child").get(pk=assessment.pk)
    _require_visible(actor, assessment.child)
    _require(_is_manager(actor), "Only a manager authorises an assessment.")
    if not assessment.completed_on:
        raise ServiceError("The assessment has not been completed yet.")
    if assessment.authorised_at:
        raise ServiceError("This assessment has already been authorised.")
    if assessment.outcome == AssessmentOutcome.STRATEGY_DISCUSSION and urgency not in URGENCIES:
        raise ServiceError("Choose how urgent the strategy discussion is.", field="urgency")
    assessment.authorised_by, assessment.authorised_at = actor, timezone.now()
    assessment.updated_by = actor
    assessment.save()
    if assessment.outcome in _CLOSES:
        referral_close(actor=actor, referral=assessment.referral,
                       closure_date=timezone.localdate(), reason=_CLOSES[assessment.outcome])
    elif assessment.outcome == AssessmentOutcome.STRATEGY_DISCUSSION:
        concern_record(actor=actor, child=assessment.child, identified_at=timezone.now(),
                      urgency=urgency, summary=assessment.summary, origin=assessment)
    return assessment


@transaction.atomic
def new_information_record(*, actor: User, child: Child, received_at: datetime,
                           summary: str, urgency: str) -> NewInformation:
    """New information on an open case that is a child protection concern: recorded, and the
    strategy discussion clock opened from when it arrived (000)."""
    _require(actor.can(Capability.EDIT_CHILD), "Only case workers record new information.")
    _require_visible(actor, child)
    if not Referral.objects.filter(child=child, closure_date__isnull=True).exists():
        raise ServiceError(f"{child} has no open referral: record a contact instead.")
    if urgency not in URGENCIES:
        raise ServiceError("Choose how urgent the strategy discussion is.", field="urgency")
    if not summary.strip():
        raise ServiceError("Enter what the new information is.", field="summary")
    received_at = _aware(received_at, "when the information arrived")
    if received_at > timezone.now():
        raise ServiceError("The time the information arrived must be in the past.")
    info = NewInformation.objects.create(child=child, received_at=received_at,
                                         summary=summary, urgency=urgency, created_by=actor,
                                         updated_by=actor)
    concern_record(actor=actor, child=child, identified_at=received_at, urgency=urgency,
                  summary=summary, origin=info)
    return info


# --- break-glass -------------------------------------------------------------------------------


@transaction.atomic
def break_glass_open(*, actor: User, child: Child, reason: str, path: str = "",
                     ip_address: str | None = None) -> BreakGlassAccess:
    """Open a record outside one's scope with a stated reason: audited, and the holding
    team's manager is told by e-mail. A restricted record only by someone with a case reason
    (their role's scope holds it: cpcases.children.scoping.case_scope_children), and the
    manager who restricted it is told too (lifeevents.restriction). Never a merged record,
    nor a restricted one to anyone else (404-like refusal, so it is not revealed)."""
    _require(may_search_authority(actor), "You cannot open records outside your caseload.")
    if child.authority_id != actor.authority_id or child.merged_into_id or (
            child.is_restricted
            and not case_scope_children(actor).filter(pk=child.pk).exists()):
        raise NotPermitted("No child found.")
    if len(reason.strip()) < 10:
        raise ServiceError("Give the reason you need to open this record (at least a "
                           "sentence).")
    current = child.current_allocation
    team = current.team if current else None
    grant = BreakGlassAccess.objects.create(child=child, user=actor, reason=reason.strip(),
                                            opened_on=timezone.localdate(),
                                            holding_team=team)
    AccessEvent.objects.create(user=actor, child_id=child.pk, action=AccessAction.VIEW,
                               path=path[:500] or "break-glass", section="break-glass",
                               ip_address=ip_address,
                               detail={"break_glass": grant.pk, "reason": grant.reason})
    marker = marking_manager(child) if child.is_restricted else None
    managers = list(User.objects.filter(team=team, role=Role.TEAM_MANAGER, is_active=True)
                    .exclude(email="").exclude(pk=getattr(marker, "pk", None))) if team else []
    name = (f"child {child.la_child_id}" if child.is_restricted
            else f"{child.display_name} ({child.la_child_id})")
    if managers:
        text = (f"{actor.full_name or actor.username} ({actor.role_label}) opened the record "
                f"of {name}, held by {team}, which is "
                f"outside their caseload.\n\nTheir reason: {grant.reason}\n")
        recipients = [m.email for m in managers]
        outbox_enqueue(message=EmailMessage(
            f"Record opened outside caseload: {child.la_child_id}", text,
            settings.DEFAULT_FROM_EMAIL, recipients), kind="break-glass")
    if marker is not None and marker.is_active and marker.email and marker.pk != actor.pk:
        # Named by ID only: the restricted record stays behind sign-in.
        outbox_enqueue(message=EmailMessage(
            f"Restricted record opened: child {child.la_child_id}",
            f"{actor.full_name or actor.username} ({actor.role_label}) opened the restricted "
            f"record of child {child.la_child_id}, which you restricted.\n\nTheir reason: "
            f"{grant.reason}\n", settings.DEFAULT_FROM_EMAIL, [marker.email]),
            kind="break-glass")
    return grant
