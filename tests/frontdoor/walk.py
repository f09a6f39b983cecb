"""Objects for the permission walk (tests/foundation/test_permission_walk.py): each builds one
front-door record for the walk's child (team A, allocated to sw) through the services. Team A
is made a front-door team so that sw records the contact and tm (its manager) decides it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cpcases.children.models import Child, ChildPerson
from frontdoor import services
from frontdoor.models import Consent, ContactDecision, FrontDoorTeam, ReferralSource


def walk_front_door(fixtures: Any, child: Child) -> int:
    return FrontDoorTeam.objects.get_or_create(team=fixtures.getfixturevalue("sw").team)[0].pk


def walk_contact(fixtures: Any, child: Child) -> int:
    sw = fixtures.getfixturevalue("sw")
    FrontDoorTeam.objects.get_or_create(team=sw.team)
    return services.contact_record(
        actor=sw, received_at=timezone.now() - dt.timedelta(hours=1),
        source=ReferralSource.POLICE, concern="Walk", consent=Consent.GIVEN,
        children=[child]).pk


def walk_referral(fixtures: Any, child: Child) -> int:
    from frontdoor.models import Contact

    contact = Contact.objects.get(pk=walk_contact(fixtures, child))
    services.contact_decide(actor=fixtures.getfixturevalue("tm"), contact=contact,
                            decision=ContactDecision.REFERRAL)
    return contact.referrals.get().pk


def walk_assessment(fixtures: Any, child: Child) -> int:
    from frontdoor.models import Referral

    referral = Referral.objects.get(pk=walk_referral(fixtures, child))
    return services.assessment_allocate(actor=fixtures.getfixturevalue("tm"),
                                        referral=referral,
                                        social_worker=fixtures.getfixturevalue("sw")).pk


def walk_household(fixtures: Any, child: Child) -> int:
    from cpcases.children.households import household_create

    return household_create(actor=fixtures.getfixturevalue("sw"), child=child,
                            name="Walk household").pk


def walk_child_person(fixtures: Any, child: Child) -> int:
    """The child's first linked person; a child made for the walk alone gets one."""
    from tests.factories import ChildPersonFactory

    link = ChildPerson.objects.filter(child=child).first()
    return (link or ChildPersonFactory(child=child)).pk


WALK_PLACEHOLDERS = {"front_door": walk_front_door, "contact": walk_contact,
                     "referral": walk_referral, "assessment": walk_assessment,
                     "household": walk_household, "child_person": walk_child_person}
