"""ICPC request: drafted by the social worker, approved by the team manager with the
threshold decision (002 §2.3; 004), or returned with reasons (000)."""

from __future__ import annotations

import datetime as dt

import pytest

from conferences import services
from conferences.models import RequestStatus
from cpcases.core.errors import NotPermitted, ServiceError
from deadlines.models import Deadline, DeadlineStatus
from tests.conferences.conftest import S47_HELD
from tests.conferences.factories import (
    LONDON,
    approved_request,
    ready_for_request,
    submitted_request,
)
from tests.factories import AllocationFactory, ChildFactory, HouseholdFactory

pytestmark = pytest.mark.django_db


def test_team_manager_approval_sends_request_to_business_support_within_24_hours(
        ready, sw, tm, bso):
    request = approved_request(sw=sw, tm=tm, children=ready)

    assert request.status == RequestStatus.APPROVED
    assert request.approved_by == tm
    for child in ready:
        offered = Deadline.objects.get(child=child, rule_id="icpc_date_offered")
        # 000: business support replies with a date within 24 hours of the request.
        assert offered.due_at == dt.datetime(2027, 3, 18, 12, tzinfo=LONDON)
        # Business support's team queue: anyone there may pick it up (issue 9).
        assert (offered.responsible, offered.holder) == (None, "business_support")
        assert offered.status == DeadlineStatus.OPEN
        assert request.requested_children.get(child=child).threshold_decision.met


def test_approval_meets_the_icpc_request_deadline(ready, sw, tm):
    approved_request(sw=sw, tm=tm, children=ready)

    for child in ready:
        made = Deadline.objects.get(child=child, rule_id="icpc_request")
        assert made.met_at is not None
        # 000: requested on the day of the strategy discussion (15 March); made on the 17th.
        assert made.status == DeadlineStatus.MISSED


def test_approval_refused_without_a_threshold_decision(frozen, smiths, sw, tm):
    ready_for_request(sw=sw, tm=tm, children=smiths, held_at=S47_HELD, threshold_met=None)
    request = submitted_request(sw=sw, children=smiths)

    with pytest.raises(ServiceError, match="threshold decision"):
        services.conference_request_approve(user=tm, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
    assert not Deadline.objects.filter(rule_id="icpc_date_offered").exists()


def test_approval_refused_when_the_threshold_is_not_met(frozen, smiths, sw, tm):
    ready_for_request(sw=sw, tm=tm, children=smiths, held_at=S47_HELD, threshold_met=False)
    request = submitted_request(sw=sw, children=smiths)

    with pytest.raises(ServiceError, match="not met"):
        services.conference_request_approve(user=tm, request=request)


def test_a_social_worker_cannot_approve(ready, sw):
    request = submitted_request(sw=sw, children=ready)

    with pytest.raises(NotPermitted):
        services.conference_request_approve(user=sw, request=request)


def test_another_teams_manager_cannot_approve(ready, sw, tm_b):
    request = submitted_request(sw=sw, children=ready)

    with pytest.raises(NotPermitted):
        services.conference_request_approve(user=tm_b, request=request)


def test_returned_with_reasons_then_revised_and_resubmitted(ready, sw, tm):
    request = submitted_request(sw=sw, children=ready)

    with pytest.raises(ServiceError, match="reasons"):
        services.conference_request_return(user=tm, request=request, reason=" ")
    services.conference_request_return(user=tm, request=request,
                                       reason="Add the school's information.")
    request.refresh_from_db()
    assert request.status == RequestStatus.RETURNED
    assert request.return_reason == "Add the school's information."

    services.conference_request_update(user=sw, request=request, children=ready,
                                       reason="Substantiated S47; school's report attached.")
    services.conference_request_submit(user=sw, request=request)
    services.conference_request_approve(user=tm, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED


def test_an_approved_request_cannot_be_changed_by_the_social_worker(ready, sw, tm):
    request = approved_request(sw=sw, tm=tm, children=ready)

    with pytest.raises(ServiceError, match="cannot be changed"):
        services.conference_request_update(user=sw, request=request, children=ready,
                                           reason="Changed")


def test_submit_refused_without_a_substantiated_section_47(frozen, smiths, sw):
    request = services.conference_request_create(user=sw, children=smiths, reason="Worried")

    with pytest.raises(ServiceError, match="substantiated"):
        services.conference_request_submit(user=sw, request=request)


def test_children_of_one_request_are_of_one_household(org, ready, sw):
    elsewhere = ChildFactory(authority=org.authority, household=HouseholdFactory(
        authority=org.authority))
    AllocationFactory(child=elsewhere, team=org.team_a, social_worker=sw)

    with pytest.raises(ServiceError, match="same household"):
        services.conference_request_create(user=sw, children=[ready[0], elsewhere],
                                           reason="Both")


def test_a_child_is_on_one_open_request_at_a_time(ready, sw):
    services.conference_request_create(user=sw, children=ready, reason="First")

    with pytest.raises(ServiceError, match="already on conference request"):
        services.conference_request_create(user=sw, children=[ready[1]], reason="Again")


def test_a_social_worker_cannot_request_for_another_teams_child(ready, sw_b):
    with pytest.raises(NotPermitted):
        services.conference_request_create(user=sw_b, children=ready, reason="Not mine")


def test_business_support_cannot_draft_a_request(ready, bso):
    with pytest.raises(NotPermitted):
        services.conference_request_create(user=bso, children=ready, reason="No")
