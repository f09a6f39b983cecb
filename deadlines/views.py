"""Deadline pages: my deadlines, the team's, a child's tab, notifications and the policy.

Views stay thin: selectors read (always within the user's scope), services write.
"""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout, Size
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cpcases.accounts.roles import Capability, Role
from cpcases.children import selectors as child_selectors
from cpcases.children.views import record_context
from cpcases.core.concurrency import edits
from cpcases.core.errors import ServiceError
from cpcases.core.forms import Form as GovForm
from cpcases.core.navigation import items_for
from cpcases.core.paging import page_number_to_read
from cpcases.core.sorting import sort_headers, sort_key
from deadlines import mywork, presentation, selectors, services, teamfilter, teampage
from deadlines.filters import SORT_COLUMNS, SORTS, DeadlineFilter
from deadlines.models import DeadlineStatus, PolicyProfile, RuleOverride
from deadlines.policy import RULE_IDS, Direction, Unit


def _require(request: HttpRequest, capability: Capability) -> None:
    if not request.user.can(capability):
        raise PermissionDenied(f"A {request.user.role_label.lower()} cannot see this page.")


def _helper(form: forms.Form, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template writes the <form> (and its CSRF token)
    helper.label_size = Size.SMALL
    helper.layout = Layout(*form.fields, Button("submit", submit))
    return helper


# --- my work and deadline lists ---------------------------------------------------------------

PAGE_SIZE = 25
# The team page's rows a page: 25, as every list page of the product's (My deadlines, the
# caseload, contacts, documents…); it was 50, and that page was the slowest of the load
# benchmark's (decision 97).
TEAM_PAGE_SIZE = PAGE_SIZE


def _page_query(request: HttpRequest) -> str:
    """The list's filters, kept in the paging links ("a=1&b=2&")."""
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return f"{encoded}&" if encoded else ""


def _caption(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"  # "7,500 deadlines"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """"My work", every role's home page: the user's deadlines by urgency, their role's
    queues and, for managers, the team's breaches (deadlines.mywork)."""
    work = mywork.my_work(user=request.user)
    # The "Other lists" entries read now, before the header's: the header's one read of the
    # cache then brings them with its own (issue 13 §2: read in the template, after the
    # header, they were a second round trip to Redis on every My work).
    other_pages = items_for(request, "work")
    return render(request, "deadlines/my_work.html", {"work": work, "other_pages": other_pages})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """Every open deadline of the user, soonest first, paged; one group with ?group=."""
    group = request.GET.get("group", "")
    deadlines = mywork.my_deadlines(user=request.user)
    title = "My deadlines"
    if group in mywork.GROUP_KEYS:
        deadlines = deadlines.filter(mywork.group_filter(group, now=timezone.now()))
        titles = {g.key: g.title for g in mywork.GROUPS}
        title = f"My deadlines: {titles[group].lower()}"
    page = Paginator(mywork.slim(deadlines), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = presentation.present(page.object_list)
    return render(request, "deadlines/list.html", {
        "title": title, "page": page, "page_query": _page_query(request),
        "caption": _caption(page.paginator.count, "open deadline"),
        "groups": mywork.GROUPS, "group": group})


@login_required
def team(request: HttpRequest) -> HttpResponse:
    """A manager's view of the deadlines of every child in their team (or service): filters
    (worker, rule, child, status, due range), sorting and paging; open ones by default."""
    _require(request, Capability.VIEW_TEAM_DEADLINES)
    # The policy read once for the page: its version comes with the kept query's rows.
    with selectors.policy_read_once():
        return _team(request)


def _team(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.setdefault("status", "open")
    # Paged, so sorted by the server: the column headers are MOJ sortable-table links.
    sort = sort_key(request, list(SORTS), "due")
    ordering = SORTS[sort]
    now = timezone.now()
    page: Page | None = None
    # An ordinary request's filters without the FilterSet (deadlines.teamfilter).
    # (Not for a page number only the paginator reads: the worker menu would be read twice.)
    found: Any = (teamfilter.plain_filters(data, request.user)
                  if page_number_to_read(request.GET.get("page")) is not None else None)
    if found is not None:
        page = teampage.plain_team_page(
            user=request.user, cleaned=found.cleaned, data=data, request=request,
            ordering=ordering, number=request.GET.get("page"), per_page=TEAM_PAGE_SIZE, now=now)
    if page is None:
        found = DeadlineFilter(
            data, queryset=selectors.deadlines_visible(user=request.user, rules=True),
            request=request)
        page = teampage.team_page(user=request.user, found=found, ordering=ordering,
                                  number=request.GET.get("page"), per_page=TEAM_PAGE_SIZE, now=now)
        if page is None:  # what the kept query does not serve (deadlines.teampage)
            page = Paginator(mywork.slim(found.qs).order_by(*ordering), TEAM_PAGE_SIZE).get_page(
                request.GET.get("page"))
        found.list_worker_choices()
    page.object_list = presentation.present(page.object_list, now=now)
    return render(request, "deadlines/team.html", {
        "title": "Team deadlines", "page": page, "page_query": _page_query(request),
        "caption": _caption(page.paginator.count, "deadline"),
        "filter": found, "sort": sort,
        "headers": sort_headers(request, SORT_COLUMNS, sort)})


@login_required
def child(request: HttpRequest, pk: int) -> HttpResponse:
    """The deadlines tab of a child's record (viewing is audit-logged and scoped)."""
    record = child_selectors.child_for_view(request=request, child_id=pk, section="deadlines")
    # The policy read once for the rules and the presentation (one version query, not two).
    snapshot = selectors.policy_snapshot(record.authority_id)
    rules = snapshot.rules
    context = presentation.RuleContext()
    context.use(record.authority_id, snapshot)
    deadlines = presentation.present(selectors.child_deadlines(child=record), context=context)
    for d in deadlines:
        d.rule = rules.get(d.rule_id)  # type: ignore[attr-defined]
        d.can_delay = (d.status == DeadlineStatus.OPEN  # type: ignore[attr-defined]
                       and services.may_authorise_delay(request.user, d))
    return render(request, "deadlines/child.html", {
        **record_context(request, record, "deadlines"), "deadlines": deadlines})


class DelayForm(GovForm):
    reason = forms.CharField(label="Reasons for the delay", widget=forms.Textarea(
        attrs={"rows": 5}), help_text="Include the risks and how they will be monitored, and "
                                      "who has been told of the delay")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Authorise the delay")


@login_required
def authorise_delay(request: HttpRequest, pk: int) -> HttpResponse:
    """Written authorisation to go beyond a deadline (000; 002 §3.5; 003)."""
    deadline = selectors.deadlines_visible(user=request.user).filter(pk=pk).first()
    if deadline is None:
        raise Http404("No deadline found")
    if not services.may_authorise_delay(request.user, deadline):
        raise PermissionDenied("You may not authorise this delay.")
    form = DelayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deadline_authorise_delay(deadline=deadline, by=request.user,
                                              reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Delay authorised.")
            return redirect("deadlines:child", pk=deadline.child_id)
    rule = selectors.effective_rule(deadline.authority_id, deadline.rule_id)
    return render(request, "children/form.html", {
        "form": form, "title": f"Authorise a delay: {rule.name}",
        "back": reverse("deadlines:child", args=[deadline.child_id])})


# --- notifications ------------------------------------------------------------------------------


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notices, one entry per digest (one per sweep), newest first, paged."""
    page = Paginator(selectors.notifications_for(user=request.user), 20).get_page(
        request.GET.get("page"))
    # The whole page's deadlines at once: rules and calendars read once.
    presentation.present([n.deadline for entry in page.object_list for n in entry.items])
    return render(request, "deadlines/notifications.html", {
        "page": page, "page_query": "", "unread": selectors.unread_count(request.user)})


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    services.notifications_mark_read(user=request.user, notification_id=pk)
    return redirect("deadlines:notifications")


@login_required
@require_POST
def notifications_read_selected(request: HttpRequest) -> HttpResponse:
    """Mark the ticked entries read (bulk)."""
    digests, notices = _ids(request.POST.getlist("digest")), _ids(request.POST.getlist("notice"))
    if not digests and not notices:
        messages.error(request, "Select the notifications to mark as read.")
    else:
        marked = services.notifications_mark_read(user=request.user, digest_ids=digests,
                                                  notification_ids=notices)
        messages.success(request, f"{marked} marked as read.")
    page = request.POST.get("page", "1")
    return redirect(f"{reverse('deadlines:notifications')}?page={page if page.isdigit() else 1}")


# --- policy (administrators) --------------------------------------------------------------------


class ProfileForm(GovForm):
    profile = forms.ModelChoiceField(queryset=PolicyProfile.objects.all(),
                                     label="Timescale profile", empty_label=None,
                                     widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Use this profile")


class RuleForm(GovForm):
    offset = forms.IntegerField(min_value=0, label="How many")
    unit = forms.ChoiceField(choices=Unit.choices)
    direction = forms.ChoiceField(choices=Direction.choices, label="Before or after the anchor")
    responsible_role = forms.ChoiceField(choices=Role.choices, label="Responsible role")
    reminder_before = forms.IntegerField(
        min_value=0, label="Reminder before the due date",
        help_text="Working days (hours for hour rules); 0 for no reminder")
    service_manager_after = forms.IntegerField(
        min_value=0, label="Escalate to the service manager after",
        help_text="Working days after the due date; 0 to not escalate")
    head_of_service_after = forms.IntegerField(
        min_value=0, label="Escalate to the head of service after",
        help_text="Working days after the due date; 0 to not escalate")
    source = forms.CharField(max_length=200, required=False, label="Source (procedure)")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                             label="Reason for the change")

    def __init__(self, *args: Any, variants: dict[str, int] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Named alternatives (the strategy discussion's urgency), each its own number.
        for name, value in (variants or {}).items():
            self.fields[f"variant_{name}"] = forms.IntegerField(
                min_value=0, initial=value, label=name.replace("_", " ").capitalize(),
                help_text="How many, when this applies")
        self.fields["reason"] = self.fields.pop("reason")  # the reason stays last
        self.helper = _helper(self, "Save the rule")

    def variants(self) -> dict[str, int]:
        return {k.removeprefix("variant_"): v for k, v in self.cleaned_data.items()
                if k.startswith("variant_")}


@login_required
def policy(request: HttpRequest) -> HttpResponse:
    _require(request, Capability.MANAGE_POLICY)
    authority = request.user.authority
    return render(request, "deadlines/policy.html", {
        "profile": selectors.authority_profile(authority),
        "delay_role": Role(selectors.icpc_delay_role(authority)).label,
        "rules": selectors.effective_rules(authority).values(),
        "history": selectors.profile_history(authority)[:20],
    })


@login_required
def policy_profile(request: HttpRequest) -> HttpResponse:
    _require(request, Capability.MANAGE_POLICY)
    authority = request.user.authority
    form = ProfileForm(request.POST or None,
                       initial={"profile": selectors.authority_profile(authority)})
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_choose_profile(authority=authority, user=request.user,
                                           profile=form.cleaned_data["profile"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{authority} now follows {form.cleaned_data['profile']}.")
            return redirect("deadlines:policy")
    return render(request, "children/form.html", {
        "form": form, "title": "Choose the timescale profile",
        "back": reverse("deadlines:policy")})


@login_required
@edits(RuleOverride, kwarg="rule_id", lookup="rule_id",
       scope=lambda request: {"authority_id": request.user.authority_id})
def policy_rule(request: HttpRequest, rule_id: str) -> HttpResponse:
    _require(request, Capability.MANAGE_POLICY)
    if rule_id not in RULE_IDS:
        raise Http404("No such rule")
    authority = request.user.authority
    rule = selectors.effective_rule(authority, rule_id)
    initial = {f: getattr(rule, f) for f in services.OVERRIDE_FIELDS if f in RuleForm.base_fields}
    form = RuleForm(request.POST or None, initial=initial, variants=rule.variants)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("variant_")}
        if rule.variants:
            data["variants"] = form.variants()
        reason = data.pop("reason")
        try:
            services.policy_override_rule(authority=authority, rule_id=rule_id,
                                          user=request.user, reason=reason, **data)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{rule.name}: saved for {authority}.")
            return redirect("deadlines:policy")
    return render(request, "deadlines/policy_rule.html", {
        "form": form, "rule": rule, "history": selectors.override_history(authority, rule_id),
        "title": f"Change the rule: {rule.name}", "back": reverse("deadlines:policy")})


@login_required
@require_POST
def policy_rule_reset(request: HttpRequest, rule_id: str) -> HttpResponse:
    _require(request, Capability.MANAGE_POLICY)
    services.policy_remove_override(authority=request.user.authority, rule_id=rule_id,
                                    user=request.user)
    messages.success(request, "The rule is back to the profile's value.")
    return redirect("deadlines:policy")

