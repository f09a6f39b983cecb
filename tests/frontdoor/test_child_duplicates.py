"""Creating or editing a child warns of likely duplicates (same NHS number; same date of birth
and a similar name; same address), on the pages and through the API: identifying details
only, links scoped as the authority search is, and nothing typed is lost."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from cpcases.audit.models import AccessEvent
from cpcases.children.models import Child
from tests.factories import AllocationFactory, ChildFactory

pytestmark = pytest.mark.django_db


def _new_child(**overrides: str) -> dict[str, str]:
    data = {"la_child_id": "N200", "first_name": "Jon", "last_name": "Smyth",
            "date_of_birth_0": "1", "date_of_birth_1": "6", "date_of_birth_2": "2015",
            "sex": "M", "ethnicity": "NOBT", "first_language": "English",
            "address": "22 Typed Road", "postcode": "B1 1AA", "nhs_number": "",
            "upn_unknown_reason": "UN4"}  # census rule 8770: school age
    data.update(overrides)
    return data


@pytest.fixture
def john_in_team_b(org, sw_b) -> Child:
    john = ChildFactory(authority=org.authority, first_name="John", last_name="Smith",
                        date_of_birth=dt.date(2015, 6, 1), nhs_number="9434765919",
                        address="5 Other Lane", postcode="B2 2BB")
    AllocationFactory(child=john, team=org.team_b, social_worker=sw_b)
    return john


def test_creating_jon_smyth_warns_that_john_smith_born_the_same_day_may_be_the_same_child(
        client, sw, org, john_in_team_b):
    client.force_login(sw)
    warned = client.post("/children/new/", {**_new_child(), "team": org.team_a.pk})
    page = warned.content.decode()
    assert warned.status_code == 200
    assert "This child may already have a record" in page
    assert "John Smith" in page
    assert "Same date of birth and a similar name" in page
    # Held by another team: opened only with a reason, as in search; no case content.
    assert f"/front-door/child/{john_in_team_b.pk}/open/" in page
    assert f'href="/children/{john_in_team_b.pk}/"' not in page
    assert "5 Other Lane" not in page
    # Everything typed is still there.
    assert "22 Typed Road" in page
    assert 'value="N200"' in page
    assert not Child.objects.filter(la_child_id="N200").exists()
    assert AccessEvent.objects.filter(user=sw, section="duplicate-check").exists()
    saved = client.post("/children/new/", {**_new_child(), "team": org.team_a.pk,
                                           "not_a_duplicate": "on"})
    assert saved.status_code == 302
    assert Child.objects.get(la_child_id="N200").display_name == "Jon Smyth"


def test_a_duplicate_on_ones_own_caseload_links_to_its_record(client, sw, org, child):
    client.force_login(sw)
    page = client.post("/children/new/", {
        **_new_child(la_child_id="N201", first_name="Ann", last_name="Other",
                     address=child.address, postcode=child.postcode),
        "team": org.team_a.pk}).content.decode()
    assert "Same address" in page
    assert f'href="/children/{child.pk}/"' in page


def test_editing_a_child_to_a_known_nhs_number_warns_before_saving(
        client, sw, child, john_in_team_b):
    client.force_login(sw)
    data = {"first_name": child.first_name, "last_name": child.last_name,
            "date_of_birth_0": "17", "date_of_birth_1": "5", "date_of_birth_2": "2018",
            "sex": child.sex, "ethnicity": child.ethnicity, "first_language": "English",
            "address": "9 New Road", "postcode": "B9 9ZZ", "nhs_number": "943 476 5919",
            "version": str(child.version)}
    warned = client.post(f"/children/{child.pk}/edit/", data)
    assert warned.status_code == 200
    page = warned.content.decode()
    assert "Same NHS number" in page
    assert "John Smith" in page
    assert "9 New Road" in page
    child.refresh_from_db()
    assert child.nhs_number == ""
    saved = client.post(f"/children/{child.pk}/edit/", {**data, "not_a_duplicate": "on"})
    assert saved.status_code == 302
    child.refresh_from_db()
    assert (child.nhs_number, child.address) == ("9434765919", "9 New Road")


def test_editing_what_does_not_identify_the_child_does_not_warn(client, sw, child, org):
    # A sibling at the same address is a likely duplicate, but changing the child's first
    # language does not ask again.
    ChildFactory(authority=org.authority, address=child.address, postcode=child.postcode)
    client.force_login(sw)
    response = client.post(f"/children/{child.pk}/edit/", {
        "first_name": child.first_name, "last_name": child.last_name,
        "date_of_birth_0": "17", "date_of_birth_1": "5", "date_of_birth_2": "2018",
        "sex": child.sex, "ethnicity": child.ethnicity, "first_language": "Polish",
        "address": child.address, "postcode": child.postcode, "version": str(child.version)})
    assert response.status_code == 302


def test_api_create_answers_409_with_the_likely_duplicates_then_creates_on_confirmation(
        sw, john_in_team_b):
    api = APIClient()
    api.force_authenticate(sw)
    body = {"la_child_id": "N300", "first_name": "Jon", "last_name": "Smyth",
            "date_of_birth": "2015-06-01", "upn_unknown_reason": "UN4"}
    warned = api.post("/api/v1/children/", body, format="json")
    assert warned.status_code == 409
    [found] = warned.json()["duplicates"]
    assert found["id"] == john_in_team_b.pk
    assert found["in_scope"] is False
    assert found["reasons"] == ["Same date of birth and a similar name"]
    assert "address" not in found
    assert not Child.objects.filter(la_child_id="N300").exists()
    created = api.post("/api/v1/children/", {**body, "not_a_duplicate": True}, format="json")
    assert created.status_code == 201


def test_moving_a_child_checks_only_the_new_address_not_a_twin_of_the_same_birthday(
        client, sw, child, org):
    twin = ChildFactory(authority=org.authority, first_name="Alfie-Jo",
                        last_name=child.last_name, date_of_birth=child.date_of_birth,
                        address="7 Twin Street", postcode="AN7 7TT")
    AllocationFactory(child=twin, team=org.team_a, social_worker=sw)
    client.force_login(sw)
    data = {"first_name": child.first_name, "last_name": child.last_name,
            "date_of_birth_0": "17", "date_of_birth_1": "5", "date_of_birth_2": "2018",
            "sex": child.sex, "ethnicity": child.ethnicity, "first_language": "English",
            "address": "5 New Road, Anytown", "postcode": "AN5 5NN",
            "version": str(child.version)}
    assert client.post(f"/children/{child.pk}/edit/", data).status_code == 302
    # Moving in with the twin's household is the same address: that is asked about.
    child.refresh_from_db()
    warned = client.post(f"/children/{child.pk}/edit/", {
        **data, "address": "7 twin street", "postcode": "an77tt",
        "version": str(child.version)}).content.decode()
    assert "Same address" in warned
    assert "Same date of birth and a similar name" not in warned
