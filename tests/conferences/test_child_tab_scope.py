"""The conferences tab asks the scope of the child's own conferences' children alone
(conferences.scope_sql.of_one_child; issue 13 §2): its conferences and requests must be
exactly those the whole scope (`conferences_for`, `requests_visible`) gives for that child,
whoever asks and whichever of the other children they may not see."""

from __future__ import annotations

import datetime as dt

import pytest

from conferences.models import Conference, ConferenceRequest
from conferences.preparation.selectors import conferences_for
from conferences.selectors import child_tab_conferences, child_tab_requests, requests_visible
from cpcases.children.models import Allocation
from tests.factories import AllocationFactory, RestrictedAccessFactory

PERSONAS = ("sw", "tm", "sw_b", "chair", "bso", "police")


def _whole_scope(user, child) -> tuple[list[Conference], list[ConferenceRequest]]:
    conferences = list(conferences_for(user).filter(children=child).order_by("-date"))
    requests = list(requests_visible(user=user).filter(requested_children__child=child)
                    .order_by("-created_at", "-id"))
    return conferences, requests


def _tab(user, child) -> tuple[list[Conference], list[ConferenceRequest]]:
    return (child_tab_conferences(user=user, child=child),
            child_tab_requests(user=user, child=child))


def _same_for_everyone(request, children) -> None:
    for name in PERSONAS:
        user = request.getfixturevalue(name)
        for child in children:
            assert _tab(user, child) == _whole_scope(user, child), (name, child.first_name)


def test_each_persona_sees_on_the_tab_what_the_whole_scope_gives(request, booked, smiths):
    conferences, requests = _whole_scope(request.getfixturevalue("sw"), smiths[0])
    assert conferences == [booked]  # the case is not vacuous
    assert len(requests) == 1
    _same_for_everyone(request, smiths)


def test_a_sibling_moved_to_another_team_takes_the_conference_off_both_teams_tabs(
        request, booked, smiths, org, sw_b):
    lily, jack = smiths
    Allocation.objects.filter(child=jack, ended_on__isnull=True).update(
        ended_on=dt.date(2027, 3, 17))
    AllocationFactory(child=jack, team=org.team_b, social_worker=sw_b)
    assert _tab(request.getfixturevalue("sw"), lily) == ([], [])
    assert _tab(sw_b, jack) == ([], [])
    _same_for_everyone(request, smiths)


@pytest.mark.parametrize("named", [False, True])
def test_a_restricted_sibling_hides_the_conference_unless_named(request, booked, smiths,
                                                                 named):
    lily, jack = smiths
    jack.is_restricted = True
    jack.save(update_fields=["is_restricted"])
    chair = request.getfixturevalue("chair")
    if named:
        RestrictedAccessFactory(child=jack, user=chair)
    assert (child_tab_conferences(user=chair, child=lily) == [booked]) is named
    _same_for_everyone(request, smiths)
