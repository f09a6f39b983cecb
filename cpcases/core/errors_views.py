"""The server-error page: a database outage answers 503 with a plain page that needs neither
the database nor a session (issue 12 §2); anything else is the usual 500 page."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views.defaults import page_not_found, permission_denied

from cpcases.audit.reads import record_refusal

DATABASE_DOWN = (OperationalError, InterfaceError)


def _database_down() -> bool:
    exc = sys.exc_info()[1]
    while exc is not None:
        if isinstance(exc, DATABASE_DOWN):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    if _database_down():
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "60"
        add_never_cache_headers(response)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A page refused or missing: logged for a signed-in user (issue 12 §5), then the usual
    404 page (which never says whether the record exists)."""
    record_refusal(request, section="page refused")
    return page_not_found(request, exception)


def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    record_refusal(request, section="page forbidden")
    return permission_denied(request, exception)
