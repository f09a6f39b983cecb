"""One resource per conference (issue 15 §5): the day's steps under /api/v1/conferences/{id}/,
each answering with the conference after it; the old /api/v1/conference-days/ paths still
answer for one release and name their successor; categories as lower-case words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from conferences.models import Conference
from conferences.outcomes import services
from conferences.outcomes.models import ChildDecision
from cpcases.core.deprecation import SUNSET
from tests.api_problems import field_errors
from tests.outcomes.helpers import attend, decide, plan_data, quorate_attendance, started

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _decision(child, sw, category: str = "neglect") -> dict:
    return {"child": child.pk, "outcome": "plan", "category": category, "reasons": "Neglect.",
            "outline_plan": "Visits.", "contingency": "Legal planning.",
            "lead_social_worker": sw.pk, "first_core_group_on": "2027-05-11",
            "core_group": [{"name": "Hana Health", "agency": "health"}]}


def test_the_chair_holds_the_conference_through_the_conference_resource(
        conference: Conference, siblings, chair, bso, sw) -> None:
    """002 §5, §18.4, §22.5, §23.2: start, one decision per child, the letter, the sign-off:
    each answer is the conference after the step, its `day` showing where it stands."""
    quorate_attendance(conference, bso)
    base = f"/api/v1/conferences/{conference.pk}/"
    chair_api = _api(chair)
    before = chair_api.get(base).json()
    assert before["day"]["started_at"] is None
    assert before["day"]["quoracy"]["quorate"] is True
    assert sorted(before["day"]["undecided_children"]) == sorted(c.pk for c in siblings)

    response = chair_api.post(f"{base}start/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["day"]["started_at"] is not None

    response = chair_api.post(f"{base}decisions/", _decision(siblings[0], sw), format="json")
    assert response.status_code == 201
    body = response.json()
    assert response["Location"] == f"{base}decisions/{body['decision']['id']}/"
    assert _api(sw).get(response["Location"]).json() == body["decision"]
    assert body["decision"]["category"] == "neglect"
    assert body["decision"]["review_date"] == "2027-08-04"
    assert body["conference"]["day"]["undecided_children"] == [siblings[1].pk]
    assert [d["child"] for d in body["conference"]["day"]["decisions"]] == [siblings[0].pk]
    chair_api.post(f"{base}decisions/", {"child": siblings[1].pk, "outcome": "cin",
                                         "reasons": "Help needed.",
                                         "cin_first_meeting_on": "2027-05-18"}, format="json")

    listed = _api(sw).get(f"{base}decisions/").json()
    assert listed["count"] == 2
    assert {d["outcome"] for d in listed["results"]} == {"plan", "cin"}

    letter = _api(bso).post(f"{base}decision-letter/")
    assert letter.status_code == 200
    assert letter.json()["day"]["decision_letter_issued_at"] is not None

    services.record_update(conference=conference, user=bso, sections={
        "purpose": "Initial conference.", "facts": "Bruising.", "discussion": "Agreed."})
    signed = chair_api.post(f"{base}sign-off/")
    assert signed.status_code == 200
    assert signed.json()["day"]["signed_off_at"] is not None
    assert signed.json()["day"]["signed_off_by"] == chair.pk
    assert chair_api.get(base).json()["day"] == signed.json()["day"]


def test_a_decision_by_anyone_but_the_chair_is_403_on_the_conference_resource(
        conference: Conference, siblings, chair, bso, sw) -> None:
    held = started(conference, minute_taker=bso, chair=chair)
    response = _api(bso).post(f"/api/v1/conferences/{held.pk}/decisions/",
                              _decision(siblings[0], sw), format="json")
    assert response.status_code == 403
    assert not ChildDecision.objects.exists()


def test_adjourning_shows_the_reconvened_conference(conference: Conference, chair) -> None:
    response = _api(chair).post(f"/api/v1/conferences/{conference.pk}/adjourn/",
                                {"new_date": "2027-05-25", "interim_plan": "Daily checks."},
                                format="json")
    assert response.status_code == 200
    day = response.json()["day"]
    assert day["adjourned_at"] is not None
    assert Conference.objects.get(pk=day["reconvened_as"]).date == dt.date(2027, 5, 25)


def test_outsiders_get_404_and_partners_see_no_day(conference: Conference, sw_b, police,
                                                   bso) -> None:
    assert _api(sw_b).get(f"/api/v1/conferences/{conference.pk}/").status_code == 404
    assert _api(sw_b).get(f"/api/v1/conferences/{conference.pk}/decisions/").status_code \
        == 404
    assert _api(sw_b).post(f"/api/v1/conferences/{conference.pk}/start/").status_code == 404
    attend(conference, bso, "Pat Police", "police", attendee=police)
    from cpcases.children.models import InvolvementKind, PartnerInvolvement

    for child in conference.children.all():
        PartnerInvolvement.objects.create(child=child, user=police,
                                          kind=InvolvementKind.CONFERENCE)
    seen = _api(police).get(f"/api/v1/conferences/{conference.pk}/")
    assert seen.status_code == 200
    assert seen.json()["day"] is None
    assert _api(police).get(f"/api/v1/conferences/{conference.pk}/decisions/").status_code \
        == 403


# --- the old paths, deprecated for one release ----------------------------------------------

OLD_POSTS = {  # old action → a body it accepts (answered with its usual status)
    "start": ({}, 200), "adjourn": ({"new_date": "2027-05-25", "interim_plan": "Checks."}, 200),
}


def _assert_deprecated(response, successor: str) -> None:
    assert response["Deprecation"] == "true"
    assert response["Sunset"] == SUNSET
    assert response["Link"] == f'<{successor}>; rel="successor-version"'
    if not successor.endswith("/attendance/"):  # attendance moves with the outputs (h15a)
        resolve(successor)  # the successor is a real route


@pytest.mark.parametrize("suffix", ["", "start/", "adjourn/", "scores/", "decisions/",
                                    "decision-letter/", "sign-off/", "bring-forward/",
                                    "attendance/"])
def test_each_old_conference_day_path_still_answers_and_names_its_successor(
        conference: Conference, chair, bso, suffix: str) -> None:
    old = f"/api/v1/conference-days/{conference.pk}/{suffix}"
    if suffix == "start/":
        quorate_attendance(conference, bso)
    api = _api(chair)
    if suffix == "":
        response = api.get(old)
        assert response.status_code == 200
        assert response.json()["id"] == conference.pk
    elif suffix in ("start/", "adjourn/"):
        body, code = OLD_POSTS[suffix.rstrip("/")]
        response = api.post(old, body, format="json")
        assert response.status_code == code
    else:  # refused (bad body or a precondition), still deprecated and still answering
        response = api.post(old, {}, format="json")
        assert response.status_code in (400, 403)
    _assert_deprecated(response, f"/api/v1/conferences/{conference.pk}/{suffix}")


def test_the_old_list_names_the_conferences_list(conference: Conference, chair) -> None:
    response = _api(chair).get("/api/v1/conference-days/")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [conference.pk]
    _assert_deprecated(response, "/api/v1/conferences/")


def test_an_old_decision_still_records_and_answers_the_new_category_word(
        conference: Conference, siblings, chair, bso, sw) -> None:
    held = started(conference, minute_taker=bso, chair=chair)
    response = _api(chair).post(f"/api/v1/conference-days/{held.pk}/decisions/",
                                _decision(siblings[0], sw, category="NEG"), format="json")
    assert response.status_code == 201
    assert response.json()["category"] == "neglect"
    assert ChildDecision.objects.get().category == "NEG"  # the stored code is unchanged


def test_the_schema_marks_every_old_conference_day_operation_deprecated() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    old = {(path, method): op for path, ops in schema["paths"].items()
           if path.startswith("/api/v1/conference-days/")
           for method, op in ops.items() if method in ("get", "post")}
    assert len(old) == 10
    assert all(op.get("deprecated") is True for op in old.values())
    new = schema["paths"]["/api/v1/conferences/{id}/decisions/"]
    assert not new["get"].get("deprecated")
    assert not new["post"].get("deprecated")
    assert "201" in new["post"]["responses"]


# --- categories as words --------------------------------------------------------------------


@pytest.mark.parametrize("sent", ["neglect", "NEG"])
def test_a_decision_category_is_taken_as_a_word_or_the_old_code_and_answered_as_a_word(
        conference: Conference, siblings, chair, bso, sw, sent: str) -> None:
    held = started(conference, minute_taker=bso, chair=chair)
    response = _api(chair).post(f"/api/v1/conferences/{held.pk}/decisions/",
                                _decision(siblings[0], sw, category=sent), format="json")
    assert response.status_code == 201
    assert response.json()["decision"]["category"] == "neglect"


def test_an_unknown_category_is_a_field_error(conference: Conference, siblings, chair, bso,
                                              sw) -> None:
    held = started(conference, minute_taker=bso, chair=chair)
    response = _api(chair).post(f"/api/v1/conferences/{held.pk}/decisions/",
                                _decision(siblings[0], sw, category="neg"), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "category"


def test_a_plan_made_at_the_conference_answers_its_category_as_a_word(
        conference: Conference, siblings, chair, bso, sw) -> None:
    held = started(conference, minute_taker=bso, chair=chair)
    decide(held, siblings[0], chair, plan_data(sw, category="PHY"))
    plans = _api(sw).get("/api/v1/plans/", {"category": "physical_abuse"}).json()
    assert [p["category"] for p in plans["results"]] == ["physical_abuse"]
    assert plans["results"][0]["versions"][0]["category"] == "physical_abuse"
    assert _api(sw).get("/api/v1/plans/", {"category": "PHY"}).json()["count"] == 1
    assert _api(sw).get("/api/v1/plans/", {"category": "neglect"}).json()["count"] == 0


def test_a_decision_naming_people_outside_the_authority_names_each_field(
        conference: Conference, siblings, chair, bso, sw, child) -> None:
    held = started(conference, minute_taker=bso, chair=chair)
    body = _decision(siblings[0], sw)
    body["lead_social_worker"] = 999_999
    response = _api(chair).post(f"/api/v1/conferences/{held.pk}/decisions/", body,
                                format="json")
    assert field_errors(response) == {
        "lead_social_worker": ["There is no user 999999 in this authority."]}
    body = _decision(siblings[0], sw)
    body["core_group"] = [{"name": "Hana Health", "agency": "health"},
                          {"name": "Gone", "agency": "health", "user": 999_999}]
    response = _api(chair).post(f"/api/v1/conferences/{held.pk}/decisions/", body,
                                format="json")
    assert list(field_errors(response)) == ["core_group.1.user"]
    body = _decision(child, sw)  # on the caseload, but not at this conference
    response = _api(chair).post(f"/api/v1/conferences/{held.pk}/decisions/", body,
                                format="json")
    assert field_errors(response) == {
        "child": ["That child is not a subject of this conference."]}
