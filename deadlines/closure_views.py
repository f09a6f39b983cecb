"""The authority's closure days, managed by its administrator (issue 9 point 9): add or
remove a day with the reason; the authority's open deadlines are recomputed at once."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from cpcases.accounts.roles import Capability
from cpcases.core.errors import NotPermitted, ServiceError
from cpcases.core.forms import Form as GovForm
from deadlines import services
from deadlines.models import ClosureDay, ClosureDayChange
from strategy.forms import date_field


class ClosureDayForm(GovForm):
    date = date_field("Date the authority is closed", hint="For example, 24 12 2027")
    reason = forms.CharField(label="Reason", max_length=200,
                             help_text="For example, Christmas Eve closure",
                             error_messages={"required": "Enter the reason for the closure"})


class RemoveForm(GovForm):
    reason = forms.CharField(label="Why is this no longer a closure day?", max_length=500,
                             error_messages={"required": "Enter why this is no longer a "
                                                         "closure day"})


def _require_admin(request: HttpRequest) -> None:
    if not request.user.can(Capability.MANAGE_POLICY):
        raise PermissionDenied("Only the authority's administrators manage closure days.")


@login_required
def closure_days(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    authority = request.user.authority
    form = ClosureDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            day = services.closure_day_add(authority=authority, on=form.cleaned_data["date"],
                                           reason=form.cleaned_data["reason"],
                                           user=request.user)
        except (ServiceError, NotPermitted) as exc:
            form.add_error("date", str(exc))
        else:
            messages.success(request, f"{day.date:%-d %B %Y} added. Open deadlines were "
                                      "recomputed.")
            return redirect("deadlines:closure_days")
    days = ClosureDay.objects.filter(authority=authority).order_by("date")
    return render(request, "deadlines/closure_days.html", {
        "form": form, "days": days[:200],
        "history": ClosureDayChange.objects.filter(authority=authority)
        .select_related("user")[:20]})


@login_required
def closure_day_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    authority = request.user.authority
    day = get_object_or_404(ClosureDay, pk=pk, authority=authority)
    form = RemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.closure_day_remove(authority=authority, closure_day=day,
                                        reason=form.cleaned_data["reason"], user=request.user)
        except (ServiceError, NotPermitted) as exc:
            form.add_error("reason", str(exc))
        else:
            messages.success(request, f"{day.date:%-d %B %Y} removed. Open deadlines were "
                                      "recomputed.")
            return redirect("deadlines:closure_days")
    return render(request, "deadlines/closure_day_remove.html", {"form": form, "day": day})
