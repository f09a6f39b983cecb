"""Pages of the conference day and after.

Views stay thin: selectors read (always within the user's scope), services write and hold
every rule; a refused action is shown in the GOV.UK error summary with what was typed kept.
Partners who attended see the decisions summary only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from conferences.models import Conference, ConferenceKind, ConferenceStatus
from conferences.outcomes import documents, selectors, services
from conferences.outcomes.forms import (
    AdjournForm,
    AmendmentForm,
    AttendanceForm,
    AttendanceFormSet,
    BringForwardForm,
    DecisionForm,
    DistributeForm,
    ObserverForm,
    RecordForm,
    ScoresForm,
    StartForm,
)
from conferences.outcomes.models import (
    Attendance,
    AttendanceStatus,
    ChildDecision,
    ConferenceRecord,
    RecordSection,
)
from cpcases.accounts.roles import Role
from cpcases.audit.models import AccessAction
from cpcases.audit.services import access_record
from cpcases.children.models import Child
from cpcases.core.concurrency import edits
from cpcases.core.errors import NotPermitted, ServiceError
from cpcases.core.forms import Form as GovForm
from cpcases.core.forms import quiet, seed_added_row, with_added_row
from cpcases.core.forms_flow import run_for_form as _run
from cpcases.documents.selectors import issued_content, issued_latest
from cpcases.plans.services import MemberData


def _conference(request: HttpRequest, pk: int, section: str, *,
                partners: bool = False) -> Conference:
    """The conference if the user may see it (404 otherwise); viewing is logged per child."""
    found = selectors.conference_for(user=request.user, pk=pk)
    if found is None or (request.user.role == Role.PARTNER and not partners):
        access_record(request=request, child_id=None, action=AccessAction.REFUSED,
                      section=section, detail={"conference": pk})
        raise Http404("No conference found")
    for child in found.children.all():
        access_record(request=request, child_id=child.pk, action=AccessAction.VIEW,
                      section=section, detail={"conference": pk})
    return found


def _child_of(conference: Conference, child_pk: int) -> Child:
    child = conference.children.filter(pk=child_pk).first()
    if child is None:
        raise Http404("No such child at this conference")
    return child


def _data(request: HttpRequest) -> Any:
    """The posted data (an empty POST still binds the form), or None for a GET."""
    return request.POST if request.method == "POST" else None




def _post_action(request: HttpRequest, action: Callable[[], Any], success: str) -> None:
    try:
        action()
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)


def _form_page(request: HttpRequest, conference: Conference, form: Any, title: str,
               back: str, **extra: Any) -> HttpResponse:
    return render(request, "conferences/outcomes/form.html", {
        "conference": conference, "form": form, "title": title, "back": back, **extra})


def _day_url(pk: int) -> str:
    return reverse("conference_outcomes:day", args=[pk])


def _outputs_url(pk: int) -> str:
    return reverse("conference_outcomes:outputs", args=[pk])


def _require_staff(request: HttpRequest, *roles: str) -> None:
    if request.user.role not in (roles or selectors.STAFF_ROLES):
        raise PermissionDenied(f"A {request.user.role_label.lower()} cannot see this page.")


# --- lists ----------------------------------------------------------------------------------


@login_required
def day_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request, Role.CP_CHAIR, Role.BUSINESS_SUPPORT)
    return render(request, "conferences/outcomes/day_list.html", {
        "conferences": selectors.my_conference_days(user=request.user)[:50],
        "today": timezone.localdate()})


@login_required
def non_attendance_report(request: HttpRequest) -> HttpResponse:
    """001: patterns of non-attendance across agencies, for chairs and managers."""
    _require_staff(request, *selectors.NON_ATTENDANCE_ROLES)
    months, rows = selectors.non_attendance_by_agency(user=request.user)
    return render(request, "conferences/outcomes/non_attendance.html", {
        "months": months, "rows": [(r, [r.months.get(m, 0) for m in months]) for r in rows]})


# --- the day --------------------------------------------------------------------------------


@login_required
def day(request: HttpRequest, pk: int) -> HttpResponse:
    conference = _conference(request, pk, "conference-day")
    user = request.user
    state = selectors.day_for(conference)
    decisions = {d.child_id: d for d in selectors.decisions_for(conference)}
    started = bool(state and state.started)
    open_day = conference.status == ConferenceStatus.BOOKED and not (
        state and (state.started or state.adjourned_at))
    children = [(c, decisions.get(c.pk), selectors.score_advice(
        s.score for s in selectors.child_scores(conference, c.pk)))
        for c in conference.children.order_by("date_of_birth", "pk")]
    is_chair = user.pk == conference.chair_id
    minutes = is_chair or user.pk == conference.minute_taker_id or \
        user.role == Role.BUSINESS_SUPPORT
    return render(request, "conferences/outcomes/day.html", {
        "conference": conference, "state": state, "quoracy":
        selectors.conference_quoracy(conference),
        "attendances": conference.attendances.select_related("user"),
        "children": children, "started": started, "open_day": open_day,
        "is_chair": is_chair, "can_minute": minutes,
        "can_start": is_chair and open_day and conference.date <= timezone.localdate(),
        "has_invitations": conference.invitations.exists(),
        "reconvenes": conference.reconvenes.select_related("conference").first(),
    })


@login_required
def attendance_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add people to the attendance: one row to start, "Add another person" for more (works
    without JavaScript: the button posts the rows back with one more)."""
    conference = _conference(request, pk, "conference-attendance")
    data, grown = with_added_row(_data(request), "people")
    form = GovForm(data)  # carries the service's refusals to the error summary
    if grown:
        seed_added_row(data, "people", AttendanceFormSet.form)
    people = AttendanceFormSet(data, prefix="people")
    if grown:
        quiet(form, people)
    elif request.method == "POST" and form.is_valid() and people.is_valid():
        rows = [services.AttendanceData(**f.cleaned_data) for f in people.forms
                if f.cleaned_data.get("name")]
        done = _run(form, lambda: services.attendance_add_many(
            conference=conference, user=request.user, rows=rows))
        if done is not None:
            names = ", ".join(a.name for a in done)
            messages.success(request, f"Added to the attendance: {names}.")
            return redirect("conference_outcomes:day", pk=pk)
    return render(request, "conferences/outcomes/attendance_form.html", {
        "conference": conference, "form": form, "people": people, "grown": grown,
        "title": "Add people to the attendance", "back": _day_url(pk)})


