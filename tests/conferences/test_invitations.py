"""Invitations (002 §4, §13; 003; 004): everyone with parental responsibility, including
absent parents; the child by the authority's age guidance (10 in 002, 12 in 003, never a
pre-school child) with advocacy offered from 10; professionals with their own e-mail and
mobile, never a shared mailbox; at most one observer, with consent; the list completed
(`invitation_list`, `attendee_details`); invitations e-mailed with a calendar file."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client

from conferences.models import InvitationResponse, InvitedHow, InviteeKind
from conferences.preparation import services as preparation
from cpcases.accounts.roles import Agency
from cpcases.children.models import InvolvementKind, PartnerInvolvement, Relationship
from cpcases.core.errors import NotPermitted, ServiceError
from deadlines.models import Deadline, DeadlineStatus
from tests.conferences.factories import professional
from tests.factories import ChildPersonFactory, PersonFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def set_age(child, age: int, on: dt.date = dt.date(2027, 4, 1)) -> None:
    child.date_of_birth = on.replace(year=on.year - age) - dt.timedelta(days=30)
    child.save(update_fields=["date_of_birth"])


@pytest.fixture
def parents(org, ready):
    """Mum lives with both children; Dad has parental responsibility but lives elsewhere;
    Mum's partner has none."""
    lily, jack = ready
    mum = PersonFactory(authority=org.authority, first_name="Mary", last_name="Smith")
    dad = PersonFactory(authority=org.authority, first_name="Dan", last_name="Smith")
    partner = PersonFactory(authority=org.authority, first_name="Phil", last_name="Jones")
    for child in (lily, jack):
        ChildPersonFactory(child=child, person=mum, relationship=Relationship.MOTHER)
        ChildPersonFactory(child=child, person=dad, relationship=Relationship.FATHER,
                           lives_with_child=False)
        ChildPersonFactory(child=child, person=partner,
                           relationship=Relationship.PARTNER_OF_PARENT,
                           has_parental_responsibility=False)
    return mum, dad, partner


def test_prefill_invites_everyone_with_parental_responsibility_including_absent_parents(
        booked, parents, sw):
    mum, dad, _partner = parents
    preparation.invitations_prefill(user=sw, conference=booked)
    family = booked.invitations.filter(kind=InviteeKind.FAMILY)
    assert set(family.values_list("person", flat=True)) == {mum.pk, dad.pk}
    assert "does not live with the child" in family.get(person=dad).role
    # Run twice: nobody is listed twice.
    preparation.invitations_prefill(user=sw, conference=booked)
    assert booked.invitations.filter(kind=InviteeKind.FAMILY).count() == 2


def test_a_nine_year_old_is_not_invited_by_default_under_the_age_of_10(booked, ready, sw):
    lily, jack = ready
    set_age(lily, 9)
    set_age(jack, 11)
    preparation.invitations_prefill(user=sw, conference=booked)
    assert list(booked.invitations.filter(kind=InviteeKind.CHILD).values_list(
        "child", flat=True)) == [jack.pk]


def test_an_eleven_year_old_is_invited_and_must_be_offered_advocacy_first(
        booked, ready, sw, bso):
    lily, jack = ready
    set_age(lily, 11)
    set_age(jack, 4)
    preparation.invitations_prefill(user=sw, conference=booked)
    invitation = booked.invitations.get(kind=InviteeKind.CHILD)
    assert invitation.child == lily
    with pytest.raises(ServiceError, match="advocacy"):
        preparation.invitations_mark_sent(user=bso, conference=booked,
                                          invitations=[invitation], how=InvitedHow.LETTER)
    preparation.invitation_record_advocacy(user=sw, invitation=invitation, offered=True,
                                           accepted=True)
    preparation.invitations_mark_sent(user=bso, conference=booked, invitations=[invitation],
                                      how=InvitedHow.LETTER)
    invitation.refresh_from_db()
    assert invitation.how_invited == InvitedHow.LETTER
    assert invitation.invited_at is not None


