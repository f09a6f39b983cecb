"""Writes for life on and off a plan. Each service checks role and scope and the workflow's
preconditions, writes in one transaction (pghistory records who changed what), sets, meets
or cancels its deadlines through the engine (deadlines.services: no timescale here), and
tells people through lifeevents.notify (notices now, e-mails on commit).
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from cpcases.accounts.models import Team, User
from cpcases.accounts.roles import MANAGEMENT_LADDER, Capability, Role
from cpcases.children import services as child_services
from cpcases.children.models import Allocation, Child
from cpcases.children.scoping import visible_children
from cpcases.core.errors import NotPermitted, ServiceError
from cpcases.plans import services as plan_services
from cpcases.plans.models import (
    ActionStatus,
    ChildProtectionPlan,
    CinPlan,
    PlanAction,
    PlanEndReason,
)
from deadlines import lifecycle
from deadlines import services as deadlines
from deadlines.models import Deadline, DeadlineStatus
from deadlines.policy import Event, Level
from lifeevents import letters, notify
from lifeevents.models import (
    SHORT_ORDER_KINDS,
    CaseTransfer,
    ChallengeStage,
    ChildDeath,
    Complaint,
    ComplaintAbout,
    ComplaintStage,
    LegalOrder,
    LetterKind,
    LetterMethod,
    MissingEpisode,
    MissingKind,
    OrderKind,
    PlanEndingNotice,
    ProfessionalChallenge,
    ReviewDecision,
    TransferKind,
)
from returns import entry

CASE_ROLES = (Role.SOCIAL_WORKER, *MANAGEMENT_LADDER)
COMPLAINT_ROLES = (*MANAGEMENT_LADDER, Role.CP_CHAIR, Role.BUSINESS_SUPPORT)


# --- permissions and helpers ------------------------------------------------------------------


def _require_visible(user: User, child: Child) -> None:
    if not user.is_authenticated or not visible_children(user).filter(pk=child.pk).exists():
        raise NotPermitted("You do not have access to this child's record.")


def _require_role(user: User, roles: tuple[str, ...], what: str) -> None:
    if user.role not in roles:
        raise NotPermitted(f"A {user.role_label.lower()} cannot {what}.")


def _not_future(moment: date | datetime, what: str) -> None:
    now = timezone.now() if isinstance(moment, datetime) else timezone.localdate()
    if moment > now:  # type: ignore[operator]
        raise ServiceError(f"The {what} must be now or in the past.")


def _require_alive(child: Child) -> None:
    if ChildDeath.objects.filter(child=child).exists():
        raise ServiceError(f"{child.display_name}'s death has been recorded.")


def lead_social_worker(child: Child) -> User | None:
    """The plan's lead social worker, else the allocated social worker (003)."""
    plan = plan_services.current_plan(child)
    if plan is not None:
        return plan.lead_social_worker
    allocation = Allocation.objects.filter(child=child, ended_on__isnull=True).select_related(
        "social_worker").first()
    return allocation.social_worker if allocation else None


def may_record_death(user: User) -> bool:
    """003: reported by the lead social worker's manager."""
    return user.is_authenticated and user.role in MANAGEMENT_LADDER


def is_senior_cp_manager(user: User, authority_id: int) -> bool:
    senior = notify.senior_cp_manager(authority_id)
    return user.is_authenticated and senior is not None and senior.pk == user.pk


# --- missing episodes (003 "Children … who go Missing or are Absent") -------------------------


@transaction.atomic
def missing_episode_record(*, child: Child, user: User, last_seen_at: datetime,
                           last_seen_by: str, kind: str = MissingKind.MISSING,
                           circumstances: str = "") -> MissingEpisode:
    """Any professional with access records the child missing or absent. The lead social
    worker is told at once; if the child is not traced within the policy's time
    (`missing_escalation`) the sweep tells the senior child protection manager."""
    _require_visible(user, child)
    _require_alive(child)
    if kind not in MissingKind.values:
        raise ServiceError("Choose missing or absent.", field="kind")
    _not_future(last_seen_at, "time the child was last seen")
    if not last_seen_by.strip():
        raise ServiceError("Say who last saw the child.", field="last_seen_by")
    if MissingEpisode.objects.select_for_update().filter(child=child,
                                                          found_at__isnull=True).exists():
        raise ServiceError(f"{child.display_name} is already recorded as missing: record "
                           "when they were found first.")
    now = timezone.now()
    lead = lead_social_worker(child)
    episode = MissingEpisode.objects.create(
        child=child, kind=kind, last_seen_at=last_seen_at, last_seen_by=last_seen_by.strip(),
        reported_at=now, reported_by=user, circumstances=circumstances.strip(),
        lead_social_worker=lead, created_by=user, updated_by=user)
    senior = notify.senior_cp_manager(child.authority_id)
    deadline = deadlines.deadline_set(child=child, rule_id="missing_escalation", anchor=now,
                                      subject=episode, responsible=senior, user=user)
    what = "missing" if kind == MissingKind.MISSING else "absent"
    notify.tell([lead], deadline=deadline, text=(
        f"{notify.child_label(child)} has been reported {what} by {user.full_name}: last seen "
        f"{timezone.localtime(last_seen_at):%-d %B %Y at %H:%M} by {episode.last_seen_by}."))
    return episode


