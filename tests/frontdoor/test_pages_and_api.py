"""The front door's pages and API as a user meets them, with the same scoping."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from rest_framework.test import APIClient

from cpcases.audit.models import AccessEvent
from cpcases.children.identifiers import upn_check_letter
from cpcases.children.models import Child, ChildPerson
from deadlines.services import policy_override_rule
from frontdoor import services
from frontdoor.models import AssessmentOutcome, Contact, ContactDecision, PrimaryNeed
from tests.factories import AllocationFactory, ChildFactory
from tests.frontdoor.conftest import at, record_contact

pytestmark = pytest.mark.django_db

NOW = at(2026, 12, 4, 18)
FORMER_UPN = upn_check_letter("820200109002") + "820200109002"


def _contact_post(**overrides: str) -> dict[str, str]:
    data = {"received_date_0": "4", "received_date_1": "12", "received_date_2": "2026",
            "received_time": "17:30", "source": "2A", "referrer_name": "Mrs Ellis",
            "concern": "Bruises on both arms", "consent": "given", "first_name": "Jon",
            "last_name": "Smyth", "date_of_birth_0": "1", "date_of_birth_1": "6",
            "date_of_birth_2": "2015", "sex": "M", "nhs_number": "", "postcode": "",
            "address": ""}
    data.update(overrides)
    return data


def test_queue_shows_contacts_awaiting_a_decision_with_their_countdown(client, duty_sw):
    record_contact(duty_sw, at(2026, 12, 4, 17, 30))
    with time_machine.travel(NOW, tick=False):
        client.force_login(duty_sw)
        page = client.get("/front-door/").content.decode()
    assert "John Smith" in page
    # Due at 17:30 on Saturday: 23 hours 30 minutes left (Django puts no-break spaces).
    assert "23\xa0hours, 30\xa0minutes left" in page


def test_queue_states_the_decision_timescale_from_the_authoritys_rule(client, duty_sw, org,
                                                                      admin_user):
    client.force_login(duty_sw)
    assert "A decision is due 24 hours after contact received" in \
        client.get("/front-door/").content.decode()
    policy_override_rule(authority=org.authority, rule_id="contact_decision",
                         user=admin_user, reason="Our MASH decides within a working day",
                         offset=12)
    page = client.get("/front-door/").content.decode()
    assert "A decision is due 12 hours after contact received" in page
    assert "24 hours" not in page


def test_a_duty_social_worker_sees_the_contact_without_the_decision(client, duty_sw, duty_tm):
    # 003 "Making Contact": the team manager decides the contact.
    contact = record_contact(duty_sw, at(2026, 12, 4, 17, 30))
    with time_machine.travel(NOW, tick=False):
        client.force_login(duty_sw)
        page = client.get(f"/front-door/contacts/{contact.pk}/").content.decode()
        assert "Bruising seen at school" in page
        assert "Decide the contact" not in page
        assert "The team manager decides this contact" in page
        refused = client.post(f"/front-door/contacts/{contact.pk}/",
                              {"decision": ContactDecision.NO_FURTHER_ACTION})
        assert refused.status_code == 403
        client.force_login(duty_tm)
        assert "Decide the contact" in \
            client.get(f"/front-door/contacts/{contact.pk}/").content.decode()
    contact.refresh_from_db()
    assert contact.decision == ""


def test_api_refuses_a_contact_decision_from_a_social_worker(duty_sw, duty_tm):
    contact = record_contact(duty_sw, at(2026, 12, 4, 17, 30))
    api = APIClient()
    api.force_authenticate(duty_sw)
    with time_machine.travel(NOW, tick=False):
        assert api.get(f"/api/v1/contacts/{contact.pk}/").status_code == 200
        refused = api.post(f"/api/v1/contacts/{contact.pk}/decide/",
                           {"decision": "nfa"}, format="json")
        assert refused.status_code == 403
        api.force_authenticate(duty_tm)
        decided = api.post(f"/api/v1/contacts/{contact.pk}/decide/",
                           {"decision": "nfa"}, format="json")
    assert decided.status_code == 200
    assert decided.json()["decision"] == "nfa"


def test_a_social_worker_cannot_authorise_an_assessment_on_the_page_or_api(
        client, duty_sw, duty_tm):
    contact = record_contact(duty_sw, at(2026, 12, 15, 9))
    with time_machine.travel(at(2026, 12, 16, 9), tick=False):
        services.contact_decide(actor=duty_tm, contact=contact,
                                decision=ContactDecision.REFERRAL)
        referral = contact.referrals.get()
        assessment = services.assessment_allocate(actor=duty_tm, referral=referral,
                                                  social_worker=duty_sw)
        services.assessment_complete(actor=duty_sw, assessment=assessment, factors=["21"],
                                     summary="No concerns", completed_on=dt.date(2026, 12, 16),
                                     outcome=AssessmentOutcome.NO_FURTHER_ACTION,
                                     primary_need=PrimaryNeed.N9)
        client.force_login(duty_sw)
        page = client.get(f"/front-door/assessments/{assessment.pk}/").content.decode()
        assert "Awaiting a manager" in page
        assert "Authorise the assessment" not in page
        assert client.post(f"/front-door/assessments/{assessment.pk}/",
                           {"urgency": ""}).status_code == 403
        api = APIClient()
        api.force_authenticate(duty_sw)
        assert api.post(f"/api/v1/assessments/{assessment.pk}/authorise/", {},
                        format="json").status_code == 403
    assessment.refresh_from_db()
    assert assessment.authorised_at is None


def _summary_row(page: str, label: str) -> str:
    """The value beside `label` in a summary list."""
    found = re.search(rf'__key">{re.escape(label)}</dt><dd[^>]*>(.*?)</dd>', page)
    assert found, f"no row {label!r}"
    return found.group(1)


def test_the_childs_summary_and_api_show_identifiers_and_characteristics(client, sw, org):
    child = ChildFactory(authority=org.authority, first_name="Ivy", last_name="Census",
                         nhs_number="9434765919", upn="", upn_unknown_reason="UN2",
                         former_upn=FORMER_UPN, sex="F",
                         date_of_death=dt.date(2026, 11, 2), disabilities=["HAND", "VIS"],
                         expected_delivery_date=dt.date(2015, 7, 1))
    AllocationFactory(child=child, team=org.team_a, social_worker=sw)
    client.force_login(sw)
    page = client.get(f"/children/{child.pk}/").content.decode()
    for label, value in (("NHS number", "943 476 5919"), ("Sex", "Female"),
                         ("Unique pupil number", "Not known: Child is of school age"),
                         ("Former unique pupil number", FORMER_UPN),
                         ("Expected date of birth", "1 July 2015"),
                         ("Date of death", "2 November 2026"),
                         ("Disabilities", "Hand function, Vision")):
        assert value in _summary_row(page, label)
    api = APIClient()
    api.force_authenticate(sw)
    data = api.get(f"/api/v1/children/{child.pk}/").json()
    assert data["nhs_number"] == "9434765919"
    assert (data["upn_unknown_reason"], data["former_upn"]) == ("UN2", FORMER_UPN)
    assert data["date_of_death"] == "2026-11-02"
    assert data["disabilities"] == ["HAND", "VIS"]
    assert data["sex"] == "F"


def test_recording_a_contact_warns_of_a_likely_duplicate_first(client, duty_sw, org):
    ChildFactory(authority=org.authority, first_name="John", last_name="Smith",
                 date_of_birth=dt.date(2015, 6, 1))
    with time_machine.travel(NOW, tick=False):
        client.force_login(duty_sw)
        warned = client.post("/front-door/contacts/new/", _contact_post())
        assert warned.status_code == 200
        assert "This child may already have a record" in warned.content.decode()
        assert not Contact.objects.exists()
        saved = client.post("/front-door/contacts/new/",
                            _contact_post(not_a_duplicate="on"))
    assert saved.status_code == 302
    assert Contact.objects.get().children.get().display_name == "Jon Smyth"


def test_a_bad_nhs_number_on_the_contact_names_the_field_and_keeps_what_was_typed(
        client, duty_sw):
    with time_machine.travel(NOW, tick=False):
        client.force_login(duty_sw)
        page = client.post("/front-door/contacts/new/",
                           _contact_post(nhs_number="9434765918")).content.decode()
    assert "NHS number must be 10 digits" in page
    assert 'value="9434765918"' in page
    assert "Bruises on both arms" in page


def test_deciding_a_contact_on_its_page(client, duty_sw, duty_tm):
    contact = record_contact(duty_sw, at(2026, 12, 4, 17, 30))
    with time_machine.travel(NOW, tick=False):
        client.force_login(duty_tm)
        client.post(f"/front-door/contacts/{contact.pk}/",
                    {"decision": ContactDecision.REFERRAL, "reason": "Threshold met"})
        page = client.get(f"/front-door/contacts/{contact.pk}/").content.decode()
    assert "Referral to children&#x27;s social care" in page
    assert contact.children.get().referrals.exists()


def test_search_page_shows_who_holds_the_case_and_offers_break_glass(
        client, sw, sw_b, tm_b, org, django_capture_on_commit_callbacks):
    other = ChildFactory(authority=org.authority, first_name="John", last_name="Smith")
    AllocationFactory(child=other, team=org.team_b, social_worker=sw_b)
    client.force_login(sw)
    page = client.get("/front-door/find/", {"name": "Jon Smyth"}).content.decode()
    assert "John Smith" in page
    assert "Assessment Team B" in page
    assert f"/front-door/child/{other.pk}/open/" in page
    assert client.get(f"/children/{other.pk}/").status_code == 404
    tm_b.email = "ben@example.org"
    tm_b.save()
    response = client.post(f"/front-door/child/{other.pk}/open/", {"reason": ""})
    assert "Why you need to open this record" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/front-door/child/{other.pk}/open/",
                               {"reason": "The police asked about him tonight"})
    assert response.status_code == 302
    assert client.get(f"/children/{other.pk}/").status_code == 200
    assert AccessEvent.objects.filter(child_id=other.pk, section="break-glass").exists()
    assert mail.outbox[0].to == ["ben@example.org"]


def test_api_contact_to_referral_with_the_same_scoping(duty_sw, duty_tm, sw_b):
    api = APIClient()
    api.force_authenticate(duty_sw)
    with time_machine.travel(NOW, tick=False):
        created = api.post("/api/v1/contacts/", {
            "received_at": "2026-12-04T17:30:00Z", "source": "6", "concern": "Police report",
            "consent": "not_sought",
            "new_children": [{"first_name": "Amy", "last_name": "Lee",
                              "date_of_birth": "2019-02-02"}]}, format="json")
        assert created.status_code == 201, created.content
        pk = created.json()["id"]
        api.force_authenticate(duty_tm)
        decided = api.post(f"/api/v1/contacts/{pk}/decide/",
                           {"decision": "referral"}, format="json")
        assert decided.json()["decision"] == "referral"
        referrals = api.get("/api/v1/referrals/").json()["results"]
        assert len(referrals) == 1
    outsider = APIClient()
    outsider.force_authenticate(sw_b)
    assert outsider.get(f"/api/v1/contacts/{pk}/").status_code == 404
    assert outsider.get("/api/v1/referrals/").json()["results"] == []


def test_api_search_never_returns_restricted_records(sw_b, restricted_child):
    api = APIClient()
    api.force_authenticate(sw_b)
    found = api.get("/api/v1/child-search/", {"name": "Rosa Restricted"})
    assert found.status_code == 200
    assert found.json() == []
    refused = api.post("/api/v1/break-glass/", {"child": restricted_child.pk,
                                                "reason": "Curious about this one"})
    assert refused.status_code == 404  # out of scope: not revealed (issue 15 §1)


def test_api_creates_a_household_and_links_a_person(sw, child):
    api = APIClient()
    api.force_authenticate(sw)
    household = api.post("/api/v1/households/", {"child": child.pk, "name": "Example, 1 High "
                                                 "Street", "postcode": "an1 1aa"},
                         format="json")
    assert household.status_code == 201, household.content
    assert Child.objects.get(pk=child.pk).household_id == household.json()["id"]
    linked = api.post("/api/v1/child-people/", {
        "child": child.pk, "relationship": "mother", "has_parental_responsibility": True,
        "lives_with_child": True, "person": {"first_name": "Eve", "last_name": "Example",
                                             "phone": "07700 900000"}}, format="json")
    assert linked.status_code == 201, linked.content
    link = ChildPerson.objects.get(child=child)
    assert (link.person.phone, link.has_parental_responsibility) == ("07700 900000", True)
    changed = api.patch(f"/api/v1/child-people/{link.pk}/", {"lives_with_child": False,
                                                             "version": link.version},
                        format="json")
    assert changed.json()["lives_with_child"] is False


def test_api_household_of_another_team_is_not_found(sw_b, sw, child):
    api = APIClient()
    api.force_authenticate(sw)
    pk = api.post("/api/v1/households/", {"child": child.pk, "name": "Example"},
                  format="json").json()["id"]
    api.force_authenticate(sw_b)
    assert api.get(f"/api/v1/households/{pk}/").status_code == 404
    assert api.post("/api/v1/households/", {"child": child.pk, "name": "X"},
                    format="json").status_code == 404


def test_api_lists_each_household_with_a_child_in_scope_once(org, sw, child):
    """households_visible as EXISTS (issue 13 §2): a household of two children in scope is
    listed once; one whose only child is another team's is not listed at all."""
    from cpcases.children.models import Household

    both = Household.objects.create(authority=org.authority, name="Both")
    theirs = Household.objects.create(authority=org.authority, name="Theirs")
    sibling = ChildFactory(authority=org.authority, household=both)
    AllocationFactory(child=sibling, team=org.team_a, social_worker=sw)
    Child.objects.filter(pk=child.pk).update(household=both)
    other = ChildFactory(authority=org.authority, household=theirs)
    AllocationFactory(child=other, team=org.team_b)
    api = APIClient()
    api.force_authenticate(sw)
    body = api.get("/api/v1/households/").json()
    assert (body["count"], [h["name"] for h in body["results"]]) == (1, ["Both"])
    assert api.get(f"/api/v1/households/{theirs.pk}/").status_code == 404


