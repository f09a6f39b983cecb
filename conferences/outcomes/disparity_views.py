"""Pages for disagreements about resources (002 §19.3): the chair records one for a child at
the conference; the service manager sees those to resolve and resolves them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from conferences.outcomes import disparity
from conferences.outcomes.forms import _helper
from conferences.outcomes.views import _child_of, _conference, _day_url, _form_page, _run
from cpcases.children import selectors as child_selectors
from cpcases.core.forms import Form as GovForm
from deadlines.selectors import effective_rule


class DisparityForm(GovForm):
    minimum_required = forms.CharField(
        label="What did you specify as the minimum?", widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what you specified as the minimum"})
    resources_offered = forms.CharField(
        label="What resources are to be committed?", widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the resources to be committed"})

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.helper = _helper(self, "Record the disagreement")


class ResolveForm(GovForm):
    resolution = forms.CharField(label="How was the disparity resolved?",
                                 widget=forms.Textarea(attrs={"rows": 5}),
                                 error_messages={"required": "Enter how the disparity was "
                                                             "resolved"})

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.helper = _helper(self, "Record the resolution")


@login_required
def disparity_new(request: HttpRequest, pk: int, child_pk: int) -> HttpResponse:
    conference = _conference(request, pk, "resource-disparity-new")
    child = _child_of(conference, child_pk)
    form = DisparityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: disparity.resource_disparity_record(
            user=request.user, conference=conference, child=child, **form.cleaned_data))
        if done is not None:
            # 002 §19.3: the time to resolve it is the policy's, never a number of our own.
            within = effective_rule(child.authority_id, "resource_disparity").span()
            messages.success(request, "Recorded. The service manager has been told and has "
                                      f"{within} to resolve it.")
            return redirect("conference_outcomes:day", pk=pk)
    return _form_page(request, conference, form,
                      f"Record a disagreement about resources for {child}", _day_url(pk))


@login_required
def disparity_list(request: HttpRequest) -> HttpResponse:
    if request.user.role not in disparity.RESOLVERS:
        raise PermissionDenied("Only service managers resolve disagreements about resources.")
    return render(request, "conferences/outcomes/disparities.html", {
        "disparities": disparity.disparities_to_resolve(user=request.user)[:100],
        "rule": effective_rule(request.user.authority_id, "resource_disparity")})


@login_required
def disparity_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    if request.user.role not in disparity.RESOLVERS:
        raise PermissionDenied("Only service managers resolve disagreements about resources.")
    found = disparity.disparities_to_resolve(user=request.user).filter(pk=pk).first()
    if found is None:
        raise Http404("No disparity to resolve")
    child_selectors.child_for_view(request=request, child_id=found.child_id,
                                   section="resource-disparity-resolve")
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: disparity.resource_disparity_resolve(
            user=request.user, disparity=found, resolution=form.cleaned_data["resolution"]))
        if done is not None:
            messages.success(request, "Resolved.")
            return redirect("conference_outcomes:disparities")
    return _form_page(request, found.conference, form,
                      f"Resolve the disagreement about resources for {found.child}",
                      reverse("conference_outcomes:disparities"),
                      lead=f"The chair specified: {found.minimum_required} "
                           f"Resources to be committed: {found.resources_offered}")