@login_required
@edits(Attendance, kwarg="attendance_pk")
def attendance_edit(request: HttpRequest, pk: int, attendance_pk: int) -> HttpResponse:
    conference = _conference(request, pk, "conference-attendance")
    attendance = Attendance.objects.filter(conference=conference, pk=attendance_pk).first()
    if attendance is None:
        raise Http404("No such attendance")
    form = AttendanceForm(_data(request), initial=AttendanceForm.initial_for(attendance))
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.attendance_update(
            attendance=attendance, user=request.user,
            data=services.AttendanceData(**form.cleaned_data)))
        if done is not None:
            messages.success(request, f"{done.name}: attendance saved.")
            return redirect("conference_outcomes:day", pk=pk)
    return _form_page(request, conference, form, f"Attendance of {attendance.name}",
                      _day_url(pk))


@login_required
@require_POST
def attendance_prefill(request: HttpRequest, pk: int) -> HttpResponse:
    conference = _conference(request, pk, "conference-attendance")
    _post_action(request, lambda: services.attendance_prefill(conference=conference,
                                                              user=request.user),
                 "The invitation list has been copied into the attendance.")
    return redirect("conference_outcomes:day", pk=pk)


@login_required
def observer(request: HttpRequest, pk: int) -> HttpResponse:
    conference = _conference(request, pk, "conference-observer")
    state = selectors.day_for(conference)
    initial = {}
    if state and state.observer_name:
        initial = {"name": state.observer_name, "role": state.observer_role,
                   "chair_consent": state.observer_chair_consent,
                   "family_consent": state.observer_family_consent}
    form = ObserverForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _run(form, lambda: services.observer_record(
            conference=conference, user=request.user, name=data["name"], role=data["role"],
            chair_consent=data["chair_consent"], family_consent=data["family_consent"]))
        if done is not None:
            messages.success(request, "Observer recorded.")
            return redirect("conference_outcomes:day", pk=pk)
    return _form_page(request, conference, form, "The observer", _day_url(pk),
                      lead="At most one professional observer, with the prior consent of the "
                           "chair and the family; they take no part in the discussion.")  # 002 §4.5