def test_an_eleven_year_old_is_not_invited_where_the_guidance_is_12(booked, ready, sw, org):
    org.authority.child_invitation_age = 12
    org.authority.save()
    booked.authority.refresh_from_db()
    set_age(ready[0], 11)
    preparation.invitations_prefill(user=sw, conference=booked)
    assert not booked.invitations.filter(kind=InviteeKind.CHILD).exists()


def test_a_four_year_old_is_never_invited(booked, ready, sw):
    jack = ready[1]
    set_age(jack, 4)
    with pytest.raises(ServiceError, match="pre-school"):
        preparation.invitation_add(user=sw, conference=booked, kind=InviteeKind.CHILD,
                                   child=jack, note="The chair agreed.")


def test_a_child_under_the_guidance_needs_the_chairs_decision(booked, ready, sw):
    jack = ready[1]  # 7
    with pytest.raises(ServiceError, match="chair's decision"):
        preparation.invitation_add(user=sw, conference=booked, kind=InviteeKind.CHILD,
                                   child=jack)
    invitation = preparation.invitation_add(user=sw, conference=booked,
                                            kind=InviteeKind.CHILD, child=jack,
                                            note="The chair agreed he attends the start.")
    assert invitation.name == "Jack Smith"


@pytest.mark.parametrize("email", ["info@school.example", "duty@police.example",
                                   "Enquiries@nhs.example", "duty.team@council.example",
                                   "admin@gp.example"])
def test_a_generic_address_is_refused(booked, sw, email):
    with pytest.raises(ServiceError, match="shared mailbox"):
        professional(booked, sw, email=email)


def test_a_professional_needs_their_own_mobile(booked, sw):
    with pytest.raises(ServiceError, match="not a mobile number"):
        professional(booked, sw, mobile="0151 496 0000")
    with pytest.raises(ServiceError, match="mobile"):
        professional(booked, sw, mobile="")


def test_an_invited_partner_sees_the_conference(booked, ready, sw, police):
    assert signed_in(police).get(f"/conferences/{booked.pk}/").status_code == 404
    professional(booked, sw, name="DC Pat Police", agency=Agency.POLICE, email=police.email)
    assert PartnerInvolvement.objects.filter(user=police, kind=InvolvementKind.CONFERENCE,
                                             object_id=booked.pk).count() == 2
    page = signed_in(police).get(f"/conferences/{booked.pk}/")
    assert page.status_code == 200
    assert 'data-testid="my-invitation"' in page.content.decode()
    # The partner sends their own apologies.
    invitation = booked.invitations.get(user=police)
    preparation.invitation_respond(user=police, invitation=invitation,
                                   response=InvitationResponse.APOLOGIES,
                                   note="In court; report sent.")
    invitation.refresh_from_db()
    assert invitation.response == InvitationResponse.APOLOGIES


def test_only_one_observer_and_only_with_consent(booked, sw):
    def observer(**consent):
        return preparation.invitation_add(
            user=sw, conference=booked, kind=InviteeKind.OBSERVER, name="Olu Observer",
            agency=Agency.HEALTH, email="olu.observer@nhs.example", mobile="07700 900999",
            **consent)

    with pytest.raises(ServiceError, match="consent"):
        observer(observer_chair_consent=True)
    observer(observer_chair_consent=True, observer_family_consent=True)
    with pytest.raises(ServiceError, match="only one observer"):
        observer(observer_chair_consent=True, observer_family_consent=True)


def test_completing_the_list_meets_invitation_list_and_attendee_details(
        booked, ready, parents, sw):
    with pytest.raises(ServiceError, match="Invite the family"):
        preparation.invitation_list_complete(user=sw, conference=booked)
    preparation.invitations_prefill(user=sw, conference=booked)
    professional(booked, sw)
    preparation.invitation_list_complete(user=sw, conference=booked)
    for rule_id in ("invitation_list", "attendee_details"):
        assert {d.status for d in Deadline.objects.filter(rule_id=rule_id)} == {
            DeadlineStatus.MET}


def test_business_support_cannot_complete_the_list(booked, bso):
    with pytest.raises(NotPermitted):
        preparation.invitation_list_complete(user=bso, conference=booked)


