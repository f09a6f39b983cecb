"""No lost updates: a save succeeds only if nobody saved the record since it was read."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from rest_framework.exceptions import APIException, ValidationError


@dataclass(frozen=True)
class FieldChange:
    """One field the other person changed: what you had read, what they saved, what you
    submitted (kept, so that nothing typed is lost)."""

    field: str
    label: str
    before: Any
    theirs: Any
    yours: Any


class EditConflict(Exception):
    """Somebody else saved the record after you opened it."""

    def __init__(self, instance: models.Model, changes: list[FieldChange],
                 saved_by: str | None) -> None:
        self.instance = instance
        self.changes = changes
        self.saved_by = saved_by
        who = saved_by or "someone else"
        super().__init__(f"{who} changed this record after you opened it.")


def save_if_unchanged(
    instance: models.Model, *, expected_version: int, fields: dict[str, Any], **extra: Any
) -> int:
    """UPDATE … SET fields, version = version + 1 WHERE id = … AND version = expected.

    Returns the new version, or raises EditConflict listing the fields the other person
    changed, compared with what this user submitted.
    """
    model = type(instance)
    updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
        version=models.F("version") + 1, **fields, **extra
    )
    if updated == 1:
        instance.refresh_from_db()
        return instance.version  # type: ignore[attr-defined]
    current = model._default_manager.get(pk=instance.pk)
    # The pghistory snapshot taken when the record reached the version this user read.
    read_state = (current.events.filter(version=expected_version)  # type: ignore[attr-defined]
                  .order_by("-pgh_id").first())
    changes = []
    for name, value in fields.items():
        attname = model._meta.get_field(name).attname
        before = getattr(read_state, attname, None) if read_state else None
        theirs = getattr(current, attname)
        if read_state is None or before != theirs:
            changes.append(FieldChange(
                field=name, label=str(model._meta.get_field(name).verbose_name).capitalize(),
                before=before, theirs=getattr(current, name), yours=value))
    updated_by = getattr(current, "updated_by", None)
    raise EditConflict(current, changes, str(updated_by) if updated_by else None)


# --- every edit page and every PATCH/PUT endpoint (issue 12 §3) ------------------------------
#
# A page that edits a record is wrapped in `edits(Model)`. The page's form carries the version
# the user read (`record_version`, drawn by {% csrf_token %}); the save runs in one transaction
# that ends by moving the record on one version *only if it is still the version read*
# (compare-and-set). A stale save is refused before the view writes anything, or, if another
# save slipped in while this one ran, rolled back and refused: the form comes back with what the
# user typed, the other person's changes named (before, theirs, yours), and their change taken
# into each field this user had not touched. The API's PATCH/PUT do the same with a `version`
# field (VersionedUpdateMixin) and answer 409.

VERSION_FIELD = "record_version"
_BOOKKEEPING = {"id", "version", "created_at", "updated_at", "created_by", "updated_by"}
_REDIRECTS = (301, 302, 303)


@dataclass
class EditGuard:
    """The record an edit page is about, the version its form carries, and (on a stale
    save) what the other person changed."""

    record: models.Model
    form_version: int | None
    conflict: EditConflict | None = None


_guard: ContextVar[EditGuard | None] = ContextVar("edit_guard", default=None)


def current_guard(request: HttpRequest | None = None) -> EditGuard | None:
    if request is not None and getattr(request, "edit_guard", None) is not None:
        return request.edit_guard  # type: ignore[attr-defined]
    return _guard.get()


def _display(obj: models.Model | None, field: models.Field) -> Any:
    if obj is None:
        return None
    value = getattr(obj, field.name, None)
    if field.is_relation:  # a person, a team: named, as the page and the API show them
        return str(value) if value is not None else None
    if field.choices and value not in (None, ""):
        return dict(field.flatchoices).get(value, value)
    return value


def describe_conflict(current: models.Model, read_version: int | None,
                      yours: Mapping[str, Any]) -> EditConflict:
    """What changed since `read_version`, field by field, from the record's history."""
    model = type(current)
    events = getattr(current, "events", None)
    # The state when the record reached the version read: the first snapshot at it (an edit
    # page's own writes are snapshotted at the old version, then the version moves on).
    read_state = (events.filter(version=read_version).order_by("pgh_id").first()
                  if events is not None and read_version is not None else None)
    changes = []
    if read_state is not None:
        for field in model._meta.concrete_fields:
            if field.name in _BOOKKEEPING or not field.editable:
                continue
            before = getattr(read_state, field.attname, None)
            if before == getattr(current, field.attname):
                continue
            changes.append(FieldChange(
                field=field.name, label=str(field.verbose_name).capitalize(),
                before=_display(read_state, field), theirs=_display(current, field),
                yours=yours.get(field.name)))
    updated_by = getattr(current, "updated_by", None)
    return EditConflict(current, changes, str(updated_by) if updated_by else None)