@login_required
def start(request: HttpRequest, pk: int) -> HttpResponse:
    conference = _conference(request, pk, "conference-start")
    quoracy = selectors.conference_quoracy(conference)
    form = StartForm(_data(request), quorate=quoracy.quorate)
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.conference_start(
            conference=conference, user=request.user, **form.cleaned_data))
        if done is not None:
            messages.success(request, "The conference has started.")
            return redirect("conference_outcomes:day", pk=pk)
    return _form_page(request, conference, form, "Start the conference", _day_url(pk),
                      quoracy=quoracy)


@login_required
def adjourn(request: HttpRequest, pk: int) -> HttpResponse:
    conference = _conference(request, pk, "conference-adjourn")
    form = AdjournForm(_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _run(form, lambda: services.conference_adjourn(
            conference=conference, user=request.user, new_date=data["new_date"],
            interim_plan=data["interim_plan"], start_time=data["start_time"]))
        if done is not None:
            messages.success(request, f"Adjourned: the conference reconvenes on "
                                      f"{done.reconvened_as.date:%-d %B %Y}.")
            return redirect("conference_outcomes:day", pk=pk)
    return _form_page(request, conference, form, "Adjourn the inquorate conference",
                      _day_url(pk), quoracy=selectors.conference_quoracy(conference))


def _present(conference: Conference) -> list[Attendance]:
    return list(conference.attendances.filter(status=AttendanceStatus.PRESENT))


@login_required
def scores(request: HttpRequest, pk: int, child_pk: int) -> HttpResponse:
    conference = _conference(request, pk, "conference-scores")
    child = _child_of(conference, child_pk)
    existing = {s.participant: s.score for s in selectors.child_scores(conference, child.pk)}
    present = _present(conference)
    form = ScoresForm(_data(request), participants=present,
                      initial={f"score_{a.pk}": existing.get(a.name) for a in present})
    advice = selectors.score_advice(existing.values())
    if request.method == "POST" and form.is_valid():
        advice = _run(form, lambda: services.safety_scores_record(
            conference=conference, child=child, user=request.user,
            scores=[services.ScoreData(a.name, score, a.agency)
                    for a, score in form.scores()]))
        if advice is not None:
            messages.success(request, f"Scores saved for {child.display_name}.")
            if advice.escalate:
                messages.warning(request, "Most or all participants scored 0: the team and "
                                          "service managers have been told.")  # 001
            return redirect("conference_outcomes:day", pk=pk)
    return _form_page(request, conference, form, f"Safety scores for {child.display_name}",
                      _day_url(pk), advice=advice,
                      lead="Each participant's view of the child's safety, from 0 (the child "
                           "will be harmed) to 10 (the child is safe).")  # 001


def _decision_data(form: DecisionForm) -> services.DecisionData:
    data = form.cleaned_data
    views = [services.AgencyViewData(agency=a, view=data[f"view_{a}"],
                                     dissents=data[f"dissent_{a}"])
             for a in form.agencies if data.get(f"view_{a}", "").strip()]
    members = [MemberData(name=a.name, agency=a.agency or "other", role=a.role,
                          email=a.email, user=a.user)
               for a in data.get("core_group") or []]
    return services.DecisionData(
        outcome=data["outcome"], reasons=data["reasons"], category=data.get("category") or "",
        recommendations=data.get("recommendations", ""),
        outline_plan=data.get("outline_plan", ""), contingency=data.get("contingency", ""),
        lead_social_worker=data.get("lead_social_worker"), core_group=members,
        first_core_group_on=data.get("first_core_group_on"), review_on=data.get("review_on"),
        cin_first_meeting_on=data.get("cin_first_meeting_on"),
        end_reason=data.get("end_reason") or "",
        exceptional_circumstance=data.get("exceptional_circumstance") or "",
        transfer_conference_on=data.get("transfer_conference_on"),
        start_cin_plan=bool(data.get("start_cin_plan")),
        stepdown_rationale=data.get("stepdown_rationale", ""), agency_views=views)


@login_required
def decision(request: HttpRequest, pk: int, child_pk: int) -> HttpResponse:
    conference = _conference(request, pk, "conference-decision")
    child = _child_of(conference, child_pk)
    recorded = ChildDecision.objects.filter(conference=conference, child=child).first()
    if recorded is not None:
        return redirect("conference_outcomes:day", pk=pk)
    rule = "next_review" if conference.kind == ConferenceKind.REVIEW else "first_review"
    state = selectors.day_for(conference)
    review_default = services.default_review_date(
        conference, child, rule, early=bool(state and state.early_review))
    form = DecisionForm(_data(request), conference=conference,
                        present=_present(conference),
                        review_default=f"{review_default:%-d %B %Y}")
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.child_decision_record(
            conference=conference, child=child, user=request.user, data=_decision_data(form)))
        if done is not None:
            messages.success(request, f"Decision recorded for {child.display_name}: "
                                      f"{done.get_outcome_display().lower()}.")
            return redirect("conference_outcomes:day", pk=pk)
    advice = selectors.score_advice(s.score for s in selectors.child_scores(conference,
                                                                              child.pk))
    return _form_page(request, conference, form, f"Decision for {child.display_name}",
                      _day_url(pk), advice=advice, review_default=review_default,
                      # 002 §18.4
                      lead="The need for a plan is considered separately for each child.")