def _locked_episode(episode: MissingEpisode, user: User) -> MissingEpisode:
    _require_visible(user, episode.child)
    return MissingEpisode.objects.select_for_update().select_related("child").get(
        pk=episode.pk)


@transaction.atomic
def missing_episode_found(*, episode: MissingEpisode, user: User, found_at: datetime,
                          found_note: str = "") -> MissingEpisode:
    """Found: the escalation clock is met; a return interview is due within the policy's
    time (`return_interview`, 72 hours by default)."""
    episode = _locked_episode(episode, user)
    if not episode.is_open:
        raise ServiceError("This episode is already closed.")
    _not_future(found_at, "time the child was found")
    if found_at < episode.last_seen_at:
        raise ServiceError("The child cannot be found before they were last seen.")
    episode.found_at, episode.found_note, episode.updated_by = found_at, found_note, user
    episode.save()
    # Meets `missing_escalation` and opens `return_interview` (deadlines.policy).
    lifecycle.emit(Event.CHILD_FOUND, child=episode.child, actor=user, scope=[episode],
                   at=found_at, anchor=found_at, subject=episode)
    return episode


@transaction.atomic
def missing_return_interview_offer(*, episode: MissingEpisode, user: User,
                                   offered_at: datetime, accepted: bool | None = None,
                                   note: str = "") -> MissingEpisode:
    episode = _locked_episode(episode, user)
    if episode.is_open:
        raise ServiceError("Record when the child was found first.")
    _not_future(offered_at, "time the interview was offered")
    if offered_at < episode.found_at:  # type: ignore[operator]
        raise ServiceError("The interview cannot be offered before the child was found.")
    episode.interview_offered_at, episode.interview_accepted = offered_at, accepted
    episode.interview_note, episode.updated_by = note, user
    episode.save()
    lifecycle.emit(Event.RETURN_INTERVIEW_OFFERED, child=episode.child, actor=user,
                   scope=[episode], at=offered_at)
    return episode


# --- a child's death (003 "Death of a Child Subject to a Child Protection Plan") ---------------


def _stop_every_clock(child: Child, user: User, reason: str) -> None:
    """Every rule ends with the case (deadlines.policy CASE_ENDS): each open deadline is
    cancelled with the reason and the sweep sends no further notice. Anything a rule's
    lifecycle does not cover is cancelled too: no clock outlives the child."""
    lifecycle.emit(Event.CHILD_DIED, child=child, actor=user, reason=reason)
    lifecycle.emit(Event.CHILD_CLOSED, child=child, actor=user, reason=reason)
    for deadline in Deadline.objects.filter(child=child, status=DeadlineStatus.OPEN):
        deadlines.deadline_cancel(deadline=deadline, reason=reason, user=user)


