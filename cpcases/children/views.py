"""Pages of the child's record. Views stay thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import CheckboxInput, MultiWidget
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from cpcases.accounts.roles import Capability
from cpcases.audit.access_list import access_page
from cpcases.audit.events import one_round_trip
from cpcases.audit.models import AccessAction
from cpcases.audit.reads import record_children_shown
from cpcases.audit.services import access_record
from cpcases.children import hooks, selectors, services
from cpcases.children.forms import (
    AllocationForm,
    ChildCreateForm,
    ChildForm,
    PersonForm,
    SearchForm,
)
from cpcases.children.header import RecordHeader
from cpcases.children.identifiers import Disability
from cpcases.children.models import Child
from cpcases.children.scoping import case_scope_children
from cpcases.children.tabs import child_href, tabs_for
from cpcases.core.concurrency import EditConflict
from cpcases.core.confirm import ask
from cpcases.core.errors import ServiceError, WarningsToConfirm
from cpcases.core.forms import add_service_error
from cpcases.core.forms_flow import submit
from cpcases.core.sorting import sort_headers, sort_key


def _require(request: HttpRequest, capability: Capability) -> None:
    if not request.user.can(capability):
        raise PermissionDenied(f"A {request.user.role_label.lower()} cannot do this.")


def record_context(request: HttpRequest, child: Child, active: str) -> dict[str, Any]:
    """What every tab of the record shows: the child's banner and the tabs."""
    tabs = tabs_for(request.user)
    return {"child": child, "tabs": tabs, "active_tab": active,
            "record_header": RecordHeader(child, tabs, active)}


# The caseload's sortable columns (the unborn sort by their expected date of delivery).
CASELOAD_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("last_name", "first_name"), "child_id": ("la_child_id",),
    "born": ("date_of_birth", "expected_delivery_date"), "stage": ("cp_stage",),
}


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    # Paged, so sorted by the server: the column headers are MOJ sortable-table links.
    sort = sort_key(request, [*CASELOAD_SORTS, *(f"-{k}" for k in CASELOAD_SORTS)], "name")
    fields = CASELOAD_SORTS[sort.removeprefix("-")]
    ordering = [f"-{f}" if sort.startswith("-") else f for f in (*fields, "pk")]
    page = selectors.caseload_page(user=request.user, ordering=tuple(ordering),
                                   number=request.GET.get("page"), per_page=25)
    if page is None:  # what the kept query does not serve (a page number not plain…)
        children = selectors.caseload(user=request.user).order_by(*ordering)
        page = Paginator(children, 25).get_page(request.GET.get("page"))
    # Issue 12 §5: the children on the page shown are logged as seen by this user.
    record_children_shown(request=request, child_ids=[c.pk for c in page], section="caseload")
    _link_records(page)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "children/caseload.html", {
        "page": page, "page_query": f"{query.urlencode()}&" if query else "",
        "headers": sort_headers(request, [("Name", "name"), ("Child ID", "child_id"),
                                          ("Date of birth", "born"), ("Stage", "stage"),
                                          ("Social worker", None)], sort)})



def _link_records(children: Any) -> None:
    """Each listed child's record link (`record_url`), without a reverse() per row in the
    template (issue 13 §2)."""
    for child in children:
        child.record_url = child_href("children:detail", child.pk)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid() and (form.cleaned_data["q"]
                                              or form.cleaned_data["date_of_birth"]):
        # The search and the children it lists logged in one statement (issue 13 §2).
        with one_round_trip():
            access_record(request=request, child_id=None, action=AccessAction.SEARCH,
                          detail={"q": form.cleaned_data["q"],
                                  "dob": str(form.cleaned_data["date_of_birth"] or "")})
            results = selectors.child_search(
                user=request.user, text=form.cleaned_data["q"],
                date_of_birth=form.cleaned_data["date_of_birth"])
            record_children_shown(request=request, child_ids=[c.pk for c in results],
                                  section="search", action=AccessAction.SEARCH)
        _link_records(results)
    return render(request, "children/search.html", {"form": form, "results": results})