class _LostRace(Exception):
    pass


def _posted_version(request: HttpRequest) -> int | None:
    # A form with its own `version` field (plan revision, conference record) says it too.
    raw = request.POST.get(VERSION_FIELD) or request.POST.get("version") or ""
    return int(raw) if raw.isdigit() else None


def edits(model: type[models.Model], *, kwarg: str = "pk", lookup: str = "pk",
          scope: Callable[[HttpRequest], dict[str, Any]] | None = None,
          service_versions: bool = False,
          ) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a page that edits the `model` record found by `lookup` = URL `kwarg` (and
    the filters `scope(request)` gives, for a record found by the user, not the URL).

    `service_versions`: the page's service already saves with save_if_unchanged (which moves
    the version and refuses a stale one); the page then only shows the conflict."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            filters = {lookup: kwargs.get(kwarg), **(scope(request) if scope else {})}
            record = model._default_manager.filter(**filters).first()
            if record is None:  # no such record (the view answers 404) or it is made here
                return view(request, *args, **kwargs)
            if request.method != "POST":
                return _run(request, EditGuard(record, record.version), view, args, kwargs)
            read = _posted_version(request)
            if read != record.version:
                return _refused(request, record, read, view, args, kwargs)
            try:
                with transaction.atomic():
                    response = _run(request, EditGuard(record, read), view, args, kwargs)
                    if response.status_code in _REDIRECTS and not service_versions and \
                            not model._default_manager.filter(
                            pk=record.pk, version=read).update(
                                version=models.F("version") + 1):
                        raise _LostRace  # someone saved while this ran: undo this save
            except _LostRace:
                return _refused(request, model._default_manager.get(pk=record.pk), read, view,
                                args, kwargs)
            return response

        wrapped.edits_model = model  # type: ignore[attr-defined]
        return wrapped

    return decorator


def _refused(request: HttpRequest, current: models.Model, read: int | None,
             view: Callable[..., HttpResponse], args: tuple, kwargs: dict) -> HttpResponse:
    conflict = describe_conflict(current, read, request.POST)
    guard = EditGuard(current, current.version, conflict)  # type: ignore[attr-defined]
    # The view sees the conflict through its form (GovFormMixin), which refuses to save; what
    # else the view writes (the access log of the page shown) stays. The walk
    # (tests/foundation/test_resubmit_and_stale_walks.py) proves every edit page refuses.
    return _run(request, guard, view, args, kwargs)


def _run(request: HttpRequest, guard: EditGuard, view: Callable[..., HttpResponse],
         args: tuple, kwargs: dict) -> HttpResponse:
    request.edit_guard = guard  # type: ignore[attr-defined]
    token = _guard.set(guard)
    try:
        return view(request, *args, **kwargs)
    finally:
        _guard.reset(token)


def apply_conflict(form: forms.BaseForm) -> None:
    """Called by every form of the service after validation: on a stale save, refuse it,
    keep what was typed, take the other person's value into each field this user left as it
    was, and name their changes."""
    guard = _guard.get()
    if guard is None or guard.conflict is None or not form.is_bound:
        return
    show_conflict(form, guard.conflict)


def show_conflict(form: forms.BaseForm, conflict: EditConflict) -> None:
    """Refuse the form's save, keep what was typed, take the other person's value into each
    field this user left as it was (and the current version into the form's own `version`
    field, if it has one), and name their changes (drawn by the error summary)."""
    data = form.data.copy()
    if "version" in form.fields:
        data["version"] = str(conflict.instance.version)  # type: ignore[attr-defined]
    named = []
    for change in conflict.changes:
        bound = form.fields.get(change.field)
        if bound is None:
            continue
        yours = form.cleaned_data.get(change.field) if hasattr(form, "cleaned_data") else None
        named.append(FieldChange(field=change.field, label=str(bound.label or change.label),
                                 before=change.before, theirs=change.theirs,
                                 yours=_shown(yours, bound, change.yours)))
        theirs_raw = getattr(conflict.instance, model_attname(conflict.instance, change.field))
        if _same(yours, change.before, conflict.instance, change.field):
            _put(data, change.field, bound, theirs_raw)
    form.data = data
    form.edit_conflict = conflict  # type: ignore[attr-defined]
    form.edit_changes = named or conflict.changes  # type: ignore[attr-defined]
    who = conflict.saved_by or "Someone else"
    form.add_error(None, f"{who} changed this record after you opened it, so your changes "
                         "were not saved. What you typed is kept; check their changes in the "
                         "table below, then save again.")


def _shown(value: Any, field: forms.Field, raw: Any) -> Any:
    """What the user chose, as the form shows it (a choice's label, a person's name)."""
    if value is None:
        return raw
    if isinstance(value, models.Model):
        return str(value)
    choices = dict(getattr(field, "flatchoices", None) or getattr(field, "choices", None) or ())
    return choices.get(value, value) if choices else value


