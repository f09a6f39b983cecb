"""The API's one refusal rule and one error shape (issue 15 §1-2; docs/api.md).

Refusal rule, the same on every endpoint:
- not signed in (no or a bad token, no session): 401 with `WWW-Authenticate: Token`;
- a record outside the caller's scope: 404, the same answer as for a record that does not
  exist (a restricted child's existence is never revealed) — `scoped_get`, `visible_child`;
- a record in scope that the caller's role may not act on: 403 (`NotPermitted` from a
  service).

Error shape: every 4xx is RFC 9457 problem details (`application/problem+json`):
`type`, `title`, `status`, `detail`, `instance`, and for bad input `errors`, one entry per
field error: `{field, message, code}` (`field` null for an error about the whole request).
A statutory return rule adds `rule` and `reference` to its entry; 409s keep their extra
members (`warnings`, `changes`, `current_version`, `duplicates`).

Services raise `ServiceError`/`NotPermitted`/`RuleError` (cpcases.core.errors); the handler
here turns them into answers, so endpoints call services directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, permissions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from cpcases.core.errors import NotPermitted, RuleError, ServiceError, WarningsToConfirm

if TYPE_CHECKING:
    from cpcases.accounts.models import User
    from cpcases.children.models import Child

M = TypeVar("M", bound=Model)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://cpcases.invalid/problems/"  # documented in docs/api.md

# type slug per kind of problem; any other status is `about:blank` (RFC 9457 §4.2.1).
PROBLEM_TYPES = {
    "validation": "Your request has errors",
    "rule": "A statutory return rule refuses the data",
    "refused": "The case does not allow this now",
    "warnings": "Please check and confirm",
    "conflict": "The record changed since you read it",
    "duplicates": "This child may already have a record",
}

NOT_FOUND = "Not found."


def problem_type(kind: str | None) -> str:
    return f"{PROBLEM_BASE}{kind}" if kind else "about:blank"


def problem_body(status: int, detail: str, *, instance: str = "", kind: str | None = None,
                 errors: list[dict[str, Any]] | None = None, **extensions: Any
                 ) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem_type(kind),
        "title": PROBLEM_TYPES.get(kind or "") or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extensions)
    return body


def problem(request: Any, status: int, detail: str, *, kind: str | None = None,
            errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None,
            **extensions: Any) -> Response:
    """A problem-details answer built by an endpoint (e.g. a 409 it returns, not raises)."""
    path = request.get_full_path() if request is not None else ""
    return Response(problem_body(status, detail, instance=path, kind=kind, errors=errors,
                                 **extensions),
                    status=status, headers=headers, content_type=PROBLEM_JSON)


def problem_json_response(request: HttpRequest, status: int, detail: str) -> JsonResponse:
    """The same shape from plain Django (middleware answering before DRF runs)."""
    return JsonResponse(problem_body(status, detail, instance=request.get_full_path()),
                        status=status, content_type=PROBLEM_JSON)


# --- scope ---------------------------------------------------------------------------------

def scoped_get(queryset: QuerySet[M], pk: Any, *, what: str = "record") -> M:
    """The record if it is in `queryset` (already scoped to the caller), else 404 — the
    same answer whether the record does not exist or is outside the caller's scope."""
    try:
        found = queryset.filter(pk=pk).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise exceptions.NotFound(f"No {what} found.")
    return found


def visible_child(user: User, child_id: Any) -> Child:
    """A child the user may see (children.selectors.visible_children), else 404."""
    from cpcases.children.selectors import visible_children  # children imports core

    return scoped_get(visible_children(user), child_id, what="child")


