"""Front-door pages: the queue, contacts and their decisions, referrals, single assessments,
the child's "Contacts and referrals" tab, finding any child across the authority, opening a
record outside one's caseload (break-glass), merging duplicates, households and people.

Views stay thin: selectors read (always within the user's scope), services write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from cpcases.accounts.roles import MANAGEMENT_LADDER, Capability, Role
from cpcases.audit.middleware import client_ip
from cpcases.audit.models import AccessAction
from cpcases.audit.reads import record_children_shown
from cpcases.audit.services import access_record
from cpcases.children import households
from cpcases.children import selectors as child_selectors
from cpcases.children.models import ChildPerson, Household
from cpcases.children.scoping import case_scope_children
from cpcases.children.services import person_update
from cpcases.children.views import record_context
from cpcases.core.concurrency import EditConflict, edits, show_conflict
from cpcases.core.errors import NotPermitted, ServiceError
from cpcases.core.forms_flow import submit
from cpcases.core.presence import Rows, any_rows
from deadlines.models import Deadline, DeadlineStatus
from deadlines.policy import national_rule
from deadlines.selectors import effective_rule
from frontdoor import merge, selectors, services
from frontdoor.forms import (
    AllocateForm,
    AuthoriseForm,
    BreakGlassForm,
    ChildPersonForm,
    CloseForm,
    CompleteForm,
    ContactForm,
    DecisionForm,
    HouseholdForm,
    MergeForm,
    NewInformationForm,
    SearchForm,
)
from frontdoor.models import Contact, Referral

CASE_WORKERS = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER)


def _require(allowed: bool, what: str) -> None:
    if not allowed:
        raise PermissionDenied(f"You cannot {what}.")


def _get_or_404(request: HttpRequest, queryset: QuerySet, pk: int, section: str) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        access_record(request=request, child_id=None, action=AccessAction.REFUSED,
                      section=section, detail={"id": pk})
        raise Http404("Not found")
    child_id = getattr(found, "child_id", None)
    access_record(request=request, child_id=child_id, action=AccessAction.VIEW,
                  section=section, detail={"id": pk})
    return found


def _deadlines(subject: Model, rule_id: str = "") -> list[Deadline]:
    """The clocks about a record, each with its rule's name."""
    found = Deadline.objects.filter(content_type=ContentType.objects.get_for_model(subject),
                                    object_id=subject.pk).select_related("child")
    if rule_id:
        found = found.filter(rule_id=rule_id)
    deadlines = list(found.order_by("due_date", "pk"))
    for deadline in deadlines:
        deadline.rule_name = national_rule(deadline.rule_id).name
    return deadlines


def _form_page(request: HttpRequest, form: Any, title: str, back: str,
               **extra: Any) -> HttpResponse:
    return render(request, "frontdoor/form.html",
                  {"form": form, "title": title, "back": back, **extra})


# --- the queue ---


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require(user.role in CASE_WORKERS, "see the front-door queue")
    contacts = selectors.awaiting_decision(user=user)
    page = Paginator(contacts, 25).get_page(request.GET.get("page"))
    # By subject (content type, id): the deadline table's index (decisions §35).
    due = {d.object_id: d for d in Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(contacts.model),
        object_id__in=[c.pk for c in page], rule_id="contact_decision",
        status=DeadlineStatus.OPEN)}
    for contact in page:
        contact.deadline = due.get(contact.pk)
    return render(request, "frontdoor/queue.html", {
        "page": page, "front_door": services.front_door_team(user), "now": timezone.now(),
        # The words of the timescale come from the authority's effective rule (003 "Making
        # Contact": 24 hours, or the authority's own).
        "decision_due": effective_rule(user.authority_id, "contact_decision").describe(),
        "to_allocate": selectors.referrals_to_allocate(user=user)[:25],
        "to_authorise": selectors.assessments_to_authorise(user=user)[:25]
        if user.role in MANAGEMENT_LADDER else [],
    })


# --- contacts ---


def _new_child(data: dict[str, Any]) -> list[services.NewChild]:
    if not data.get("last_name"):
        return []
    return [services.NewChild(
        first_name=data["first_name"], last_name=data["last_name"],
        date_of_birth=data.get("date_of_birth"), is_unborn=data["is_unborn"],
        expected_delivery_date=data.get("expected_delivery_date"), sex=data["sex"],
        postcode=data["postcode"], address=data["address"], nhs_number=data["nhs_number"])]


