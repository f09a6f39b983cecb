"""Legal orders and looked-after status (002 §3.2-3.3): the ICPC is due before an emergency
protection order or police protection expires where legal action is planned, and as soon
as a child assessment order's assessments conclude; the engine sets these deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from deadlines.models import Deadline, DeadlineStatus
from lifeevents import selectors, services
from lifeevents.models import LegalOrder, OrderKind
from tests.conferences.factories import s47_initiated
from tests.lifeevents.conftest import at
from tests.outcomes.helpers import make_conference, started

pytestmark = pytest.mark.django_db


@pytest.fixture
def s47(child, sw, tm):
    """S47 initiated at a strategy discussion on Monday 1 February 2027: ICPC due in 15
    working days, Monday 22 February."""
    with time_machine.travel(at(2027, 2, 1, 15), tick=False):
        s47_initiated(sw=sw, tm=tm, children=[child], held_at=at(2027, 2, 1, 11))
    return Deadline.objects.get(child=child, rule_id="icpc")


def _epo(client, child, *, planned: bool):
    data = {"kind": "epo", "starts_on_0": "2", "starts_on_1": "2", "starts_on_2": "2027",
            "ends_on_0": "9", "ends_on_1": "2", "ends_on_2": "2027", "note": "Granted."}
    if planned:
        data["legal_action_planned"] = "on"
    return client.post(f"/life/child/{child.pk}/orders/new/", data)


def test_an_epo_expiring_before_the_15_days_pulls_the_icpc_deadline_forward(
        client, s47, child, sw, bso, chair):
    assert s47.due_date == dt.date(2027, 2, 22)
    with time_machine.travel(at(2027, 2, 2, 16), tick=False):
        client.force_login(sw)
        response = _epo(client, child, planned=True)
        assert response["Location"] == f"/life/child/{child.pk}/"
        earlier = Deadline.objects.get(child=child, rule_id="icpc_before_order_expiry")
        assert earlier.due_date == dt.date(2027, 2, 9)
        page = client.get(f"/deadlines/child/{child.pk}/").content.decode()
        assert "ICPC held before the order expires" in page
        assert "9 February 2027" in page
    with time_machine.travel(at(2027, 2, 8, 10), tick=False):
        conference = make_conference(children=[child], on=dt.date(2027, 2, 8), chair=chair,
                                     minute_taker=bso)
        started(conference, minute_taker=bso, chair=chair)
    earlier.refresh_from_db()
    assert earlier.status == DeadlineStatus.MET


def test_without_planned_legal_action_the_15_days_stand(client, s47, child, sw):
    with time_machine.travel(at(2027, 2, 2, 16), tick=False):
        client.force_login(sw)
        _epo(client, child, planned=False)
    assert not Deadline.objects.filter(rule_id="icpc_before_order_expiry").exists()
    assert LegalOrder.objects.get().kind == OrderKind.EPO


def test_an_epo_needs_its_expiry_date(client, child, sw, monday):
    client.force_login(sw)
    response = client.post(f"/life/child/{child.pk}/orders/new/", {
        "kind": "police_protection", "starts_on_0": "8", "starts_on_1": "2",
        "starts_on_2": "2027", "legal_action_planned": "on", "note": "Section 46."})
    assert response.status_code == 200
    assert "Give the date the order expires" in response.content.decode()
    assert "Section 46." in response.content.decode()


def test_the_icpc_is_due_as_soon_as_a_child_assessment_orders_assessments_conclude(
        client, child, sw, monday):
    order = services.legal_order_record(child=child, user=sw, kind=OrderKind.CAO,
                                        starts_on=dt.date(2027, 2, 1),
                                        ends_on=dt.date(2027, 2, 7))
    client.force_login(sw)
    response = client.post(f"/life/orders/{order.pk}/assessments-concluded/",
                           {"on_0": "5", "on_1": "2", "on_2": "2027"})
    assert response["Location"] == f"/life/child/{child.pk}/"
    due = Deadline.objects.get(rule_id="icpc_after_cao")
    assert due.due_date == dt.date(2027, 2, 5)


def test_looked_after_status_history_and_annex_a_epo_in_the_last_six_months(
        child, sw, monday):
    services.legal_order_record(child=child, user=sw, kind=OrderKind.POLICE_PROTECTION,
                                starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 9, 3))
    services.legal_order_record(child=child, user=sw, kind=OrderKind.INTERIM_CARE,
                                starts_on=dt.date(2027, 1, 10))
    assert selectors.is_looked_after(child, dt.date(2027, 2, 8))
    assert not selectors.is_looked_after(child, dt.date(2027, 1, 9))
    assert selectors.epo_or_police_protection_within_six_months(child, dt.date(2027, 3, 3))
    assert not selectors.epo_or_police_protection_within_six_months(child, dt.date(2027, 3, 4))


def test_orders_through_the_api(client, child, sw, sw_b, monday):
    payload = {"child": child.pk, "kind": "section_20", "starts_on": "2027-02-01"}
    client.force_login(sw_b)
    assert client.post("/api/v1/legal-orders/", payload,
                       content_type="application/json").status_code == 404
    client.force_login(sw)
    created = client.post("/api/v1/legal-orders/", payload, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["looked_after"] is True
    order_id = created.json()["id"]
    wrong = client.post(f"/api/v1/legal-orders/{order_id}/assessments-concluded/",
                        {"on": "2027-02-05"}, content_type="application/json")
    assert wrong.status_code == 400
    ended = client.post(f"/api/v1/legal-orders/{order_id}/end/", {"on": "2027-02-05"},
                        content_type="application/json")
    assert ended.json()["ended_on"] == "2027-02-05"
