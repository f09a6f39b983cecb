"""Pages before the conference: the conference page (invitations, reports, exclusion
requests, deadlines), the forms that change them, the report download and the calendar
file. Views stay thin: preparation.selectors reads within the user's scope, preparation.
services writes and holds every rule; refusals go to the GOV.UK error summary with what was
typed kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from conferences.models import (
    Conference,
    ConferenceReport,
    ConferenceStatus,
    ExclusionRequest,
    Invitation,
    InviteeKind,
    ReportKind,
)
from conferences.preparation import selectors
from conferences.preparation import services as preparation
from conferences.preparation.forms import (
    CountersignForm,
    ExclusionDecisionForm,
    ExclusionForm,
    ExclusionReportForm,
    InvitationForm,
    ReportUploadForm,
    ResponseForm,
    SendForm,
    ShareForm,
)
from conferences.preparation.ical import conference_ics
from cpcases.accounts.roles import Role
from cpcases.audit.models import AccessAction
from cpcases.audit.services import access_record
from cpcases.core.concurrency import edits
from cpcases.core.errors import NotPermitted, ServiceError
from cpcases.core.forms_flow import run_for_form as _run


def _conference(request: HttpRequest, pk: int, section: str) -> Conference:
    """The conference if the user may see it (404 otherwise); every view is logged against
    each child."""
    found = selectors.conference_for(request.user, pk)
    if found is None:
        access_record(request=request, child_id=None, action=AccessAction.REFUSED,
                      section=section, detail={"conference": pk})
        raise Http404("No conference found")
    for child in found.children.all():
        access_record(request=request, child_id=child.pk, action=AccessAction.VIEW,
                      section=section, detail={"conference": pk})
    return found


def _child_object(request: HttpRequest, queryset: Any, pk: int, section: str) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        access_record(request=request, child_id=None, action=AccessAction.REFUSED,
                      section=section, detail={"object": pk})
        raise Http404("Not found")
    _conference(request, found.conference_id, section)
    return found




def _post_action(request: HttpRequest, pk: int, action: Callable[[], Any], done: str
                 ) -> HttpResponse:
    try:
        action()
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("conferences:conference", pk=pk)


def _page(request: HttpRequest, conference: Conference, form: Any, title: str,
          **extra: Any) -> HttpResponse:
    return render(request, "conferences/prep_form.html", {
        "form": form, "title": title, "conference": conference,
        "back": reverse("conferences:conference", args=[conference.pk]), **extra})


def _require_role(request: HttpRequest, *roles: str) -> None:
    if request.user.role not in roles:
        raise PermissionDenied(f"A {request.user.role_label.lower()} cannot do this.")


# --- the conference page ------------------------------------------------------------------


@login_required
def conference_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conference = _conference(request, pk, "conference")
    user = request.user
    booked = conference.status == ConferenceStatus.BOOKED
    invitations = list(selectors.conference_invitations(conference))
    children = list(conference.children.all())
    return render(request, "conferences/conference.html", {
        "conference": conference, "children": children,
        "invitations": invitations,
        "reports": selectors.conference_reports(conference),
        "exclusions": selectors.conference_exclusions(conference),
        "deadlines": selectors.conference_deadlines(conference),
        "suggestions": selectors.suggested_invitees(conference),
        "advice": [selectors.child_invitation_advice(conference, c) for c in children],
        "exclusion_cutoff": selectors.exclusion_cutoff(conference),
        "can_invite": booked and user.role in preparation.INVITE_ROLES,
        "can_complete": booked and user.role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER),
        "can_upload": booked and user.role in (*preparation.SW_REPORT_ROLES,
                                               *preparation.AGENCY_REPORT_ROLES),
        "can_countersign": user.role == Role.TEAM_MANAGER,
        "can_share": booked and user.role in preparation.SHARE_ROLES,
        "can_ask_exclusion": booked and user.role in preparation.EXCLUSION_REQUEST_ROLES,
        "is_chair": user.pk == conference.chair_id,
        "my_invitation": next((i for i in invitations if i.user_id == user.pk), None),
        "kinds": InviteeKind,
    })


@login_required
def conference_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """The .ics for the user's own diary."""
    conference = _conference(request, pk, "conference-calendar")
    response = HttpResponse(conference_ics(conference), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="conference-CP-{pk}.ics"'
    return response


# --- invitations --------------------------------------------------------------------------


@login_required
@require_POST
def invitations_prefill(request: HttpRequest, pk: int) -> HttpResponse:
    conference = _conference(request, pk, "conference-invitations")
    return _post_action(request, pk, lambda: preparation.invitations_prefill(
        user=request.user, conference=conference),
        "The family with parental responsibility and the children the age guidance invites "
        "are on the list.")


@login_required
@require_POST
def invitations_complete(request: HttpRequest, pk: int) -> HttpResponse:
    conference = _conference(request, pk, "conference-invitations")
    return _post_action(request, pk, lambda: preparation.invitation_list_complete(
        user=request.user, conference=conference), "Invitation list complete.")


@login_required
def invitation_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require_role(request, *preparation.INVITE_ROLES)
    conference = _conference(request, pk, "conference-invitation-add")
    kind = request.GET.get("kind", InviteeKind.PROFESSIONAL)
    if kind not in InviteeKind.values:
        raise Http404("No such kind of invitee")
    initial = {k: request.GET[k] for k in ("agency", "role") if k in request.GET}
    form = InvitationForm(request.POST or None, kind=kind, conference=conference,
                          initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _run(form, lambda: preparation.invitation_add(
            user=request.user, conference=conference, kind=kind, name=data.get("name", ""),
            agency=data.get("agency", ""), role=data.get("role", ""),
            email=data.get("email", ""), mobile=data.get("mobile", ""),
            person=data.get("person"), child=data.get("child"),
            has_parental_responsibility=data.get("has_parental_responsibility", False),
            note=data.get("note", ""),
            observer_chair_consent=data.get("observer_chair_consent", False),
            observer_family_consent=data.get("observer_family_consent", False)))
        if done is not None:
            messages.success(request, f"{done.name} added to the invitation list.")
            return redirect("conferences:conference", pk=pk)
    return _page(request, conference, form,
                 f"Invite a {InviteeKind(kind).label.lower()}")


@login_required
def invitations_send(request: HttpRequest, pk: int) -> HttpResponse:
    _require_role(request, *preparation.INVITE_ROLES)
    conference = _conference(request, pk, "conference-invitations")
    form = SendForm(request.POST or None, conference=conference)
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: preparation.invitations_record_sent(
            user=request.user, conference=conference, methods=form.methods()))
        if done is not None:
            messages.success(request, f"{len(done)} invitation(s) recorded as sent.")
            return redirect("conferences:conference", pk=pk)
    return _page(request, conference, form, "Record invitations sent")


@login_required
@edits(Invitation)
def invitation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _child_object(request, selectors.invitations_for(request.user), pk,
                               "conference-invitation")
    conference = invitation.conference
    if invitation.user_id != request.user.pk:
        _require_role(request, *preparation.INVITE_ROLES)
    accepted = {True: "yes", False: "no", None: ""}[invitation.advocacy_accepted]
    form = ResponseForm(request.POST or None, invitation=invitation, user=request.user,
                        initial={
        "response": invitation.response, "response_note": invitation.response_note,
        "advocacy_offered": invitation.advocacy_offered, "advocacy_accepted": accepted})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def save() -> Invitation:
            if "advocacy_offered" in form.fields and (
                    data["advocacy_offered"] != invitation.advocacy_offered
                    or data["advocacy_accepted"] != accepted):
                preparation.invitation_record_advocacy(
                    user=request.user, invitation=invitation,
                    offered=data["advocacy_offered"],
                    accepted={"yes": True, "no": False}.get(data["advocacy_accepted"]))
            return preparation.invitation_respond(
                user=request.user, invitation=invitation, response=data["response"],
                note=data["response_note"])

        if _run(form, save) is not None:
            messages.success(request, f"{invitation.name}: saved.")
            return redirect("conferences:conference", pk=conference.pk)
    return _page(request, conference, form, f"Invitation: {invitation.name}",
                 invitation=invitation)


@login_required
@require_POST
def invitation_remove(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _child_object(request, selectors.invitations_for(request.user), pk,
                               "conference-invitation")
    return _post_action(request, invitation.conference_id, lambda: preparation.invitation_remove(
        user=request.user, invitation=invitation), f"{invitation.name} taken off the list.")


# --- reports ------------------------------------------------------------------------------


@login_required
def report_upload(request: HttpRequest, pk: int) -> HttpResponse:
    _require_role(request, *preparation.SW_REPORT_ROLES, *preparation.AGENCY_REPORT_ROLES)
    conference = _conference(request, pk, "conference-report-upload")
    form = ReportUploadForm(request.POST or None, request.FILES or None, conference=conference,
                            user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _run(form, lambda: preparation.report_upload(
            user=request.user, conference=conference, kind=data["kind"], upload=data["file"],
            agency=data["agency"], author_name=data["author_name"],
            includes_chronology=data["includes_chronology"],
            redacted_from=data["redacted_from"]))
        if done is not None:
            messages.success(request, f"{done.get_kind_display()} uploaded.")
            return redirect("conferences:conference", pk=pk)
    return _page(request, conference, form, "Upload a report", multipart=True)


@login_required
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    """Reports are served only here, within the user's scope, each download logged: never
    from a public media URL."""
    report = _child_object(request, selectors.reports_for(request.user), pk,
                           "conference-report-download")
    for child in report.conference.children.all():
        access_record(request=request, child_id=child.pk, action=AccessAction.VIEW,
                      section="conference-report-download",
                      detail={"conference": report.conference_id, "report": report.pk})
    try:
        handle = report.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing") from exc
    return FileResponse(handle, as_attachment=True, filename=report.original_name,
                        content_type=report.content_type)


def _report(request: HttpRequest, pk: int, section: str) -> ConferenceReport:
    return _child_object(request, selectors.reports_for(request.user), pk, section)


@login_required
def report_countersign(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk, "conference-report-countersign")
    form = CountersignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: preparation.report_countersign(
            user=request.user, report=report, comments=form.cleaned_data["comments"]))
        if done is not None:
            messages.success(request, "Report countersigned.")
            return redirect("conferences:conference", pk=report.conference_id)
    return _page(request, report.conference, form, "Countersign the social worker's report",
                 report=report)


@login_required
def report_share(request: HttpRequest, pk: int) -> HttpResponse:
    _require_role(request, *preparation.SHARE_ROLES)
    report = _report(request, pk, "conference-report-share")
    form = ShareForm(request.POST or None, conference=report.conference)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _run(form, lambda: preparation.report_share(
            user=request.user, report=report, recipient=data["recipient"], how=data["how"],
            name=data["name"], invitation=data["invitation"], note=data["note"]))
        if done is not None:
            messages.success(request, f"Recorded: shared with {done.name}.")
            return redirect("conferences:conference", pk=report.conference_id)
    return _page(request, report.conference, form, f"Share: {report}", report=report)


# --- exclusion requests -------------------------------------------------------------------


@login_required
def exclusion_new(request: HttpRequest, pk: int) -> HttpResponse:
    _require_role(request, *preparation.EXCLUSION_REQUEST_ROLES)
    conference = _conference(request, pk, "conference-exclusion-new")
    form = ExclusionForm(request.POST or None, conference=conference)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _run(form, lambda: preparation.exclusion_request_make(
            user=request.user, conference=conference, invitation=data["invitation"],
            grounds=data["grounds"], evidence=data["evidence"]))
        if done is not None:
            messages.success(request, "Request sent to the chair." + (
                " It is late: fewer than 3 working days before the conference." if done.late
                else ""))
            return redirect("conferences:conference", pk=pk)
    return _page(request, conference, form, "Ask the chair to exclude a family member",
                 cutoff=selectors.exclusion_cutoff(conference))


def _exclusion(request: HttpRequest, pk: int, section: str) -> ExclusionRequest:
    return _child_object(request, selectors.exclusions_for(request.user), pk, section)


@login_required
def exclusion_decide(request: HttpRequest, pk: int) -> HttpResponse:
    exclusion = _exclusion(request, pk, "conference-exclusion-decide")
    if request.user.pk != exclusion.conference.chair_id:
        raise PermissionDenied("Only the chair of this conference decides an exclusion.")
    form = ExclusionDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _run(form, lambda: preparation.exclusion_decide(
            user=request.user, exclusion=exclusion, decision=data["decision"],
            reasons=data["reasons"], excluded_part=data["excluded_part"],
            views_arrangement=data["views_arrangement"]))
        if done is not None:
            messages.success(request, f"Decision recorded: {done.get_decision_display()}.")
            return redirect("conferences:conference", pk=exclusion.conference_id)
    return _page(request, exclusion.conference, form, f"Decide: exclude {exclusion.name}?",
                 exclusion=exclusion)


@login_required
def exclusion_report(request: HttpRequest, pk: int) -> HttpResponse:
    _require_role(request, *preparation.SHARE_ROLES)
    exclusion = _exclusion(request, pk, "conference-exclusion-report")
    form = ExclusionReportForm(request.POST or None, conference=exclusion.conference)
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: preparation.exclusion_provide_report(
            user=request.user, exclusion=exclusion, report=form.cleaned_data["report"],
            how=form.cleaned_data["how"]))
        if done is not None:
            messages.success(request, f"Recorded: report provided to {done.name}.")
            return redirect("conferences:conference", pk=exclusion.conference_id)
    return _page(request, exclusion.conference, form,
                 f"Report provided to {exclusion.name}", exclusion=exclusion,  # 002 §12.8
                 redacted_hint=ReportKind.SOCIAL_WORKER)
