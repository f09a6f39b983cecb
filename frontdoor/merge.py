"""Merging a duplicate child record into the one kept (a manager's decision).

Every row that points at the duplicate moves to the kept record, except the append-only
audit trail (pghistory events and access events stay where they were written). Rows that
would break a uniqueness rule on the kept record (the same person linked twice, a second
current allocation) stay on the duplicate and are listed. Open deadlines that now repeat one
of the kept record's (same rule and subject) are cancelled, keeping the earlier due date.
The merge row keeps the duplicate's fields and the ids of everything moved.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import MANAGEMENT_LADDER
from cpcases.children.models import Allocation, Child
from cpcases.children.scoping import visible_children
from cpcases.core.errors import NotPermitted, ServiceError
from deadlines import services as deadlines
from deadlines.models import Deadline, DeadlineStatus
from frontdoor.models import ChildMerge

# Rows never moved: the trail of what happened stays with the record it happened to.
_NOT_MOVED = {"merges_kept", "merges_merged", "merged_records"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _is_history(model: type[models.Model]) -> bool:
    return model.__name__.endswith("Event") or model._meta.app_label == "audit"


def _move_rows(keep: Child, duplicate: Child) -> tuple[dict[str, list[int]], list[str]]:
    moved: dict[str, list[int]] = {}
    left: list[str] = []
    # The duplicate's current allocation ends: the kept record has its own (one current).
    Allocation.objects.filter(child=duplicate, ended_on__isnull=True).update(
        ended_on=timezone.localdate(), reason="Record merged into another")
    for rel in Child._meta.related_objects:
        if not (rel.one_to_many or rel.one_to_one) or rel.get_accessor_name() in _NOT_MOVED:
            continue
        model, field = rel.related_model, rel.field.name
        if _is_history(model):
            continue
        for pk in list(model._default_manager.filter(**{field: duplicate})
                       .values_list("pk", flat=True)):
            try:
                with transaction.atomic():
                    model._default_manager.filter(pk=pk).update(**{field: keep})
            except IntegrityError:
                left.append(f"{model._meta.label}:{pk}")
            else:
                moved.setdefault(model._meta.label, []).append(pk)
    return moved, left


def _deduplicate_deadlines(keep: Child, duplicate: Child, user: User) -> list[int]:
    """One open deadline per (rule, subject) once the records are one: of two, the later due
    date is cancelled (done before the rows move: only one may be open)."""
    cancelled: list[int] = []
    kept_open = {(d.rule_id, d.content_type_id, d.object_id): d for d in
                 Deadline.objects.filter(child=keep, status=DeadlineStatus.OPEN)}
    for theirs in Deadline.objects.filter(child=duplicate, status=DeadlineStatus.OPEN):
        ours = kept_open.get((theirs.rule_id, theirs.content_type_id, theirs.object_id))
        if ours is None:
            continue
        later = theirs if (theirs.due_date, theirs.pk) >= (ours.due_date, ours.pk) else ours
        deadlines.deadline_cancel(deadline=later, user=user,
                                  reason="Duplicate after a record merge")
        cancelled.append(later.pk)
    return cancelled


@transaction.atomic
def child_merge(*, actor: User, keep: Child, duplicate: Child, reason: str) -> ChildMerge:
    """A manager merges `duplicate` into `keep` (both within their scope)."""
    if actor.role not in MANAGEMENT_LADDER:
        raise NotPermitted("Only a manager merges records.")
    scope = visible_children(actor)
    children = {c.pk: c for c in Child.objects.select_for_update().filter(
        pk__in=[keep.pk, duplicate.pk])}
    if keep.pk == duplicate.pk:
        raise ServiceError("Choose two different records.")
    if not scope.filter(pk__in=[keep.pk, duplicate.pk]).count() == 2:
        raise NotPermitted("You do not have access to both records.")
    keep, duplicate = children[keep.pk], children[duplicate.pk]
    if not reason.strip():
        raise ServiceError("Give the reason these records are the same child.", field="reason")
    replaced = {k: _jsonable(v) for k, v in model_to_dict(duplicate).items()}
    replaced["la_child_id"] = duplicate.la_child_id
    cancelled = _deduplicate_deadlines(keep, duplicate, actor)
    moved, left = _move_rows(keep, duplicate)
    # Identifiers the kept record lacks come from the duplicate (nothing known is lost).
    for field in ("nhs_number", "upn", "former_upn", "date_of_death"):
        if not getattr(keep, field) and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
    if not keep.disabilities:
        keep.disabilities = duplicate.disabilities
    keep.updated_by = actor
    keep.version += 1
    keep.save()
    duplicate.merged_into, duplicate.updated_by = keep, actor
    duplicate.version += 1
    duplicate.save(update_fields=["merged_into", "updated_by", "version", "updated_at"])
    if left:
        moved["left_on_duplicate"] = left  # type: ignore[assignment]
    return ChildMerge.objects.create(authority_id=keep.authority_id, kept=keep,
                                     merged=duplicate, merged_by=actor, reason=reason,
                                     replaced=replaced, moved=moved,
                                     deadlines_cancelled=cancelled)