def test_household_and_person_pages_save_and_show_on_the_tab(client, sw, child):
    from tests.factories import PersonFactory

    link = ChildPerson.objects.create(child=child, relationship="mother",
                                      person=PersonFactory(authority=child.authority))
    client.force_login(sw)
    response = client.post(f"/front-door/child/{child.pk}/household/",
                           {"name": "Example, 1 High Street", "address": "1 High Street",
                            "postcode": "AN1 1AA"})
    assert response.status_code == 302
    response = client.post(f"/front-door/child/{child.pk}/people/{link.pk}/", {
        "relationship": "carer", "has_parental_responsibility": "on", "phone": "07700 900123",
        "email": "", "address": "", "postcode": "", "version": link.person.version})
    assert response.status_code == 302
    tab = client.get(f"/front-door/child/{child.pk}/").content.decode()
    assert "Household: Example, 1 High Street" in tab
    assert "carer, has parental responsibility" in tab


def test_a_manager_merges_on_the_page(client, tm, sw, child, org):
    duplicate = ChildFactory(authority=org.authority, first_name=child.first_name,
                             last_name=child.last_name, date_of_birth=child.date_of_birth,
                             la_child_id="DUP1")
    AllocationFactory(child=duplicate, team=org.team_a, social_worker=sw)
    client.force_login(tm)
    page = client.get(f"/front-door/child/{child.pk}/merge/").content.decode()
    assert "Same date of birth and a similar name" in page
    response = client.post(f"/front-door/child/{child.pk}/merge/",
                           {"duplicate_id": "DUP1", "reason": "Same child, typed twice"})
    assert response.status_code == 302
    assert client.get(f"/children/{duplicate.pk}/").status_code == 404
    assert "Same child, typed twice" in client.get(
        f"/front-door/child/{child.pk}/").content.decode()
