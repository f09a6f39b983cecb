"""What the booking needs from strategy discussions and S47 enquiries (the strategy app),
through its selectors only: conferences never reads the strategy app's tables itself."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.utils import timezone

from cpcases.children.models import Child

if TYPE_CHECKING:
    from strategy.models import StrategyDiscussion, ThresholdDecision


def icpc_anchor(child: Child) -> StrategyDiscussion | None:
    """The strategy discussion at which the child's S47 enquiry was initiated (000)."""
    from strategy.selectors import icpc_anchor as anchor

    return anchor(child)


def icpc_anchors(child_ids: list[int]) -> dict[int, StrategyDiscussion]:
    """`icpc_anchor` of several children in one query (a list's page): child id -> the
    discussion; a child with no current enquiry is left out."""
    from strategy.models import S47Outcome, Section47Enquiry

    enquiries = (Section47Enquiry.objects
                 .filter(child_id__in=child_ids, superseded_by__isnull=True,
                         outcome__in=[S47Outcome.OPEN, S47Outcome.SUBSTANTIATED])
                 .select_related("initiated_by")
                 .order_by("child_id", "-started_on", "-id").distinct("child_id"))
    return {e.child_id: e.initiated_by for e in enquiries if e.initiated_by is not None}


def anchor_date(discussion: StrategyDiscussion) -> date:
    """The day the discussion was held, in Europe/London."""
    return timezone.localdate(discussion.held_at)


def latest_threshold_decision(child: Child) -> ThresholdDecision | None:
    from strategy.selectors import latest_threshold_decision as latest

    return latest(child)


def s47_substantiated(child: Child) -> bool:
    """Is the child's current S47 enquiry substantiated (003 "Outcomes of a Section 47":
    substantiated → convene an ICPC)?"""
    from strategy.selectors import substantiated_enquiry

    return substantiated_enquiry(child) is not None


def s47_requestable(child: Child) -> bool:
    """May an ICPC be requested for the child? 000: the manager requests the date on the day
    of the strategy discussion, before the enquiry's outcome; so an enquiry under way or
    substantiated will do (one not substantiated then cancels the request: icpc_cancellation).
    """
    from strategy.services import current_enquiry

    return current_enquiry(child) is not None