class RecordInScopeFirst(permissions.BasePermission):
    """A write to a record (a viewset's detail route: PATCH, DELETE, POST .../action/) looks
    the record up in the caller's scope before the body is read, so a record outside it
    answers 404 whatever the body — never a 400 about the fields (issue 15 §1). Reads need
    nothing: `retrieve` looks the record up first anyway."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if (request.method not in permissions.SAFE_METHODS and getattr(view, "detail", False)
                and hasattr(view, "get_object")  # a GenericAPIView (not imported: a circle)
                and (view.lookup_url_kwarg or view.lookup_field) in view.kwargs):
            view.get_object()  # 404 outside the caller's scope
        return True


# --- the exception handler -----------------------------------------------------------------

def _flatten(detail: Any, field: str | None = None) -> Iterator[dict[str, Any]]:
    """DRF's nested error details as a flat list of {field, message, code}."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            key = str(key)
            if key in ("detail", api_settings.NON_FIELD_ERRORS_KEY):
                yield from _flatten(value, field)
            else:
                yield from _flatten(value, f"{field}.{key}" if field else key)
    elif isinstance(detail, list):
        if detail and all(isinstance(item, dict | list) for item in detail):
            for index, item in enumerate(detail):  # many=True: one entry per item
                if item:
                    yield from _flatten(item, f"{field}.{index}" if field else str(index))
        else:
            for item in detail:
                yield from _flatten(item, field)
    else:
        yield {"field": field, "message": str(detail),
               "code": getattr(detail, "code", None) or "invalid"}


def _service_error(exc: ServiceError) -> exceptions.APIException:
    if isinstance(exc, NotPermitted):
        return exceptions.PermissionDenied(str(exc) or None)
    entry: dict[str, Any] = {"field": exc.field, "message": str(exc),
                             "code": "rule" if isinstance(exc, RuleError) else "refused"}
    if isinstance(exc, RuleError):
        entry.update(rule=exc.rule, reference=exc.reference)
    error = exceptions.ValidationError(str(exc))
    error.problem_errors = [entry]  # type: ignore[attr-defined]
    error.problem_kind = "rule" if isinstance(exc, RuleError) else "refused"  # type: ignore[attr-defined]
    return error


