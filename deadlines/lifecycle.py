"""The engine that applies the lifecycle declarations of deadlines.policy.LIFECYCLES.

Workflow services say what happened (`emit(Event.CONFERENCE_STARTED, child=…, scope=…)`);
this module opens the rules that event opens, meets the ones it meets, and ends the open
deadlines whose purpose it settles, *missed* or *cancelled* with the reason, all in the
caller's transaction. No workflow decides by itself which deadlines an event touches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.children.models import Child
from deadlines.models import Deadline, DeadlineStatus
from deadlines.policy import (
    End,
    Event,
    national_rule,
    rules_ended_by,
    rules_met_by,
    rules_opened_by,
)

__all__ = ["Event", "emit", "open_deadlines"]


def _subjects_q(scope: Iterable[models.Model]) -> Q:
    q = Q(pk__in=[])
    for subject in scope:
        q |= Q(content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk)
    return q


def open_deadlines(child: Child, rule_ids: Sequence[str],
                   scope: Iterable[models.Model] | None = None) -> list[Deadline]:
    """The child's open deadlines of these rules, about one of `scope`'s records if given."""
    queryset = Deadline.objects.select_for_update().filter(
        child=child, rule_id__in=list(rule_ids), status=DeadlineStatus.OPEN)
    if scope is not None:
        queryset = queryset.filter(_subjects_q(scope))
    return list(queryset.order_by("id"))


@transaction.atomic
def emit(event: str, *, child: Child, actor: User | None, subject: models.Model | None = None,
         anchor: Any = None, at: datetime | None = None, scope: Iterable[models.Model] | None
         = None, reason: str = "", variant: str = "", only: Iterable[str] | None = None
         ) -> dict[str, list[Deadline]]:
    """Apply `event` for one child, as the policy declares:

    - rules it opens are set on `subject`, from `anchor` (with the `variant`, if any);
    - the child's open deadlines of rules it meets are met at `at` (met, or missed if late);
    - open deadlines of rules it ends are closed missed or cancelled with `reason` (the
      event's description when none is given).

    `scope` limits meeting and ending to deadlines about those records (e.g. the conference
    that started); `only` limits the rules touched (e.g. a pre-birth request opens one kind).
    Returns the deadlines opened, met and ended.
    """
    from deadlines import services

    if event not in Event.values:
        raise ValueError(f"Unknown event {event!r}")
    allowed = set(only) if only is not None else None
    at = at or timezone.now()
    why = reason or Event(event).label.capitalize()
    result: dict[str, list[Deadline]] = {"opened": [], "met": [], "ended": []}

    def wanted(rule_id: str) -> bool:
        return allowed is None or rule_id in allowed

    scope = list(scope) if scope is not None else None
    for rule_id in filter(wanted, rules_met_by(event)):
        for deadline in open_deadlines(child, [rule_id], scope):
            result["met"].append(services.deadline_meet(deadline=deadline, at=at, user=actor))
    for rule_id, how in rules_ended_by(event).items():
        if not wanted(rule_id):
            continue
        for deadline in open_deadlines(child, [rule_id], scope):
            if how == End.MISSED:
                closed = services.deadline_miss(deadline=deadline, reason=why, user=actor,
                                                event=event)
            else:
                closed = services.deadline_cancel(deadline=deadline, reason=why, user=actor,
                                                  event=event)
            result["ended"].append(closed)
    if anchor is not None:
        for rule_id in filter(wanted, rules_opened_by(event)):
            result["opened"].append(services.deadline_set(
                child=child, rule_id=rule_id, anchor=anchor, subject=subject, user=actor,
                variant=variant if national_rule(rule_id).variants else ""))
    return result


def emit_for(event: str, *, children: Iterable[Child], **kwargs: Any
             ) -> dict[str, list[Deadline]]:
    """`emit` for each child (a conference covers several)."""
    total: dict[str, list[Deadline]] = {"opened": [], "met": [], "ended": []}
    for child in children:
        for key, values in emit(event, child=child, **kwargs).items():
            total[key].extend(values)
    return total
