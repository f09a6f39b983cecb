from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from cpcases.accounts.forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


@login_required
@require_POST
def session_extend(request: HttpRequest) -> JsonResponse:
    """Called by the timeout warning's "Stay signed in" button and by typing in a form.

    The inactivity middleware has already refreshed the session's last-activity time.
    """
    return JsonResponse({"expires_in": settings.SESSION_INACTIVITY_SECONDS})