def model_attname(instance: models.Model, name: str) -> str:
    return instance._meta.get_field(name).attname


def _same(yours: Any, before: Any, instance: models.Model, name: str) -> bool:
    field = instance._meta.get_field(name)
    if isinstance(yours, models.Model):  # a relation's `before` is its name (_display)
        return str(yours) == before
    if field.choices and before is not None:
        before = {str(v): k for k, v in field.flatchoices}.get(str(before), before)
    if isinstance(before, models.Model):
        before = before.pk
    return yours == before


def _put(data: QueryDict, name: str, field: forms.Field, value: Any) -> None:
    widget = field.widget
    if isinstance(widget, forms.MultiWidget):
        for index, part in enumerate(widget.decompress(value)):
            data[f"{name}_{index}"] = "" if part is None else str(part)
    elif isinstance(widget, forms.CheckboxInput):
        data.pop(name, None)
        if value:
            data[name] = "on"
    else:
        data[name] = "" if value is None else str(value)


class VersionedUpdateMixin:
    """PATCH and PUT on a record need the `version` the caller read (a field of the body):
    a stale version answers 409 Conflict naming the other person's changes; none answers 400.
    The response carries the new version. Put first among the viewset's bases."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("PUT", "PATCH"):
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        try:
            with transaction.atomic():
                response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
                record = getattr(self, "_versioned_record", None)
                if record is not None and 200 <= response.status_code < 300:
                    model = type(record)
                    if not model._default_manager.filter(
                            pk=record.pk, version=self._versioned_read).update(
                                version=models.F("version") + 1):
                        raise _LostRace
                    if isinstance(getattr(response, "data", None), dict):
                        response.data["version"] = self._versioned_read + 1
        except _LostRace:
            return self._conflict(request, type(record)._default_manager.get(pk=record.pk),
                                  self._versioned_read)
        return response

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if request.method not in ("PUT", "PATCH"):
            return
        record = self.get_versioned_record()
        if record is None:  # nothing saved yet to be stale against
            return
        raw = request.data.get("version") if hasattr(request.data, "get") else None
        if raw is None or not str(raw).isdigit():
            raise ValidationError({"version": ["Send the version of the record you read."]})
        read = int(raw)
        if read != record.version:
            raise StaleVersion(describe_conflict(record, read, request.data))
        self._versioned_record, self._versioned_read = record, read

    def get_versioned_record(self) -> models.Model | None:
        return self.get_object()  # type: ignore[attr-defined]

    def _conflict(self, request: Any, current: models.Model, read: int) -> HttpResponse:
        from cpcases.core.api import problem  # core.api imports the errors only

        body = conflict_body(describe_conflict(current, read, request.data))
        response = problem(request, 409, body.pop("detail"), kind="conflict", **body)
        return self.finalize_response(request, response)  # type: ignore[attr-defined]


def conflict_body(exc: EditConflict) -> dict[str, Any]:
    return {"detail": str(exc),
            "changes": [{"field": c.field, "before": c.before, "theirs": c.theirs,
                         "yours": c.yours} for c in exc.changes],
            "current_version": exc.instance.version}  # type: ignore[attr-defined]


class StaleVersion(APIException):
    """409 Conflict: the record changed since the version the caller sent."""

    status_code = 409
    default_code = "conflict"

    def __init__(self, conflict: EditConflict) -> None:
        super().__init__(detail=str(conflict))
        self.detail = conflict_body(conflict)  # type: ignore[assignment]


def openapi_hook(result: dict[str, Any], generator: Any, request: Any, public: bool
                 ) -> dict[str, Any]:
    """drf-spectacular postprocessing: every PATCH/PUT body needs `version` and may answer
    409; every POST takes an optional `Idempotency-Key` header (cpcases.core.idempotency)."""
    conflict = {"description": "The record changed since the version sent: `changes` names "
                               "each field the other person changed (before, theirs, yours) "
                               "and `current_version` is the version to read again."}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method in ("patch", "put"):
                operation.setdefault("responses", {})["409"] = conflict
                body = operation.setdefault("requestBody", {"content": {}})
                body["required"] = True
                for media in body.get("content", {}).values():
                    media["schema"] = {"allOf": [media.get("schema", {}), {
                        "type": "object", "required": ["version"],
                        "properties": {"version": {
                            "type": "integer",
                            "description": "The version of the record you read (from its "
                                           "GET); an older one answers 409."}}}]}
            elif method == "post":
                operation.setdefault("parameters", []).append({
                    "in": "header", "name": "Idempotency-Key", "required": False,
                    "schema": {"type": "string", "maxLength": 120},
                    "description": "Any unique string per intended write: the same key "
                                   "again from the same caller gets the first answer back "
                                   "(header Idempotent-Replayed: true) and writes nothing."})
    return result