@transaction.atomic
@entry.checks("death", lambda kw: kw["child"])  # 8915, 8920 (returns.entry)
def child_death_record(*, child: Child, user: User, died_on: date,
                       circumstances: str) -> ChildDeath:
    """The manager reports the death to the senior child protection manager (003). The plan
    ends with that reason (census closure reason RC2), any Child in Need plan ends, open
    missing episodes close, every open deadline and notice for the child stops; the senior
    manager's two clocks start (partnership chair told; review considered)."""
    _require_visible(user, child)
    if not may_record_death(user):
        raise NotPermitted("The death is reported through the lead social worker's manager.")
    if ChildDeath.objects.select_for_update().filter(child=child).exists():
        raise ServiceError(f"{child.display_name}'s death has already been recorded.")
    _not_future(died_on, "date of death")
    if not circumstances.strip():
        raise ServiceError("Describe the circumstances as far as they are known.")
    running = Deadline.objects.filter(child=child, status=DeadlineStatus.OPEN).count()
    plan = ChildProtectionPlan.objects.filter(child=child, ended_on__isnull=True).first()
    if plan is not None:
        plan_services.plan_end(plan=plan, ended_on=max(died_on, plan.started_on),
                               reason=PlanEndReason.DIED, user=user,
                               note="Recorded with the child's death.")
    cin = CinPlan.objects.filter(child=child, ended_on__isnull=True).first()
    if cin is not None:
        plan_services.cin_plan_end(cin_plan=cin, ended_on=max(died_on, cin.started_on),
                                   reason="The child died.", user=user)
    now = timezone.now()
    MissingEpisode.objects.filter(child=child, found_at__isnull=True).update(
        found_at=now, found_note="Closed: the child died.", updated_by=user)
    _stop_every_clock(child, user, "The child died.")  # what the plan's ending left
    senior = notify.senior_cp_manager(child.authority_id)
    death = ChildDeath.objects.create(
        child=child, died_on=died_on, circumstances=circumstances.strip(), reported_by=user,
        reported_at=now, senior_cp_manager=senior, deadlines_stopped=running,
        created_by=user, updated_by=user)
    today = timezone.localdate()
    notice = deadlines.deadline_set(child=child, rule_id="death_partnership_notification",
                                    anchor=today, subject=death, responsible=senior, user=user)
    deadlines.deadline_set(child=child, rule_id="serious_case_review_consideration",
                           anchor=today, subject=death, responsible=senior, user=user)
    notify.tell([senior, lead_social_worker(child)], deadline=notice, level=Level.REMINDER,
                text=f"{user.full_name} has reported the death of {notify.child_label(child)} "
                     f"on {died_on:%-d %B %Y}. Notify the safeguarding partnership's chair by "
                     f"{notice.due_date:%-d %B %Y} and decide on a review.")
    return death


def _locked_death(death: ChildDeath, user: User) -> ChildDeath:
    if not (is_senior_cp_manager(user, death.child.authority_id)
            or user.role == Role.HEAD_OF_SERVICE):
        raise NotPermitted("Only the senior child protection manager can do this.")
    return ChildDeath.objects.select_for_update().select_related("child").get(pk=death.pk)


@transaction.atomic
def child_death_notify_partnership(*, death: ChildDeath, user: User,
                                   method: str = LetterMethod.EMAIL, note: str = "") -> ChildDeath:
    """The senior manager notifies the partnership's chair: a time-stamped notice, kept as
    sent."""
    death = _locked_death(death, user)
    if death.partnership_notified_at is not None:
        raise ServiceError("The partnership's chair has already been told.")
    contacts = letters.contacts(death.child.authority_id)
    if not contacts.partnership_chair_name:
        raise ServiceError("The safeguarding partnership's chair is not set up: ask an "
                           "administrator to add them.")
    subject, body = letters.partnership_death(death, user, note)
    notify.letter_send(child=death.child, kind=LetterKind.PARTNERSHIP_DEATH, about=death,
                       recipient_name=contacts.partnership_chair_name,
                       recipient_email=contacts.partnership_chair_email,
                       recipient_address=contacts.partnership_address, method=method,
                       subject=subject, body=body, user=user)
    death.partnership_notified_at, death.partnership_notified_by = timezone.now(), user
    death.updated_by = user
    death.save()
    lifecycle.emit(Event.PARTNERSHIP_NOTIFIED, child=death.child, actor=user, scope=[death],
                   at=death.partnership_notified_at)
    return death


@transaction.atomic
def child_death_review_decide(*, death: ChildDeath, user: User, decision: str,
                              reasons: str) -> ChildDeath:
    """003: a serious case review considered (a rapid review under Working Together 2018)."""
    death = _locked_death(death, user)
    if decision not in ReviewDecision.values:
        raise ServiceError("Choose the review decision.", field="decision")
    if not reasons.strip():
        raise ServiceError("Give the reasons for the decision.", field="reasons")
    death.review_decision, death.review_reasons = decision, reasons.strip()
    death.review_decided_at, death.review_decided_by = timezone.now(), user
    death.updated_by = user
    death.save()
    lifecycle.emit(Event.DEATH_REVIEW_DECIDED, child=death.child, actor=user, scope=[death],
                   at=death.review_decided_at)
    return death


# --- legal orders and looked-after status (002 §3.2-3.3) ---------------------------------------


def _held_icpc(child: Child) -> bool:
    return ChildProtectionPlan.objects.filter(child=child, ended_on__isnull=True).exists()


