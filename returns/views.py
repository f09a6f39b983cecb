"""The returns pages (issue 16): the CIN census and Ofsted Annex A downloads, and the return
readiness list. Only the performance and data officer and managers (for their own service)
reach them (returns.selectors.return_children)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cpcases.audit.reads import record_children_shown, record_rows_shown
from cpcases.children.selectors import child_for_view
from cpcases.children.views import record_context
from returns import census_one, rules, selectors, services
from returns.forms import AnnexAForm, CensusForm
from returns.links import fix_link as _fix
from returns.performance.selectors import may_view_performance
from returns.periods import PeriodError, census_period, default_census_year, year_so_far

PAGE_SIZE = 50


def _require(request: HttpRequest) -> None:
    if not selectors.may_run_returns(request.user):
        raise PermissionDenied("Only the performance and data officer and managers may run "
                               "the statutory returns.")


def _download(export: services.Export) -> HttpResponse:
    """A file answered at once (the DfE payload page; the census and Annex A are jobs)."""
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


_FORM_FIELDS = {"list": "list_number", "format": "file_format"}


def _start(request: HttpRequest, form: forms.Form, kind: str,
           parameters: dict[str, object]) -> HttpResponse:
    """Start the export as a background job and go to its page; a refusal the form did not
    catch goes beside its field."""
    from returns.exports import kinds
    from returns.exports.selectors import unfinished_same
    from returns.exports.services import export_start

    try:
        # Sent again (Back, then the button again) while the same file is still being made:
        # its page, saying so, rather than a second job building the same file.
        same = unfinished_same(request.user, kind,
                               kinds.get(kind).clean(parameters, timezone.localdate()))
        if same is not None:
            messages.info(request, "You had already started this export: this is its page. "
                                   "It was not started again.")
            return redirect("returns:exports:job", same.pk)
        job = export_start(user=request.user, kind=kind, parameters=parameters,
                           request=request)
    except PeriodError as exc:
        field = _FORM_FIELDS.get(exc.field, exc.field)
        form.add_error(field if field in form.fields else None, str(exc))
        template = "returns/census.html" if kind == "cin_census" else "returns/annex_a.html"
        return render(request, template, {"form": form,
                                          "scope": selectors.scope_label(request.user)})
    return redirect("returns:exports:job", job.pk)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require(request)
    page = Paginator(selectors.recent_exports(request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "returns/index.html", {
        "scope": selectors.scope_label(request.user), "page": page,
        # The officer looks for the figures beside the returns as well as under My work.
        "may_view_performance": may_view_performance(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def cin_census(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = CensusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Issue 16 §5: built in the background; the job page shows how far it has got.
        return _start(request, form, "cin_census", {"year": form.cleaned_data["year"]})
    return render(request, "returns/census.html", {
        "form": form, "scope": selectors.scope_label(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def annex_a(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = AnnexAForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        return _start(request, form, "annex_a", {
            "list": data["list_number"], "end": data["end"], "months": data["months"],
            "format": data["file_format"]})
    return render(request, "returns/annex_a.html", {
        "form": form, "scope": selectors.scope_label(request.user)})


@dataclass(frozen=True)
class Problem:
    failure: rules.Failure
    fix_url: str
    fix_text: str


@login_required
def readiness(request: HttpRequest) -> HttpResponse:
    """Every child whose data would fail the census, with the rule, the reason and a link to
    the page that fixes it: read from the last stored check (returns.dfe.readiness), paged;
    "Check again now" refreshes it."""
    from returns.dfe.readiness import last_run, stored_problems

    _require(request)
    form = CensusForm(request.GET or None, submit="Show")
    year = default_census_year()
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["year"]
    period = run = None
    if not form.is_bound or form.is_valid():
        try:
            period = census_period(year)
        except PeriodError:
            period = None
    rows = stored_problems(request.user, run) if period and (
        run := last_run(request.user, year)) else None
    page = Paginator(rows if rows is not None else [], PAGE_SIZE).get_page(
        request.GET.get("page"))
    record_children_shown(request=request, section="returns-readiness",
                          child_ids={p.child_id for p in page if p.child_id})
    return render(request, "returns/readiness.html", {
        "form": form, "period": period, "run": run, "page": page,
        "total": page.paginator.count,
        "errors": rows.filter(severity="E").count() if rows is not None else 0,
        "year": year, "page_query": f"year={year}&" if period else "",
        "scope": selectors.scope_label(request.user)})


@login_required
def child_checks(request: HttpRequest, pk: int) -> HttpResponse:
    """The census rules the child's record breaks in the year so far, each with the page
    that puts it right: so the case holder corrects it now, not at the year end."""
    child = child_for_view(request=request, child_id=pk, section="returns-child")
    period = year_so_far()
    built, shown = census_one.census_child_shown(child, period)
    # The rows the census read lead to these children (a plan's conference's other
    # children): logged as the read audit logged them when it saw the rows (issue 12 §5).
    record_rows_shown(request, (), shown)
    problems = [Problem(f, *_fix(f)) for f in rules.check_census(built) if f.child]
    return render(request, "returns/child.html", {
        **record_context(request, child, "returns"), "period": period, "problems": problems,
        "in_census": bool(built.children)})
