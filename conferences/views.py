"""Pages for ICPC requests, approvals, bookings and delay authorisations.

Views stay thin: selectors read (always within the user's scope), services write and hold
every rule; a refused action is shown in the GOV.UK error summary with what was typed kept.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from conferences import selectors, services, strategy_link
from conferences.forms import (
    BookingForm,
    DelayDecisionForm,
    DelayRequestForm,
    NoteForm,
    RequestForm,
)
from conferences.models import (
    ConferenceKind,
    ConferenceRequest,
    ConferenceStatus,
    DelayStatus,
    RequestStatus,
)
from cpcases.accounts.roles import Role
from cpcases.audit.models import AccessAction
from cpcases.audit.services import access_record
from cpcases.children import selectors as child_selectors
from cpcases.children.scoping import visible_children
from cpcases.children.views import record_context
from cpcases.core.concurrency import edits
from cpcases.core.errors import NotPermitted, ServiceError
from cpcases.core.forms_flow import run_for_form as _run


def _require_role(request: HttpRequest, *roles: str) -> None:
    if request.user.role not in roles:
        raise PermissionDenied(f"A {request.user.role_label.lower()} cannot see this page.")


def _conference_request(request: HttpRequest, pk: int, section: str) -> ConferenceRequest:
    """The request if the user may see it (404 otherwise); viewing its children is logged."""
    found = selectors.request_for(user=request.user, pk=pk)
    if found is None:
        access_record(request=request, child_id=None, action=AccessAction.REFUSED,
                      section=section, detail={"conference_request": pk})
        raise Http404("No conference request found")
    for rc in found.requested_children.all():
        access_record(request=request, child_id=rc.child_id, action=AccessAction.VIEW,
                      section=section, detail={"conference_request": pk})
    return found




def _form_page(request: HttpRequest, form: Any, title: str, back: str,
               conference_request: ConferenceRequest | None = None,
               **extra: Any) -> HttpResponse:
    return render(request, "conferences/form.html", {
        "form": form, "title": title, "back": back, "conference_request": conference_request,
        **extra})


def _detail_url(pk: int) -> str:
    return reverse("conferences:request_detail", args=[pk])


# --- queues -------------------------------------------------------------------------------------


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    """The social worker's conference requests: draft, submitted, returned, approved,
    booked."""
    _require_role(request, Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.SERVICE_MANAGER,
                  Role.HEAD_OF_SERVICE)
    return render(request, "conferences/queue.html", {
        "title": "My conference requests" if request.user.role == Role.SOCIAL_WORKER
        else "Conference requests",
        "requests": selectors.my_requests(user=request.user),
        "empty": "There are no conference requests."})


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    _require_role(request, Role.TEAM_MANAGER)
    return render(request, "conferences/queue.html", {
        "title": "Conference requests to approve",
        "requests": selectors.approvals_queue(user=request.user),
        "empty": "No conference requests are waiting for your approval."})


@login_required
def second_conferences(request: HttpRequest) -> HttpResponse:
    _require_role(request, Role.SERVICE_MANAGER)
    return render(request, "conferences/queue.html", {
        "title": "Second conferences to agree",
        "lead": "Cases returning to conference for a second time need the service manager's "
                "agreement.",  # 000
        "requests": selectors.second_conference_queue(user=request.user),
        "empty": "No second conferences are waiting for your agreement."})


@login_required
def booking_queue(request: HttpRequest) -> HttpResponse:
    _require_role(request, Role.BUSINESS_SUPPORT)
    return render(request, "conferences/queue.html", {
        "title": "Conference requests to book",
        "lead": "Offer a date within 24 hours of the request.",  # 000
        "requests": selectors.booking_queue(user=request.user), "show_due": True,
        "empty": "No approved requests are waiting to be booked."})


@login_required
def bookings_calendar(request: HttpRequest) -> HttpResponse:
    _require_role(request, Role.BUSINESS_SUPPORT, Role.CP_CHAIR)
    conferences = list(selectors.bookings_calendar(user=request.user))
    days: dict[Any, list] = {}
    for conference in conferences:
        days.setdefault(conference.date, []).append(conference)
    return render(request, "conferences/calendar.html", {
        "days": sorted(days.items()), "today": timezone.localdate()})


@login_required
def delays(request: HttpRequest) -> HttpResponse:
    if not selectors.may_authorise_icpc_delay(request.user):
        raise PermissionDenied("Only the role named by the authority's policy authorises "
                               "ICPC delays.")
    # Issue 13 §2: every list paged (the decided ones are the latest 20).
    pending = Paginator(selectors.delay_queue(user=request.user), 50).get_page(
        request.GET.get("page"))
    return render(request, "conferences/delays.html", {
        "pending": pending, "page": pending,
        "decided": selectors.delays_visible(user=request.user).exclude(
            status=DelayStatus.REQUESTED)[:20]})


# --- the child's tab ----------------------------------------------------------------------------


@login_required
def child_tab(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_selectors.child_for_view(request=request, child_id=pk, section="conferences")
    # The tab lists each request's kind, children, status and date: not the four people
    # joined for a request's own page (issue 13 §2). The household stays: its rows lead the
    # read audit to the children it logs as seen.
    requests = selectors.child_tab_requests(user=request.user, child=child)
    return render(request, "conferences/child.html", {
        **record_context(request, child, "conferences"),
        "requests": requests,
        # Only the conferences the user may see (an invited partner: theirs).
        "conferences": selectors.with_delays_shown(
            selectors.child_tab_conferences(user=request.user, child=child)),
        "icpc_due": selectors.icpc_due_for_child(child),
        "can_request": request.user.role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER),
    })


# --- the request --------------------------------------------------------------------------------


def _had_plan_ids(form: RequestForm) -> list[int]:
    return [c.pk for c in form.cleaned_data.get("had_plan_before") or []]


@login_required
def request_new(request: HttpRequest, pk: int) -> HttpResponse:
    _require_role(request, Role.SOCIAL_WORKER, Role.TEAM_MANAGER)
    child = child_selectors.child_for_view(request=request, child_id=pk,
                                           section="conference-request-new")
    choices = visible_children(request.user).filter(pk=child.pk)
    if child.household_id:
        choices = visible_children(request.user).filter(household_id=child.household_id)
    form = RequestForm(request.POST or None, choices=choices.order_by("date_of_birth"),
                       initial={"children": [child.pk]})
    if request.method == "POST" and form.is_valid():
        created = _run(form, lambda: services.conference_request_create(
            user=request.user, children=list(form.cleaned_data["children"]),
            reason=form.cleaned_data["reason"], had_plan_before=_had_plan_ids(form),
            kind=form.cleaned_data["kind"] or ConferenceKind.INITIAL,
            transfer_agreed_on=form.cleaned_data["transfer_agreed_on"],
            originating_authority=form.cleaned_data["originating_authority"]))
        if created is not None:
            messages.success(request, "Draft conference request saved. Submit it to your "
                                      "team manager when it is ready.")
            return redirect("conferences:request_detail", pk=created.pk)
    return _form_page(request, form, f"Request a conference for {child}",
                      reverse("conferences:child", args=[child.pk]))


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _conference_request(request, pk, "conference-request")
    user = request.user
    conference = found.conferences.filter(status=ConferenceStatus.BOOKED).first()
    due = selectors.icpc_due_date(found)
    mine = user.role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER)
    status = found.status
    return render(request, "conferences/request_detail.html", {
        "conference_request": found, "conference": conference, "icpc_due": due,
        "past_conferences": found.conferences.exclude(status=ConferenceStatus.BOOKED),
        "delays": found.delay_authorisations.select_related("requested_by", "decided_by"),
        "can_edit": mine and status in (RequestStatus.DRAFT, RequestStatus.RETURNED),
        "can_approve": user.role == Role.TEAM_MANAGER and status == RequestStatus.SUBMITTED,
        "can_agree": (user.role == Role.SERVICE_MANAGER and status == RequestStatus.APPROVED
                      and found.needs_second_conference_agreement
                      and not found.second_conference_agreed),
        "can_book": user.role == Role.BUSINESS_SUPPORT and status in (
            RequestStatus.APPROVED, RequestStatus.BOOKED),
        "can_cancel": (status in (RequestStatus.DRAFT, RequestStatus.RETURNED) and mine) or (
            status in (RequestStatus.SUBMITTED, RequestStatus.APPROVED, RequestStatus.BOOKED)
            and user.role in (Role.TEAM_MANAGER, Role.BUSINESS_SUPPORT)),
        "can_ask_delay": (due is not None and user.role != Role.CP_CHAIR and status in (
            RequestStatus.SUBMITTED, RequestStatus.APPROVED, RequestStatus.BOOKED)),
    })


@login_required
@edits(ConferenceRequest)
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_role(request, Role.SOCIAL_WORKER, Role.TEAM_MANAGER)
    found = _conference_request(request, pk, "conference-request-edit")
    children = [rc.child for rc in found.requested_children.all()]
    household = children[0].household_id if children else None
    choices = (visible_children(request.user).filter(household_id=household) if household
               else visible_children(request.user).filter(pk__in=[c.pk for c in children]))
    form = RequestForm(request.POST or None, choices=choices, submit="Save changes",
                       with_kind=False,
                       initial={"children": children, "reason": found.reason,
                                "transfer_agreed_on": found.transfer_agreed_on,
                                "originating_authority": found.originating_authority,
                                "had_plan_before": [rc.child for rc in
                                                    found.requested_children.all()
                                                    if rc.had_plan_before]})
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.conference_request_update(
            user=request.user, request=found, children=list(form.cleaned_data["children"]),
            reason=form.cleaned_data["reason"], had_plan_before=_had_plan_ids(form),
            transfer_agreed_on=form.cleaned_data["transfer_agreed_on"],
            originating_authority=form.cleaned_data["originating_authority"]))
        if done is not None:
            messages.success(request, "Changes saved.")
            return redirect("conferences:request_detail", pk=found.pk)
    return _form_page(request, form, "Change the conference request", _detail_url(pk), found)


@login_required
def request_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: send to the team manager. GET shows the request."""
    found = _conference_request(request, pk, "conference-request-submit")
    if request.method != "POST":
        return redirect("conferences:request_detail", pk=pk)
    try:
        services.conference_request_submit(user=request.user, request=found)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Request submitted to your team manager for approval.")
    return redirect("conferences:request_detail", pk=pk)


