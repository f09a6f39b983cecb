"""Multi-factor sign-in with an authenticator app (TOTP, django-otp), issue 12 §6.

With MFA_REQUIRED (production: on; development and tests: off unless set), every session-
signed-in user must pass a one-time code before any page: someone with no confirmed app is
sent to set one up, someone with one to enter a code. API tokens are not affected: they are
issued by administrators for integrations, expire and die with the user's access.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from cpcases.core.api import problem_json_response

EXEMPT_PREFIXES = ("/static/", "/healthz")


def _exempt_paths() -> tuple[str, ...]:
    return (reverse("accounts:logout"), reverse("accounts:mfa_verify"),
            reverse("accounts:mfa_setup"), reverse(settings.LOGIN_URL))


class MfaRequiredMiddleware:
    """After django_otp.middleware.OTPMiddleware (which sets request.user.is_verified)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (settings.MFA_REQUIRED and user.is_authenticated and not user.is_verified()
                and not request.path.startswith(EXEMPT_PREFIXES)
                and request.path not in _exempt_paths()):
            if request.path.startswith("/api/"):
                return problem_json_response(
                    request, 403, "Finish signing in with your authenticator app first.")
            target = "accounts:mfa_verify" if user_has_device(user) else "accounts:mfa_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


def safe_next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def pending_device(user: object) -> TOTPDevice:
    """The user's unconfirmed authenticator (one is kept until they confirm it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app",
                                               confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The key as people type it into an app: base32 in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    # An <img> with a data: URI: allowed by the CSP (img-src data:), no inline style needed.
    # Deferred: qrcode (with Pillow, about 4 MB) is needed only while setting up an app, not
    # in every web worker (issue 13 §6).
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()