@transaction.atomic
def legal_order_record(*, child: Child, user: User, kind: str, starts_on: date,
                       ends_on: date | None = None, legal_action_planned: bool = False,
                       note: str = "") -> LegalOrder:
    """An order or accommodation with its dates. 002 §3.2: where further legal action is
    planned the ICPC is due before an emergency protection order or police protection
    expires (`icpc_before_order_expiry`), which may be earlier than the 15 working days."""
    _require_visible(user, child)
    _require_role(user, CASE_ROLES, "record a legal order")
    _require_alive(child)
    if kind not in OrderKind.values:
        raise ServiceError("Choose the kind of order.", field="kind")
    if ends_on is not None and ends_on < starts_on:
        raise ServiceError("The order cannot end before it starts.")
    if kind in SHORT_ORDER_KINDS and ends_on is None:
        raise ServiceError("Give the date the order expires.", field="ends_on")
    order = LegalOrder.objects.create(
        child=child, kind=kind, starts_on=starts_on, ends_on=ends_on,
        legal_action_planned=legal_action_planned, note=note, created_by=user,
        updated_by=user)
    if kind in SHORT_ORDER_KINDS and legal_action_planned and not _held_icpc(child):
        lifecycle.emit(Event.ORDER_EXPIRY_SET, child=child, actor=user, anchor=ends_on,
                       subject=order)
    return order


def _locked_order(order: LegalOrder, user: User) -> LegalOrder:
    _require_visible(user, order.child)
    _require_role(user, CASE_ROLES, "change a legal order")
    return LegalOrder.objects.select_for_update().select_related("child").get(pk=order.pk)


@transaction.atomic
def legal_order_assessments_concluded(*, order: LegalOrder, user: User,
                                      concluded_on: date) -> LegalOrder:
    """002 §3.3: the ICPC immediately the child assessment order's assessments conclude."""
    order = _locked_order(order, user)
    if order.kind != OrderKind.CAO:
        raise ServiceError("Only a child assessment order has assessments to conclude.")
    _not_future(concluded_on, "date the assessments concluded")
    if concluded_on < order.starts_on:
        raise ServiceError("The assessments cannot conclude before the order started.")
    order.assessments_concluded_on, order.updated_by = concluded_on, user
    order.save()
    if not _held_icpc(order.child):
        lifecycle.emit(Event.CAO_ASSESSMENTS_CONCLUDED, child=order.child, actor=user,
                       anchor=concluded_on, subject=order)
    return order


@transaction.atomic
def legal_order_end(*, order: LegalOrder, user: User, ended_on: date) -> LegalOrder:
    order = _locked_order(order, user)
    if order.ended_on is not None:
        raise ServiceError("This order has already ended.")
    if ended_on < order.starts_on:
        raise ServiceError("The order cannot end before it starts.")
    order.ended_on, order.updated_by = ended_on, user
    order.save()
    return order


# --- complaints and appeals about a conference (003 "Complaints") -----------------------------
# Each step meets its deadline and starts the next; letters are generated and kept. The
# conference's decision stands meanwhile (nothing here changes it).

# step → (stage it needs, the event it is (the rules it meets, starts and ends are declared
# in deadlines.policy LIFECYCLES), letter it sends, field it sets)
STEPS: dict[str, tuple[str, str, str, str]] = {
    "respond": (ComplaintStage.RECEIVED, Event.COMPLAINT_RESPONDED,
                LetterKind.COMPLAINT_RESPONSE, "responded_on"),
    "to_chair": (ComplaintStage.RECEIVED, Event.COMPLAINT_TO_CHAIR, "", "chair_received_on"),
    "chair_acknowledge": (ComplaintStage.WITH_CHAIR, Event.COMPLAINT_ACKNOWLEDGED,
                          LetterKind.CHAIR_ACKNOWLEDGEMENT, "chair_acknowledged_on"),
    "chair_consider": (ComplaintStage.WITH_CHAIR, Event.COMPLAINT_CONSIDERED, "",
                       "chair_considered_on"),
    "chair_reply": (ComplaintStage.WITH_CHAIR, Event.COMPLAINT_CHAIR_REPLIED,
                    LetterKind.CHAIR_RESPONSE, "chair_replied_on"),
    "appeal": (ComplaintStage.WITH_CHAIR, Event.APPEAL_RECEIVED, "", "appeal_received_on"),
    "panel_met": (ComplaintStage.APPEAL, Event.APPEAL_PANEL_MET, "", "panel_met_on"),
    "appeal_outcome": (ComplaintStage.APPEAL, Event.APPEAL_OUTCOME_SENT,
                       LetterKind.APPEAL_OUTCOME, "appeal_outcome_on"),
    "close": ("", Event.COMPLAINT_CLOSED, "", "closed_on"),
}
STEP_LABELS = {
    "respond": "Response sent to the complainant",
    "to_chair": "Not resolved: passed to the independent chair",
    "chair_acknowledge": "Independent chair acknowledged receipt",
    "chair_consider": "Independent chair considered the documents",
    "chair_reply": "Independent chair's written response sent",
    "appeal": "Complainant dissatisfied: appeal received in writing",
    "panel_met": "Appeal panel met",
    "appeal_outcome": "Appeal outcome sent",
    "close": "Close the complaint",
}
NEXT_STAGE = {"to_chair": ComplaintStage.WITH_CHAIR, "appeal": ComplaintStage.APPEAL,
              "appeal_outcome": ComplaintStage.CLOSED, "close": ComplaintStage.CLOSED}


