"""The "concern identified" record, owned by the strategy app (issue 9): a contact decided as
an immediate strategy discussion, an assessment concluding one is needed, and new information
on an open case all record a concern, which opens the `strategy_discussion` clock (000) at
the moment the concern was identified, with its urgency."""

from __future__ import annotations

from datetime import datetime

from django.db import models

from cpcases.accounts.models import User
from cpcases.children.models import Child, CpStage
from deadlines import services as deadlines


def concern_raise(*, actor: User, child: Child, identified_at: datetime, urgency: str,
                  summary: str, origin: models.Model | None = None) -> object:
    """Record the concern through strategy.services.concern_record when it exists; until
    then open the same clock directly, on the origin record."""
    from strategy import services as strategy_services

    record = getattr(strategy_services, "concern_record", None)
    if record is not None:
        return record(actor=actor, child=child, identified_at=identified_at, urgency=urgency,
                      summary=summary, origin=origin)
    deadline = deadlines.deadline_set(child=child, rule_id="strategy_discussion",
                                      anchor=identified_at, subject=origin, variant=urgency,
                                      user=actor)
    if child.cp_stage == CpStage.NONE:
        child.cp_stage = CpStage.STRATEGY
        child.save(update_fields=["cp_stage", "updated_at"])
    return deadline
