"""The two pages of multi-factor sign-in: set up an authenticator app, and enter a code."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_otp import devices_for_user
from django_otp import login as otp_login

from cpcases.accounts.mfa import pending_device, qr_data_uri, safe_next, secret_text
from cpcases.core.forms import Form as GovForm


class CodeForm(GovForm):
    token = forms.CharField(
        label="Code from your authenticator app", max_length=8,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "spellcheck": "false",
                                      "class": "govuk-input govuk-input--width-10"}))

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError("The code is 6 digits, like 123456")
        return token


WRONG = "That code is not right, or has run out. Enter the code your app shows now"


@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    devices = list(devices_for_user(request.user, confirmed=True))
    if not devices:
        return redirect(f"{reverse('accounts:mfa_setup')}?next={safe_next(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = next((d for d in devices if d.verify_token(form.cleaned_data["token"])), None)
        if device is not None:
            otp_login(request, device)
            return redirect(safe_next(request))
        form.add_error("token", WRONG)
    return render(request, "accounts/mfa_verify.html",
                  {"form": form, "next": safe_next(request)})


@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    if list(devices_for_user(request.user, confirmed=True)):
        return redirect(f"{reverse('accounts:mfa_verify')}?next={safe_next(request)}")
    device = pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(safe_next(request))
        form.add_error("token", WRONG)
    return render(request, "accounts/mfa_setup.html", {
        "form": form, "next": safe_next(request), "secret": secret_text(device),
        "qr": qr_data_uri(device)})
