"""The life-events demo data: a child missing now, an EPO bringing the ICPC forward, a
complaint awaiting its response; idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from deadlines.models import Deadline
from lifeevents.demo import seed_lifeevents_demo
from lifeevents.models import Complaint, LegalOrder, MissingEpisode, SafeguardingContacts

pytestmark = pytest.mark.django_db


def test_seed_lifeevents_demo_adds_its_records_once() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    assert SafeguardingContacts.objects.get().senior_cp_manager.username == "sm.sunita"
    assert MissingEpisode.objects.filter(found_at__isnull=True).get().child.first_name == \
        "Daniel"
    assert Deadline.objects.filter(rule_id="icpc_before_order_expiry").count() == 1
    assert Deadline.objects.filter(rule_id="complaint_response").count() == 1
    counts = (MissingEpisode.objects.count(), LegalOrder.objects.count(),
              Complaint.objects.count())
    seed_lifeevents_demo(io.StringIO())
    assert counts == (MissingEpisode.objects.count(), LegalOrder.objects.count(),
                      Complaint.objects.count())
