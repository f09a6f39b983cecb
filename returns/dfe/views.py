"""The DfE children's social care API page, and the readiness check on demand (issue 16).
Only the performance and data officer and managers (their own service) reach them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from returns import selectors
from returns.dfe import services
from returns.dfe.forms import PayloadForm
from returns.dfe.models import DfeBatch
from returns.dfe.readiness import refresh_readiness
from returns.dfe.sender import NotConfigured, config_from_env
from returns.forms import CensusForm
from returns.views import _download, _require


@login_required
@require_http_methods(["GET", "POST"])
def dfe(request: HttpRequest) -> HttpResponse:
    """What a send would carry (every child, or those changed since last accepted), the
    last sends, and the payload as a file."""
    _require(request)
    form = PayloadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _download(services.payload_export(mode=form.cleaned_data["mode"],
                                                 user=request.user, request=request))
    summary = services.payload_summary(user=request.user)
    batches = DfeBatch.objects.filter(authority_id=request.user.authority_id).select_related(
        "user")
    page = Paginator(batches, 10).get_page(request.GET.get("page"))
    try:
        config_from_env()
        sending = "on"
    except NotConfigured as exc:
        # The page speaks to the officer, who cannot change the server's settings: the
        # settings' names are for the operators (the dfe_send command and the log say them).
        sending = ("not fully set up" if "not fully" in str(exc) else "off")
    return render(request, "returns/dfe.html", {
        "form": form, "summary": summary, "page": page, "sending": sending,
        "scope": selectors.scope_label(request.user)})


@login_required
@require_POST
def readiness_refresh(request: HttpRequest) -> HttpResponse:
    """Check the census again now for the year shown, and go back to the stored results."""
    _require(request)
    form = CensusForm(request.POST)
    back = reverse("returns:readiness")
    if not form.is_valid():  # the page shows why, beside the year
        return HttpResponseRedirect(f"{back}?year={request.POST.get('year', '')[:8]}")
    year = form.cleaned_data["year"]
    run = refresh_readiness(authority=request.user.authority, year=year, user=request.user)
    messages.success(request, f"The census has been checked: {run.problems} "
                              f"problem{'s' if run.problems != 1 else ''} found.")
    return HttpResponseRedirect(f"{back}?year={year}")