_NOT_SAVED = ("version", "not_a_duplicate")


def _duplicates(request: HttpRequest, form: Any, exclude_pk: int | None = None,
                changed: set[str] | None = None) -> list[Any]:
    """Likely duplicates of the child in a valid form, unless the user has confirmed none is
    the same child (issue 10 §5). The check is logged as a search of the authority."""
    if form.cleaned_data.get("not_a_duplicate"):
        return []
    found = hooks.likely_duplicates(request.user, form.cleaned_data, exclude_pk=exclude_pk,
                                    changed=changed)
    if found:
        access_record(request=request, child_id=None, action=AccessAction.SEARCH,
                      section="duplicate-check",
                      detail={"results": [d.child.pk for d in found]})
    return found


@login_required
def create(request: HttpRequest) -> HttpResponse:
    _require(request, Capability.CREATE_CHILD)
    form = ChildCreateForm(request.POST or None, user=request.user)
    duplicates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        duplicates = _duplicates(request, form)
        if duplicates:
            # Shown again with everything typed, the duplicates and a box to confirm.
            form = ChildCreateForm(request.POST, user=request.user, duplicates=True)
            form.is_valid()
    if not duplicates and (saved := submit(request, form, lambda d: services.child_create(
            user=request.user, **{k: v for k, v in d.items() if k not in _NOT_SAVED}))):
        messages.success(request, f"Record created for {saved.value}.")
        return redirect("children:detail", pk=saved.value.pk)
    return render(request, "children/form.html",
                  {"form": form, "title": "Create a child's record", "duplicates": duplicates,
                   "back": reverse("children:caseload")})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        child = selectors.child_for_view(request=request, child_id=pk, section="summary")
    except Http404:
        # A restricted record the user's role has a case reason to see: they may open it
        # with a stated reason (break-glass); anyone else never learns it exists.
        from frontdoor.selectors import may_search_authority

        if may_search_authority(request.user) and case_scope_children(request.user).filter(
                pk=pk, is_restricted=True).exists():
            return redirect("frontdoor:break_glass", pk=pk)
        raise
    return render(request, "children/detail.html", {
        **record_context(request, child, "summary"),
        "household": selectors.household_children(user=request.user, child=child),
        "allocation": selectors.current_allocation(child=child),
        "disabilities": [Disability(code).label for code in child.disabilities],
        # NHS numbers are read in groups of 3, 3 and 4 digits.
        "nhs_number": (f"{child.nhs_number[:3]} {child.nhs_number[3:6]} {child.nhs_number[6:]}"
                       if len(child.nhs_number) == 10 else child.nhs_number),
    })


