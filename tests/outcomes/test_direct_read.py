"""The conference lists and records read without DRF's generic walk answer exactly as DRF
does (cpcases.core.serializing; tests/direct_read.py): bookings, days with attendance,
decisions with agency views, letters."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from conferences.models import Conference
from tests.direct_read import assert_answers_as_drf

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_conferences_and_days_answer_as_drf_does(conference: Conference, siblings, chair,
                                                 bso, sw, police) -> None:
    def pin() -> None:
        for user in (bso, chair, sw, police):
            for path in ("/api/v1/conferences/", f"/api/v1/conferences/{conference.pk}/",
                         "/api/v1/conference-days/", "/api/v1/conference-requests/"):
                assert_answers_as_drf(_api(user), path)

    pin()  # booked, nobody recorded yet
    bso_api, chair_api = _api(bso), _api(chair)
    _quorate_and_started(conference, bso_api, chair_api)
    assert chair_api.post(f"/api/v1/conferences/{conference.pk}/decisions/", {
        "child": siblings[0].pk, "outcome": "plan", "category": "NEG", "reasons": "Neglect.",
        "outline_plan": "Visits.", "contingency": "Legal planning.",
        "lead_social_worker": sw.pk, "first_core_group_on": "2027-05-11",
        "core_group": [{"name": "Hana Health", "agency": "health"}],
        "agency_views": [{"agency": "health", "view": "Agrees."}]},
        format="json").status_code == 201
    pin()  # started, one child decided (with a review date and an agency's view)
    assert chair_api.post(f"/api/v1/conferences/{conference.pk}/decisions/", {
        "child": siblings[1].pk, "outcome": "cin", "reasons": "Help needed.",
        "cin_first_meeting_on": "2027-05-18"}, format="json").status_code == 201
    assert bso_api.post(f"/api/v1/conferences/{conference.pk}/decision-letter/"
                        ).status_code == 200
    pin()
    day = json.loads(assert_answers_as_drf(bso_api, f"/api/v1/conferences/{conference.pk}/"))
    assert [v["view"] for d in day["day"]["decisions"] for v in d["agency_views"]] == [
        "Agrees."]
    days = json.loads(assert_answers_as_drf(bso_api, "/api/v1/conference-days/"))
    listed = next(c for c in days["results"] if c["id"] == conference.pk)
    assert {d["category"] for d in listed["decisions"]} == {"neglect", ""}


def test_the_kept_lists_read_decisions_and_their_agency_views_as_the_orm(
        conference: Conference, siblings, chair, bso, sw, monkeypatch) -> None:
    """The conference lists' decisions are a kept prefetch, their agency views Django's
    prefetch of those decisions (cpcases.core.kept_lists): the same answer as the filter
    backends' and paginator's."""
    from tests.foundation.test_kept_lists import _the_orms_way

    bso_api, chair_api = _api(bso), _api(chair)
    _quorate_and_started(conference, bso_api, chair_api)
    assert chair_api.post(f"/api/v1/conferences/{conference.pk}/decisions/", {
        "child": siblings[0].pk, "outcome": "plan", "category": "NEG", "reasons": "Neglect.",
        "outline_plan": "Visits.", "contingency": "Legal planning.",
        "lead_social_worker": sw.pk, "first_core_group_on": "2027-05-11",
        "core_group": [{"name": "Hana Health", "agency": "health"}],
        "agency_views": [{"agency": "health", "view": "Agrees."},
                         {"agency": "police", "view": "Agrees too."}]},
        format="json").status_code == 201
    for user in (bso, chair, sw):
        api = _api(user)
        for path in ("/api/v1/conferences/", "/api/v1/conference-days/"):
            api.get(path)  # its SQL kept
            kept = api.get(path)
            with monkeypatch.context() as patch:
                _the_orms_way(patch)
                orm = api.get(path)
            assert (kept.status_code, kept.content) == (orm.status_code, orm.content), path
    listed = next(c for c in _api(bso).get("/api/v1/conference-days/").json()["results"]
                  if c["id"] == conference.pk)
    assert [v["view"] for d in listed["decisions"] for v in d["agency_views"]] == [
        "Agrees.", "Agrees too."]


def _quorate_and_started(conference: Conference, bso_api, chair_api) -> None:
    """Three agencies present (the conference is quorate), then the chair starts it."""
    for name, agency in (("Sam Social", "csc"), ("Hana Health", "health"),
                         ("Ed School", "education")):
        assert bso_api.post(f"/api/v1/conference-days/{conference.pk}/attendance/",
                            {"name": name, "agency": agency, "direct_contact": True},
                            format="json").status_code == 201
    assert chair_api.post(f"/api/v1/conferences/{conference.pk}/start/", {},
                          format="json").status_code == 200