# --- outputs --------------------------------------------------------------------------------


@login_required
def outputs(request: HttpRequest, pk: int) -> HttpResponse:
    conference = _conference(request, pk, "conference-outputs")
    record = selectors.record_for(conference)
    user = request.user
    return render(request, "conferences/outcomes/outputs.html", {
        "conference": conference, "record": record,
        "decisions": selectors.decisions_for(conference),
        "all_decided": services.all_decided(conference),
        "state": selectors.day_for(conference),
        "non_attenders": selectors.non_attenders(conference),
        "is_chair": user.pk == conference.chair_id,
        "can_minute": user.pk in (conference.chair_id, conference.minute_taker_id)
        or user.role == Role.BUSINESS_SUPPORT,
        "distributions": record.distributions.all() if record else [],
        "amendments": record.amendment_requests.all() if record else [],
        "kinds": documents.KINDS.values(),
    })


def _document_kind(request: HttpRequest, slug: str) -> documents.Kind:
    kind = documents.KINDS.get(slug)
    if kind is None:
        raise Http404("No such document")
    if request.user.role == Role.PARTNER and slug != "summary":
        raise Http404("No such document")
    return kind


@login_required
def document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The printable HTML of a document (print stylesheet; no inline styles)."""
    found = _document_kind(request, kind)
    conference = _conference(request, pk, f"conference-{kind}", partners=True)
    return HttpResponse(documents.render_html(conference, found))


@login_required
def document_pdf(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The PDF; every download is logged as an export for each child."""
    found = _document_kind(request, kind)
    conference = _conference(request, pk, f"conference-{kind}-pdf", partners=True)
    for child in conference.children.all():
        access_record(request=request, child_id=child.pk, action=AccessAction.EXPORT,
                      section=f"conference-{kind}-pdf", detail={"conference": pk})
    # Once issued or distributed, the PDF is the one kept as sent, never regenerated
    # (issue 12 §8); before that, today's draft.
    kept = issued_latest(conference_id=conference.pk, kind=f"conference {kind}")
    content = issued_content(kept) if kept else documents.render_pdf(conference, found)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (f'attachment; filename="conference-{pk}-{kind}-'
                                       f'{conference.date:%Y-%m-%d}.pdf"')
    return response