@login_required
def request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    _require_role(request, Role.TEAM_MANAGER)
    found = _conference_request(request, pk, "conference-request-approve")
    form = NoteForm(request.POST or None, submit="Approve the request")
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.conference_request_approve(
            user=request.user, request=found, note=form.cleaned_data["note"]))
        if done is not None:
            messages.success(request, "Approved: the request is with business support to "
                                      "book.")
            return redirect("conferences:approvals")
    decisions = [(rc.child, strategy_link.latest_threshold_decision(rc.child))
                 for rc in found.requested_children.all()]
    return _form_page(request, form, "Approve the conference request", _detail_url(pk), found,
                      decisions=decisions)


@login_required
def request_return(request: HttpRequest, pk: int) -> HttpResponse:
    _require_role(request, Role.TEAM_MANAGER)
    found = _conference_request(request, pk, "conference-request-return")
    form = NoteForm(request.POST or None, submit="Return the request",
                    label="Reasons for returning it", required=True)
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.conference_request_return(
            user=request.user, request=found, reason=form.cleaned_data["note"]))
        if done is not None:
            messages.success(request, "Returned to the social worker.")
            return redirect("conferences:approvals")
    return _form_page(request, form, "Return the conference request", _detail_url(pk), found)


@login_required
def request_agree(request: HttpRequest, pk: int) -> HttpResponse:
    _require_role(request, Role.SERVICE_MANAGER)
    found = _conference_request(request, pk, "conference-request-agree")
    form = NoteForm(request.POST or None, submit="Agree the second conference",
                    label="Record of the discussion")
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.conference_request_agree_second(
            user=request.user, request=found, note=form.cleaned_data["note"]))
        if done is not None:
            messages.success(request, "Second conference agreed: business support can book.")
            return redirect("conferences:second_conferences")
    return _form_page(request, form, "Agree a second conference", _detail_url(pk), found)


