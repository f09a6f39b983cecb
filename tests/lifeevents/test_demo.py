"""The life-events demo data: a child missing now, an EPO bringing the ICPC forward, a
complaint awaiting its response, a plan ended at a review with one absent agency's view in
and one outstanding, the sealed record marked by its manager; idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cpcases.accounts.models import User
from cpcases.children.models import Child
from cpcases.children.scoping import visible_children
from deadlines.models import Deadline, DeadlineStatus
from lifeevents.demo import seed_lifeevents_demo
from lifeevents.models import (
    AgencyViewRequest,
    Complaint,
    LegalOrder,
    MissingEpisode,
    RecordRestriction,
    SafeguardingContacts,
)

pytestmark = pytest.mark.django_db


def test_seed_lifeevents_demo_adds_its_records_once() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    assert SafeguardingContacts.objects.get().senior_cp_manager.username == "sm.sunita"
    assert MissingEpisode.objects.filter(found_at__isnull=True).get().child.first_name == \
        "Daniel"
    assert Deadline.objects.filter(rule_id="icpc_before_order_expiry").count() == 1
    assert Deadline.objects.filter(rule_id="complaint_response").count() == 1

    # Poppy Hughes's plan ended at the review; the health visitor's view is in, the school's
    # is outstanding and its clock runs, held by the chair.
    asked = {r.name: r for r in AgencyViewRequest.objects.select_related("views__plan__child")}
    assert set(asked) == {"Rita Bell", "Tom Hale"}
    assert asked["Rita Bell"].is_in
    assert not asked["Tom Hale"].is_in
    plan = asked["Tom Hale"].views.plan
    assert plan.child.first_name == "Poppy"
    assert plan.ended_on is not None
    clock = Deadline.objects.get(rule_id="plan_end_views")
    assert (clock.status, clock.responsible.username) == (DeadlineStatus.OPEN, "chair.chris")

    # Jordan Vale's restriction is marked by Tara, naming Harriet: only they see it.
    restriction = RecordRestriction.objects.get()
    assert restriction.child.first_name == "Jordan"
    assert restriction.marked_by.username == "tm.tara"
    assert {p["name"] for p in restriction.named} == {"Tara Jones", "Harriet Wood"}
    assert Child.objects.filter(is_restricted=True).get() == restriction.child
    for username, sees in (("tm.tara", True), ("hos.harriet", True), ("sw.sam", False),
                           ("sm.sunita", False)):
        user = User.objects.get(username=username)
        assert visible_children(user).filter(pk=restriction.child_id).exists() == sees

    counts = (MissingEpisode.objects.count(), LegalOrder.objects.count(),
              Complaint.objects.count(), AgencyViewRequest.objects.count(),
              RecordRestriction.objects.count(), Deadline.objects.count())
    seed_lifeevents_demo(io.StringIO())
    assert counts == (MissingEpisode.objects.count(), LegalOrder.objects.count(),
                      Complaint.objects.count(), AgencyViewRequest.objects.count(),
                      RecordRestriction.objects.count(), Deadline.objects.count())