def complaint_next_steps(complaint: Complaint) -> list[str]:
    """The steps open at the complaint's stage, in the procedure's order, not yet done."""
    if complaint.stage == ComplaintStage.CLOSED:
        return []
    steps = [s for s, (stage, *_rest) in STEPS.items()
             if stage in ("", complaint.stage) and getattr(complaint, STEPS[s][3]) is None]
    if complaint.stage == ComplaintStage.RECEIVED and complaint.responded_on is None:
        steps.remove("to_chair")  # the response first (10 working days)
    if complaint.stage == ComplaintStage.WITH_CHAIR and complaint.chair_replied_on is None:
        steps.remove("appeal")  # dissatisfied with the chair's response
    return steps


@transaction.atomic
def complaint_receive(*, child: Child, user: User, complainant_name: str,
                      complainant_relationship: str, about: str, details: str,
                      received_on: date, conference: object | None = None,
                      complainant_email: str = "", complainant_address: str = "",
                      reply_by: str = LetterMethod.POST) -> Complaint:
    _require_visible(user, child)
    _require_role(user, COMPLAINT_ROLES, "record a complaint")
    if about not in ComplaintAbout.values:
        raise ServiceError("Choose what the complaint is about.", field="about")
    if not complainant_name.strip() or not details.strip():
        raise ServiceError("Give the complainant's name and the complaint.",
                           field="details" if complainant_name.strip() else "complainant_name")
    _not_future(received_on, "date the complaint was received")
    if reply_by == LetterMethod.EMAIL and not complainant_email:
        raise ServiceError("Give the complainant's e-mail address, or reply by post.",
                           field="complainant_email")
    if reply_by == LetterMethod.POST and not complainant_address.strip():
        raise ServiceError("Give the complainant's address, or reply by e-mail.",
                           field="complainant_address")
    complaint = Complaint.objects.create(
        child=child, conference=conference, complainant_name=complainant_name.strip(),
        complainant_relationship=complainant_relationship.strip(),
        complainant_email=complainant_email, complainant_address=complainant_address,
        reply_by=reply_by, about=about, details=details.strip(), received_on=received_on,
        created_by=user, updated_by=user)
    lifecycle.emit(Event.COMPLAINT_RECEIVED, child=child, actor=user, anchor=received_on,
                   subject=complaint)
    return complaint


@transaction.atomic
def complaint_advance(*, complaint: Complaint, user: User, step: str, on: date,
                      text: str = "") -> Complaint:
    """One step of the complaints ladder, on the day it happened."""
    _require_visible(user, complaint.child)
    _require_role(user, COMPLAINT_ROLES, "record a step of a complaint")
    complaint = Complaint.objects.select_for_update().select_related("child").get(
        pk=complaint.pk)
    if step not in complaint_next_steps(complaint):
        raise ServiceError("That step is not open for this complaint now.")
    _not_future(on, "date")
    if on < complaint.received_on:
        raise ServiceError("The date cannot be before the complaint was received.")
    _stage, event, letter_kind, field = STEPS[step]
    if letter_kind and not text.strip():
        raise ServiceError("Write the letter's text.")
    setattr(complaint, field, on)
    complaint.stage = NEXT_STAGE.get(step, complaint.stage)
    if step in ("appeal_outcome", "close"):
        complaint.closed_on = complaint.closed_on or on
        complaint.outcome = text.strip() or complaint.outcome
    complaint.updated_by = user
    complaint.save()
    lifecycle.emit(event, child=complaint.child, actor=user, scope=[complaint],
                   at=deadlines.start_of_day(on), anchor=on, subject=complaint,
                   reason="The complaint was closed." if step == "close" else "")
    if step == "close":
        # Closing also stops the response clock if it still runs (its lifecycle has no end).
        for deadline in Deadline.objects.filter(
                child=complaint.child, object_id=complaint.pk, content_type__model="complaint",
                status=DeadlineStatus.OPEN):
            deadlines.deadline_cancel(deadline=deadline, reason="The complaint was closed.",
                                      user=user)
    if letter_kind:
        subject, body = letters.complaint_letter(complaint, letter_kind, text, user)
        notify.letter_send(child=complaint.child, kind=letter_kind, about=complaint,
                           recipient_name=complaint.complainant_name,
                           recipient_email=complaint.complainant_email,
                           recipient_address=complaint.complainant_address,
                           method=complaint.reply_by, subject=subject, body=body, user=user)
    return complaint


