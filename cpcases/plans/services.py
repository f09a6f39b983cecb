"""Writes for child protection plans, core groups and Child in Need plans.

Each service checks the user's role and scope and the workflow's preconditions, writes in one
transaction (pghistory's triggers record who changed what), and sets, meets or cancels the
deadlines of DOMAIN §4 through the engine (deadlines.services): no timescale is computed here.

The conference issue calls, when a conference decides:
  - a plan:     plan_start(child=…, started_on=conference.date, category=…,
                           lead_social_worker=…, conference=conference,
                           core_group_members=[MemberData(…), …],
                           first_core_group_on=…, user=chair)
  - no plan but the child needs help (002 §19.8):
                cin_plan_start(child=…, started_on=conference.date,
                               first_meeting_on=…, conference=conference, user=chair)
  - to end a plan at a review (003 "Discontinuing"):
                plan_end(plan=…, ended_on=conference.date, reason=PlanEndReason…,
                         start_cin_plan=True | False, stepdown_rationale="…",
                         conference=conference, user=chair)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency, Role
from cpcases.children.models import Child, CpStage, InvolvementKind, PartnerInvolvement
from cpcases.children.scoping import visible_children
from cpcases.core.errors import NotPermitted, RuleError, ServiceError
from cpcases.plans.models import (
    ActionStatus,
    Attendance,
    ChildProtectionPlan,
    CinAction,
    CinMeeting,
    CinMeetingKind,
    CinPlan,
    CoreGroupMeeting,
    CoreGroupMember,
    MeetingAttendance,
    PlanAction,
    PlanCategory,
    PlanEndReason,
    PlanVersion,
    Recommendation,
)
from deadlines import lifecycle
from deadlines import services as deadlines
from deadlines.models import Deadline, DeadlineStatus
from returns import entry

# Who may start or end a plan: the chair records the conference's decision; the child's
# social workers and their managers may record one made elsewhere (e.g. before go-live).
DECIDING_ROLES = (Role.CP_CHAIR, Role.SOCIAL_WORKER, Role.TEAM_MANAGER,
                  Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
LEAD_ROLES = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER)  # 003: a qualified social worker
# The plan's deadlines, cancelled when it ends (their anchor, the plan, is undone).
PLAN_RULES = ("core_group_first", "core_group_next", "plan_distributed", "first_review",
              "next_review", "prebirth_first_review", "child_seen", "bedroom_seen")


@dataclass(frozen=True)
class MemberData:
    """A core group member: a user of the system, or a named professional or family member."""

    name: str = ""
    agency: str = Agency.OTHER
    role: str = ""
    email: str = ""
    mobile: str = ""
    contact_frequency: str = ""
    user: User | None = None


@dataclass(frozen=True)
class ActionData:
    what: str
    by_when: date
    who: str = ""
    who_user: User | None = None


# --- permissions ----------------------------------------------------------------------------


def _visible(user: User, child: Child) -> bool:
    return visible_children(user).filter(pk=child.pk).exists()


def is_core_group_member(user: User, plan: ChildProtectionPlan) -> bool:
    return plan.members.filter(user_id=user.pk, removed_on__isnull=True).exists()


def may_view_plan(user: User, plan: ChildProtectionPlan) -> bool:
    """Core group members (partners included) and the case's own staff; a partner who is
    not in the core group (e.g. only at the strategy discussion) is refused."""
    if not user.is_authenticated or not _visible(user, plan.child):
        return False
    if user.role == Role.PARTNER:
        return plan.members.filter(user_id=user.pk).filter(
            Q(removed_on__isnull=True) | Q(plan__ended_on__isnull=False)).exists()
    return True


def _manages(manager: User, worker: User) -> bool:
    if manager.role == Role.TEAM_MANAGER:
        return bool(worker.team_id) and manager.team_id == worker.team_id
    if manager.role in (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE):
        return manager.effective_service_id is not None and \
            manager.effective_service_id == worker.effective_service_id
    return False


def may_edit_plan(user: User, plan: ChildProtectionPlan, *, child_visible: bool = False
                  ) -> bool:
    """003 "Lead Social Worker Role": the lead social worker and their managers.
    `child_visible`: the caller has just found the plan's child in the user's scope (a page's
    child_for_view or plan_for_view), so it is not asked again (issue 13 §2)."""
    if not user.is_authenticated or not user.is_active or not (
            child_visible or _visible(user, plan.child)):
        return False
    lead = plan.lead_social_worker
    return user.pk == lead.pk or _manages(user, lead)


def may_start_plan(user: User, child: Child, *, child_visible: bool = False) -> bool:
    return user.is_authenticated and user.is_active and user.role in DECIDING_ROLES \
        and (child_visible or _visible(user, child))


def may_end_plan(user: User, plan: ChildProtectionPlan, *, child_visible: bool = False
                 ) -> bool:
    return may_edit_plan(user, plan, child_visible=child_visible) or (
        user.is_authenticated and user.role == Role.CP_CHAIR
        and (child_visible or _visible(user, plan.child)))


def may_edit_cin_plan(user: User, cin_plan: CinPlan) -> bool:
    if not user.is_authenticated or not user.is_active or not _visible(user, cin_plan.child):
        return False
    return user.role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.SERVICE_MANAGER,
                         Role.HEAD_OF_SERVICE)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotPermitted(message)


def _locked_plan(plan: ChildProtectionPlan) -> ChildProtectionPlan:
    locked = ChildProtectionPlan.objects.select_for_update().select_related(
        "child__authority", "lead_social_worker").get(pk=plan.pk)
    return locked


def _require_current(plan: ChildProtectionPlan) -> None:
    if plan.ended_on is not None:
        raise ServiceError(f"This plan ended on {plan.ended_on:%d/%m/%Y}: it cannot be "
                           "changed.")


def _not_future(on: date, what: str, field: str | None = None) -> None:
    if on > timezone.localdate():
        raise ServiceError(f"The {what} must be today or in the past.", field=field)


# --- deadlines through the engine -----------------------------------------------------------


def _open_deadlines(child: Child, rule_ids: Iterable[str],
                    subject: models.Model | None = None) -> list[Deadline]:
    queryset = Deadline.objects.filter(child=child, rule_id__in=list(rule_ids),
                                       status=DeadlineStatus.OPEN)
    if subject is not None:
        queryset = queryset.filter(content_type__app_label=subject._meta.app_label,
                                   content_type__model=subject._meta.model_name,
                                   object_id=subject.pk)
    return list(queryset)


def _meet_open(child: Child, rule_id: str, on: date, user: User,
               subject: models.Model | None = None) -> None:
    """The event happened on `on`: met if on time, else missed (DOMAIN §4)."""
    for deadline in _open_deadlines(child, [rule_id], subject):
        deadlines.deadline_meet(deadline=deadline, at=deadlines.start_of_day(on), user=user)


def _cancel_open(child: Child, rule_ids: Iterable[str], reason: str, user: User,
                 subject: models.Model | None = None) -> None:
    for deadline in _open_deadlines(child, rule_ids, subject):
        deadlines.deadline_cancel(deadline=deadline, reason=reason, user=user)


def core_group_first_due(child: Child, anchor: date) -> date:
    """When the first core group is due for a plan made on `anchor` (for display)."""
    return deadlines.due_date_for(child.authority, "core_group_first", anchor)


# --- members and versions -------------------------------------------------------------------


def _check_member_user(member: MemberData, child: Child) -> None:
    if member.user is not None:
        if member.user.authority_id != child.authority_id or not member.user.is_active:
            raise ServiceError(f"{member.user} cannot be a member of this core group.")
    elif not member.name.strip():
        raise ServiceError("Give each core group member's name.")


def _add_member(plan: ChildProtectionPlan, member: MemberData, user: User) -> CoreGroupMember:
    _check_member_user(member, plan.child)
    if member.user is not None and plan.members.filter(
            user=member.user, removed_on__isnull=True).exists():
        raise ServiceError(f"{member.user} is already in the core group.")
    row = CoreGroupMember.objects.create(
        plan=plan, user=member.user, name=member.name.strip() or str(member.user),
        agency=(member.user.agency if member.user and member.agency == Agency.OTHER
                else member.agency),
        role=member.role, email=member.email or (member.user.email if member.user else ""),
        mobile=member.mobile or (member.user.mobile if member.user else ""),
        contact_frequency=member.contact_frequency, created_by=user)
    if member.user is not None and member.user.role == Role.PARTNER:
        # The partner now sees this child, and only through this plan's core group.
        PartnerInvolvement.objects.update_or_create(
            child=plan.child, user=member.user, kind=InvolvementKind.CORE_GROUP,
            object_id=plan.pk, defaults={"agency": member.user.agency, "ended_on": None})
    return row


def _snapshot(plan: ChildProtectionPlan, reason: str, user: User,
              meeting: CoreGroupMeeting | None = None) -> PlanVersion:
    number = (plan.versions.aggregate(n=models.Max("number"))["n"] or 0) + 1
    return PlanVersion.objects.create(
        plan=plan, number=number, reason=reason, meeting=meeting, category=plan.category,
        outcomes=plan.outcomes, contingency=plan.contingency, created_by=user,
        actions=[{"who": a.who_label, "what": a.what, "by_when": a.by_when.isoformat(),
                  "status": a.status}
                 for a in plan.actions.select_related("who_user").order_by("by_when", "id")],
        members=[{"name": m.name, "agency": m.get_agency_display(), "role": m.role,
                  "contact_frequency": m.contact_frequency}
                 for m in plan.members.filter(removed_on__isnull=True)])


# --- the plan -------------------------------------------------------------------------------


@transaction.atomic
@entry.checks("plan", lambda kw: kw["child"])  # 2885, 1105, 4017, 8832, 2990, 8915 ...
def plan_start(*, child: Child, started_on: date, category: str,
               lead_social_worker: User, user: User, conference: object | None = None,
               core_group_members: Sequence[MemberData] = (),
               first_core_group_on: date | None = None, outcomes: str = "",
               contingency: str = "", actions: Sequence[ActionData] = ()
               ) -> ChildProtectionPlan:
    """The conference decided a plan (DOMAIN §2 step 11): category, lead social worker, core
    group and the date of its first meeting, the outline plan with its contingency.

    Sets `core_group_first` from the conference date (10 working days by default, the same
    day in Dudley's profile). `first_review` is the conference's to set.
    """
    _require(may_start_plan(user, child), "You cannot start a plan for this child.")
    child = Child.objects.select_for_update().select_related("authority").get(pk=child.pk)
    if ChildProtectionPlan.objects.filter(child=child, ended_on__isnull=True).exists():
        raise RuleError(f"{child} already has a current child protection plan.",
                        field="started_on", rule="8935", reference=entry.REFERENCE)
    if category not in PlanCategory.values:
        raise ServiceError("Choose one category: physical, emotional, sexual abuse or "
                           "neglect.")  # 003: one category only
    if lead_social_worker.authority_id != child.authority_id or \
            lead_social_worker.role not in LEAD_ROLES or not lead_social_worker.is_active:
        raise ServiceError("The lead social worker must be a qualified social worker of "
                           "this authority.")  # 003
    _not_future(started_on, "date the plan started")
    if conference is not None and getattr(conference, "date", started_on) != started_on:
        raise ServiceError("The plan starts on the date of the conference that made it.")
    if first_core_group_on is not None:
        if first_core_group_on < started_on:
            raise ServiceError("The first core group cannot be before the conference.")
        # 002 §7.11: for an unborn child the core group meets before the birth.
        if child.is_unborn and child.expected_delivery_date \
                and first_core_group_on >= child.expected_delivery_date:
            raise ServiceError("For an unborn child the first core group must meet before "
                               "the birth.")  # 002 §7.11
    plan = ChildProtectionPlan.objects.create(
        authority_id=child.authority_id, child=child, conference=conference,
        started_on=started_on, category=category, lead_social_worker=lead_social_worker,
        first_core_group_on=first_core_group_on, outcomes=outcomes, contingency=contingency,
        previous_plans=ChildProtectionPlan.objects.filter(child=child).count(),
        created_by=user, updated_by=user)
    for member in core_group_members:
        _add_member(plan, member, user)
    for action in actions:
        _create_action(plan, action, user)
    _snapshot(plan, "Outline plan from the conference", user)
    Child.objects.filter(pk=child.pk).update(cp_stage=CpStage.PLAN)
    # 003: first core group within 10 working days of the ICPC (004: straight after it).
    deadlines.deadline_set(child=child, rule_id="core_group_first", anchor=started_on,
                           subject=plan, responsible=lead_social_worker, user=user)
    if not child.is_unborn:
        # 003 "Lead Social Worker Role": the lead social worker sees the child at least every
        # 10 working days and where they sleep every 6 weeks. The clocks start with the plan;
        # each visit (cpcases.chronology.services.visit_record) meets them and restarts them.
        for rule_id in ("child_seen", "bedroom_seen"):
            deadlines.deadline_set(child=child, rule_id=rule_id, anchor=started_on,
                                   subject=plan, responsible=lead_social_worker, user=user)
    return plan


def prebirth_core_group_note(plan: ChildProtectionPlan) -> str:
    """002 §7.11: for an unborn child the core group meets before the birth."""
    child = plan.child
    if not child.is_unborn or not child.expected_delivery_date:
        return ""
    return (f"Unborn child: the core group must meet before the birth (expected "
            f"{child.expected_delivery_date:%d/%m/%Y}), whatever the timescale says.")  # 002 §7.11


@transaction.atomic
def plan_change_lead_social_worker(*, plan: ChildProtectionPlan, lead_social_worker: User,
                                   user: User, reason: str) -> ChildProtectionPlan:
    """A new lead social worker for the plan (003); the open deadlines the lead holds move
    to them (deadlines.services.deadlines_reassign_for), both told."""
    plan = _locked_plan(plan)
    _require(may_edit_plan(user, plan), "Only the lead social worker and their managers may "
                                        "change the lead social worker.")
    _require_current(plan)
    if lead_social_worker.authority_id != plan.authority_id or \
            lead_social_worker.role not in LEAD_ROLES or not lead_social_worker.is_active:
        raise ServiceError("The lead social worker must be a qualified social worker of "
                           "this authority (003).")
    if lead_social_worker.pk == plan.lead_social_worker_id:
        raise ServiceError(f"{lead_social_worker} is already the lead social worker.")
    if not reason.strip():
        raise ServiceError("Give the reason the lead social worker changes.", field="reason")
    plan.lead_social_worker, plan.updated_by = lead_social_worker, user
    plan.version += 1
    plan.save()
    _snapshot(plan, f"Lead social worker now {lead_social_worker}: {reason}", user)
    deadlines.deadlines_reassign_for(child=plan.child, actor=user,
                                     reason=f"Lead social worker changed: {reason}")
    return plan


@transaction.atomic
def plan_revise(*, plan: ChildProtectionPlan, user: User, outcomes: str | None = None,
                contingency: str | None = None, reason: str = "Plan revised",
                expected_version: int | None = None) -> PlanVersion:
    """Change the plan's outcomes or contingency; the previous version is kept.

    With `expected_version` (the version the user opened), a revision saved by someone else
    in the meantime refuses this one instead of silently replacing it (no lost updates).
    """
    plan = _locked_plan(plan)
    _require(may_edit_plan(user, plan), "Only the lead social worker and their managers may "
                                        "change the plan.")
    _require_current(plan)
    if expected_version is not None and expected_version != plan.version:
        raise ServiceError(
            f"{plan.updated_by or 'Someone else'} changed this plan after you opened it. "
            "Your text is still in the form: compare it with the plan's latest version, "
            "then save again.")
    if outcomes is not None:
        plan.outcomes = outcomes
    if contingency is not None:
        plan.contingency = contingency
    plan.version += 1
    plan.updated_by = user
    plan.save()
    return _snapshot(plan, reason.strip() or "Plan revised", user)


def _create_action(plan: ChildProtectionPlan, action: ActionData, user: User) -> PlanAction:
    if not action.what.strip():
        raise ServiceError("Say what is to be done.")
    if action.who_user is None and not action.who.strip():
        raise ServiceError("Say who is to do it.")
    if action.who_user is not None and action.who_user.authority_id != plan.authority_id:
        raise ServiceError("Choose someone in this authority.")
    return PlanAction.objects.create(plan=plan, who_user=action.who_user,
                                     who=action.who.strip(), what=action.what.strip(),
                                     by_when=action.by_when, created_by=user,
                                     updated_by=user)


@transaction.atomic
def plan_action_add(*, plan: ChildProtectionPlan, action: ActionData, user: User
                    ) -> PlanAction:
    plan = _locked_plan(plan)
    _require(may_edit_plan(user, plan), "Only the lead social worker and their managers may "
                                        "change the plan.")
    _require_current(plan)
    return _create_action(plan, action, user)


def _set_action_status(action: PlanAction, status: str, user: User) -> None:
    if status not in ActionStatus.values:
        raise ServiceError("Choose open, done or dropped.")
    if action.status == status:
        return
    action.status = status
    action.completed_on = timezone.localdate() if status == ActionStatus.DONE else None
    action.updated_by = user
    action.save()


@transaction.atomic
def plan_action_update(*, action: PlanAction, user: User, status: str | None = None,
                       what: str | None = None, by_when: date | None = None,
                       who: str | None = None, who_user: User | None = None) -> PlanAction:
    plan = _locked_plan(action.plan)
    _require(may_edit_plan(user, plan), "Only the lead social worker and their managers may "
                                        "change the plan.")
    _require_current(plan)
    action = PlanAction.objects.select_for_update().get(pk=action.pk)
    if what is not None:
        if not what.strip():
            raise ServiceError("Say what is to be done.", field="what")
        action.what = what.strip()
    if by_when is not None:
        action.by_when = by_when
    if who is not None or who_user is not None:
        if who_user is None and not (who or "").strip():
            raise ServiceError("Say who is to do it.", field="who")
        action.who, action.who_user = (who or "").strip(), who_user
    action.updated_by = user
    action.save()
    if status is not None:
        _set_action_status(action, status, user)
    return action


@transaction.atomic
def core_group_member_add(*, plan: ChildProtectionPlan, member: MemberData, user: User
                          ) -> CoreGroupMember:
    plan = _locked_plan(plan)
    _require(may_edit_plan(user, plan), "Only the lead social worker and their managers may "
                                        "change the core group.")
    _require_current(plan)
    return _add_member(plan, member, user)


@transaction.atomic
def core_group_member_remove(*, member: CoreGroupMember, user: User,
                             on: date | None = None) -> CoreGroupMember:
    plan = _locked_plan(member.plan)
    _require(may_edit_plan(user, plan), "Only the lead social worker and their managers may "
                                        "change the core group.")
    on = on or timezone.localdate()
    member.removed_on = on
    member.updated_by = user
    member.save()
    if member.user_id:
        PartnerInvolvement.objects.filter(child=plan.child, user_id=member.user_id,
                                          kind=InvolvementKind.CORE_GROUP,
                                          object_id=plan.pk).update(ended_on=on)
    return member


# --- core group meetings --------------------------------------------------------------------


@transaction.atomic
def core_group_meeting_record(
        *, plan: ChildProtectionPlan, held_on: date, attendance: Mapping[int, str],
        user: User, minutes: str = "", action_updates: Mapping[int, str] | None = None,
        new_actions: Sequence[ActionData] = (), outcomes: str | None = None,
        contingency: str | None = None, recommendation: str = "",
        recommendation_reasons: str = "") -> CoreGroupMeeting:
    """A core group met (003 "Core Group"): who attended, the plan reviewed and its actions
    updated (a new kept version), the minutes, and before a review its recommendation (001).

    Meets `core_group_first` (the first meeting) or the open `core_group_next`, then sets
    `core_group_next` from this meeting and `plan_distributed` (5 days) for its minutes.

    `attendance` maps each current member's id to attended / apologies / absent;
    `action_updates` maps action ids to a new status.
    """
    plan = _locked_plan(plan)
    _require(may_edit_plan(user, plan), "Only the lead social worker and their managers may "
                                        "record a core group meeting.")
    _require_current(plan)
    _not_future(held_on, "date of the meeting")
    if held_on < plan.started_on:
        raise ServiceError("The core group cannot meet before the conference that made the "
                           "plan.")
    last = plan.meetings.order_by("-held_on").first()
    if last is not None and held_on <= last.held_on:
        raise ServiceError(f"A core group meeting on or after {held_on:%d/%m/%Y} is already "
                           f"recorded ({last.held_on:%d/%m/%Y}).")
    members = list(plan.members.filter(removed_on__isnull=True))
    if not members:
        raise ServiceError("Add the core group's members before recording a meeting.")
    missing = [m.name for m in members if attendance.get(m.pk) not in Attendance.values]
    if missing:
        raise ServiceError(f"Record the attendance of {', '.join(missing)}.")
    if recommendation and recommendation not in Recommendation.values:
        raise ServiceError("Choose a recommendation from the list.", field="recommendation")
    if recommendation == Recommendation.END_NO_CIN and not recommendation_reasons.strip():
        # 001: a clear rationale when no Child in Need plan is thought necessary.
        raise ServiceError("Give the rationale for recommending no Child in Need plan.",
                           field="recommendation_reasons")
    meeting = CoreGroupMeeting.objects.create(
        plan=plan, held_on=held_on, is_first=last is None, minutes=minutes,
        recommendation=recommendation, recommendation_reasons=recommendation_reasons,
        created_by=user, updated_by=user)
    MeetingAttendance.objects.bulk_create(
        MeetingAttendance(meeting=meeting, member=m, attendance=attendance[m.pk])
        for m in members)
    actions = {a.pk: a for a in plan.actions.all()}
    for action_id, status in (action_updates or {}).items():
        if action_id not in actions:
            raise ServiceError("That action is not part of this plan.")
        _set_action_status(actions[action_id], status, user)
    for action in new_actions:
        _create_action(plan, action, user)
    if outcomes is not None:
        plan.outcomes = outcomes
    if contingency is not None:
        plan.contingency = contingency
    plan.version += 1
    plan.updated_by = user
    plan.save()
    _snapshot(plan, f"Core group meeting of {held_on:%d/%m/%Y}", user, meeting=meeting)

    child = plan.child
    if meeting.is_first:
        _meet_open(child, "core_group_first", held_on, user, subject=plan)
    else:
        _meet_open(child, "core_group_next", held_on, user)
    # 003: then regularly (monthly); the plan distributed within 5 days of each meeting.
    deadlines.deadline_set(child=child, rule_id="core_group_next", anchor=held_on,
                           subject=meeting, responsible=plan.lead_social_worker, user=user)
    deadlines.deadline_set(child=child, rule_id="plan_distributed", anchor=held_on,
                           subject=meeting, responsible=plan.lead_social_worker, user=user)
    return meeting


@transaction.atomic
def core_group_plan_distributed(*, meeting: CoreGroupMeeting, distributed_on: date,
                                user: User) -> CoreGroupMeeting:
    """The minutes and the plan were sent to the core group, the family and the child
    (003 "Lead Social Worker Role": within five days of the meeting)."""
    plan = _locked_plan(meeting.plan)
    _require(may_edit_plan(user, plan), "Only the lead social worker and their managers may "
                                        "record this.")
    meeting = CoreGroupMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.distributed_on is not None:
        raise ServiceError(f"Already recorded as distributed on "
                           f"{meeting.distributed_on:%d/%m/%Y}.")
    _not_future(distributed_on, "date of distribution")
    if distributed_on < meeting.held_on:
        raise ServiceError("The plan cannot be distributed before the meeting.")
    meeting.distributed_on = distributed_on
    meeting.updated_by = user
    meeting.save()
    _meet_open(plan.child, "plan_distributed", distributed_on, user, subject=meeting)
    return meeting


# --- ending the plan and step-down ----------------------------------------------------------


@transaction.atomic
@entry.checks("plan_end", lambda kw: kw["plan"].child_id)  # 8840, 8920, 4003, 8565 ...
def plan_end(*, plan: ChildProtectionPlan, ended_on: date, reason: str, user: User,
             start_cin_plan: bool = False, stepdown_rationale: str = "",
             cin_first_meeting_on: date | None = None, conference: object | None = None,
             note: str = "") -> ChildProtectionPlan:
    """A review ended the plan (003 "Discontinuing the Child Protection Plan").

    The plan's open deadlines are cancelled and the core group's partners no longer see the
    child. Step-down (001): when the child is no longer at risk, a Child in Need plan follows
    (`start_cin_plan`) or the rationale for none is recorded for the head of service. Where
    the child moved, died, turned 18 or left the UK no step-down is needed.
    """
    plan = _locked_plan(plan)
    _require(may_end_plan(user, plan), "You cannot end this plan.")
    _require_current(plan)
    if reason not in PlanEndReason.values:
        raise ServiceError("Choose why the plan is ending.", field="reason")
    _not_future(ended_on, "date the plan ended")
    if ended_on < plan.started_on:  # census rule 8925
        raise RuleError("The plan cannot end before it started.", field="ended_on",
                        rule="8925", reference=entry.REFERENCE)
    if conference is not None and getattr(conference, "date", ended_on) != ended_on:
        raise ServiceError("The plan ends on the date of the review conference.")
    rationale = stepdown_rationale.strip()
    if reason == PlanEndReason.NO_LONGER_AT_RISK and not start_cin_plan and not rationale:
        raise ServiceError("Start a Child in Need plan, or record why none is needed.")  # 001
    if start_cin_plan and rationale:
        raise ServiceError("Either start a Child in Need plan or give the rationale for none, "
                           "not both.")
    plan.ended_on, plan.end_reason, plan.end_note = ended_on, reason, note
    plan.ended_by, plan.end_conference = user, conference
    plan.stepdown_rationale = rationale
    plan.version += 1
    plan.updated_by = user
    plan.save()
    child = plan.child
    _cancel_open(child, PLAN_RULES, "The child protection plan ended.", user)
    # Issue 9: every rule the policy ends with the plan (reviews, core groups, visits…).
    lifecycle.emit(lifecycle.Event.PLAN_ENDED, child=child, actor=user,
                   reason="The child protection plan ended.")
    plan.members.filter(removed_on__isnull=True).update(removed_on=ended_on)
    PartnerInvolvement.objects.filter(child=child, kind=InvolvementKind.CORE_GROUP,
                                      object_id=plan.pk, ended_on__isnull=True
                                      ).update(ended_on=ended_on)
    Child.objects.filter(pk=child.pk, cp_stage=CpStage.PLAN).update(cp_stage=CpStage.NONE)
    if start_cin_plan:
        _cin_plan_create(child=child, started_on=ended_on, user=user, from_plan=plan,
                         first_meeting_on=cin_first_meeting_on, conference=conference,
                         lead_professional=plan.lead_social_worker)
    return plan


def _cin_plan_create(*, child: Child, started_on: date, user: User,
                     from_plan: ChildProtectionPlan | None = None,
                     first_meeting_on: date | None = None, conference: object | None = None,
                     lead_professional: User | None = None, summary: str = "") -> CinPlan:
    if CinPlan.objects.filter(child=child, ended_on__isnull=True).exists():
        raise ServiceError(f"{child} already has a current Child in Need plan.")
    if first_meeting_on is not None and first_meeting_on < started_on:
        raise ServiceError("The first Child in Need meeting cannot be before the plan starts.")
    cin_plan = CinPlan.objects.create(
        authority_id=child.authority_id, child=child, from_plan=from_plan,
        conference=conference, started_on=started_on, first_meeting_on=first_meeting_on,
        lead_professional=lead_professional, summary=summary, created_by=user,
        updated_by=user)
    if from_plan is not None:
        # 003: a multi-agency meeting 10 days after the plan ends, a review at 3 months
        # 001: the CIN plan lasts at least that long. Both from the authority's policy.
        deadlines.deadline_set(child=child, rule_id="stepdown_meeting", anchor=started_on,
                               subject=cin_plan, responsible=lead_professional, user=user)
        review = deadlines.deadline_set(child=child, rule_id="stepdown_review",
                                        anchor=started_on, subject=cin_plan,
                                        responsible=lead_professional, user=user)
        cin_plan.planned_end_on = review.due_date
        cin_plan.save(update_fields=["planned_end_on"])
    return cin_plan


@transaction.atomic
@entry.checks("cin_plan", lambda kw: kw["child"])  # 4001, 4016, 2990, 8565
def cin_plan_start(*, child: Child, started_on: date, user: User,
                   first_meeting_on: date | None = None, conference: object | None = None,
                   lead_professional: User | None = None, summary: str = "") -> CinPlan:
    """A Child in Need plan without a child protection plan before it: a conference that
    decided no plan (002 §19.8, first meeting date set at the conference), or a worker's
    decision. For step-down use plan_end(start_cin_plan=True)."""
    _require(user.is_active and user.role in DECIDING_ROLES and _visible(user, child),
             "You cannot start a Child in Need plan for this child.")
    child = Child.objects.select_for_update().select_related("authority").get(pk=child.pk)
    _not_future(started_on, "date the plan started")
    if ChildProtectionPlan.objects.filter(child=child, ended_on__isnull=True).exists():
        raise RuleError(f"{child} has a current child protection plan: end it at a review "
                        "to step down.", field="started_on", rule="4001",
                        reference=entry.REFERENCE)
    if lead_professional is None:
        allocation = child.current_allocation
        lead_professional = allocation.social_worker if allocation else None
    return _cin_plan_create(child=child, started_on=started_on, user=user,
                            first_meeting_on=first_meeting_on, conference=conference,
                            lead_professional=lead_professional, summary=summary)


def _locked_cin(cin_plan: CinPlan, user: User) -> CinPlan:
    cin_plan = CinPlan.objects.select_for_update().select_related("child__authority").get(
        pk=cin_plan.pk)
    _require(may_edit_cin_plan(user, cin_plan), "You cannot change this Child in Need plan.")
    if cin_plan.ended_on is not None:
        raise ServiceError("This Child in Need plan has ended.")
    return cin_plan


@transaction.atomic
def cin_meeting_record(*, cin_plan: CinPlan, held_on: date, user: User,
                       kind: str = CinMeetingKind.MEETING, notes: str = "") -> CinMeeting:
    """A Child in Need meeting or review. For step-down, the first meeting meets
    `stepdown_meeting` and a review meets `stepdown_review` (003)."""
    cin_plan = _locked_cin(cin_plan, user)
    if kind not in CinMeetingKind.values:
        raise ServiceError("Choose a meeting or a review.", field="kind")
    _not_future(held_on, "date of the meeting", field="held_on")
    if held_on < cin_plan.started_on:
        raise ServiceError("The meeting cannot be before the plan started.", field="held_on")
    meeting = CinMeeting.objects.create(cin_plan=cin_plan, held_on=held_on, kind=kind,
                                        notes=notes, created_by=user, updated_by=user)
    rule = "stepdown_review" if kind == CinMeetingKind.REVIEW else "stepdown_meeting"
    _meet_open(cin_plan.child, rule, held_on, user, subject=cin_plan)
    if kind == CinMeetingKind.REVIEW and cin_plan.is_stepdown:
        # 003 "Discontinuing": after the 3-month review, at least every 6 months while the
        # Child in Need plan lasts (`cin_review_next`, from the policy).
        # Each review is the subject of the next one's clock (as core groups are).
        _meet_open(cin_plan.child, "cin_review_next", held_on, user)
        deadlines.deadline_set(child=cin_plan.child, rule_id="cin_review_next",
                               anchor=held_on, subject=meeting,
                               responsible=cin_plan.lead_professional, user=user)
    return meeting


@transaction.atomic
def cin_action_add(*, cin_plan: CinPlan, who: str, what: str, by_when: date, user: User
                   ) -> CinAction:
    cin_plan = _locked_cin(cin_plan, user)
    if not who.strip() or not what.strip():
        raise ServiceError("Say who is to do what.", field="what" if who.strip() else "who")
    return CinAction.objects.create(cin_plan=cin_plan, who=who.strip(), what=what.strip(),
                                    by_when=by_when, created_by=user, updated_by=user)


@transaction.atomic
@entry.checks("cin_plan_end", lambda kw: kw["cin_plan"].child_id)  # 8565
def cin_plan_end(*, cin_plan: CinPlan, ended_on: date, reason: str, user: User) -> CinPlan:
    cin_plan = _locked_cin(cin_plan, user)
    _not_future(ended_on, "date the plan ended", field="ended_on")
    if ended_on < cin_plan.started_on:
        raise ServiceError("The plan cannot end before it started.", field="ended_on")
    if not reason.strip():
        raise ServiceError("Give the reason the Child in Need plan is ending.", field="reason")
    cin_plan.ended_on, cin_plan.end_reason = ended_on, reason.strip()
    cin_plan.updated_by = user
    cin_plan.save()
    _cancel_open(cin_plan.child, ("stepdown_meeting", "stepdown_review"),
                 "The Child in Need plan ended.", user, subject=cin_plan)
    _cancel_open(cin_plan.child, ("cin_review_next",), "The Child in Need plan ended.", user)
    return cin_plan


def current_plan(child: Child) -> ChildProtectionPlan | None:
    return ChildProtectionPlan.objects.filter(child=child, ended_on__isnull=True).first()

