"""Reads of plans, core groups and Child in Need plans, always within the user's scope."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db.models import BigIntegerField, Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import Role
from cpcases.audit.models import AccessAction
from cpcases.audit.reads import shown_along
from cpcases.audit.services import access_record
from cpcases.children.models import Child
from cpcases.children.scoping import of_visible_children, visible_children
from cpcases.core.compiled import CompiledQuery, json_rows
from cpcases.plans.models import (
    Attendance,
    ChildProtectionPlan,
    CinPlan,
    CoreGroupMeeting,
    CoreGroupMember,
    PlanAction,
    PlanEndReason,
    PlanVersion,
)
from cpcases.plans.services import PLAN_RULES
from deadlines.models import Deadline, DeadlineStatus
from deadlines.policy import national_rule

STEPDOWN_OVERSIGHT = (Role.HEAD_OF_SERVICE, Role.SERVICE_MANAGER)


def plans_visible(user: User) -> QuerySet[ChildProtectionPlan]:
    """Plans of children the user may see; a partner professional sees only the plans whose
    core group they are (or, for an ended plan, were) in."""
    plans = of_visible_children(ChildProtectionPlan.objects.all(), user)
    return _partners_plans(plans, getattr(user, "role", None), user.pk).select_related(
        "child", "lead_social_worker")


def _partners_plans(plans: QuerySet[ChildProtectionPlan], role: str | None,
                    user_id: int | None) -> QuerySet[ChildProtectionPlan]:
    """A partner professional's: the plans whose core group they are (or, for an ended plan,
    were) in; anyone else's unchanged."""
    if role == Role.PARTNER:
        member = CoreGroupMember.objects.filter(plan=OuterRef("pk"), user_id=user_id).filter(
            Q(removed_on__isnull=True) | Q(plan__ended_on__isnull=False))
        plans = plans.filter(Exists(member))
    return plans


def cin_plans_visible(user: User) -> QuerySet[CinPlan]:
    """Child in Need plans are children's social care's: partners do not see them here."""
    if getattr(user, "role", None) == Role.PARTNER:
        return CinPlan.objects.none()
    return CinPlan.objects.filter(child__in=visible_children(user)).select_related(
        "child", "from_plan", "lead_professional")


def _refuse(request: HttpRequest, section: str, detail: dict) -> None:
    access_record(request=request, child_id=None, action=AccessAction.REFUSED,
                  section=section, detail=detail)
    raise Http404("Not found")


def plan_for_view(*, request: HttpRequest, pk: int, section: str = "plan"
                  ) -> ChildProtectionPlan:
    plan = plans_visible(request.user).filter(pk=pk).first()
    if plan is None:
        _refuse(request, section, {"plan_id": pk})
    access_record(request=request, child_id=plan.child_id, action=AccessAction.VIEW,
                  section=section)
    return plan


def cin_plan_for_view(*, request: HttpRequest, pk: int, section: str = "cin-plan"
                      ) -> CinPlan:
    cin_plan = cin_plans_visible(request.user).filter(pk=pk).first()
    if cin_plan is None:
        _refuse(request, section, {"cin_plan_id": pk})
    access_record(request=request, child_id=cin_plan.child_id, action=AccessAction.VIEW,
                  section=section)
    return cin_plan


def child_plans(*, user: User, child: Child) -> list[ChildProtectionPlan]:
    """The child's plans the user may see (`plans_visible`), newest first, for a child the
    caller has found in the user's scope (child_for_view): only a partner's core-group rule
    is asked, and each plan's `child` is the one given, not loaded again (issue 13 §2).
    Its SQL is compiled once per process (cpcases.core.compiled)."""
    return _child_plans(user, child, _CHILDS_PLANS, _PARTNERS_PLANS)


def _child_plans(user: User, child: Child, staff: CompiledQuery[ChildProtectionPlan],
                 partner: CompiledQuery[ChildProtectionPlan]) -> list[ChildProtectionPlan]:
    if getattr(user, "role", None) == Role.PARTNER:
        plans = partner.run("partner", child.pk, user.pk)
    else:
        plans = staff.run("staff", child.pk)
    for plan in plans:
        plan.child = child
    return plans


def _plans_of(child_id: Any) -> QuerySet[ChildProtectionPlan]:
    return ChildProtectionPlan.objects.filter(child_id=child_id)


