"""Plan pages: the child's "Plan" tab, the plan with its actions, versions, core group and
attendance, the core group meeting form, ending the plan with step-down, Child in Need plans,
and the head of service's step-down decisions.

Views stay thin: selectors read (within the user's scope, every view audit-logged), services
write. Refusals: a plan the user may not see is 404; one they see but may not change is 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from cpcases.accounts.roles import Role
from cpcases.audit.models import AccessAction
from cpcases.audit.reads import record_rows_shown
from cpcases.audit.services import access_record
from cpcases.children import selectors as child_selectors
from cpcases.children.models import Child
from cpcases.children.views import record_context
from cpcases.core.concurrency import edits
from cpcases.core.confirm import ask
from cpcases.core.errors import ServiceError, WarningsToConfirm
from cpcases.core.forms import add_service_error, quiet, with_added_row
from cpcases.core.forms_flow import submit
from cpcases.plans import selectors, services
from cpcases.plans.forms import (
    STEPDOWN_CIN,
    ActionEditForm,
    CinActionForm,
    CinEndForm,
    CinMeetingForm,
    CinStartForm,
    CoreGroupMeetingForm,
    DistributedForm,
    LeadSocialWorkerForm,
    MemberForm,
    NewActionForm,
    NewActionFormSet,
    PlanEndForm,
    PlanStartForm,
    ReviseForm,
)
from cpcases.plans.models import (
    ChildProtectionPlan,
    CinPlan,
    CoreGroupMeeting,
    PlanAction,
    PlanVersion,
)
from deadlines.selectors import effective_rule


def _deny(request: HttpRequest, what: str) -> None:
    raise PermissionDenied(f"A {request.user.role_label.lower()} cannot {what}.")


def _editable_plan(request: HttpRequest, pk: int, section: str) -> ChildProtectionPlan:
    plan = selectors.plan_for_view(request=request, pk=pk, section=section)
    if not services.may_edit_plan(request.user, plan):
        _deny(request, "change this plan: only the lead social worker and their managers may")
    if not plan.is_current:
        raise PermissionDenied("This plan has ended.")
    return plan


def _form_page(request: HttpRequest, form: Form, *, title: str, child: Child, back: str,
               **extra: Any) -> HttpResponse:
    return render(request, "plans/form.html", {"form": form, "title": title, "child": child,
                                               "back": back, **extra})


def _plan_context(request: HttpRequest, plan: ChildProtectionPlan, *,
                  carried: bool = False) -> dict[str, Any]:
    """`carried`: the plan's versions, meetings and open timescales are those the Plan
    tab read with it (`selectors.tab_plans`), not read again."""
    user = request.user
    return {
        "plan": plan,
        "actions": selectors.plan_actions(plan),
        "versions": selectors.tab_versions(plan) if carried else selectors.plan_versions(plan),
        "attendance": selectors.member_attendance(plan),
        "meetings": selectors.tab_meetings(plan) if carried else selectors.plan_meetings(plan),
        "deadlines": (selectors.tab_timescales(plan) if carried else
                      selectors.timescales(selectors.plan_deadlines(plan)))
        if plan.is_current else [],
        # Both callers have just found the plan's child in the user's scope (child_for_view,
        # plan_for_view): it is not asked again (issue 13 §2).
        "can_edit": (can_edit := plan.is_current and services.may_edit_plan(
            user, plan, child_visible=True)),
        # Whoever may edit the plan may end it: their check is not run twice (issue 13 §2).
        "can_end": plan.is_current and (can_edit or services.may_end_plan(
            user, plan, child_visible=True)),
        "prebirth_note": services.prebirth_core_group_note(plan) if plan.is_current else "",
        "stepdown_cin": plan.stepdown_cin_plans.first() if not plan.is_current else None,
        "show_absences": user.role != Role.PARTNER,
    }


# --- the child's tab ------------------------------------------------------------------------


@login_required
def child_tab(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_selectors.child_for_view(request=request, child_id=pk, section="plan")
    user = request.user
    found = selectors.tab_plans(user=user, child=child)
    plans = found.plans
    if user.role == Role.PARTNER and not plans:
        # A partner sees the plan only as a core group member (003).
        access_record(request=request, child_id=child.pk, action=AccessAction.REFUSED,
                      section="plan")
        raise Http404("No plan found")
    current = next((p for p in plans if p.is_current), None)
    context = _plan_context(request, current, carried=True) if current else {}
    # The children the rows lead to were read with them (the plans' conferences', the
    # versions' meetings' plans'): logged as the read audit logs them, which need not
    # look them up again (issue 13 §2). The actions and core group members lead only to
    # the plan's child.
    record_rows_shown(request, [*found.rows, *context.get("actions", ()),
                                *(a.member for a in context.get("attendance", ()))],
                      found.shown | {v.meeting_child_id for v in context.get("versions", ())
                                     if v.meeting_child_id is not None})
    return render(request, "plans/child.html", {
        **record_context(request, child, "plan"),
        **context,
        "current": current,
        "past_plans": [p for p in plans if not p.is_current],
        "cin_plans": found.cin_plans,
        "can_start": current is None and services.may_start_plan(user, child,
                                                                 child_visible=True),
    })


@login_required
def plan_start(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_selectors.child_for_view(request=request, child_id=pk, section="plan-start")
    if not services.may_start_plan(request.user, child):
        _deny(request, "start a child protection plan")
    allocation = child.current_allocation
    form = PlanStartForm(request.POST or None, authority_id=child.authority_id,
                         initial={"lead_social_worker": allocation.social_worker
                                  if allocation else None})
    if submit(request, form, lambda d: services.plan_start(child=child, user=request.user,
                                                          **d)):
        messages.success(request, "Child protection plan started.")
        return redirect("plans:child", pk=child.pk)
    return _form_page(request, form, title="Start a child protection plan", child=child,
                      back=reverse("plans:child", args=[child.pk]))


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_for_view(request=request, pk=pk)
    return render(request, "plans/plan.html", {
        **record_context(request, plan.child, "plan"), **_plan_context(request, plan)})


@login_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(PlanVersion.objects.select_related("plan"), pk=pk)
    plan = selectors.plan_for_view(request=request, pk=version.plan_id, section="plan-version")
    return render(request, "plans/version.html", {
        **record_context(request, plan.child, "plan"), "plan": plan, "version": version})


# --- changing the plan ----------------------------------------------------------------------


@login_required
@edits(ChildProtectionPlan, service_versions=True)
def plan_revise(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk, "plan-revise")
    form = ReviseForm(request.POST or None,
                      initial={"outcomes": plan.outcomes, "contingency": plan.contingency,
                               "version": plan.version})
    if submit(request, form, lambda d: services.plan_revise(
            plan=plan, user=request.user, expected_version=d["version"],
            outcomes=d["outcomes"], contingency=d["contingency"], reason=d["reason"])):
        messages.success(request, "New version of the plan saved.")
        return redirect("plans:detail", pk=plan.pk)
    return _form_page(request, form, title="Revise the plan", child=plan.child,
                      back=reverse("plans:detail", args=[plan.pk]))


@login_required
def lead_change(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk, "plan-lead-change")
    form = LeadSocialWorkerForm(request.POST or None, authority_id=plan.authority_id)
    if submit(request, form, lambda d: services.plan_change_lead_social_worker(
            plan=plan, user=request.user, lead_social_worker=d["lead_social_worker"],
            reason=d["reason"])):
        messages.success(request, "Lead social worker changed. Their deadlines moved with "
                                  "the plan, and both were told.")
        return redirect("plans:detail", pk=plan.pk)
    return _form_page(request, form, title="Change the lead social worker", child=plan.child,
                      back=reverse("plans:detail", args=[plan.pk]))


@login_required
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk, "plan-action-add")
    form = NewActionForm(request.POST or None, authority_id=plan.authority_id)
    if submit(request, form, lambda d: services.plan_action_add(
            plan=plan, action=form.action(), user=request.user)):
        messages.success(request, "Action added.")
        return redirect("plans:detail", pk=plan.pk)
    return _form_page(request, form, title="Add an action", child=plan.child,
                      back=reverse("plans:detail", args=[plan.pk]))


@login_required
@edits(PlanAction)
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(PlanAction, pk=pk)
    plan = _editable_plan(request, action.plan_id, "plan-action-edit")
    form = ActionEditForm(request.POST or None, authority_id=plan.authority_id, action=action)
    if submit(request, form, lambda d: services.plan_action_update(
            action=action, user=request.user, status=d["status"], what=d["what"],
            by_when=d["by_when"], who=d.get("who") or "", who_user=d.get("who_user"))):
        messages.success(request, "Action saved.")
        return redirect("plans:detail", pk=plan.pk)
    return _form_page(request, form, title="Edit an action", child=plan.child,
                      back=reverse("plans:detail", args=[plan.pk]))


@login_required
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk, "plan-member-add")
    form = MemberForm(request.POST or None, authority_id=plan.authority_id)
    if submit(request, form, lambda d: services.core_group_member_add(
            plan=plan, member=form.member(), user=request.user)):
        messages.success(request, "Added to the core group.")
        return redirect("plans:detail", pk=plan.pk)
    return _form_page(request, form, title="Add a core group member", child=plan.child,
                      back=reverse("plans:detail", args=[plan.pk]))


# --- core group meetings --------------------------------------------------------------------


@login_required
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk, "core-group-new")
    data, grown = with_added_row(request.POST or None, "new")
    form = CoreGroupMeetingForm(data, plan=plan)
    new_actions = NewActionFormSet(data, prefix="new",
                                   form_kwargs={"authority_id": plan.authority_id})
    distribute_within = effective_rule(plan.authority_id, "plan_distributed").span()
    if grown:
        quiet(form, new_actions)
    elif request.method == "POST" and form.is_valid() and new_actions.is_valid():
        d = form.cleaned_data
        try:
            meeting = services.core_group_meeting_record(
                plan=plan, held_on=d["held_on"], attendance=form.attendance(),
                user=request.user, minutes=d["minutes"],
                action_updates=form.action_updates(),
                new_actions=[f.action() for f in new_actions if not f.is_blank],
                outcomes=d["outcomes"], contingency=d["contingency"],
                recommendation=d["recommendation"],
                recommendation_reasons=d["recommendation_reasons"])
        except ServiceError as exc:
            add_service_error(form, exc)
        except WarningsToConfirm as exc:  # a census query rule: asked with the box to confirm
            ask(form, exc)
        else:
            messages.success(request, "Core group meeting recorded. Distribute the minutes "
                                      f"and plan within {distribute_within}.")
            return redirect("plans:meeting_detail", pk=meeting.pk)
    elif request.method == "POST" and not grown and any(new_actions.errors):
        form.add_error(None, "Check the new actions below.")
    return render(request, "plans/meeting_form.html", {
        "form": form, "new_actions": new_actions, "child": plan.child, "plan": plan,
        "title": "Record a core group meeting", "distribute_within": distribute_within,
        "back": reverse("plans:detail", args=[plan.pk])})


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(CoreGroupMeeting, pk=pk)
    plan = selectors.plan_for_view(request=request, pk=meeting.plan_id,
                                   section="core-group-meeting")
    return render(request, "plans/meeting.html", {
        **record_context(request, plan.child, "plan"), "plan": plan, "meeting": meeting,
        "attendance": meeting.attendance.select_related("member"),
        "version": meeting.versions.first(),
        "can_edit": plan.is_current and services.may_edit_plan(request.user, plan)})


@login_required
def meeting_distributed(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(CoreGroupMeeting, pk=pk)
    plan = _editable_plan(request, meeting.plan_id, "core-group-distributed")
    form = DistributedForm(request.POST or None)
    if submit(request, form, lambda d: services.core_group_plan_distributed(
            meeting=meeting, user=request.user, **d)):
        messages.success(request, "Distribution recorded.")
        return redirect("plans:meeting_detail", pk=meeting.pk)
    return _form_page(request, form, title="Record that the minutes and plan were sent",
                      child=plan.child, back=reverse("plans:meeting_detail", args=[pk]))


# --- ending the plan ------------------------------------------------------------------------


@login_required
def plan_end(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_for_view(request=request, pk=pk, section="plan-end")
    if not services.may_end_plan(request.user, plan):
        _deny(request, "end this plan")
    if not plan.is_current:
        raise PermissionDenied("This plan has ended.")
    form = PlanEndForm(request.POST or None)
    def end(d: dict[str, Any]) -> object:
        start_cin = d["stepdown"] == STEPDOWN_CIN
        return services.plan_end(
            plan=plan, ended_on=d["ended_on"], reason=d["reason"], user=request.user,
            start_cin_plan=start_cin,
            stepdown_rationale="" if start_cin else d["stepdown_rationale"],
            cin_first_meeting_on=d["cin_first_meeting_on"] if start_cin else None,
            note=d["note"])

    if submit(request, form, end):
        messages.success(request, "The child protection plan has ended.")
        return redirect("plans:child", pk=plan.child_id)
    return _form_page(request, form, title="End the child protection plan", child=plan.child,
                      back=reverse("plans:detail", args=[plan.pk]))


@login_required
def stepdown_decisions(request: HttpRequest) -> HttpResponse:
    if request.user.role not in selectors.STEPDOWN_OVERSIGHT:
        _deny(request, "see step-down decisions")
    return render(request, "plans/stepdown_decisions.html",
                  {"plans": selectors.stepdown_decisions(user=request.user)})


# --- Child in Need plans --------------------------------------------------------------------


def _editable_cin(request: HttpRequest, pk: int, section: str) -> CinPlan:
    cin_plan = selectors.cin_plan_for_view(request=request, pk=pk, section=section)
    if not services.may_edit_cin_plan(request.user, cin_plan) or cin_plan.ended_on:
        _deny(request, "change this Child in Need plan")
    return cin_plan


@login_required
def cin_start(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_selectors.child_for_view(request=request, child_id=pk, section="cin-start")
    if request.user.role not in services.DECIDING_ROLES:
        _deny(request, "start a Child in Need plan")
    form = CinStartForm(request.POST or None)
    if saved := submit(request, form, lambda d: services.cin_plan_start(
            child=child, user=request.user, **d)):
        messages.success(request, "Child in Need plan started.")
        return redirect("plans:cin_detail", pk=saved.value.pk)
    return _form_page(request, form, title="Start a Child in Need plan", child=child,
                      back=reverse("plans:child", args=[child.pk]))


@login_required
def cin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cin_plan = selectors.cin_plan_for_view(request=request, pk=pk)
    return render(request, "plans/cin_plan.html", {
        **record_context(request, cin_plan.child, "plan"), "cin_plan": cin_plan,
        "meetings": cin_plan.meetings.all(), "actions": cin_plan.actions.all(),
        "deadlines": selectors.timescales(selectors.cin_deadlines(cin_plan)),
        "can_edit": not cin_plan.ended_on and services.may_edit_cin_plan(request.user,
                                                                          cin_plan)})


@login_required
def cin_meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    cin_plan = _editable_cin(request, pk, "cin-meeting-new")
    form = CinMeetingForm(request.POST or None)
    if submit(request, form, lambda d: services.cin_meeting_record(
            cin_plan=cin_plan, user=request.user, **d)):
        messages.success(request, "Meeting recorded.")
        return redirect("plans:cin_detail", pk=cin_plan.pk)
    return _form_page(request, form, title="Record a Child in Need meeting",
                      child=cin_plan.child, back=reverse("plans:cin_detail", args=[pk]))


@login_required
def cin_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    cin_plan = _editable_cin(request, pk, "cin-action-add")
    form = CinActionForm(request.POST or None)
    if submit(request, form, lambda d: services.cin_action_add(
            cin_plan=cin_plan, user=request.user, **d)):
        messages.success(request, "Action added.")
        return redirect("plans:cin_detail", pk=cin_plan.pk)
    return _form_page(request, form, title="Add an action to the Child in Need plan",
                      child=cin_plan.child, back=reverse("plans:cin_detail", args=[pk]))


@login_required
def cin_end(request: HttpRequest, pk: int) -> HttpResponse:
    cin_plan = _editable_cin(request, pk, "cin-end")
    form = CinEndForm(request.POST or None)
    if submit(request, form, lambda d: services.cin_plan_end(
            cin_plan=cin_plan, user=request.user, **d)):
        messages.success(request, "Child in Need plan ended.")
        return redirect("plans:cin_detail", pk=cin_plan.pk)
    return _form_page(request, form, title="End the Child in Need plan", child=cin_plan.child,
                      back=reverse("plans:cin_detail", args=[pk]))
