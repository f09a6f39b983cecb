"""No deadline born missed without a word (issue 9 point 5): a booking date that leaves no
time for the preparation deadlines shows which ones it makes impossible before anything is
booked, and asks for the reason; they are recorded missed with it and no breach notices
follow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conferences import services
from conferences.models import Conference
from cpcases.core.errors import ServiceError
from deadlines.models import Deadline, DeadlineStatus, Notification
from deadlines.sweep import deadlines_sweep
from tests.conferences.factories import approved_request

pytestmark = pytest.mark.django_db
NEXT_DAY = dt.date(2027, 3, 18)  # the day after "now" (17 March 2027, 12:00)


def _form(chair, bso, reason=""):
    return {"date_0": "18", "date_1": "3", "date_2": "2027", "start_time": "10:00",
            "venue": "Room 2, Civic Centre", "chair": chair.pk, "minute_taker": bso.pk,
            "impossible_reason": reason}


def test_next_day_booking_lists_the_impossible_deadlines_before_booking(
        client, ready, sw, tm, bso, chair):
    request = approved_request(sw=sw, tm=tm, children=ready)
    client.force_login(bso)
    page = client.post(reverse("conferences:request_book", args=[request.pk]),
                       _form(chair, bso))
    text = page.content.decode()
    assert page.status_code == 200
    assert "means these deadlines can no longer be met" in text
    for name in ("Report shared with parents and child", "Report shared with the chair",
                 "Attendee details given", "Agency reports to the chair"):
        assert name in text
    assert not Conference.objects.exists()
    # Nothing typed is lost.
    assert "Room 2, Civic Centre" in text


def test_with_a_reason_they_are_recorded_missed_and_nobody_is_notified(
        client, ready, sw, tm, bso, chair):
    request = approved_request(sw=sw, tm=tm, children=ready)
    client.force_login(bso)
    response = client.post(reverse("conferences:request_book", args=[request.pk]),
                           _form(chair, bso, "Emergency protection order expires Friday."))
    assert response.status_code == 302
    conference = Conference.objects.get()
    missed = Deadline.objects.filter(object_id=conference.pk, status=DeadlineStatus.MISSED,
                                     child__in=ready)
    assert {d.rule_id for d in missed} == {"attendee_details", "report_to_family",
                                          "report_to_chair", "report_countersigned",
                                          "agency_report_to_chair"}
    assert all("Emergency protection order expires Friday." in d.cancelled_reason
               for d in missed)
    assert Notification.objects.count() == 0
    deadlines_sweep()
    assert Notification.objects.filter(deadline__in=missed).count() == 0
    # The invitation list can still be done: it stays open.
    assert Deadline.objects.get(child=ready[0], rule_id="invitation_list").status == "open"


def test_the_api_refuses_without_the_reason_and_names_the_deadlines(ready, sw, tm, bso, chair):
    request = approved_request(sw=sw, tm=tm, children=ready)
    with pytest.raises(ServiceError, match="Attendee details given"):
        services.conference_book(user=bso, request=request, on=NEXT_DAY,
                                 start_time=dt.time(10), chair=chair, minute_taker=bso,
                                 venue="Room 2")


def test_a_date_with_time_to_prepare_needs_no_reason(ready, sw, tm, bso, chair):
    request = approved_request(sw=sw, tm=tm, children=ready)
    assert services.booking_impossible_deadlines(request, dt.date(2027, 3, 30),
                                                 dt.time(10)) == []