@login_required
def contact_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require(services.front_door_team(user) is not None, "record contacts outside a "
             "front-door team")
    form = ContactForm(request.POST or None)
    duplicates: list[selectors.Duplicate] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data.get("last_name") and not data.get("not_a_duplicate"):
            # 5: warn of likely duplicates before a new record is created.
            duplicates = selectors.likely_duplicates(
                user=user, first_name=data["first_name"], last_name=data["last_name"],
                date_of_birth=data.get("date_of_birth"), nhs_number=data["nhs_number"],
                postcode=data["postcode"], address=data["address"])
        if duplicates:
            access_record(request=request, child_id=None, action=AccessAction.SEARCH,
                          section="duplicate-check",
                          detail={"results": [d.child.pk for d in duplicates]})
            form = ContactForm(request.POST, duplicates=True)
            form.is_valid()
        else:
            def write(data: dict[str, Any]) -> Contact:
                known = list(selectors.searchable_children(user).filter(
                    la_child_id__in=form.child_ids()))
                missing = set(form.child_ids()) - {c.la_child_id for c in known}
                if missing:
                    raise ServiceError(f"No child with ID {', '.join(sorted(missing))} was "
                                       "found: check the IDs")
                return services.contact_record(
                    actor=user, received_at=form.received_at(), source=data["source"],
                    concern=data["concern"], consent=data["consent"], children=known,
                    new_children=_new_child(data), referrer_name=data["referrer_name"],
                    referrer_organisation=data["referrer_organisation"],
                    referrer_contact=data["referrer_contact"])

            saved = submit(request, form, write)
            if saved:
                due = effective_rule(user.authority_id, "contact_decision").describe()
                messages.success(request, f"Contact recorded. A decision is due {due}.")
                return redirect("frontdoor:contact", pk=saved.value.pk)
    return render(request, "frontdoor/contact_form.html", {
        "form": form, "duplicates": duplicates, "back": reverse("frontdoor:queue")})


@login_required
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    contact = _get_or_404(request, selectors.contacts_visible(user=user), pk, "contact")
    form = None
    # 003 "Making Contact": the team manager decides; others see the page without the form.
    if not contact.decision and services.may_decide_contact(user, contact):
        form = DecisionForm(request.POST or None)
        saved = submit(request, form, lambda d: services.contact_decide(
            actor=user, contact=contact, decision=d["decision"], reason=d["reason"],
            urgency=d["urgency"], primary_need=d["primary_need"]))
        if saved:
            messages.success(request, "Decision recorded.")
            return redirect("frontdoor:contact", pk=contact.pk)
    elif request.method == "POST":
        raise PermissionDenied("You cannot decide this contact.")
    children = list(contact.children.all())
    # Every child the page names is logged as seen by this user.
    record_children_shown(request=request, child_ids=[c.pk for c in children],
                          section="contact")
    return render(request, "frontdoor/contact.html", {
        "contact": contact, "form": form,
        "children": children,
        "in_scope": set(child_selectors.visible_children(user).filter(
            contacts=contact).values_list("pk", flat=True)),
        "deadlines": _deadlines(contact), "referrals": contact.referrals.all(),
        "show_child": True})


# --- referrals and assessments ---


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    referral = _get_or_404(request, selectors.referrals_visible(user=user)
                           .select_related("child"), pk, "referral")
    action = request.POST.get("action", "")
    forms: dict[str, Any] = {}
    if referral.is_open and user.can(Capability.EDIT_CHILD):
        forms["close"] = CloseForm(request.POST if action == "close" else None,
                                   prefix="close")
        if user.can(Capability.ALLOCATE) and not referral.assessments.exists():
            forms["allocate"] = AllocateForm(request.POST if action == "allocate" else None,
                                             user=user, prefix="allocate")
    writers = {
        "acknowledge": lambda d: services.referral_acknowledge(actor=user, referral=referral),
        "allocate": lambda d: services.assessment_allocate(
            actor=user, referral=referral, social_worker=d["social_worker"]),
        "close": lambda d: services.referral_close(
            actor=user, referral=referral, closure_date=d["closure_date"], reason=d["reason"],
            no_further_action=d["no_further_action"]),
    }
    if request.method == "POST":
        if action == "acknowledge":
            try:
                writers["acknowledge"]({})
            except ServiceError as exc:
                messages.error(request, str(exc))
            return redirect("frontdoor:referral", pk=referral.pk)
        if action not in forms:
            raise PermissionDenied("You cannot do this.")
        if submit(request, forms[action], writers[action]):
            messages.success(request, "Saved.")
            return redirect("frontdoor:referral", pk=referral.pk)
    return render(request, "frontdoor/referral.html", {
        "referral": referral, "child": referral.child, "forms": forms,
        "assessments": referral.assessments.select_related("social_worker"),
        "deadlines": _deadlines(referral),
        "can_edit": user.can(Capability.EDIT_CHILD) and referral.is_open})


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assessment = _get_or_404(request, selectors.assessments_visible(user=user)
                             .select_related("child", "referral", "social_worker"), pk,
                             "assessment")
    form = None
    if not assessment.completed_on and (user.pk == assessment.social_worker_id
                                        or user.role in MANAGEMENT_LADDER):
        form = CompleteForm(request.POST or None)
        saved = submit(request, form, lambda d: services.assessment_complete(
            actor=user, assessment=assessment, factors=d["factors"], summary=d["summary"],
            outcome=d["outcome"], completed_on=d["completed_on"],
            primary_need=d["primary_need"]))
    elif assessment.completed_on and not assessment.authorised_at and \
            user.role in MANAGEMENT_LADDER:
        form = AuthoriseForm(request.POST or None)
        saved = submit(request, form, lambda d: services.assessment_authorise(
            actor=user, assessment=assessment, urgency=d["urgency"]))
    elif request.method == "POST":
        raise PermissionDenied("You cannot change this assessment.")
    else:
        saved = None
    if saved:
        messages.success(request, "Saved.")
        return redirect("frontdoor:assessment", pk=assessment.pk)
    return render(request, "frontdoor/assessment.html", {
        "assessment": assessment, "child": assessment.child, "form": form,
        "deadlines": _deadlines(assessment.referral, "assessment")})


