"""The plans read without DRF's generic walk answer exactly as DRF does
(cpcases.core.serializing; tests/direct_read.py): members, actions, versions, categories."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.direct_read import assert_answers_as_drf

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_plans_answer_as_drf_does(plan, sw, tm, police) -> None:
    assert _api(tm).post(f"/api/v1/plans/{plan.pk}/revise/",
                         {"outcomes": "New outcomes", "reason": "Manager's review"},
                         format="json").status_code == 201
    for user in (sw, tm, police):
        for path in ("/api/v1/plans/", f"/api/v1/plans/{plan.pk}/", "/api/v1/plan-actions/"):
            assert_answers_as_drf(_api(user), path)
