"""Pages: the Visits tab and visit form; the Chronology tab, its entry form, print view and
CSV download. The child is reached only through child_for_view (scoped, audit-logged)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from cpcases.accounts.roles import Role
from cpcases.audit.models import AccessAction
from cpcases.audit.services import access_record
from cpcases.children.models import Child
from cpcases.children.selectors import child_for_view
from cpcases.children.views import record_context
from cpcases.chronology import exports, selectors, services
from cpcases.chronology.forms import EntryForm, FilterForm, VisitForm
from cpcases.chronology.providers import ChronologyItem
from cpcases.core.errors import ServiceError
from cpcases.core.forms import add_service_error

# --- visits ---------------------------------------------------------------------------------


@login_required
def visits(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_for_view(request=request, child_id=pk, section="visits")
    if request.user.role == Role.PARTNER:
        raise PermissionDenied("Partner professionals see visits in the chronology.")
    return render(request, "chronology/visits.html", {
        **record_context(request, child, "visits"),
        "visits": (visits := selectors.visits_shown(child=child)),
        "clocks": selectors.visit_clocks(child=child, visits=visits),
        "can_record": services.may_record_visit(request.user),
    })


@login_required
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    if not services.may_record_visit(request.user):
        raise PermissionDenied(f"A {request.user.role_label.lower()} cannot record a visit.")
    child = child_for_view(request=request, child_id=pk, section="visit-new")
    form = VisitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_record(user=request.user, child=child,
                                          **form.service_kwargs())
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            text = "Visit recorded."
            if visit.access_refused:
                text += " The manager and the core group have been told access was refused."
            messages.success(request, text)
            return redirect("chronology:visits", pk=child.pk)
    return render(request, "children/form.html", {
        "form": form, "child": child, "title": f"Record a visit to {child}",
        "back": reverse("chronology:visits", args=[child.pk])})


# --- the chronology -------------------------------------------------------------------------


def _filtered(request: HttpRequest, child: Child
              ) -> tuple[FilterForm, dict[str, str], list[ChronologyItem]]:
    form = FilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {"agency": "", "event_type": ""}
    return form, filters, selectors.chronology(child=child, **filters)


CHRONOLOGY_PAGE = 50  # events on one page of the chronology tab


@login_required
def chronology(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_for_view(request=request, child_id=pk, section="chronology")
    form, filters, items = _filtered(request, child)
    # Paged (issue 13 §2): a long chronology was one page of every event.
    page = Paginator(items, CHRONOLOGY_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    query = params.urlencode()
    return render(request, "chronology/chronology.html", {
        **record_context(request, child, "chronology"),
        "filter_form": form, "items": page, "filtered": any(filters.values()),
        "query": f"?{query}" if query else "", "page_query": f"{query}&" if query else "",
        # The child was reached through child_for_view: in the user's scope.
        "can_add": services.may_add_entry(request.user, child, in_scope=True),
    })


@login_required
def entry_new(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_for_view(request=request, child_id=pk, section="chronology-add")
    if not services.may_add_entry(request.user, child):
        raise PermissionDenied("Only members of the child's core group may add to the "
                               "chronology.")
    form = EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.chronology_entry_add(user=request.user, child=child,
                                          **form.service_kwargs())
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Entry added to the chronology.")
            return redirect("chronology:child", pk=child.pk)
    return render(request, "children/form.html", {
        "form": form, "child": child, "title": f"Add to {child}'s chronology",
        "back": reverse("chronology:child", args=[child.pk])})


@login_required
def print_view(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_for_view(request=request, child_id=pk, section="chronology-print")
    _form, filters, items = _filtered(request, child)
    return render(request, "chronology/print.html", {
        "child": child, "items": items,
        "header": exports.header(child, author=request.user, agency=filters["agency"]),
        "printed_at": timezone.localtime(),
        "back": reverse("chronology:child", args=[child.pk]),
    })


@login_required
def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_for_view(request=request, child_id=pk, section="chronology-export")
    _form, filters, items = _filtered(request, child)
    return csv_response(request, child, items, filters)


def csv_response(request: HttpRequest, child: Child, items: list[ChronologyItem],
                 filters: dict[str, str]) -> HttpResponse:
    """The CSV download, logged as an export of the child's record."""
    access_record(request=request, child_id=child.pk, action=AccessAction.EXPORT,
                  section="chronology", detail={**filters, "format": "csv",
                                                "rows": len(items)})
    body = exports.chronology_csv(child, items, author=request.user, agency=filters["agency"])
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    filename = f"chronology-{child.la_child_id}-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
