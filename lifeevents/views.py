"""Pages for life on and off a plan. Views stay thin: selectors read (scoped, every view of
a child logged), services write (through core.forms_flow.submit). A record the user may
not see is 404; one they see but may not change is 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cpcases.accounts.models import User
from cpcases.accounts.roles import Capability
from cpcases.children import selectors as child_selectors
from cpcases.children.models import Child
from cpcases.children.views import record_context
from cpcases.core.errors import NotPermitted, ServiceError
from cpcases.core.forms_flow import submit
from cpcases.plans import selectors as plan_selectors
from deadlines.models import Deadline, DeadlineStatus
from lifeevents import ending, restriction, selectors, services
from lifeevents.forms import (
    AgencyViewForm,
    ChallengeForm,
    ChallengeStepForm,
    ComplaintForm,
    ComplaintStepForm,
    DeathForm,
    FoundForm,
    InterviewForm,
    MissingForm,
    OrderDateForm,
    OrderForm,
    PartnershipNoticeForm,
    RestrictForm,
    ReviewDecisionForm,
    TransferForm,
    TransferOutForm,
    UnrestrictForm,
)
from lifeevents.models import ChildDeath, OrderKind, PlanEndingNotice, PlanEndViews

LIFE_RULES = ("missing_escalation", "return_interview", "death_partnership_notification",
              "serious_case_review_consideration", "icpc_before_order_expiry",
              "icpc_after_cao", "complaint_response", "complaint_chair_acknowledge",
              "complaint_chair_consider", "complaint_chair_reply", "appeal_panel",
              "appeal_outcome", "plan_end_views", "transfer_out_conference",
              "challenge_stage")


def _form_page(request: HttpRequest, form: Form, *, title: str, child: Child,
               back: str) -> HttpResponse:
    return render(request, "lifeevents/form.html",
                  {"form": form, "title": title, "child": child, "back": back})


def _child(request: HttpRequest, pk: int, section: str) -> Child:
    return child_selectors.child_for_view(request=request, child_id=pk, section=section)


def _tab(child: Child) -> str:
    return reverse("lifeevents:child", args=[child.pk])


@login_required
def child_tab(request: HttpRequest, pk: int) -> HttpResponse:
    child = _child(request, pk, "life-events")
    user = request.user
    # Issue 13 §2: one query says which of the tab's lists have rows; only those are read.
    has = selectors.child_tab_lists(child.pk, LIFE_RULES)
    death = ChildDeath.objects.filter(child=child).first() if "death" in has else None
    orders = list(child.legal_orders.all()) if "orders" in has else []
    plans = [p for p in plan_selectors.child_plans(user=user, child=child) if not p.is_current]
    # Issue 13 §2: what the tab shows is worked out from the rows it lists, not asked again.
    notices = {n.plan_id: n for n in PlanEndingNotice.objects.filter(plan__in=plans)
               } if plans else {}
    ended = [(p, notices.get(p.pk), selectors.census_closure_reason(p.end_reason))
             for p in plans]
    episodes = list(child.missing_episodes.select_related("reported_by", "lead_social_worker")
                    ) if "episodes" in has else []
    return render(request, "lifeevents/child.html", {
        **record_context(request, child, "life"),
        "death": death,
        "episodes": episodes,
        "missing_now": any(e.found_at is None for e in episodes),
        "orders": orders,
        "looked_after": selectors.is_looked_after(child, orders=orders),
        "complaints": child.complaints.all() if "complaints" in has else [],
        "letters": Paginator(selectors.child_letters(child) if "letters" in has else [],
                             20).get_page(request.GET.get("page")),
        "ended_plans": ended,
        "deadlines": selectors.named_deadlines(Deadline.objects.filter(
            child=child, rule_id__in=LIFE_RULES, status=DeadlineStatus.OPEN),
            child.authority_id) if "deadlines" in has else [],
        "can_record_death": death is None and services.may_record_death(user),
        "can_record_order": user.role in services.CASE_ROLES,
        "can_record_complaint": user.role in services.COMPLAINT_ROLES,
        "challenges": child.challenges.select_related("raised_by")
        if "challenges" in has else [],
        "transfers": child.transfers.select_related("from_worker", "to_worker", "from_team",
                                                    "to_team") if "transfers" in has else [],
        "can_transfer": death is None and user.can(Capability.ALLOCATE),
        "can_notify_ending": user.role in (*services.CASE_ROLES, "cp_chair",
                                           "business_support"),
        "restriction": restriction.current_restriction(child)
        if "restriction" in has else None,
        "can_restrict": restriction.may_restrict(user, child),
    })


# --- missing ----------------------------------------------------------------------------------


@login_required
def missing_list(request: HttpRequest) -> HttpResponse:
    if not selectors.sees_missing_list(request.user):
        raise PermissionDenied("Only social workers and managers have this list.")
    page = Paginator(selectors.missing_now(user=request.user), 25).get_page(
        request.GET.get("page"))
    return render(request, "lifeevents/missing_list.html", {"page": page})


@login_required
def missing_new(request: HttpRequest, pk: int) -> HttpResponse:
    child = _child(request, pk, "missing-new")
    form = MissingForm(request.POST or None)
    if submit(request, form, lambda d: services.missing_episode_record(
            child=child, user=request.user, **d)):
        messages.success(request, "Recorded. The lead social worker has been told.")
        return redirect(_tab(child))
    return _form_page(request, form, title="Record the child as missing or absent",
                      child=child, back=_tab(child))


@login_required
def missing_found(request: HttpRequest, pk: int) -> HttpResponse:
    episode = selectors.episode_for_view(request=request, pk=pk)
    form = FoundForm(request.POST or None)
    if submit(request, form, lambda d: services.missing_episode_found(
            episode=episode, user=request.user, **d)):
        messages.success(request, "Recorded as found. A return interview is now due.")
        return redirect(_tab(episode.child))
    return _form_page(request, form, title="Record the child as found", child=episode.child,
                      back=_tab(episode.child))


@login_required
def missing_interview(request: HttpRequest, pk: int) -> HttpResponse:
    episode = selectors.episode_for_view(request=request, pk=pk)
    form = InterviewForm(request.POST or None)
    if submit(request, form, lambda d: services.missing_return_interview_offer(
            episode=episode, user=request.user, **d)):
        messages.success(request, "Return interview offer recorded.")
        return redirect(_tab(episode.child))
    return _form_page(request, form, title="Record the return interview offer",
                      child=episode.child, back=_tab(episode.child))


# --- death ------------------------------------------------------------------------------------


@login_required
def death_new(request: HttpRequest, pk: int) -> HttpResponse:
    child = _child(request, pk, "death-new")
    if not services.may_record_death(request.user):
        raise PermissionDenied("The death is reported through the lead social worker's "
                               "manager.")
    form = DeathForm(request.POST or None)
    saved = submit(request, form, lambda d: services.child_death_record(
        child=child, user=request.user, **d))
    if saved:
        messages.success(request, "The death is recorded. The senior child protection "
                                  "manager has been told and every open deadline stopped.")
        return redirect("lifeevents:death", pk=saved.value.pk)
    return _form_page(request, form, title="Record the child's death", child=child,
                      back=_tab(child))


def _death_context(request: HttpRequest, death: ChildDeath) -> dict[str, Any]:
    senior = services.is_senior_cp_manager(request.user, death.child.authority_id) or \
        request.user.role == "head_of_service"
    return {**record_context(request, death.child, "life"), "death": death,
            "is_senior": senior,
            "letters": selectors.child_letters(death.child).filter(object_id=death.pk,
                                                                   kind="partnership_death"),
            "deadlines": selectors.named_deadlines(Deadline.objects.filter(
                child=death.child, object_id=death.pk, content_type__model="childdeath"),
                death.child.authority_id)}


@login_required
def death_detail(request: HttpRequest, pk: int) -> HttpResponse:
    death = selectors.death_for_view(request=request, pk=pk)
    return render(request, "lifeevents/death.html", _death_context(request, death))


def _senior_only(request: HttpRequest, death: ChildDeath) -> None:
    if not (services.is_senior_cp_manager(request.user, death.child.authority_id)
            or request.user.role == "head_of_service"):
        raise PermissionDenied("Only the senior child protection manager can do this.")


@login_required
def death_notify(request: HttpRequest, pk: int) -> HttpResponse:
    death = selectors.death_for_view(request=request, pk=pk)
    _senior_only(request, death)
    form = PartnershipNoticeForm(request.POST or None, initial={"method": "email"})
    if submit(request, form, lambda d: services.child_death_notify_partnership(
            death=death, user=request.user, **d)):
        messages.success(request, "The notice has been sent to the partnership's chair.")
        return redirect("lifeevents:death", pk=death.pk)
    return _form_page(request, form, title="Notify the safeguarding partnership's chair",
                      child=death.child, back=reverse("lifeevents:death", args=[death.pk]))


@login_required
def death_review(request: HttpRequest, pk: int) -> HttpResponse:
    death = selectors.death_for_view(request=request, pk=pk)
    _senior_only(request, death)
    form = ReviewDecisionForm(request.POST or None)
    if submit(request, form, lambda d: services.child_death_review_decide(
            death=death, user=request.user, **d)):
        messages.success(request, "The review decision is recorded.")
        return redirect("lifeevents:death", pk=death.pk)
    return _form_page(request, form, title="Rapid review or serious case review",
                      child=death.child, back=reverse("lifeevents:death", args=[death.pk]))


# --- legal orders -----------------------------------------------------------------------------


@login_required
def order_new(request: HttpRequest, pk: int) -> HttpResponse:
    child = _child(request, pk, "orders-new")
    if request.user.role not in services.CASE_ROLES:
        raise PermissionDenied("Only social workers and managers record orders.")
    form = OrderForm(request.POST or None)
    if submit(request, form, lambda d: services.legal_order_record(
            child=child, user=request.user, **d)):
        messages.success(request, "Order recorded.")
        return redirect(_tab(child))
    return _form_page(request, form, title="Record a legal order or accommodation",
                      child=child, back=_tab(child))


@login_required
def order_date(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    order = selectors.order_for_view(request=request, pk=pk)
    if request.user.role not in services.CASE_ROLES:
        raise PermissionDenied("Only social workers and managers change orders.")
    concluded = what == "concluded"
    if concluded and order.kind != OrderKind.CAO:
        raise PermissionDenied("Only a child assessment order has assessments to conclude.")
    form = OrderDateForm(request.POST or None,
                         label="Date the assessments concluded" if concluded else
                         "Date the order ended",
                         submit="Save")

    def write(d: dict[str, Any]) -> object:
        if concluded:
            return services.legal_order_assessments_concluded(
                order=order, user=request.user, concluded_on=d["on"])
        return services.legal_order_end(order=order, user=request.user, ended_on=d["on"])

    if submit(request, form, write):
        messages.success(request, "Saved.")
        return redirect(_tab(order.child))
    return _form_page(request, form, title=f"{order.get_kind_display()}: "
                      + ("assessments concluded" if concluded else "order ended"),
                      child=order.child, back=_tab(order.child))


@login_required
def order_concluded(request: HttpRequest, pk: int) -> HttpResponse:
    return order_date(request, pk, "concluded")


@login_required
def order_end(request: HttpRequest, pk: int) -> HttpResponse:
    return order_date(request, pk, "ended")


# --- complaints -------------------------------------------------------------------------------


@login_required
def complaint_new(request: HttpRequest, pk: int) -> HttpResponse:
    child = _child(request, pk, "complaints-new")
    if request.user.role not in services.COMPLAINT_ROLES:
        raise PermissionDenied("Complaints are recorded by managers, chairs and business "
                               "support.")
    form = ComplaintForm(request.POST or None)
    saved = submit(request, form, lambda d: services.complaint_receive(
        child=child, user=request.user, **d))
    if saved:
        messages.success(request, "Complaint recorded. A response is due.")
        return redirect("lifeevents:complaint", pk=saved.value.pk)
    return _form_page(request, form, title="Record a complaint about a conference",
                      child=child, back=_tab(child))


@login_required
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = selectors.complaint_for_view(request=request, pk=pk)
    may_act = request.user.role in services.COMPLAINT_ROLES
    steps = [(s, services.STEP_LABELS[s]) for s in services.complaint_next_steps(complaint)]
    form = ComplaintStepForm(request.POST or None, steps=steps) if may_act and steps else None
    if request.method == "POST" and form is None:
        raise PermissionDenied("You cannot record a step of this complaint.")
    if form is not None and submit(request, form, lambda d: services.complaint_advance(
            complaint=complaint, user=request.user, **d)):
        messages.success(request, "Step recorded.")
        return redirect("lifeevents:complaint", pk=complaint.pk)
    return render(request, "lifeevents/complaint.html", {
        **record_context(request, complaint.child, "life"), "complaint": complaint,
        "form": form,
        "letters": selectors.child_letters(complaint.child).filter(
            object_id=complaint.pk, content_type__model="complaint"),
        "deadlines": selectors.named_deadlines(Deadline.objects.filter(
            child=complaint.child, object_id=complaint.pk, content_type__model="complaint"),
            complaint.child.authority_id)})


# --- letters and plan endings -----------------------------------------------------------------


@login_required
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = selectors.letter_for_view(request=request, pk=pk)
    return render(request, "lifeevents/letter.html", {
        **record_context(request, letter.child, "life"), "letter": letter})


@login_required
@require_POST
def plan_notify(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_selectors.plan_for_view(request=request, pk=pk, section="plan-ending")
    try:
        notice = services.plan_ending_notify(plan=plan, user=request.user)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect(_tab(plan.child))
    count = notice.plan.child.life_letters.filter(object_id=notice.pk,
                                                  kind="plan_ended").count()
    messages.success(request, f"{count} notices sent to the people invited to the initial "
                              "conference.")
    return redirect(_tab(plan.child))


# --- transfers --------------------------------------------------------------------------------


def _manager_only(request: HttpRequest) -> None:
    if not request.user.can(Capability.ALLOCATE):
        raise PermissionDenied("Only managers transfer a case.")


@login_required
def transfer_new(request: HttpRequest, pk: int) -> HttpResponse:
    child = _child(request, pk, "transfer-new")
    _manager_only(request)
    form = TransferForm(request.POST or None, authority_id=child.authority_id)
    if submit(request, form, lambda d: services.case_transfer(
            child=child, user=request.user, **d)):
        messages.success(request, "The case has been transferred. Both workers and both "
                                  "teams' managers have been told.")
        return redirect("lifeevents:transfers")
    return _form_page(request, form, title="Transfer the case", child=child,
                      back=_tab(child))


@login_required
def transfer_out_new(request: HttpRequest, pk: int) -> HttpResponse:
    child = _child(request, pk, "transfer-out-new")
    _manager_only(request)
    form = TransferOutForm(request.POST or None)
    if submit(request, form, lambda d: services.transfer_out_record(
            child=child, user=request.user, **d)):
        messages.success(request, "Transfer out recorded. Their conference is due within "
                                  "the policy's time.")
        return redirect(_tab(child))
    return _form_page(request, form, title="Transfer out to another authority", child=child,
                      back=_tab(child))


@login_required
def transfer_out_held(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = selectors.transfer_for_view(request=request, pk=pk)
    _manager_only(request)
    form = OrderDateForm(request.POST or None, label="Date of their transfer-in conference",
                         submit="Save and end our plan")
    if submit(request, form, lambda d: services.transfer_out_conference_held(
            transfer=transfer, user=request.user, held_on=d["on"])):
        messages.success(request, "Recorded. Our plan has ended.")
        return redirect(_tab(transfer.child))
    return _form_page(request, form, title=f"Transfer to {transfer.receiving_authority}",
                      child=transfer.child, back=_tab(transfer.child))


@login_required
def transfers(request: HttpRequest) -> HttpResponse:
    """Managers of both teams see a transfer (the old team no longer sees the child)."""
    _manager_only(request)
    page = Paginator(selectors.transfers_for_manager(user=request.user), 25).get_page(
        request.GET.get("page"))
    visible = set(selectors.visible_ids(request.user, [t.child_id for t in page]))
    return render(request, "lifeevents/transfers.html", {"page": page, "visible": visible})


# --- professional challenge -------------------------------------------------------------------


@login_required
def challenge_new(request: HttpRequest, pk: int) -> HttpResponse:
    child = _child(request, pk, "challenge-new")
    form = ChallengeForm(request.POST or None)
    saved = submit(request, form, lambda d: services.challenge_raise(
        child=child, user=request.user, **d))
    if saved:
        messages.success(request, "Challenge raised (stage 1).")
        return redirect("lifeevents:challenge", pk=saved.value.pk)
    return _form_page(request, form, title="Raise a professional challenge", child=child,
                      back=_tab(child))


@login_required
def challenge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = selectors.challenge_for_view(request=request, pk=pk)
    form = ChallengeStepForm(request.POST or None) if challenge.resolved_on is None else None
    if request.method == "POST" and form is None:
        raise PermissionDenied("This challenge has been resolved.")

    def write(d: dict[str, Any]) -> object:
        if d["action"] == "escalate":
            return services.challenge_escalate(challenge=challenge, user=request.user,
                                               note=d["text"])
        return services.challenge_resolve(challenge=challenge, user=request.user,
                                          outcome=d["text"])

    if form is not None and submit(request, form, write):
        messages.success(request, "Recorded.")
        return redirect("lifeevents:challenge", pk=challenge.pk)
    return render(request, "lifeevents/challenge.html", {
        **record_context(request, challenge.child, "life"), "challenge": challenge,
        "form": form, "stages": challenge.stages.all(),
        "deadlines": selectors.named_deadlines(Deadline.objects.filter(
            child=challenge.child, rule_id="challenge_stage",
            object_id__in=challenge.stages.values("pk"),
            content_type__model="challengestage"), challenge.child.authority_id)})


@login_required
def challenge_summary(request: HttpRequest) -> HttpResponse:
    """003: outcomes of professional challenge, six-monthly, for managers."""
    _manager_only(request)
    return render(request, "lifeevents/challenge_summary.html",
                  selectors.challenge_summary(user=request.user))


# --- ending a plan: notices and the views of absent agencies (003 "Discontinuing") -----------


@login_required
def plan_ending(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's ending: who was told, and which absent agencies' views are in."""
    plan = plan_selectors.plan_for_view(request=request, pk=pk, section="plan-ending")
    if plan.ended_on is None:
        raise Http404("The plan has not ended.")
    notice = PlanEndingNotice.objects.filter(plan=plan).first()
    views = PlanEndViews.objects.filter(plan=plan).select_related("conference").first()
    requests = list(views.requests.select_related("letter")) if views else []
    return render(request, "lifeevents/plan_ending.html", {
        **record_context(request, plan.child, "life"), "plan": plan, "notice": notice,
        "notice_letters": selectors.child_letters(plan.child).filter(
            kind="plan_ended", object_id=notice.pk) if notice else [],
        "views": views, "views_in": [r for r in requests if r.is_in],
        "views_outstanding": [r for r in requests if not r.is_in],
        "census": selectors.census_closure_reason(plan.end_reason),
        "deadlines": selectors.named_deadlines(Deadline.objects.filter(
            child=plan.child, rule_id="plan_end_views", object_id=views.pk,
            content_type__model="planendviews"), plan.child.authority_id) if views else [],
        "can_record_views": request.user.role in ending.VIEW_ROLES,
        "can_notify_ending": request.user.role in (*services.CASE_ROLES, "cp_chair",
                                                   "business_support"),
    })