ISSUES = {
    "letter": (services.decision_letter_issue, "Decision letter issued."),
    "summary": (services.decisions_summary_issue, "Decisions summary circulated."),
    "sign-off": (services.record_sign_off, "The record is signed off."),
    "non-attendance": (services.non_attendance_letters_issue,
                       "Letters written to the professionals who neither attended nor sent "
                       "a report."),
}


@login_required
@require_POST
def issue(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    conference = _conference(request, pk, f"conference-issue-{what}")
    if what not in ISSUES:
        raise Http404("No such action")
    service, success = ISSUES[what]
    _post_action(request, lambda: service(conference=conference, user=request.user), success)
    return redirect("conference_outcomes:outputs", pk=pk)


@login_required
@edits(ConferenceRecord, lookup="conference_id", service_versions=True)
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    conference = _conference(request, pk, "conference-record")
    record = selectors.record_for(conference) or ConferenceRecord(conference=conference)
    initial = {key: getattr(record, key) for key in RecordSection.values}
    initial.update(version=record.version,
                   confidential_sections=record.confidential_sections)
    form = RecordForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _run(form, lambda: services.record_update(
            conference=conference, user=request.user,
            sections={k: data[k] for k in RecordSection.values},
            confidential_sections=data["confidential_sections"],
            version=data["version"] if record.pk else None))
        if done is not None:
            messages.success(request, "Record saved.")
            return redirect("conference_outcomes:outputs", pk=pk)
    return _form_page(request, conference, form, "The record of the conference",
                      _outputs_url(pk),
                      # 002 §22.1
                      lead="Not a verbatim minute: a summary of the main facts and issues.")


@login_required
def distribute(request: HttpRequest, pk: int) -> HttpResponse:
    conference = _conference(request, pk, "conference-distribute")
    form = DistributeForm(_data(request), initial={"sent_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.record_distribute(
            conference=conference, user=request.user, **form.cleaned_data))
        if done is not None:
            messages.success(request, "Distribution recorded.")
            return redirect("conference_outcomes:outputs", pk=pk)
    return _form_page(request, conference, form, "Record the distribution", _outputs_url(pk))


@login_required
def amendment(request: HttpRequest, pk: int) -> HttpResponse:
    conference = _conference(request, pk, "conference-amendment")
    form = AmendmentForm(_data(request))
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.record_amendment_log(
            conference=conference, user=request.user, **form.cleaned_data))
        if done is not None:
            messages.success(request, "Amendment request logged" + (
                "." if done.within_window else ": it arrived after the window closed."))
            return redirect("conference_outcomes:outputs", pk=pk)
    return _form_page(request, conference, form, "Log an amendment request", _outputs_url(pk))


@login_required
def bring_forward(request: HttpRequest, pk: int) -> HttpResponse:
    conference = _conference(request, pk, "conference-bring-forward")
    _require_staff(request, *services.BRING_FORWARD_ROLES)
    form = BringForwardForm(_data(request))
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.review_bring_forward(
            review=conference, user=request.user, **form.cleaned_data))
        if done is not None:
            messages.success(request, f"The review is now on {done.to_date:%-d %B %Y}.")
            return redirect("conference_outcomes:day", pk=pk)
    return _form_page(request, conference, form, "Bring the review conference forward",
                      _day_url(pk), lead=f"The review is booked for "
                                         f"{conference.date:%-d %B %Y}.")