@login_required
def request_book(request: HttpRequest, pk: int) -> HttpResponse:
    """Book (or rebook) the conference, seeing the ICPC due date and which slots fall
    inside it."""
    _require_role(request, Role.BUSINESS_SUPPORT)
    found = _conference_request(request, pk, "conference-request-book")
    conference = found.conferences.filter(status=ConferenceStatus.BOOKED).first()
    initial: dict[str, Any] = {}
    if conference is not None:
        initial = {"date": conference.date, "start_time": conference.start_time,
                   "venue": conference.venue, "online_link": conference.online_link,
                   "chair": conference.chair_id, "minute_taker": conference.minute_taker_id}
    elif request.GET.get("date"):
        initial["date"] = request.GET["date"]
    form = BookingForm(request.POST or None, user=request.user, initial=initial,
                       submit="Rebook the conference" if conference else
                       "Book the conference")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {"on": data["date"], "start_time": data["start_time"],
                  "venue": data["venue"], "online_link": data["online_link"] or "",
                  "chair": data["chair"], "minute_taker": data["minute_taker"]}
        if conference is None:
            impossible = services.booking_impossible_deadlines(found, data["date"],
                                                               data["start_time"])
            reason = data.get("impossible_reason") or ""
            if impossible and not reason.strip():
                # Shown before anything is booked: which deadlines the date makes impossible.
                form.add_error("impossible_reason",
                               services.impossible_message(data["date"], impossible))
                done = None
            else:
                done = _run(form, lambda: services.conference_book(
                    user=request.user, request=found, impossible_reason=reason, **fields))
        else:
            done = _run(form, lambda: services.conference_reschedule(
                user=request.user, conference=conference, **fields))
        if done is not None:
            messages.success(request, f"Conference booked for {done.date:%-d %B %Y} at "
                                      f"{done.start_time:%H:%M}. The social worker has been "
                                      "asked for the invitation list.")
            return redirect("conferences:request_detail", pk=found.pk)
    return _form_page(
        request, form, "Rebook the conference" if conference else "Book the conference",
        _detail_url(pk), found, booking=True, icpc_due=selectors.icpc_due_date(found),
        slots=selectors.candidate_slots(found), authorised=selectors.authorised_delay(found))