@login_required
def agency_view_record(request: HttpRequest, pk: int) -> HttpResponse:
    asked = selectors.view_request_for_view(request=request, pk=pk)
    plan = asked.views.plan
    back = reverse("lifeevents:plan_ending", args=[plan.pk])
    if request.user.role not in ending.VIEW_ROLES:
        raise PermissionDenied("You cannot record an agency's view.")
    form = AgencyViewForm(request.POST or None)
    if submit(request, form, lambda d: ending.agency_view_record(
            request=asked, user=request.user, **d)):
        messages.success(request, f"The view of {asked.name} is recorded.")
        return redirect(back)
    return _form_page(request, form, title=f"Record the view of {asked.name}",
                      child=plan.child, back=back)


# --- restricted records -----------------------------------------------------------------------


@login_required
def restrict(request: HttpRequest, pk: int) -> HttpResponse:
    child = _child(request, pk, "restriction")
    if not restriction.may_restrict(request.user, child):
        raise PermissionDenied("Only a manager of the child's team restricts the record.")
    current = restriction.current_restriction(child)
    people = restriction.people_who_may_be_named(child)
    initial = {"reason": current.reason, "named": [p["id"] for p in current.named]} \
        if current else None
    form = RestrictForm(request.POST or None, initial=initial,
                        people=User.objects.filter(pk__in=[p.pk for p in people]))
    if submit(request, form, lambda d: restriction.record_restrict(
            child=child, user=request.user, reason=d["reason"], named=d["named"])):
        messages.success(request, "The record is restricted. Only the people you named can "
                                  "see it.")
        return redirect(_tab(child))
    return _form_page(request, form, title="Restrict this record", child=child,
                      back=_tab(child))


@login_required
def unrestrict(request: HttpRequest, pk: int) -> HttpResponse:
    child = _child(request, pk, "restriction")
    if not restriction.may_restrict(request.user, child):
        raise PermissionDenied("Only a manager of the child's team lifts a restriction.")
    form = UnrestrictForm(request.POST or None)
    if submit(request, form, lambda d: restriction.record_unrestrict(
            child=child, user=request.user, reason=d["reason"])):
        messages.success(request, "The restriction is lifted.")
        return redirect(_tab(child))
    return _form_page(request, form, title="Lift the restriction on this record", child=child,
                      back=_tab(child))