def _newest_first(plans: QuerySet[ChildProtectionPlan]) -> QuerySet[ChildProtectionPlan]:
    return plans.select_related("lead_social_worker").order_by("-started_on", "-id")


_CHILDS_PLANS: CompiledQuery[ChildProtectionPlan] = CompiledQuery(
    lambda key, child_id: _newest_first(_plans_of(child_id)))
_PARTNERS_PLANS: CompiledQuery[ChildProtectionPlan] = CompiledQuery(
    lambda key, child_id, user_id: _newest_first(
        _partners_plans(_plans_of(child_id), Role.PARTNER, user_id)))


def child_cin_plans(*, user: User, child: Child) -> list[CinPlan]:
    """The child's Child in Need plans the user may see (`cin_plans_visible`), newest first,
    for a child the caller has found in the user's scope (as `child_plans`). The plan a
    step-down came from is loaded with it, as before (the read audit follows it)."""
    return _child_cin_plans(user, child, _CHILDS_CIN_PLANS)


def _child_cin_plans(user: User, child: Child, query: CompiledQuery[CinPlan]) -> list[CinPlan]:
    if getattr(user, "role", None) == Role.PARTNER:
        return []
    cin_plans = query.run("staff", child.pk)
    for cin_plan in cin_plans:
        cin_plan.child = child
    return cin_plans


_CHILDS_CIN_PLANS: CompiledQuery[CinPlan] = CompiledQuery(
    lambda key, child_id: CinPlan.objects.filter(child_id=child_id)
    .select_related("from_plan").order_by("-started_on", "-id"))


@dataclass(frozen=True)
class TabPlans:
    """The Plan tab's plans and Child in Need plans (`child_plans`, `child_cin_plans`), and
    the children those rows lead the read audit to (their own, their conferences'), read
    in the rows' own queries: the audit asked for the conferences' children again, a
    query whose generic plan read every plan of the authority (issue 13 §2)."""

    plans: list[ChildProtectionPlan]
    cin_plans: list[CinPlan]
    shown: frozenset[int]

    @property
    def rows(self) -> list[ChildProtectionPlan | CinPlan]:
        """Every row read, the plans step-downs came from among them."""
        return [*self.plans, *self.cin_plans,
                *(c.from_plan for c in self.cin_plans if c.from_plan is not None)]


def tab_plans(*, user: User, child: Child) -> TabPlans:
    plans = _child_plans(user, child, _TAB_PLANS, _TAB_PARTNERS_PLANS)
    cin_plans = _child_cin_plans(user, child, _TAB_CIN_PLANS)
    shown = {child.pk}
    for plan in plans:
        shown.update(plan.conference_children)
    for cin_plan in cin_plans:
        shown.update(cin_plan.conference_children)
        if cin_plan.from_plan is not None:
            shown.add(cin_plan.from_plan.child_id)
            shown.update(cin_plan.from_plan_conference_children)
    return TabPlans(plans=plans, cin_plans=cin_plans, shown=frozenset(shown))


def _children_of(conference: str) -> ArraySubquery:
    """The children of the row's conference (`conference` the path to its id), as the read
    audit's `conference__children` finds them."""
    from conferences.models import Conference

    return ArraySubquery(Conference.children.through.objects.filter(
        conference_id=OuterRef(conference)).order_by().values("child_id"),
        output_field=ArrayField(BigIntegerField()))


def conference_children_shown() -> dict[str, ArraySubquery]:
    """The annotation carrying a plan's conference's children for the read audit (its
    `conference__children`), so that it asks no query of its own for them."""
    return {shown_along("conference__children"): _children_of("conference_id")}


def _tab_plans(plans: QuerySet[ChildProtectionPlan], child_id: Any
               ) -> QuerySet[ChildProtectionPlan]:
    """Each plan with its conference's children and the child's open timescales (the
    same for every plan: `plan_deadlines`' rows as (rule, due date, status), which the
    tab shows for the current plan)."""
    return _newest_first(plans).annotate(
        conference_children=_children_of("conference_id"),
        open_timescales=json_rows(_open_deadlines(child_id), ("rule_id", "due_date", "status"),
                                  ("due_date", "id")),
        # What the tab lists of each version and meeting (a version's snapshot of the
        # plan is not read), in `plan.versions.all()`'s and `plan.meetings.all()`'s order.
        version_rows=json_rows(PlanVersion.objects.filter(plan_id=OuterRef("pk")),
                               ("pk", "number", "reason", "created_at",
                                "meeting__plan__child_id"), ("-number",)),
        meeting_rows=json_rows(CoreGroupMeeting.objects.filter(plan_id=OuterRef("pk")),
                               ("pk", "held_on", "is_first", "recommendation",
                                "distributed_on"), ("-held_on", "-id")))