# --- ending a plan properly (003 "Discontinuing the Child Protection Plan") -------------------


@transaction.atomic
def plan_ending_notify(*, plan: ChildProtectionPlan, user: User) -> PlanEndingNotice:
    """Everyone invited to the ICPC that led to the plan is told it has ended, by the means
    they were invited, each letter kept as sent (003)."""
    _require_visible(user, plan.child)
    _require_role(user, (*CASE_ROLES, Role.CP_CHAIR, Role.BUSINESS_SUPPORT),
                  "send the notices that a plan has ended")
    plan = ChildProtectionPlan.objects.select_for_update().select_related("child").get(
        pk=plan.pk)
    if plan.ended_on is None:
        raise ServiceError("The plan has not ended.")
    if PlanEndingNotice.objects.filter(plan=plan).exists():
        raise ServiceError("The notices for this plan have already been sent.")
    icpc = letters.icpc_for(plan)
    notice = PlanEndingNotice.objects.create(plan=plan, icpc=icpc, sent_at=timezone.now(),
                                             sent_by=user, created_by=user, updated_by=user)
    for invitation in letters.icpc_invitees(icpc):
        subject, body = letters.plan_ended(plan, invitation, user)
        notify.letter_send(child=plan.child, kind=LetterKind.PLAN_ENDED, about=notice,
                           recipient_name=invitation.name, recipient_email=invitation.email,
                           recipient_address=letters.invitee_address(invitation),
                           method=letters.method_for(invitation), subject=subject, body=body,
                           user=user)
    return notice


# --- case transfer (issue 11 point 1) -----------------------------------------------------------


def _may_transfer(user: User) -> bool:
    return user.is_authenticated and user.can(Capability.ALLOCATE)


def _tell_by_email(people: list[User | None], subject: str, body: str) -> None:
    notify.email_people(people, subject=subject, body=body)


@transaction.atomic
def case_transfer(*, child: Child, user: User, to_team: Team, to_worker: User, reason: str,
                  handover_note: str = "", transferred_on: date | None = None) -> CaseTransfer:
    """A change of allocated social worker or team, and with it of the plan's lead social
    worker: the open deadlines (deadlines_reassign_for), the plan's open actions and the
    core group place move to the new worker; both workers and both teams' managers are told
    and see the transfer."""
    _require_visible(user, child)
    if not _may_transfer(user):
        raise NotPermitted("Only managers transfer a case.")
    _require_alive(child)
    if not reason.strip():
        raise ServiceError("Give the reason for the transfer.", field="reason")
    if to_worker.team_id != to_team.pk or not to_worker.is_active:
        raise ServiceError(f"{to_worker} is not a member of {to_team}.")
    on = transferred_on or timezone.localdate()
    _not_future(on, "date of the transfer")
    current = Allocation.objects.filter(child=child, ended_on__isnull=True).select_related(
        "team", "social_worker").first()
    old_worker = current.social_worker if current else None
    old_team = current.team if current else None
    actions_moved = 0
    plan = plan_services.current_plan(child)
    if plan is not None and old_worker is not None and plan.lead_social_worker_id != to_worker.pk:
        # The core group place and the open actions of the old lead go to the new one, then
        # the lead changes (003 "Lead Social Worker Role"); the user must manage the old lead.
        for member in plan.members.filter(user=plan.lead_social_worker, removed_on__isnull=True):
            plan_services.core_group_member_remove(member=member, user=user, on=on)
        plan_services.core_group_member_add(plan=plan, user=user, member=plan_services.MemberData(
            user=to_worker, name=to_worker.full_name, agency="csc", role="Lead social worker",
            email=to_worker.email))
        actions_moved = PlanAction.objects.filter(
            plan=plan, who_user=plan.lead_social_worker, status=ActionStatus.OPEN).update(
            who_user=to_worker, updated_by=user)
        plan_services.plan_change_lead_social_worker(
            plan=plan, lead_social_worker=to_worker, user=user, reason=reason)
    before = {d.pk: d.responsible_id for d in Deadline.objects.filter(
        child=child, status=DeadlineStatus.OPEN)}
    if current is None or (current.team_id, current.social_worker_id) != (to_team.pk,
                                                                         to_worker.pk):
        child_services.child_allocate(user=user, child=child, team=to_team,
                                      social_worker=to_worker, reason=reason, on=on)
    # Counted over the whole transfer (the lead change moves some, the allocation others).
    moved = sum(1 for pk, responsible in Deadline.objects.filter(
        pk__in=before, status=DeadlineStatus.OPEN).values_list("pk", "responsible_id")
        if responsible == to_worker.pk)
    transfer = CaseTransfer.objects.create(
        child=child, kind=TransferKind.WORKER, transferred_on=on, reason=reason.strip(),
        handover_note=handover_note.strip(), from_team=old_team, to_team=to_team,
        from_worker=old_worker, to_worker=to_worker, deadlines_moved=moved,
        actions_moved=actions_moved, created_by=user, updated_by=user)
    managers = list(User.objects.filter(role=Role.TEAM_MANAGER, is_active=True, team_id__in={
        t.pk for t in (old_team, to_team) if t is not None}))
    _tell_by_email([old_worker, to_worker, *managers],
                   f"Case transfer: child {child.la_child_id}",
                   f"Child {child.la_child_id} has moved from {old_worker or 'no worker'} "
                   f"({old_team or 'no team'}) to {to_worker} ({to_team}) on {on:%-d %B %Y}. "
                   f"{moved} open deadlines moved. Reason: {reason.strip()}")
    return transfer