@login_required
def people(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.child_for_view(request=request, child_id=pk, section="people")
    return render(request, "children/people.html", {
        **record_context(request, child, "people"),
        "links": selectors.people_around(child=child),
        "household": selectors.household_children(user=request.user, child=child),
    })


@login_required
def allocation(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.child_for_view(request=request, child_id=pk, section="allocation")
    return render(request, "children/allocation.html", {
        **record_context(request, child, "allocation"),
        "history": selectors.allocation_history(child=child),
        "can_allocate": request.user.can(Capability.ALLOCATE),
    })


# Rows of each of the audit tab's lists on one page: 25, as the product's other lists (it was
# 50; decision 97). Each list still reaches its latest 200 rows.
AUDIT_PAGE = 25


@login_required
def audit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Capability.VIEW_AUDIT)
    child = selectors.child_for_view(request=request, child_id=pk, section="audit")
    # Both lists paged (issue 13 §2): a busy record's log was 200 rows on one page. The
    # same rows as before can be reached (each list keeps its cap), AUDIT_PAGE at a time.
    changes = Paginator(selectors.audit_trail(child=child), AUDIT_PAGE).get_page(
        request.GET.get("changes"))
    # The accesses as plain rows through SQL built once (issue 13 §2), the same rows; the
    # page asked for read with their count, in one statement.
    accesses = access_page(child.pk, request.GET.get("page"), AUDIT_PAGE)
    return render(request, "children/audit.html", {
        **record_context(request, child, "audit"),
        "changes": changes, "accesses": accesses,
        "changes_query": f"page={accesses.number}&", "accesses_query": f"changes={changes.number}&",
    })


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Capability.EDIT_CHILD)
    child = selectors.child_for_view(request=request, child_id=pk, section="edit")
    form = ChildForm(request.POST or None, instance=child)
    conflict = None
    duplicates: list[Any] = []
    if request.method == "POST" and form.is_valid() and \
            set(form.changed_data) & set(hooks.DUPLICATE_FIELDS):
        # Only a change to what identifies the child is checked against the authority, and
        # only by the tests on what changed.
        duplicates = _duplicates(request, form, exclude_pk=child.pk,
                                 changed=set(form.changed_data))
        if duplicates:
            form = ChildForm(request.POST, instance=child, duplicates=True)
            form.is_valid()
    if request.method == "POST" and not duplicates and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in _NOT_SAVED}
        try:
            services.child_update(user=request.user, child=child,
                                  expected_version=form.cleaned_data["version"] or 0,
                                  data=data)
        except EditConflict as exc:
            # Keep what the user typed; take the other person's value for every field this
            # user did not touch, so saving again cannot silently undo their change.
            conflict = exc
            form = ChildForm(_merge_theirs(request.POST, exc), instance=child)
            form.is_valid()
            form.add_error(None, f"{exc} Their changes are now in the form; check the table "
                                 "below, then save again.")
        except ServiceError as exc:
            add_service_error(form, exc)
        except WarningsToConfirm as exc:  # a census query rule: asked, with what was typed
            ask(form, exc)
        else:
            messages.success(request, "Changes saved.")
            return redirect("children:detail", pk=child.pk)
    return render(request, "children/form.html", {
        "form": form, "child": child, "conflict": conflict, "duplicates": duplicates,
        "title": f"Edit {child}'s record", "back": reverse("children:detail", args=[pk]),
    })


def _merge_theirs(posted: QueryDict, conflict: EditConflict) -> QueryDict:
    """The submitted form data, with the other person's value for each field they changed
    and this user left as it was, and the current version (so a second save can succeed)."""
    merged = posted.copy()
    merged["version"] = str(conflict.instance.version)  # type: ignore[attr-defined]
    fields = ChildForm.base_fields
    for change in conflict.changes:
        if change.yours != change.before or change.field not in fields:
            continue  # both changed it: the user's value stays, shown against theirs
        widget = fields[change.field].widget
        if isinstance(widget, MultiWidget):
            for index, part in enumerate(widget.decompress(change.theirs)):
                merged[f"{change.field}_{index}"] = "" if part is None else str(part)
        elif isinstance(widget, CheckboxInput):
            merged.pop(change.field, None)
            if change.theirs:
                merged[change.field] = "on"
        else:
            merged[change.field] = "" if change.theirs is None else str(change.theirs)
    return merged


@login_required
def person_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Capability.EDIT_CHILD)
    child = selectors.child_for_view(request=request, child_id=pk, section="people-add")
    form = PersonForm(request.POST or None)
    if saved := submit(request, form, lambda d: services.person_add_to_child(
            user=request.user, child=child, **d)):
        messages.success(request, f"{saved.value.person} added.")
        return redirect("children:people", pk=child.pk)
    return render(request, "children/form.html", {
        "form": form, "child": child, "title": f"Add a person around {child}",
        "back": reverse("children:people", args=[pk]),
    })


@login_required
def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Capability.ALLOCATE)
    child = selectors.child_for_view(request=request, child_id=pk, section="allocate")
    form = AllocationForm(request.POST or None, user=request.user)
    if submit(request, form, lambda d: services.child_allocate(user=request.user, child=child,
                                                              **d)):
        messages.success(request, "Allocation changed.")
        return redirect("children:allocation", pk=child.pk)
    return render(request, "children/form.html", {
        "form": form, "child": child, "title": f"Change {child}'s allocation",
        "back": reverse("children:allocation", args=[pk]),
    })