@login_required
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    found = _conference_request(request, pk, "conference-request-cancel")
    form = NoteForm(request.POST or None, submit="Cancel the conference",
                    label="Why is the conference no longer needed?", required=True)
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.conference_request_cancel(
            user=request.user, request=found, reason=form.cleaned_data["note"]))
        if done is not None:
            messages.success(request, "Cancelled.")
            return redirect("conferences:request_detail", pk=found.pk)
    return _form_page(request, form, "Cancel the conference request", _detail_url(pk), found)


@login_required
def request_delay(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for authorisation to hold the ICPC beyond the timescale (000)."""
    found = _conference_request(request, pk, "conference-request-delay")
    if request.user.role in (Role.CP_CHAIR, Role.PARTNER, Role.ADMINISTRATOR):
        raise PermissionDenied("You cannot ask for a delay authorisation.")
    form = DelayRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _run(form, lambda: services.delay_authorisation_request(
            user=request.user, request=found, latest_date=data["latest_date"],
            danger_statements=[data["danger_statement_1"], data["danger_statement_2"],
                               data["danger_statement_3"]],
            rationale=data["rationale"]))
        if done is not None:
            messages.success(request, "Authorisation requested.")
            return redirect("conferences:request_detail", pk=found.pk)
    return _form_page(request, form, "Ask to hold the conference beyond the timescale",
                      _detail_url(pk), found, icpc_due=selectors.icpc_due_date(found))


@login_required
def delay_decide(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.may_authorise_icpc_delay(request.user):
        raise PermissionDenied("Only the role named by the authority's policy authorises "
                               "ICPC delays.")
    authorisation = selectors.delays_visible(user=request.user).filter(pk=pk).first()
    if authorisation is None:
        raise Http404("No delay authorisation found")
    found = _conference_request(request, authorisation.request_id, "delay-authorisation")
    form = DelayDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.delay_authorisation_decide(
            user=request.user, authorisation=authorisation,
            authorise=form.cleaned_data["decision"] == "authorise",
            note=form.cleaned_data["note"]))
        if done is not None:
            messages.success(request, f"Delay {done.get_status_display().lower()}.")
            return redirect("conferences:delays")
    return _form_page(request, form, "Authorise an ICPC beyond the timescale",
                      reverse("conferences:delays"), found, authorisation=authorisation,
                      icpc_due=selectors.icpc_due_date(found))