@dataclass(frozen=True)
class VersionItem:
    """A version as the Plan tab lists it (`plan_version_items`)."""

    pk: int
    number: int
    reason: str
    created_at: datetime
    meeting_child_id: int | None  # the child of the plan of the meeting it came from


@dataclass(frozen=True)
class MeetingItem:
    """A core group meeting as the Plan tab lists it (`plan_meeting_items`)."""

    pk: int
    held_on: date
    is_first: bool
    recommendation: str
    distributed_on: date | None

    def get_recommendation_display(self) -> str:
        return dict(CoreGroupMeeting._meta.get_field("recommendation").flatchoices).get(
            self.recommendation, self.recommendation)


def tab_versions(plan: ChildProtectionPlan) -> list[VersionItem]:
    """`plan_versions(plan)` as the tab lists them, from what a `tab_plans` plan carries."""
    return [VersionItem(pk, number, reason, datetime.fromisoformat(created_at), child_id)
            for pk, number, reason, created_at, child_id in plan.version_rows or ()]


def tab_meetings(plan: ChildProtectionPlan) -> list[MeetingItem]:
    """`plan_meetings(plan)` as the tab lists them, from what a `tab_plans` plan carries."""
    return [MeetingItem(pk, date.fromisoformat(held_on), is_first, recommendation,
                        date.fromisoformat(distributed_on) if distributed_on else None)
            for pk, held_on, is_first, recommendation, distributed_on
            in plan.meeting_rows or ()]


_TAB_PLANS: CompiledQuery[ChildProtectionPlan] = CompiledQuery(
    lambda key, child_id: _tab_plans(_plans_of(child_id), child_id))
_TAB_PARTNERS_PLANS: CompiledQuery[ChildProtectionPlan] = CompiledQuery(
    lambda key, child_id, user_id: _tab_plans(
        _partners_plans(_plans_of(child_id), Role.PARTNER, user_id), child_id))
_TAB_CIN_PLANS: CompiledQuery[CinPlan] = CompiledQuery(
    lambda key, child_id: CinPlan.objects.filter(child_id=child_id)
    .select_related("from_plan").order_by("-started_on", "-id").annotate(
        conference_children=_children_of("conference_id"),
        from_plan_conference_children=_children_of("from_plan__conference_id")))


@dataclass(frozen=True)
class MemberAttendance:
    member: CoreGroupMember
    attended: int
    apologies: int
    absent: int

    @property
    def missed(self) -> int:
        return self.apologies + self.absent


def member_attendance(plan: ChildProtectionPlan) -> list[MemberAttendance]:
    """001: attendance patterns, for the team manager to take up with the agency."""
    members = _of_plan(plan, _MEMBERS.run("members", plan.pk))
    return [MemberAttendance(m, m.n_attended, m.n_apologies, m.n_absent) for m in members]


def plan_meetings(plan: ChildProtectionPlan) -> list[CoreGroupMeeting]:
    # The plan's page lists each meeting's date, distribution and recommendation, not who
    # came (the meeting's own page): no prefetch of the attendance (issue 13 §2).
    return _of_plan(plan, _MEETINGS.run("meetings", plan.pk))


def plan_actions(plan: ChildProtectionPlan) -> list[PlanAction]:
    return _of_plan(plan, _ACTIONS.run("actions", plan.pk))


def plan_versions(plan: ChildProtectionPlan) -> list[PlanVersion]:
    return _of_plan(plan, _VERSIONS.run("versions", plan.pk))


def _of_plan(plan: ChildProtectionPlan, rows: list[Any]) -> list[Any]:
    """Each row's plan is the one given, as `plan.meetings.all()` sets it (the read audit
    follows it to the child without a query)."""
    for row in rows:
        row.plan = plan
    return rows


