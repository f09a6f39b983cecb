"""Two saves at the same moment, on the real database (issue 12 §3-4): committed
transactions in separate threads, as two browser tabs or a double click would send them."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.foundation.formdata import hidden_inputs, page_data

pytestmark = pytest.mark.django_db(transaction=True)


def _together(*sends: Any) -> list[Any]:
    """Run each send in its own thread (own database connection), released at once."""
    start = threading.Barrier(len(sends))
    answers: list[Any] = [None] * len(sends)

    def run(index: int, send: Any) -> None:
        try:
            start.wait()
            answers[index] = send()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(sends)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_a_double_click_on_save_the_visit_makes_one_visit(tm, child) -> None:
    from cpcases.chronology.models import Visit

    path = f"/chronology/child/{child.pk}/visits/new/"
    browser = Client()
    browser.force_login(tm)
    visit = {**hidden_inputs(browser.get(path)), "visit_date_0": "3", "visit_date_1": "12",
             "visit_date_2": "2026", "visit_time": "10:30", "visited_by": str(tm.pk),
             "location": "home", "access_refused": "no", "child_seen": "yes",
             "seen_alone": "yes", "bedroom_seen": "yes", "notes": "Seen at home."}
    first, second = _together(lambda: browser.post(path, visit),
                              lambda: browser.post(path, visit))
    assert (first.status_code, second.status_code) == (302, 302)
    assert first["Location"] == second["Location"]
    assert Visit.objects.filter(child=child).count() == 1


def test_when_another_save_lands_while_this_one_runs_this_one_is_undone_and_refused(
        request: pytest.FixtureRequest, child, sw, monkeypatch: pytest.MonkeyPatch) -> None:
    """The version is checked again as the save ends: a save that slipped in between the
    check and the end wins, and this one is rolled back and shown as a conflict."""
    from django.db.models import F

    from cpcases.plans import services
    from cpcases.plans.models import PlanAction
    from tests.plans.walk import walk_plan_action

    action = PlanAction.objects.get(pk=walk_plan_action(request, child))
    path = f"/plans/actions/{action.pk}/edit/"
    browser = Client()
    browser.force_login(sw)
    page = browser.get(path)
    original = services.plan_action_update

    def meanwhile(**kwargs: Any) -> PlanAction:
        # Someone else's save commits while this one runs (its own connection).
        _together(lambda: PlanAction.objects.filter(pk=action.pk).update(
            what="Their change", version=F("version") + 1))
        return original(**kwargs)

    monkeypatch.setattr(services, "plan_action_update", meanwhile)
    refused = browser.post(path, {**page_data(page), "what": "My change"})
    assert refused.status_code == 200
    assert "My change" in refused.content.decode()
    action.refresh_from_db()
    assert action.what == "Their change"
