"""The project's URLs and the load benchmark's floor: a signed-in page that does nothing,
through every middleware the real pages pass (session, user, multi-factor check, audit
context, CSP, no-store headers ...), so a page's time over it is what the page itself costs."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from cpcases.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor, name="bench-floor"), *urlpatterns]
