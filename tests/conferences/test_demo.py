"""The demo gives every request-and-booking queue work, and running it again changes
nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from conferences import selectors
from conferences.demo import seed_booking_demo
from conferences.models import Conference, ConferenceRequest, DelayAuthorisation
from cpcases.accounts.models import User

pytestmark = pytest.mark.django_db


def test_every_queue_has_work_and_a_second_run_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    seed_booking_demo(io.StringIO())
    # The statutory returns' demo (returns.demo) loads last year's conferences as history
    # for children of its own, and the performance figures' (returns.performance.demo) this
    # year's; they are not in any queue.
    conferences = Conference.objects.exclude(children__la_child_id__startswith="RET").exclude(
        children__la_child_id__startswith="PF")
    counts = (ConferenceRequest.objects.count(), conferences.count(),
              DelayAuthorisation.objects.count())
    seed_booking_demo(io.StringIO())
    assert (ConferenceRequest.objects.count(), conferences.count(),
            DelayAuthorisation.objects.count()) == counts == (4, 4, 1)
    # 4 conferences: the Browns' booked ICPC, and the Okoros' held ICPC with its review
    # (seed_demo also runs the conference-day demo), and the review that ended Poppy
    # Hughes's plan (lifeevents.demo).

    def user(name: str) -> User:
        return User.objects.get(username=name)

    assert selectors.approvals_queue(user=user("tm.tara")).count() == 1
    assert selectors.second_conference_queue(user=user("sm.sunita")).count() == 1
    assert selectors.delay_queue(user=user("hos.harriet")).count() == 1
    assert selectors.booking_queue(user=user("bso.bola")).count() == 2
    assert selectors.bookings_calendar(user=user("chair.chris")).count() == 1
    assert selectors.my_requests(user=user("sw.sam")).count() == 2
    booked_icpc = Conference.objects.get(kind="initial", status="booked")
    assert booked_icpc.children.get().first_name == "Mia"
    assert booked_icpc.within_timescale is True