# A plan page's lists, their SQL compiled once per process (cpcases.core.compiled; issue 13
# §2): `plan.meetings.all()`, `plan.actions.select_related("who_user")`, `plan.versions.all()`.
_MEETINGS: CompiledQuery[CoreGroupMeeting] = CompiledQuery(
    lambda key, plan_id: CoreGroupMeeting.objects.filter(plan_id=plan_id))
_ACTIONS: CompiledQuery[PlanAction] = CompiledQuery(
    lambda key, plan_id: PlanAction.objects.filter(plan_id=plan_id).select_related("who_user"))
_VERSIONS: CompiledQuery[PlanVersion] = CompiledQuery(
    lambda key, plan_id: PlanVersion.objects.filter(plan_id=plan_id))
# `plan.members.select_related("user")` with each member's attendance counted.
_MEMBERS: CompiledQuery[CoreGroupMember] = CompiledQuery(
    lambda key, plan_id: CoreGroupMember.objects.filter(plan_id=plan_id)
    .select_related("user").annotate(
        n_attended=Count("attendance", filter=Q(attendance__attendance=Attendance.ATTENDED)),
        n_apologies=Count("attendance", filter=Q(attendance__attendance=Attendance.APOLOGIES)),
        n_absent=Count("attendance", filter=Q(attendance__attendance=Attendance.ABSENT))))


def plan_deadlines(plan: ChildProtectionPlan) -> list[Deadline]:
    """The plan's timescales (core groups, distribution, reviews, visits) still open."""
    return _PLAN_DEADLINES.run("deadlines", plan.child_id)


def _open_deadlines(child_id: Any) -> QuerySet[Deadline]:
    return Deadline.objects.filter(
        child_id=child_id, rule_id__in=PLAN_RULES, status=DeadlineStatus.OPEN)


_PLAN_DEADLINES: CompiledQuery[Deadline] = CompiledQuery(
    lambda key, child_id: _open_deadlines(child_id).order_by("due_date"))


def timescales(deadlines: Iterable[Deadline]) -> list[dict]:
    """Deadlines as the plan page lists them: the rule's name, due date, overdue or not."""
    return _timescales((d.rule_id, d.due_date, d.status) for d in deadlines)


def tab_timescales(plan: ChildProtectionPlan) -> list[dict]:
    """`timescales(plan_deadlines(plan))` from the values a `tab_plans` plan carries."""
    return _timescales((rule_id, date.fromisoformat(due), status)
                       for rule_id, due, status in plan.open_timescales or ())


def _timescales(rows: Iterable[tuple[str, date, str]]) -> list[dict]:
    today = timezone.localdate()
    labels = dict(Deadline._meta.get_field("status").flatchoices)
    return [{"rule_id": rule_id, "name": _rule_name(rule_id), "due_date": due,
             "status": labels.get(status, status), "open": status == DeadlineStatus.OPEN,
             "overdue": status == DeadlineStatus.OPEN and due < today}
            for rule_id, due, status in rows]


def _rule_name(rule_id: str) -> str:
    try:
        return national_rule(rule_id).name
    except KeyError:
        return rule_id


def cin_deadlines(cin_plan: CinPlan) -> QuerySet[Deadline]:
    return Deadline.objects.filter(
        child_id=cin_plan.child_id, rule_id__in=("stepdown_meeting", "stepdown_review"),
        object_id=cin_plan.pk, content_type__model="cinplan").order_by("due_date")


def stepdown_decisions(*, user: User) -> QuerySet[ChildProtectionPlan]:
    """001: plans ended without a Child in Need plan, with the rationale, for the head of
    service's oversight."""
    if getattr(user, "role", None) not in STEPDOWN_OVERSIGHT:
        return ChildProtectionPlan.objects.none()
    return (plans_visible(user).filter(ended_on__isnull=False)
            .exclude(Exists(CinPlan.objects.filter(from_plan=OuterRef("pk"))))
            .filter(end_reason=PlanEndReason.NO_LONGER_AT_RISK)
            .select_related("ended_by").order_by("-ended_on", "-id"))


def my_plans(*, user: User) -> QuerySet[ChildProtectionPlan]:
    """Current plans led by the user (or, for a partner, whose core group they are in)."""
    plans = plans_visible(user).filter(ended_on__isnull=True)
    if user.role == Role.SOCIAL_WORKER:
        plans = plans.filter(lead_social_worker=user)
    return plans.prefetch_related(Prefetch("members")).order_by("child__last_name")
