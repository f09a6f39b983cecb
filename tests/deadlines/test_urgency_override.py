"""Configuration without code (issue 9 point 9): the strategy discussion's urgency values
(000: 1/3/5 working days) are overridden per authority like any other rule, on the page and
through the API; open concerns' deadlines are recomputed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from cpcases.core.errors import ServiceError
from deadlines.models import Deadline, RuleOverride
from deadlines.services import policy_override_rule
from strategy import services as strategy
from strategy.models import Urgency

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 14, 9, 0, tzinfo=ZoneInfo("Europe/London"))  # a Monday


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_administrator_makes_complex_cases_4_working_days_on_the_page(
        client, admin_user, child, sw):
    strategy.concern_record(actor=sw, child=child, identified_at=NOW, urgency=Urgency.COMPLEX,
                            summary="Complex case.")
    deadline = Deadline.objects.get(child=child, rule_id="strategy_discussion")
    assert deadline.due_date == dt.date(2026, 12, 21)  # 5 working days
    client.force_login(admin_user)
    url = reverse("deadlines:policy_rule", args=["strategy_discussion"])
    page = client.get(url).content.decode()
    assert "Immediate protection" in page
    assert "Complex" in page
    response = client.post(url, {
        "offset": 3, "unit": "working_days", "direction": "after",
        "responsible_role": "social_worker", "reminder_before": 1,
        "service_manager_after": 3, "head_of_service_after": 5, "source": "000",
        "variant_immediate_protection": 1, "variant_child_protection_concerns": 3,
        "variant_complex": 4, "reason": "Local agreement with police: 4 days at most."})
    assert response.status_code == 302, response.content.decode()[:1500]
    assert RuleOverride.objects.get(rule_id="strategy_discussion").variants["complex"] == 4
    deadline.refresh_from_db()
    assert deadline.due_date == dt.date(2026, 12, 18)


def test_api_overrides_an_urgency_value(admin_user, child):
    api = APIClient()
    api.force_authenticate(admin_user)
    response = api.patch("/api/v1/policy-rules/strategy_discussion/",
                         {"variants": {"immediate_protection": 2},
                          "reason": "Out-of-hours cover."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["variants"] == {"immediate_protection": 2,
                                           "child_protection_concerns": 3, "complex": 5}


def test_an_unknown_variant_is_refused(admin_user, child):
    with pytest.raises(ServiceError, match="no variant"):
        policy_override_rule(authority=child.authority, rule_id="strategy_discussion",
                             user=admin_user, reason="x", variants={"urgent": 2})