def _log_refusal(exc: Exception, context: dict[str, Any]) -> None:
    from cpcases.audit.reads import _section, record_refusal

    if isinstance(exc, Http404 | exceptions.NotFound | exceptions.PermissionDenied
                  | DjangoPermissionDenied | NotPermitted):
        request = context.get("request")
        if request is not None:
            record_refusal(request._request, section=_section(context.get("view"), "refused"))


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every refusal is access-logged (issue 12 §5) and
    every 4xx answers in the problem-details shape."""
    from rest_framework.views import exception_handler, set_rollback

    _log_refusal(exc, context)
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""

    if isinstance(exc, WarningsToConfirm):  # 409: resend with confirm_warnings: true
        set_rollback()
        return problem(request, 409, "Please check and confirm: " + str(exc), kind="warnings",
                       errors=[{"field": w.field, "message": w.message, "code": "warning",
                                "rule": w.rule} for w in exc.warnings],
                       warnings=[w.as_dict() for w in exc.warnings])
    if isinstance(exc, ServiceError):
        exc = _service_error(exc)

    response = exception_handler(exc, context)
    if response is None or not 400 <= response.status_code < 500:
        return response

    status = response.status_code
    data = response.data
    kind: str | None = getattr(exc, "problem_kind", None)
    errors: list[dict[str, Any]] | None = getattr(exc, "problem_errors", None)
    extensions: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        kind = kind or "validation"
        errors = errors if errors is not None else list(_flatten(data))
        detail = "; ".join(
            (f"{e['field']}: {e['message']}" if e["field"] else e["message"]) for e in errors
        ) or "Your request has errors."
    elif isinstance(data, dict):
        detail = str(data.get("detail", "")) or HTTPStatus(status).phrase
        extensions = {k: v for k, v in data.items() if k != "detail"}
        if status == 409 and "changes" in extensions:
            kind = "conflict"
    else:
        detail = str(data) if data else HTTPStatus(status).phrase
    if status == 404:
        detail = detail if detail.startswith("No ") else NOT_FOUND

    response.data = problem_body(status, detail, instance=instance, kind=kind, errors=errors,
                                 **extensions)
    response.content_type = PROBLEM_JSON
    if request is not None:  # a problem is JSON even where the route answers CSV or a file
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), PROBLEM_JSON
    return response


# --- the schema ----------------------------------------------------------------------------

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details: the shape of every 4xx answer (docs/api.md).",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "description": "`about:blank` or a problem type URI."},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 499},
        "detail": {"type": "string", "description": "What went wrong, in plain words."},
        "instance": {"type": "string", "description": "The path asked for."},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemError"}},
    },
    "additionalProperties": True,  # 409s: warnings, changes, current_version, duplicates
}
PROBLEM_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["field", "message", "code"],
    "properties": {
        "field": {"type": "string", "nullable": True,
                  "description": "The request field (dotted for nested ones); null for the "
                                 "whole request."},
        "message": {"type": "string"},
        "code": {"type": "string"},
        "rule": {"type": "string", "description": "A statutory return rule's number."},
        "reference": {"type": "string", "description": "Where that rule is published."},
    },
    "additionalProperties": True,
}

STATUS_WORDS = {
    "400": "Bad input or a refused precondition: `errors` names each field.",
    "401": "No or bad credentials (header WWW-Authenticate names the scheme).",
    "403": "In the case, but your role may not do this.",
    "404": "No such record, or one outside your cases (the same answer).",
    "409": "Conflict: warnings to confirm, a possible duplicate, or a record changed since "
           "you read it.",
    "422": "The Idempotency-Key was already used for another request.",
}
WRITES = ("post", "put", "patch", "delete")
BLANK = {"$ref": "#/components/schemas/BlankEnum"}
LOCAL_TIME = {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$",
              "description": "A local time of day in England (Europe/London), HH:MM:SS."}


def _local_times(schema: dict[str, Any]) -> None:
    """Times of day are wall-clock times in England, without an offset: JSON Schema's
    `time` format needs one, so they are documented by their pattern instead."""
    for prop in schema.get("properties", {}).values():
        if prop.get("format") == "time":
            del prop["format"]
            prop.update({k: v for k, v in LOCAL_TIME.items() if k not in prop})
    if schema.get("format") == "time":
        del schema["format"]
        schema.update({k: v for k, v in LOCAL_TIME.items() if k not in schema})


def _is_enum_ref(prop: dict[str, Any]) -> dict[str, Any] | None:
    if prop.get("$ref", "").endswith("Enum") and not prop["$ref"].endswith("BlankEnum"):
        return {"$ref": prop["$ref"]}
    parts = prop.get("allOf", [])
    if len(parts) == 1 and parts[0].get("$ref", "").endswith("Enum"):
        return parts[0]
    return None


def _unset_is_blank(schema: dict[str, Any]) -> None:
    """In answers, a choice or an e-mail address not given is "" (the models keep blank
    text, never null): say so, as the one blank value (BlankEnum) beside the choices."""
    for key, prop in list(schema.get("properties", {}).items()):
        alternatives = prop.get("oneOf") or prop.get("anyOf") or []
        if BLANK in alternatives:
            continue
        if any(_is_enum_ref(alt) for alt in alternatives):  # e.g. [XEnum, NullEnum]
            prop.pop("oneOf", None)
            prop["anyOf"] = [*alternatives, BLANK]
            continue
        enum = _is_enum_ref(prop)
        if enum is not None:
            rest = {k: v for k, v in prop.items() if k not in ("$ref", "allOf")}
            schema["properties"][key] = {"anyOf": [enum, BLANK], **rest}
        elif prop.get("format") == "email":
            rest = {k: v for k, v in prop.items() if k not in ("type", "format")}
            schema["properties"][key] = {
                "anyOf": [{"type": "string", "format": "email"}, BLANK], **rest}


def openapi_problems_hook(result: dict[str, Any], generator: Any, request: Any, public: bool
                          ) -> dict[str, Any]:
    """drf-spectacular postprocessing (after cpcases.core.concurrency.openapi_hook): every
    operation documents its problem-details answers."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["ProblemError"] = PROBLEM_ERROR_SCHEMA
    schemas.setdefault("BlankEnum", {"enum": [""]})
    for name, schema in schemas.items():
        _local_times(schema)
        if not name.endswith("Request") and name not in ("Problem", "ProblemError"):
            _unset_is_blank(schema)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                _local_times(parameter.get("schema", {}))
    content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", *WRITES):
                continue
            responses = operation.setdefault("responses", {})
            statuses = ["400", "401", "403", "404"]
            if method in WRITES:
                statuses.append("409")
            if method == "post":
                statuses.append("422")
            for status in statuses:
                known = responses.get(status, {})
                responses[status] = {
                    "description": known.get("description") or STATUS_WORDS[status],
                    "content": content}
            for status, known in responses.items():  # any other 4xx an endpoint documents
                if str(status).startswith("4") and status not in statuses:
                    responses[status] = {"description": known.get("description") or
                                         HTTPStatus(int(status)).phrase, "content": content}
    return result
