"""002 §19.3: a disagreement about resources recorded at the conference opens
`resource_disparity` (3 days) for the service manager, told at once (002 §19.4); their
resolution meets it. Pages and API."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from conferences.outcomes.models import ResourceDisparity
from deadlines.models import Deadline, DeadlineStatus
from tests.outcomes.conftest import LONDON
from tests.outcomes.helpers import started

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(conference, bso, chair):
    return started(conference, minute_taker=bso, chair=chair)


def test_chair_records_and_the_service_manager_resolves_on_the_pages(
        client, held, siblings, chair, sm, django_capture_on_commit_callbacks):
    client.force_login(chair)
    day = client.get(reverse("conference_outcomes:day", args=[held.pk])).content.decode()
    assert "Record a disagreement about resources" in day
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("conference_outcomes:disparity_new", args=[held.pk, siblings[0].pk]),
            {"minimum_required": "Daily visits by family support.",
             "resources_offered": "Two visits a week."})
    assert response.status_code == 302
    deadline = Deadline.objects.get(child=siblings[0], rule_id="resource_disparity")
    assert deadline.status == DeadlineStatus.OPEN
    assert deadline.responsible == sm
    assert deadline.due_date == held.date + dt.timedelta(days=3)
    assert [m.to for m in mail.outbox] == [[sm.email]]
    client.force_login(sm)
    listing = client.get(reverse("conference_outcomes:disparities")).content.decode()
    assert siblings[0].display_name in listing
    disparity = ResourceDisparity.objects.get()
    response = client.post(reverse("conference_outcomes:disparity_resolve",
                                   args=[disparity.pk]),
                           {"resolution": "Family support funded daily for 6 weeks."})
    assert response.status_code == 302
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.MET


def test_resolved_late_is_missed(held, siblings, chair, sm):
    from conferences.outcomes import disparity

    found = disparity.resource_disparity_record(
        user=chair, conference=held, child=siblings[0], minimum_required="Daily visits",
        resources_offered="Weekly visits")
    with time_machine.travel(dt.datetime(2027, 5, 10, 9, tzinfo=LONDON), tick=False):
        disparity.resource_disparity_resolve(user=sm, disparity=found, resolution="Agreed.")
    assert Deadline.objects.get(rule_id="resource_disparity").status == DeadlineStatus.MISSED


def test_api_record_and_resolve_with_the_same_refusals(held, siblings, chair, sm, sw):
    api = APIClient()
    api.force_authenticate(chair)
    response = api.post("/api/v1/resource-disparities/", {
        "conference": held.pk, "child": siblings[1].pk, "minimum_required": "Daily visits",
        "resources_offered": "Weekly visits"}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    api.force_authenticate(sw)
    assert api.post(f"/api/v1/resource-disparities/{pk}/resolve/",
                    {"resolution": "No."}, format="json").status_code == 403
    api.force_authenticate(sm)
    resolved = api.post(f"/api/v1/resource-disparities/{pk}/resolve/",
                        {"resolution": "Agreed."}, format="json")
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["resolved_by"] == sm.pk


def test_the_pages_give_the_authority_s_own_time_to_resolve(client, held, siblings, chair, sm,
                                                            admin_user, org):
    from deadlines import services as deadline_services

    deadline_services.policy_override_rule(authority=org.authority, rule_id="resource_disparity",
                                           user=admin_user, reason="Local", offset=5)
    client.force_login(chair)
    recorded = client.post(
        reverse("conference_outcomes:disparity_new", args=[held.pk, siblings[0].pk]),
        {"minimum_required": "Daily visits.", "resources_offered": "Two a week."}, follow=True)
    assert "has 5 days to resolve it" in recorded.content.decode()
    client.force_login(sm)
    listing = client.get(reverse("conference_outcomes:disparities")).content.decode()
    assert "Resolve each within 5 days of the conference." in listing