@transaction.atomic
def transfer_out_record(*, child: Child, user: User, receiving_authority: str,
                        notified_on: date, reason: str, receiving_contact: str = "",
                        receiving_email: str = "", receiving_address: str = "",
                        handover_note: str = "") -> CaseTransfer:
    """The child moves permanently to another authority (003): it holds a transfer-in
    conference within 15 working days of being told (`transfer_out_conference`); our plan
    ends only after it."""
    _require_visible(user, child)
    if not _may_transfer(user):
        raise NotPermitted("Only managers transfer a case.")
    _require_alive(child)
    if not receiving_authority.strip() or not reason.strip():
        raise ServiceError("Name the receiving authority and give the reason.",
                           field="reason" if receiving_authority.strip() else "receiving_authority")
    _not_future(notified_on, "date the receiving authority was told")
    if CaseTransfer.objects.filter(child=child, kind=TransferKind.OUT,
                                   their_conference_on__isnull=True).exists():
        raise ServiceError("A transfer out is already in progress.")
    current = Allocation.objects.filter(child=child, ended_on__isnull=True).first()
    transfer = CaseTransfer.objects.create(
        child=child, kind=TransferKind.OUT, transferred_on=notified_on, reason=reason.strip(),
        handover_note=handover_note, from_team_id=current.team_id if current else None,
        from_worker_id=current.social_worker_id if current else None,
        receiving_authority=receiving_authority.strip(), receiving_contact=receiving_contact,
        receiving_email=receiving_email, receiving_address=receiving_address,
        created_by=user, updated_by=user)
    lifecycle.emit(Event.TRANSFER_OUT_NOTIFIED, child=child, actor=user, anchor=notified_on,
                   subject=transfer)
    return transfer


@transaction.atomic
def transfer_out_conference_held(*, transfer: CaseTransfer, user: User,
                                 held_on: date) -> CaseTransfer:
    """Their transfer-in conference was held: our plan ends (census closure reason RC5) and
    every remaining clock for the child here stops (the child moved away)."""
    _require_visible(user, transfer.child)
    if not _may_transfer(user):
        raise NotPermitted("Only managers record the end of a transfer.")
    transfer = CaseTransfer.objects.select_for_update().select_related("child").get(
        pk=transfer.pk)
    if transfer.kind != TransferKind.OUT or transfer.their_conference_on is not None:
        raise ServiceError("This transfer is not waiting for the receiving conference.")
    _not_future(held_on, "date of their conference")
    if held_on < transfer.transferred_on:
        raise ServiceError("Their conference cannot be before they were told of the move.")
    transfer.their_conference_on, transfer.updated_by = held_on, user
    transfer.save()
    child = transfer.child
    lifecycle.emit(Event.TRANSFER_OUT_CONFERENCE_HELD, child=child, actor=user,
                   scope=[transfer], at=deadlines.start_of_day(held_on))
    plan = plan_services.current_plan(child)
    if plan is not None:
        plan_services.plan_end(plan=plan, ended_on=max(held_on, plan.started_on),
                               reason=PlanEndReason.TRANSFERRED, user=user,
                               note=f"Transferred to {transfer.receiving_authority}.")
    lifecycle.emit(Event.CHILD_MOVED_AWAY, child=child, actor=user,
                   reason=f"Moved to {transfer.receiving_authority}")
    return transfer


