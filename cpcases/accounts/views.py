from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_POST

from cpcases.accounts.forms import SignInForm
from cpcases.accounts.throttle import sign_in_wait_seconds


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = sign_in_wait_seconds(request, request.POST.get("username", "").strip())
        if not wait:
            return super().post(request, *args, **kwargs)
        # Refused before the password is checked: the attempt is not counted.
        form = SignInForm(request, data={"username": request.POST.get("username", "")})
        form.refuse_for_now(wait)
        response = self.render_to_response(self.get_context_data(form=form), status=429)
        response["Retry-After"] = str(wait)
        return response


class SignOutView(auth_views.LogoutView):
    pass


@login_required
@require_POST
def session_extend(request: HttpRequest) -> JsonResponse:
    """Called by the timeout warning's "Stay signed in" button and by typing in a form.

    The inactivity middleware has already refreshed the session's last-activity time.
    """
    return JsonResponse({"expires_in": settings.SESSION_INACTIVITY_SECONDS})
