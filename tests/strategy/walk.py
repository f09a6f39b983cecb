"""Objects for the permission walk (tests/foundation/test_permission_walk.py): each builds one
strategy record for the walk's child (team A, allocated to sw) through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cpcases.children.models import Child
from strategy import services
from strategy.models import ConsultationRequest, StrategyDiscussion
from tests.strategy.conftest import full_attendance


def _discussion(fixtures: Any, child: Child) -> StrategyDiscussion:
    held = timezone.now() - dt.timedelta(hours=1)
    return services.strategy_discussion_record(
        user=fixtures.getfixturevalue("sw"), children=[child],
        concern_identified_at=held - dt.timedelta(hours=2), urgency="complex",
        format="meeting", held_at=held, outcomes={child.pk: services.S47},
        participants=full_attendance(), information_shared="Walk")


def walk_discussion(fixtures: Any, child: Child) -> int:
    return _discussion(fixtures, child).pk


def walk_enquiry(fixtures: Any, child: Child) -> int:
    return _discussion(fixtures, child).enquiries.get().pk


def walk_threshold(fixtures: Any, child: Child) -> int:
    """A threshold discussion held with the walk's chair, its outcome still to record."""
    _discussion(fixtures, child)
    return services.threshold_decide(
        user=fixtures.getfixturevalue("tm"), child=child, harm_evidenced=True,
        attributable_to_parental_care=True, harm_likely=True, rationale="Walk",
        iro=fixtures.getfixturevalue("chair")).pk


def walk_consultation_requested(fixtures: Any, child: Child) -> int:
    fixtures.getfixturevalue("tm")  # the social worker's manager takes part
    return services.consultation_request(user=fixtures.getfixturevalue("sw"), child=child,
                                         question="Walk").pk


def walk_consultation_assigned(fixtures: Any, child: Child) -> int:
    consultation = ConsultationRequest.objects.get(
        pk=walk_consultation_requested(fixtures, child))
    services.consultation_assign_chair(user=fixtures.getfixturevalue("bso"),
                                       consultation=consultation,
                                       chair=fixtures.getfixturevalue("chair"))
    return consultation.pk


def walk_concern(fixtures: Any, child: Child) -> int:
    from django.utils import timezone

    return services.concern_record(actor=fixtures.getfixturevalue("sw"), child=child,
                                   identified_at=timezone.now(), urgency="complex",
                                   summary="Walk").pk


WALK_PLACEHOLDERS = {
    "concern": walk_concern,
    "discussion": walk_discussion, "enquiry": walk_enquiry, "threshold": walk_threshold,
    "consultation_requested": walk_consultation_requested,
    "consultation_assigned": walk_consultation_assigned,
}
