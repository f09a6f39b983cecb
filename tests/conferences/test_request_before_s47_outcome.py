"""The ICPC request as procedure 000 describes it (issue 9 point 4): the manager may request
the conference on the day of the strategy discussion, before the enquiry's outcome; an
enquiry then not substantiated opens `icpc_cancellation` (business support told within 5
working days of the request), which cancelling the request meets."""

from __future__ import annotations

import datetime as dt

import pytest

from conferences import services
from deadlines.models import Deadline, DeadlineStatus
from strategy import services as strategy
from strategy.models import NextStep, S47Outcome
from tests.conferences.factories import at, s47_initiated, threshold

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _deadline(child, rule_id):
    return Deadline.objects.exclude(status=DeadlineStatus.CANCELLED).get(child=child,
                                                                         rule_id=rule_id)


def test_manager_requests_the_icpc_on_the_day_of_the_strategy_discussion(smiths, sw, tm):
    s47_initiated(sw=sw, tm=tm, children=smiths, held_at=at(2027, 3, 17, 9))
    threshold(tm=tm, children=smiths)
    request = services.conference_request_create(user=sw, children=smiths,
                                                 reason="Injuries; enquiry under way.")
    services.conference_request_submit(user=sw, request=request)
    services.conference_request_approve(user=tm, request=request)
    for child in smiths:
        # Requested the same day: `icpc_request` met, not missed by design.
        assert _deadline(child, "icpc_request").status == DeadlineStatus.MET
        assert _deadline(child, "icpc_date_offered").status == DeadlineStatus.OPEN


def test_enquiry_not_substantiated_opens_icpc_cancellation_met_by_cancelling(smiths, sw, tm):
    s47_initiated(sw=sw, tm=tm, children=smiths, held_at=at(2027, 3, 17, 9))
    threshold(tm=tm, children=smiths)
    request = services.conference_request_create(user=sw, children=smiths,
                                                 reason="Injuries; enquiry under way.")
    services.conference_request_submit(user=sw, request=request)
    services.conference_request_approve(user=tm, request=request)
    for child in smiths:
        strategy.s47_record_outcome(user=sw, enquiry=child.s47_enquiries.get(),
                                    outcome=S47Outcome.NOT_SUBSTANTIATED,
                                    outcome_date=dt.date(2027, 3, 17),
                                    next_step=NextStep.CHILD_IN_NEED)
        cancellation = _deadline(child, "icpc_cancellation")
        assert cancellation.status == DeadlineStatus.OPEN
        assert cancellation.subject == request
        # 000: within 5 working days of the request (Wednesday 17th → Wednesday 24th).
        assert cancellation.due_date == dt.date(2027, 3, 24)
        assert cancellation.responsible == tm
    services.conference_request_cancel(user=tm, request=request,
                                       reason="Enquiry not substantiated.")
    for child in smiths:
        assert _deadline(child, "icpc_cancellation").status == DeadlineStatus.MET
        assert not Deadline.objects.filter(child=child, status=DeadlineStatus.OPEN,
                                           rule_id__in=["icpc", "icpc_date_offered"]).exists()