# --- professional challenge (003 "Professional Challenge") ------------------------------------
# Five stages; each stage's time from the policy (`challenge_stage`, the stage as variant);
# stage 5 is reported to the safeguarding partnership.

LAST_STAGE = 5


def _open_stage(challenge: ProfessionalChallenge, stage: int, on: date, note: str,
                user: User) -> ChallengeStage:
    row = ChallengeStage.objects.create(challenge=challenge, stage=stage, started_on=on,
                                        note=note)
    lifecycle.emit(Event.CHALLENGE_STAGE_STARTED, child=challenge.child, actor=user,
                   anchor=on, subject=row, variant=str(stage))
    return row


def _close_stage(challenge: ProfessionalChallenge, on: date, user: User) -> None:
    row = challenge.stages.get(stage=challenge.stage)
    row.ended_on = on
    row.save(update_fields=["ended_on"])
    lifecycle.emit(Event.CHALLENGE_STAGE_RESOLVED, child=challenge.child, actor=user,
                   scope=[row], at=deadlines.start_of_day(on))


@transaction.atomic
def challenge_raise(*, child: Child, user: User, about: str, with_whom: str,
                    raised_on: date | None = None) -> ProfessionalChallenge:
    """Any professional with access to the child raises a challenge (stage 1)."""
    _require_visible(user, child)
    if not about.strip() or not with_whom.strip():
        raise ServiceError("Say what is challenged and with whom it was raised.",
                           field="with_whom" if about.strip() else "about")
    on = raised_on or timezone.localdate()
    _not_future(on, "date the challenge was raised")
    challenge = ProfessionalChallenge.objects.create(
        child=child, raised_by=user, agency=user.agency, about=about.strip(),
        with_whom=with_whom.strip(), raised_on=on, created_by=user, updated_by=user)
    _open_stage(challenge, 1, on, "", user)
    return challenge


def _locked_challenge(challenge: ProfessionalChallenge, user: User) -> ProfessionalChallenge:
    _require_visible(user, challenge.child)
    locked = ProfessionalChallenge.objects.select_for_update().select_related("child").get(
        pk=challenge.pk)
    if locked.resolved_on is not None:
        raise ServiceError("This challenge has been resolved.")
    return locked


@transaction.atomic
def challenge_escalate(*, challenge: ProfessionalChallenge, user: User, note: str,
                       on: date | None = None) -> ProfessionalChallenge:
    """Not resolved at this stage: the next one starts. Stage 5 goes to the partnership's
    chair, and the report is kept as sent (003 "Threshold for reporting")."""
    challenge = _locked_challenge(challenge, user)
    if challenge.stage >= LAST_STAGE:
        raise ServiceError("Stage 5 is the last: record the partnership's decision.")
    if not note.strip():
        raise ServiceError("Say why the challenge was not resolved at this stage.", field="note")
    on = on or timezone.localdate()
    _not_future(on, "date")
    _close_stage(challenge, on, user)
    challenge.stage += 1
    challenge.updated_by = user
    if challenge.stage == LAST_STAGE:
        challenge.reported_to_partnership_on = on
        contacts = letters.contacts(challenge.child.authority_id)
        subject, body = letters.challenge_report(challenge, note, user)
        notify.letter_send(child=challenge.child, kind=LetterKind.CHALLENGE_REPORT,
                           about=challenge,
                           recipient_name=contacts.partnership_chair_name or
                           "Chair of the safeguarding partnership",
                           recipient_email=contacts.partnership_chair_email,
                           recipient_address=contacts.partnership_address,
                           method=LetterMethod.EMAIL, subject=subject, body=body, user=user)
    challenge.save()
    _open_stage(challenge, challenge.stage, on, note.strip(), user)
    return challenge


@transaction.atomic
def challenge_resolve(*, challenge: ProfessionalChallenge, user: User, outcome: str,
                      on: date | None = None) -> ProfessionalChallenge:
    challenge = _locked_challenge(challenge, user)
    if not outcome.strip():
        raise ServiceError("Record the outcome.")
    on = on or timezone.localdate()
    _not_future(on, "date")
    _close_stage(challenge, on, user)
    challenge.outcome, challenge.resolved_on = outcome.strip(), on
    challenge.updated_by = user
    challenge.save()
    return challenge
