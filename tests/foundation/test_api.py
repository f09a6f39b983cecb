"""The API (Foundation §12): same scoping as the pages, token and session auth, lost-update
refusal, audit of every read of a child."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cpcases.audit.models import AccessAction, AccessEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_children_list_is_scoped_like_the_caseload(api, sw, child, other_team_child,
                                                    restricted_child) -> None:
    api.force_authenticate(sw)
    data = api.get("/api/v1/children/").json()
    assert [c["la_child_id"] for c in data["results"]] == [child.la_child_id]
    assert data["count"] == 1


def test_children_can_be_filtered_by_name_and_date_of_birth(api, sm, child,
                                                            other_team_child) -> None:
    api.force_authenticate(sm)
    by_name = api.get("/api/v1/children/", {"q": child.last_name[:4]}).json()
    assert child.la_child_id in [c["la_child_id"] for c in by_name["results"]]
    by_dob = api.get("/api/v1/children/", {"date_of_birth": "1999-01-01"}).json()
    assert by_dob["count"] == 0


def test_token_authentication_reads_a_child_and_the_read_is_logged(api, sw, child) -> None:
    token = Token.objects.create(user=sw)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get(f"/api/v1/children/{child.pk}/")
    assert response.status_code == 200
    assert response.json()["display_name"] == child.display_name
    assert AccessEvent.objects.filter(child_id=child.pk, user=sw,
                                      action=AccessAction.VIEW, section="api").exists()


def test_a_child_outside_the_users_scope_is_not_found_and_the_refusal_logged(
        api, sw, other_team_child) -> None:
    api.force_authenticate(sw)
    assert api.get(f"/api/v1/children/{other_team_child.pk}/").status_code == 404
    assert AccessEvent.objects.filter(child_id=other_team_child.pk,
                                      action=AccessAction.REFUSED).exists()


def test_unauthenticated_requests_are_refused(api, child) -> None:
    assert api.get("/api/v1/children/").status_code in (401, 403)
    assert api.get("/api/schema/").status_code in (401, 403)


def test_patch_with_a_stale_version_is_refused_with_409_and_the_changes(api, sw, tm,
                                                                         child) -> None:
    api.force_authenticate(tm)
    stale = child.version
    assert api.patch(f"/api/v1/children/{child.pk}/", {"gender": "Girl", "version": stale},
                     format="json").status_code == 200
    api.force_authenticate(sw)
    response = api.patch(f"/api/v1/children/{child.pk}/",
                         {"gender": "Female", "version": stale}, format="json")
    assert response.status_code == 409
    assert response.json()["changes"][0]["theirs"] == "Girl"


def test_patch_without_a_version_is_refused(api, sw, child) -> None:
    api.force_authenticate(sw)
    response = api.patch(f"/api/v1/children/{child.pk}/", {"gender": "Girl"}, format="json")
    assert response.status_code == 400


def test_social_worker_creates_a_child_allocated_to_their_team(api, sw) -> None:
    api.force_authenticate(sw)
    response = api.post("/api/v1/children/", {
        "la_child_id": "N100", "first_name": "Nia", "last_name": "New",
        "date_of_birth": "2020-02-02", "upn_unknown_reason": "UN4"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["current_allocation"]["social_worker"] == sw.full_name


def test_a_chair_cannot_create_a_child(api, chair) -> None:
    api.force_authenticate(chair)
    response = api.post("/api/v1/children/", {
        "la_child_id": "N101", "last_name": "New", "date_of_birth": "2020-02-02"},
        format="json")
    assert response.status_code == 403


def test_people_are_listed_only_for_children_in_scope(api, sw, sw_b, child) -> None:
    from tests.factories import ChildPersonFactory

    link = ChildPersonFactory(child=child, person__authority=child.authority)
    api.force_authenticate(sw)
    assert [p["id"] for p in api.get("/api/v1/people/").json()["results"]] == [link.person_id]
    api.force_authenticate(sw_b)
    assert api.get("/api/v1/people/").json()["count"] == 0
    assert api.get(f"/api/v1/people/{link.person_id}/").status_code == 404


def test_openapi_schema_describes_the_children_endpoints(api, sw) -> None:
    api.force_authenticate(sw)
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/children/" in response.json()["paths"]
