"""Recording a concern on a child through the page and the API (issue 9 point 3)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from deadlines.models import Deadline, DeadlineStatus
from strategy.models import Concern

pytestmark = pytest.mark.django_db


def test_social_worker_records_a_concern_on_the_page(client, smiths, sw):
    client.force_login(sw)
    url = reverse("strategy:concern_new", args=[smiths[0].pk])
    assert "Record a concern" in client.get(reverse("strategy:child",
                                                    args=[smiths[0].pk])).content.decode()
    response = client.post(url, {"identified_date_0": "17", "identified_date_1": "12",
                                 "identified_date_2": "2026", "identified_time": "09:00",
                                 "urgency": "immediate_protection",
                                 "summary": "Bruising reported by school."}, follow=True)
    assert "The strategy discussion is due by 18 December 2026" in response.content.decode()
    deadline = Deadline.objects.get(child=smiths[0], rule_id="strategy_discussion")
    assert deadline.status == DeadlineStatus.OPEN


def test_missing_urgency_is_named_and_the_summary_kept(client, smiths, sw):
    client.force_login(sw)
    page = client.post(reverse("strategy:concern_new", args=[smiths[0].pk]),
                       {"identified_date_0": "17", "identified_date_1": "12",
                        "identified_date_2": "2026", "identified_time": "09:00",
                        "summary": "Bruising reported by school."})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Choose how urgent the concern is" in text
    assert "Bruising reported by school." in text
    assert not Concern.objects.exists()


def test_api_records_and_lists_concerns_within_scope(smiths, sw, sw_b):
    api = APIClient()
    api.force_authenticate(sw)
    response = api.post("/api/v1/concerns/", {
        "child": smiths[0].pk, "identified_at": "2026-12-17T09:00:00Z",
        "urgency": "complex", "summary": "Neglect."}, format="json")
    assert response.status_code == 201, response.content
    assert api.get("/api/v1/concerns/").json()["count"] == 1
    outsider = APIClient()
    outsider.force_authenticate(sw_b)
    assert outsider.get("/api/v1/concerns/").json()["count"] == 0
    refused = outsider.post("/api/v1/concerns/", {
        "child": smiths[0].pk, "identified_at": "2026-12-17T09:00:00Z",
        "urgency": "complex", "summary": "Neglect."}, format="json")
    assert refused.status_code in (403, 404)
