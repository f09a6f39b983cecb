"""Clocks open when they start (issue 9 point 3): `consultation_recorded` opens when the
chair marks the consultation held (000: recorded within 48 hours), so a late record is warned
about; recording it meets the clock."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from cpcases.core.errors import NotPermitted
from deadlines.models import Deadline, DeadlineStatus
from strategy import services
from tests.strategy.conftest import at, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(smiths, sw, tm, bso, chair):
    record(sw, smiths[:1])
    consultation = services.consultation_request(user=sw, child=smiths[0], question="Ready?")
    services.consultation_assign_chair(user=bso, consultation=consultation, chair=chair)
    return consultation


def _record(chair, consultation, held_at):
    return services.consultation_record(
        user=chair, consultation=consultation, held_at=held_at, social_worker_took_part=True,
        manager_took_part=True, danger_statements_developed=True,
        mapping_shared_with_family=True, network_safety_plan=True, recommendation="ICPC.")


def test_chair_marks_held_on_the_page_and_the_48_hours_start(client, assigned, chair):
    client.force_login(chair)
    listing = client.get(reverse("strategy:chair_consultations")).content.decode()
    assert "Mark as held" in listing
    response = client.post(reverse("strategy:consultation_held", args=[assigned.pk]),
                           {"held_date_0": "18", "held_date_1": "12", "held_date_2": "2026",
                            "held_time": "17:00"})
    assert response.status_code == 302
    deadline = Deadline.objects.get(rule_id="consultation_recorded")
    assert deadline.status == DeadlineStatus.OPEN
    assert deadline.responsible == chair
    assert deadline.due_at == at(2026, 12, 20, 17)


def test_recording_late_after_marking_held_is_missed(assigned, chair):
    services.consultation_mark_held(user=chair, consultation=assigned,
                                    held_at=at(2026, 12, 18, 17))
    with time_machine.travel(at(2026, 12, 21, 9), tick=False):
        _record(chair, assigned, at(2026, 12, 18, 17))
    deadline = Deadline.objects.get(rule_id="consultation_recorded")
    assert deadline.status == DeadlineStatus.MISSED
    assert deadline.met_at is not None


def test_only_the_assigned_chair_marks_it_held(assigned, sw):
    with pytest.raises(NotPermitted):
        services.consultation_mark_held(user=sw, consultation=assigned,
                                        held_at=at(2026, 12, 18, 17))


def test_api_marks_held(assigned, chair):
    api = APIClient()
    api.force_authenticate(chair)
    response = api.post(f"/api/v1/consultations/{assigned.pk}/held/",
                        {"held_at": "2026-12-18T17:00:00Z"}, format="json")
    assert response.status_code == 200, response.content
    assert Deadline.objects.get(rule_id="consultation_recorded").due_at == \
        dt.datetime(2026, 12, 20, 17, tzinfo=dt.UTC)


def test_the_consultation_pages_state_the_authority_s_own_timescales(
        client, smiths, sw, assigned, chair, admin_user, org):
    from deadlines import services as deadline_services

    for rule_id, hours in (("consultation_chair_assigned", 12), ("consultation_recorded", 72)):
        deadline_services.policy_override_rule(authority=org.authority, rule_id=rule_id,
                                               user=admin_user, reason="Local", offset=hours)
    client.force_login(sw)
    asking = client.get(reverse("strategy:consultation_new", args=[smiths[1].pk]))
    assert "identify a chair within 12 hours" in asking.content.decode()
    client.force_login(chair)
    marking = client.get(reverse("strategy:consultation_held", args=[assigned.pk]))
    assert "you have 72 hours to record" in marking.content.decode()
    marked = client.post(reverse("strategy:consultation_held", args=[assigned.pk]),
                         {"held_date_0": "18", "held_date_1": "12", "held_date_2": "2026",
                          "held_time": "17:00"}, follow=True)
    assert "Record it within 72 hours." in marked.content.decode()
