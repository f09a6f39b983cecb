"""Which children's records a request read (issue 12 §5).

While a request is served, every row loaded of a model that leads to a child (the child
itself, or a record along `reads.CHILD_PATHS`, or one naming children by id) is noted; the
read-audit middleware logs those children once the answer is ready. A page shows what it
reads, so a queue, a calendar, a PDF or an .ics file is logged without the view remembering.
Rows are noted through Django's post_init signal, connected per model (other models cost
nothing); outside a request (Celery, commands) nothing is noted.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.db.models import Model
from django.db.models.signals import post_init

_loaded: ContextVar[list[Model] | None] = ContextVar("cpcases_loaded_rows", default=None)


def _note(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    rows = _loaded.get()
    if rows is not None and instance.pk is not None:
        rows.append(instance)


def leads_to_a_child(model: type[Model]) -> bool:
    from cpcases.audit.reads import CHILD_PATHS, _valid_path

    if model._meta.label == "children.Child":
        return True
    if any(f.name == "child_ids" for f in model._meta.concrete_fields):
        return True
    return any(_valid_path(model, path) for path in CHILD_PATHS)


def connect() -> None:
    for model in apps.get_models():
        if leads_to_a_child(model):
            post_init.connect(_note, sender=model, weak=False,
                              dispatch_uid=f"audit-loaded-{model._meta.label}")


def start() -> Any:
    return _loaded.set([])


def stop(token: Any) -> list[Model]:
    rows = _loaded.get() or []
    _loaded.reset(token)
    return rows


def rows_so_far() -> list[Model]:
    return list(_loaded.get() or [])
