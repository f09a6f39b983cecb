"""Strategy pages: the child's "Strategy and enquiries" tab, recording a discussion, the S47
outcome, the threshold decision, and the consultation queues of each role.

Views stay thin: selectors read (always within the user's scope), services write.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from cpcases.accounts.roles import Capability, Role
from cpcases.audit.models import AccessAction
from cpcases.audit.services import access_record
from cpcases.children import selectors as child_selectors
from cpcases.children.views import record_context
from cpcases.core.confirm import ask
from cpcases.core.errors import NotPermitted, ServiceError, WarningsToConfirm
from cpcases.core.forms import add_service_error, quiet, with_added_row
from deadlines.selectors import effective_rule
from strategy import selectors, services
from strategy.forms import (
    ActionFormSet,
    AssignChairForm,
    ConcernForm,
    ConsultationHeldForm,
    ConsultationRecordForm,
    ConsultationRequestForm,
    IroOutcomeForm,
    ParticipantFormSet,
    S47OutcomeForm,
    StrategyDiscussionForm,
    ThresholdForm,
)
from strategy.models import ConsultationStatus


def _require(request: HttpRequest, allowed: bool, what: str) -> None:
    if not allowed:
        raise PermissionDenied(f"A {request.user.role_label.lower()} cannot {what}.")


# --- the child's tab ------------------------------------------------------------------------


@login_required
def child_tab(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_selectors.child_for_view(request=request, child_id=pk, section="strategy")
    user = request.user
    tab = selectors.child_tab(user=user, child=child)
    enquiry = tab.enquiry
    return render(request, "strategy/child.html", {
        **record_context(request, child, "strategy"),
        "timeline": tab.timeline,
        "enquiry": enquiry,
        "icpc_deadline": selectors.icpc_due(child=child) if enquiry else None,
        "can_record": user.can(Capability.EDIT_CHILD),
        # Asked only with an enquiry to decide on; child_for_view has just found the child
        # in the user's scope, the rest of services.may_decide_threshold (issue 13 §2).
        "can_decide": enquiry is not None and services.may_decide_threshold(
            user, child, child_visible=True),
        "can_request": user.role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER),
        "thresholds_to_record": tab.thresholds_to_record,
    })


# --- strategy discussion --------------------------------------------------------------------


@login_required
def discussion_new(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, request.user.can(Capability.EDIT_CHILD), "record a strategy discussion")
    child = child_selectors.child_for_view(request=request, child_id=pk,
                                           section="strategy-new")
    household = [child, *child_selectors.household_children(user=request.user, child=child)]
    data, grown = with_added_row(request.POST or None, "participants", "actions")
    form = StrategyDiscussionForm(data, household=household, initial={"children": [child]})
    kwargs = {"authority_id": request.user.authority_id}
    participants = ParticipantFormSet(data, prefix="participants", form_kwargs=kwargs)
    actions = ActionFormSet(data, prefix="actions")
    if grown:
        quiet(form, participants, actions)
    elif request.method == "POST" and all(
            [form.is_valid(), participants.is_valid(), actions.is_valid()]):
        try:
            discussion = services.strategy_discussion_record(
                user=request.user, children=list(form.cleaned_data["children"]),
                concern_identified_at=form.concern_identified_at(),
                urgency=form.cleaned_data["urgency"], format=form.cleaned_data["format"],
                held_at=form.held_at(), outcomes=form.outcomes(),
                participants=[services.ParticipantData(
                    name=f["name"], agency=f["agency"], role=f["role"],
                    attendance=f.get("attendance") or "present", job_title=f["job_title"],
                    user=f["user"]) for f in participants.cleaned_data if f.get("name")],
                actions=[services.ActionData(who=f["who"], what=f["what"],
                                             by_when=f["by_when"])
                         for f in actions.cleaned_data if f.get("who")],
                information_shared=form.cleaned_data["information_shared"],
                criminal_investigation=form.cleaned_data["criminal_investigation"],
                shareable_with_family=form.cleaned_data["shareable_with_family"],
                late_reason=form.cleaned_data["late_reason"],
                minimum_not_met_reason=form.cleaned_data["minimum_not_met_reason"])
        except NotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc
        except ServiceError as exc:
            add_service_error(form, exc)
        except WarningsToConfirm as exc:  # a census query rule (issue 16 §2)
            ask(form, exc)
        else:
            messages.success(request, "Strategy discussion recorded.")
            return redirect("strategy:discussion_detail", pk=discussion.pk)
    return render(request, "strategy/discussion_form.html", {
        "form": form, "participants": participants, "actions": actions, "child": child,
        "title": "Record a strategy discussion", "grown": grown,
        "back": reverse("strategy:child", args=[child.pk])})


@login_required
def discussion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = selectors.discussion_for_view(user=request.user, pk=pk)
    if discussion is None:
        access_record(request=request, child_id=None, action=AccessAction.REFUSED,
                      section="strategy-discussion", detail={"discussion_id": pk})
        raise Http404("No strategy discussion found")
    children = list(selectors.discussion_children(user=request.user, discussion=discussion))
    for outcome in children:
        access_record(request=request, child_id=outcome.child_id, action=AccessAction.VIEW,
                      section="strategy-discussion", detail={"discussion_id": pk})
    return render(request, "strategy/discussion.html", {
        "discussion": discussion, "children": children,
        "back": reverse("strategy:child", args=[children[0].child_id])})


# --- Section 47 outcome ---------------------------------------------------------------------


@login_required
def s47_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, request.user.can(Capability.EDIT_CHILD),
             "record the outcome of an enquiry")
    enquiry = selectors.enquiries_visible(user=request.user).filter(pk=pk).first()
    if enquiry is None:
        raise Http404("No enquiry found")
    child = child_selectors.child_for_view(request=request, child_id=enquiry.child_id,
                                           section="s47-outcome")
    form = S47OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.s47_record_outcome(user=request.user, enquiry=enquiry,
                                        outcome=form.cleaned_data["outcome"],
                                        outcome_date=form.cleaned_data["outcome_date"],
                                        reasons=form.cleaned_data["reasons"],
                                        next_step=form.cleaned_data["next_step"])
        except ServiceError as exc:
            add_service_error(form, exc)
        except WarningsToConfirm as exc:  # a census query rule (issue 16 §2)
            ask(form, exc)
        else:
            messages.success(request, "Outcome of the Section 47 enquiry recorded.")
            return redirect("strategy:child", pk=child.pk)
    return render(request, "children/form.html", {
        "form": form, "child": child,
        "title": f"Outcome of the Section 47 enquiry for {child}",
        "back": reverse("strategy:child", args=[child.pk])})


# --- threshold decision ---------------------------------------------------------------------


@login_required
def threshold_new(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, request.user.role in (Role.TEAM_MANAGER, Role.SERVICE_MANAGER,
                                            Role.HEAD_OF_SERVICE),
             "decide whether the threshold is met")
    child = child_selectors.child_for_view(request=request, child_id=pk, section="threshold")
    form = ThresholdForm(request.POST or None, authority_id=request.user.authority_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.threshold_decide(user=request.user, child=child, **form.answers(),
                                      rationale=form.cleaned_data["rationale"],
                                      iro=form.cleaned_data["iro"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Threshold decision recorded.")
            return redirect("strategy:child", pk=child.pk)
    return render(request, "children/form.html", {
        "form": form, "child": child, "title": f"Threshold decision for {child}",
        "back": reverse("strategy:child", args=[child.pk])})


@login_required
def threshold_iro(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.threshold_discussions_to_record(user=request.user).filter(
        pk=pk).first()
    if decision is None:
        raise Http404("No threshold discussion to record")
    child = child_selectors.child_for_view(request=request, child_id=decision.child_id,
                                           section="threshold-iro")
    form = IroOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.threshold_iro_record(user=request.user, decision=decision,
                                          outcome=form.cleaned_data["outcome"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Outcome recorded on the child's file.")
            return redirect("strategy:child", pk=child.pk)
    return render(request, "children/form.html", {
        "form": form, "child": child,
        "title": f"Record the threshold discussion about {child}",
        "back": reverse("strategy:child", args=[child.pk])})


# --- consultations --------------------------------------------------------------------------


@login_required
def consultation_new(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, request.user.role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER),
             "request a consultation")
    child = child_selectors.child_for_view(request=request, child_id=pk,
                                           section="consultation-new")
    form = ConsultationRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_request(
                user=request.user, child=child, question=form.cleaned_data["question"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            if consultation.chair_id:
                messages.success(request, f"Request sent. {consultation.chair} consulted on "
                                          f"{child} before and has it.")  # 000
            else:
                messages.success(request, "Request sent to business support.")
            return redirect("strategy:my_requests")
    no_discussion = not child.discussion_outcomes.exists()
    return render(request, "strategy/consultation_request.html", {
        "form": form, "child": child, "no_discussion": no_discussion,
        "chair_rule": effective_rule(child.authority_id, "consultation_chair_assigned"),
        "title": f"Request a consultation with a CP chair about {child}",
        "back": reverse("strategy:child", args=[child.pk])})


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    _require(request, request.user.role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER),
             "see consultation requests")
    return render(request, "strategy/consultations.html", {
        "title": "My consultation requests",
        "consultations": selectors.my_consultation_requests(user=request.user)})


@login_required
def consultation_queue(request: HttpRequest) -> HttpResponse:
    _require(request, request.user.role == Role.BUSINESS_SUPPORT, "see this queue")
    return render(request, "strategy/consultations.html", {
        "title": "Consultation requests", "queue": True,
        "consultations": selectors.consultation_queue(user=request.user)})


@login_required
def chair_consultations(request: HttpRequest) -> HttpResponse:
    _require(request, request.user.role == Role.CP_CHAIR, "see this page")
    return render(request, "strategy/consultations.html", {
        "title": "My consultations", "chair": True,
        "consultations": selectors.chair_consultations(user=request.user),
        "thresholds": selectors.threshold_discussions_to_record(user=request.user)})


@login_required
def consultation_assign(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, request.user.role == Role.BUSINESS_SUPPORT, "assign a chair")
    consultation = selectors.consultation_queue(user=request.user).filter(pk=pk).first()
    if consultation is None:
        raise Http404("No consultation request found")
    child = child_selectors.child_for_view(request=request, child_id=consultation.child_id,
                                           section="consultation-assign")
    earlier = services.previous_chair(child)
    form = AssignChairForm(request.POST or None, authority_id=request.user.authority_id,
                           initial={"chair": earlier})
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_assign_chair(user=request.user, consultation=consultation,
                                               chair=form.cleaned_data["chair"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{form.cleaned_data['chair']} assigned.")
            return redirect("strategy:consultation_queue")
    return render(request, "strategy/consultation_assign.html", {
        "form": form, "child": child, "consultation": consultation, "earlier": earlier,
        "title": f"Assign a chair: consultation about {child}",
        "back": reverse("strategy:consultation_queue")})


@login_required
def consultation_record(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, request.user.role == Role.CP_CHAIR, "record a consultation")
    consultation = selectors.chair_consultations(user=request.user).filter(
        pk=pk, status=ConsultationStatus.ASSIGNED).first()
    if consultation is None:
        raise Http404("No consultation to record")
    child = child_selectors.child_for_view(request=request, child_id=consultation.child_id,
                                           section="consultation-record")
    form = ConsultationRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()
                if k not in ("held_date", "held_time")}
        try:
            services.consultation_record(user=request.user, consultation=consultation,
                                         held_at=form.held_at(), **data)
        except (ServiceError, NotPermitted) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Consultation recorded on the child's file.")
            return redirect("strategy:chair_consultations")
    return render(request, "strategy/consultation_record.html", {
        "form": form, "child": child, "consultation": consultation,
        "title": f"Record the consultation about {child}",
        "back": reverse("strategy:chair_consultations")})


@login_required
def consultation_held(request: HttpRequest, pk: int) -> HttpResponse:
    """The chair marks the consultation held: 48 hours to record it from then (000)."""
    _require(request, request.user.role == Role.CP_CHAIR, "mark a consultation held")
    consultation = selectors.chair_consultations(user=request.user).filter(
        pk=pk, status=ConsultationStatus.ASSIGNED, held_at__isnull=True).first()
    if consultation is None:
        raise Http404("No consultation to mark held")
    child = child_selectors.child_for_view(request=request, child_id=consultation.child_id,
                                           section="consultation-held")
    form = ConsultationHeldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_mark_held(user=request.user, consultation=consultation,
                                            held_at=form.held_at())
        except (ServiceError, NotPermitted) as exc:
            form.add_error(None, str(exc))
        else:
            within = effective_rule(child.authority_id, "consultation_recorded").span()
            messages.success(request, f"Marked as held. Record it within {within}.")
            return redirect("strategy:chair_consultations")
    return render(request, "strategy/consultation_request.html", {
        "form": form, "child": child, "held": True,
        "record_rule": effective_rule(child.authority_id, "consultation_recorded"),
        "title": f"Mark the consultation about {child} as held",
        "back": reverse("strategy:chair_consultations")})


# --- concern identified -----------------------------------------------------------------------


@login_required
def concern_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a concern about the child was identified: the strategy discussion's
    clock starts (000: 1/3/5 working days by urgency)."""
    _require(request, request.user.can(Capability.EDIT_CHILD), "record a concern")
    child = child_selectors.child_for_view(request=request, child_id=pk, section="concern-new")
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_record(
                actor=request.user, child=child, identified_at=form.identified_at(),
                urgency=form.cleaned_data["urgency"], summary=form.cleaned_data["summary"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            due = services.strategy_discussion_due(child, concern.identified_at,
                                                   concern.urgency)
            messages.success(request, f"Concern recorded. The strategy discussion is due by "
                                      f"{due:%-d %B %Y}.")
            return redirect("strategy:child", pk=child.pk)
    return render(request, "strategy/concern_new.html", {
        "form": form, "child": child, "title": f"Record a concern about {child}",
        "back": reverse("strategy:child", args=[child.pk])})
