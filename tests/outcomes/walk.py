"""Objects the permission walk's conference-day routes name, built for the walk's child
(team A, allocated to sw): a booked conference chaired by chair and minuted by bso, one
attendance row, and a booked review conference."""

from __future__ import annotations

import datetime as dt

import pytest

from conferences.models import Conference, ConferenceKind
from cpcases.children.models import Child


def _conference(request: pytest.FixtureRequest, child: Child, kind: str) -> Conference:
    conference = Conference.objects.create(
        authority_id=child.authority_id, kind=kind, date=dt.date(2027, 4, 1),
        start_time=dt.time(10), venue="Room 1", chair=request.getfixturevalue("chair"),
        minute_taker=request.getfixturevalue("bso"))
    conference.children.add(child)
    return conference


def walk_day_conference(request: pytest.FixtureRequest, child: Child) -> int:
    return _conference(request, child, ConferenceKind.INITIAL).pk


def walk_day_attendance(request: pytest.FixtureRequest, child: Child) -> int:
    from conferences.outcomes.models import Attendance

    conference = Conference.objects.filter(children=child, kind=ConferenceKind.INITIAL).first()
    if conference is None:
        conference = _conference(request, child, ConferenceKind.INITIAL)
    return Attendance.objects.create(conference=conference, name="Hana Health",
                                     agency="health").pk


def walk_day_decision(request: pytest.FixtureRequest, child: Child) -> int:
    """A decision for the walk's child at the conference {day_conference} names."""
    from django.utils import timezone

    from conferences.outcomes.models import ChildDecision

    conference = Conference.objects.filter(children=child, kind=ConferenceKind.INITIAL).first()
    if conference is None:
        conference = _conference(request, child, ConferenceKind.INITIAL)
    return ChildDecision.objects.create(
        conference=conference, child=child, outcome="cin", reasons="Help needed.",
        decided_by=request.getfixturevalue("chair"), decided_at=timezone.now()).pk


def walk_day_review(request: pytest.FixtureRequest, child: Child) -> int:
    return _conference(request, child, ConferenceKind.REVIEW).pk


def walk_disparity(request: pytest.FixtureRequest, child: Child) -> int:
    from django.utils import timezone

    from conferences.outcomes.models import ResourceDisparity

    conference = _conference(request, child, ConferenceKind.INITIAL)
    return ResourceDisparity.objects.create(
        conference=conference, child=child, minimum_required="Daily visits",
        resources_offered="Weekly visits", recorded_by=request.getfixturevalue("chair"),
        recorded_at=timezone.now()).pk


WALK_PLACEHOLDERS = {"disparity": walk_disparity, "day_conference": walk_day_conference,
                     "day_attendance": walk_day_attendance, "day_review": walk_day_review,
                     "day_decision": walk_day_decision}
