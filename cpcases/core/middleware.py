"""Defensive responses (issue 12 §7): nothing with child data is kept by a browser or proxy
cache, and an id PostgreSQL cannot hold answers 404 rather than 500."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.defaults import page_not_found

BIGINT = 2**63


class NoStoreMiddleware:
    """Cache-Control: no-store on every response to a signed-in user (session or token; DRF
    sets request.user on the underlying request) and on every API response: pages, PDFs,
    .ics files and JSON alike. Static files (whitenoise) are served before this."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 500:  # error pages carry no child data (and the database
            return response              # may be down: do not load the session's user)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            patch_cache_control(response, no_store=True, private=True, max_age=0)
        return response

    def process_view(self, request: HttpRequest, view_func: object, view_args: tuple,
                     view_kwargs: dict[str, object]) -> HttpResponse | None:
        # A page URL's <int:...> takes any number of digits; PostgreSQL's bigint does not,
        # and the query would fail (500). No record has such an id: 404 before the view.
        if any(isinstance(v, int) and not -BIGINT <= v < BIGINT for v in view_kwargs.values()):
            return page_not_found(request, Http404("No such record"))
        return None