# --- the child's tab ---


@login_required
def child_tab(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_selectors.child_for_view(request=request, child_id=pk, section="frontdoor")
    user = request.user
    # Issue 13 §2: one query says which of the four lists has rows; only those are read
    # (an empty list was a query the ORM compiled to find nothing).
    has_referrals, has_contacts, has_merges, has_people = any_rows(child.pk, _CHILD_TAB_ROWS)
    referrals = (Referral.objects.filter(child=child).prefetch_related("assessments")
                 if has_referrals else [])
    return render(request, "frontdoor/child.html", {
        **record_context(request, child, "frontdoor"),
        "contacts": (selectors.contacts_visible(user=user).filter(children=child)
                     if has_contacts else []),
        "referrals": referrals,
        "open_referral": next((r for r in referrals if r.is_open), None),
        "can_edit": user.can(Capability.EDIT_CHILD),
        "can_merge": user.role in MANAGEMENT_LADDER,
        "merges": child.merges_kept.select_related("merged", "merged_by") if has_merges else [],
        "people": child_selectors.people_around(child=child) if has_people else [],
    })


# The tables of the child tab's four lists: referrals, contacts (through their links to
# children), records merged into this one, people around the child.
_CHILD_TAB_ROWS = ((Rows("frontdoor.Referral"),), (Rows("frontdoor.ContactChild"),),
                   (Rows("frontdoor.ChildMerge", "kept"),), (Rows("children.ChildPerson"),))


@login_required
def new_information(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user.can(Capability.EDIT_CHILD), "record new information")
    child = child_selectors.child_for_view(request=request, child_id=pk,
                                           section="frontdoor-new-information")
    form = NewInformationForm(request.POST or None)
    saved = submit(request, form, lambda d: services.new_information_record(
        actor=request.user, child=child, received_at=form.received_at(),
        summary=d["summary"], urgency=d["urgency"]))
    if saved:
        messages.success(request, "New information recorded: a strategy discussion is due.")
        return redirect("frontdoor:child", pk=child.pk)
    return _form_page(request, form, f"New information about {child.display_name}",
                      reverse("frontdoor:child", args=[child.pk]))


# --- find any child, break-glass, merge ---


@login_required
def search(request: HttpRequest) -> HttpResponse:
    _require(selectors.may_search_authority(request.user), "search the authority's records")
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        criteria = selectors.SearchCriteria(**{
            k: v or ("" if k != "date_of_birth" else None) for k, v in form.cleaned_data.items()})
        if not criteria.empty:
            results = selectors.authority_search(user=request.user, criteria=criteria)
            access_record(request=request, child_id=None, action=AccessAction.SEARCH,
                          section="authority-search",
                          detail={"fields": sorted(k for k, v in form.cleaned_data.items()
                                                   if v), "results": len(results)})
    return render(request, "frontdoor/search.html", {"form": form, "results": results})


@login_required
def break_glass(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require(selectors.may_search_authority(user), "open records outside your caseload")
    child = (selectors.searchable_children(user).filter(pk=pk, is_restricted=False).first()
             or case_scope_children(user).filter(pk=pk, is_restricted=True).first())
    if child is None:
        access_record(request=request, child_id=pk, action=AccessAction.REFUSED,
                      section="break-glass")
        raise Http404("No child found")
    if child_selectors.visible_children(user).filter(pk=pk).exists():
        return redirect("children:detail", pk=pk)
    form = BreakGlassForm(request.POST or None)
    saved = submit(request, form, lambda d: services.break_glass_open(
        actor=user, child=child, reason=d["reason"], path=request.get_full_path(),
        ip_address=client_ip(request)))
    if saved:
        messages.success(request, "Record opened. Your reason has been recorded and the "
                                  "team's manager told.")
        return redirect("children:detail", pk=pk)
    if child.is_restricted:
        return _form_page(request, form, f"Open the restricted record of child "
                          f"{child.la_child_id}", reverse("frontdoor:search"), child=child,
                          warning="This record is restricted. Open it only if you need to "
                                  "for your work with the child: your reason is recorded and "
                                  "the manager who restricted it is told.")
    return _form_page(request, form, f"Open the record of {child.display_name}",
                      reverse("frontdoor:search"), child=child,
                      warning="This child is not on your team's caseload. Open the record "
                              "only if you need to for your work with them.")


@login_required
def merge_child(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user.role in MANAGEMENT_LADDER, "merge records")
    child = child_selectors.child_for_view(request=request, child_id=pk, section="merge")
    form = MergeForm(request.POST or None)

    def write(d: dict[str, Any]) -> Any:
        duplicate = child_selectors.visible_children(request.user).filter(
            la_child_id__iexact=d["duplicate_id"].strip()).first()
        if duplicate is None:
            raise ServiceError("No record with that child ID is on your caseload")
        return merge.child_merge(actor=request.user, keep=child, duplicate=duplicate,
                                 reason=d["reason"])

    saved = submit(request, form, write)
    if saved:
        messages.success(request, "Records merged.")
        return redirect("frontdoor:child", pk=child.pk)
    return _form_page(request, form, f"Merge a duplicate into {child.display_name}'s record",
                      reverse("frontdoor:child", args=[child.pk]),
                      duplicates=selectors.likely_duplicates(
                          user=request.user, first_name=child.first_name,
                          last_name=child.last_name, date_of_birth=child.date_of_birth,
                          nhs_number=child.nhs_number, postcode=child.postcode,
                          address=child.address, exclude_pk=child.pk))


# --- households and people ---


@login_required
@edits(Household, lookup="children__pk")
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user.can(Capability.EDIT_CHILD), "change households")
    child = child_selectors.child_for_view(request=request, child_id=pk, section="household")
    household = child.household
    form = HouseholdForm(request.POST or None, instance=household)

    def write(d: dict[str, Any]) -> Any:
        if household is None:
            return households.household_create(actor=request.user, child=child, **d)
        return households.household_update(actor=request.user, household=household, data=d)

    saved = submit(request, form, write)
    if saved:
        messages.success(request, "Household saved.")
        return redirect("children:people", pk=child.pk)
    return _form_page(request, form, "Household" if household else "Record the household",
                      reverse("children:people", args=[child.pk]))


@login_required
def child_person_edit(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    _require(request.user.can(Capability.EDIT_CHILD), "change the people around a child")
    child = child_selectors.child_for_view(request=request, child_id=pk, section="people")
    link = ChildPerson.objects.select_related("person").filter(child=child, pk=link_pk).first()
    if link is None:
        raise Http404("Not found")
    person = link.person
    form = ChildPersonForm(request.POST or None, initial={
        "relationship": link.relationship,
        "has_parental_responsibility": link.has_parental_responsibility,
        "lives_with_child": link.lives_with_child, "phone": person.phone,
        "email": person.email, "address": person.address, "postcode": person.postcode,
        "version": person.version})
    conflict = None

    @transaction.atomic
    def write(d: dict[str, Any]) -> Any:
        households.child_person_update(
            actor=request.user, link=link, relationship=d["relationship"],
            has_parental_responsibility=d["has_parental_responsibility"],
            lives_with_child=d["lives_with_child"])
        return person_update(user=request.user, person=person, expected_version=d["version"],
                             data={k: d[k] for k in ("phone", "email", "address",
                                                     "postcode")})

    try:
        saved = submit(request, form, write)
    except EditConflict as exc:
        conflict, saved = exc, None
        show_conflict(form, exc)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    if saved:
        messages.success(request, f"{person} saved.")
        return redirect("children:people", pk=child.pk)
    return _form_page(request, form, f"{person}: relationship and contact details",
                      reverse("children:people", args=[child.pk]), conflict=conflict,
                      child=child)
