"""Screens that fit the role: business support sends invitations without meeting a box it may
not fill, with a method per person; the lead social worker is on the list and in the room."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from conferences.models import Invitation, InvitedHow, InviteeKind
from conferences.preparation import services as preparation
from cpcases.accounts.roles import Agency
from tests.conferences.factories import professional
from tests.factories import ChildPersonFactory, PersonFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_lead_social_worker_is_put_on_the_invitation_list(booked, sw):
    preparation.invitations_prefill(user=sw, conference=booked)
    lead = booked.invitations.get(user=sw)
    assert lead.kind == InviteeKind.PROFESSIONAL
    assert lead.agency == Agency.CHILDRENS_SOCIAL_CARE
    assert lead.role == "Lead social worker"
    # Twice is still once.
    preparation.invitations_prefill(user=sw, conference=booked)
    assert booked.invitations.filter(user=sw).count() == 1


def test_business_support_is_not_shown_the_advocacy_boxes_of_a_child_of_ten(
        booked, ready, sw, bso):
    lily = ready[0]
    lily.date_of_birth = dt.date(2016, 1, 1)
    lily.save(update_fields=["date_of_birth"])
    invitation = Invitation.objects.create(conference=booked, kind=InviteeKind.CHILD,
                                           child=lily, name=lily.display_name, role="Child")
    page = signed_in(bso).get(f"/conferences/invitations/{invitation.pk}/")
    assert page.status_code == 200
    assert b"Advocacy has been offered" not in page.content
    # Saving the reply as business support works (it answered 403 before).
    saved = signed_in(bso).post(f"/conferences/invitations/{invitation.pk}/",
                                {"response": "attending", "response_note": "",
                                 "record_version": invitation.version})
    assert saved.status_code == 302
    # The social worker, who offers advocacy, sees the boxes.
    assert b"Advocacy has been offered" in signed_in(sw).get(
        f"/conferences/invitations/{invitation.pk}/").content


def test_business_support_chooses_how_each_person_was_invited(booked, ready, org, bso):
    mum = PersonFactory(authority=org.authority, first_name="Mary", last_name="Smith")
    ChildPersonFactory(child=ready[0], person=mum)
    family = Invitation.objects.create(conference=booked, kind=InviteeKind.FAMILY,
                                       person=mum, name="Mary Smith", role="Mother")
    doctor = professional(booked, bso, name="Dr Ann Lee")
    page = signed_in(bso).get(f"/conferences/{booked.pk}/invitations/send/")
    assert page.status_code == 200
    assert b"Mary Smith (" in page.content
    assert b"Dr Ann Lee (" in page.content
    response = signed_in(bso).post(f"/conferences/{booked.pk}/invitations/send/", {
        f"how_{family.pk}": InvitedHow.LETTER, f"how_{doctor.pk}": InvitedHow.EMAIL})
    assert response.status_code == 302
    family.refresh_from_db()
    doctor.refresh_from_db()
    assert family.how_invited == InvitedHow.LETTER
    assert doctor.how_invited == InvitedHow.EMAIL


def test_sending_nothing_says_which_list_to_use(booked, bso):
    invitation = Invitation.objects.create(conference=booked, kind=InviteeKind.FAMILY,
                                           name="Mary Smith", role="Mother")
    page = signed_in(bso).post(f"/conferences/{booked.pk}/invitations/send/",
                                 {"submit": ""})  # a browser always sends something
    body = page.content.decode()
    assert page.status_code == 200
    assert f'href="#id_how_{invitation.pk}">Select how at least one invitation was sent' in body
    assert f'id="id_how_{invitation.pk}"' in body