def test_professionals_invited_by_email_get_the_calendar_file(
        booked, sw, bso, django_capture_on_commit_callbacks):
    invitation = professional(booked, sw)
    with django_capture_on_commit_callbacks(execute=True):
        preparation.invitations_mark_sent(user=bso, conference=booked,
                                          invitations=[invitation], how=InvitedHow.EMAIL)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hana.health@nhs.example"]
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".ics")
    assert mimetype.startswith("text/calendar")
    assert "DTSTART;TZID=Europe/London:20270401T100000" in content
    assert "Smith" not in content  # no child's name leaves the system


def test_a_reschedule_sends_the_updated_calendar_file(
        booked, sw, bso, chair, django_capture_on_commit_callbacks):
    from conferences import services

    invitation = professional(booked, sw)
    preparation.invitations_mark_sent(user=bso, conference=booked, invitations=[invitation],
                                      how=InvitedHow.EMAIL)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.conference_reschedule(user=bso, conference=booked, on=dt.date(2027, 4, 6),
                                       start_time=dt.time(14), chair=chair, minute_taker=bso,
                                       venue="Room 3")
    moved = [m for m in mail.outbox if m.to == ["hana.health@nhs.example"]]
    assert "20270406T140000" in moved[0].attachments[0][1]


def test_the_calendar_download_and_the_invitation_pages(booked, parents, sw, sw_b):
    client = signed_in(sw)
    ics = client.get(f"/conferences/{booked.pk}/calendar.ics")
    assert ics.status_code == 200
    assert ics["Content-Type"] == "text/calendar"
    assert signed_in(sw_b).get(f"/conferences/{booked.pk}/calendar.ics").status_code == 404
    client.post(f"/conferences/{booked.pk}/invitations/prefill/")
    refused = client.post(f"/conferences/{booked.pk}/invitations/add/?kind=professional", {
        "name": "Sue School", "agency": "education", "role": "DSL",
        "email": "info@school.example", "mobile": "07700 900111"})
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "govuk-error-summary" in body
    assert "shared mailbox" in body
    assert 'value="Sue School"' in body  # what was typed is kept
    page = client.get(f"/conferences/{booked.pk}/").content.decode()
    assert "Mary Smith" in page
    assert "Dan Smith" in page


def test_api_invitations_with_the_same_rules(booked, sw, sw_b):
    client = signed_in(sw)
    refused = client.post("/api/v1/invitations/", {
        "conference": booked.pk, "kind": "professional", "name": "Sue School",
        "agency": "education", "email": "duty@school.example", "mobile": "07700 900111"},
        content_type="application/json")
    assert refused.status_code == 400
    assert "shared mailbox" in refused.json()["detail"]
    created = client.post("/api/v1/invitations/", {
        "conference": booked.pk, "kind": "professional", "name": "Sue School",
        "agency": "education", "email": "sue.school@school.example",
        "mobile": "07700 900111"}, content_type="application/json")
    assert created.status_code == 201
    assert signed_in(sw_b).get(f"/api/v1/invitations/{created.json()['id']}/").status_code \
        == 404


def test_each_invitation_emailed_is_kept_as_sent_with_its_calendar_file(
        booked, sw, bso, media, django_capture_on_commit_callbacks):
    from cpcases.documents.models import IssuedDocument
    from cpcases.documents.selectors import issued_content

    invitation = professional(booked, sw)
    with django_capture_on_commit_callbacks(execute=True):
        preparation.invitations_mark_sent(user=bso, conference=booked,
                                          invitations=[invitation], how=InvitedHow.EMAIL)
    kept = IssuedDocument.objects.get(kind="conference invitation")
    content = issued_content(kept)
    sent = mail.outbox[0]
    assert kept.issued_to == f"{invitation.name} <hana.health@nhs.example>"
    assert kept.issued_by == bso
    assert kept.conference_id == booked.pk
    assert sorted(kept.child_ids) == sorted(booked.children.values_list("pk", flat=True))
    assert sent.body.splitlines()[0].encode() in content
    assert b"BEGIN:VCALENDAR" in content
