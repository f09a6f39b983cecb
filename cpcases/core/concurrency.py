"""No lost updates: a save succeeds only if nobody saved the record since it was read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models


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
