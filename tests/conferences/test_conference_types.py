"""Conference types (002 §7, 003): a pre-birth conference for an unborn baby, due 3 months
before the expected date of delivery (`prebirth_conference`), with midwifery and neonatal
services suggested as invitees; a transfer-in conference, due 15 working days from the
agreement between the authorities (`transfer_conference`), booked through the same request,
approval and booking as an ICPC."""

from __future__ import annotations

import datetime as dt

import pytest

from conferences import services
from conferences.models import ConferenceKind, RequestStatus
from conferences.preparation import selectors
from cpcases.accounts.roles import Agency
from cpcases.children.models import CpStage
from cpcases.core.errors import ServiceError
from deadlines.models import Deadline, DeadlineStatus
from tests.conferences.conftest import S47_HELD
from tests.conferences.factories import book, professional, ready_for_request
from tests.factories import AllocationFactory, ChildFactory, UnbornChildFactory

pytestmark = pytest.mark.django_db

EDD = dt.date(2027, 9, 15)


@pytest.fixture
def baby(org, sw, smiths):
    baby = UnbornChildFactory(authority=org.authority, last_name="Smith",
                              household=smiths[0].household, expected_delivery_date=EDD,
                              cp_stage=CpStage.STRATEGY)
    AllocationFactory(child=baby, team=org.team_a, social_worker=sw)
    return baby


@pytest.fixture
def moved_in(org, sw):
    """A child on another authority's plan who has moved into the area: not yet in a child
    protection process here."""
    child = ChildFactory(authority=org.authority, first_name="Tom", last_name="Newton",
                         date_of_birth=dt.date(2015, 6, 1))
    AllocationFactory(child=child, team=org.team_a, social_worker=sw)
    return child


def test_prebirth_conference_due_3_months_before_the_expected_delivery_date(
        frozen, baby, sw, tm, bso, chair):
    ready_for_request(sw=sw, tm=tm, children=[baby], held_at=S47_HELD)
    request = services.conference_request_create(
        user=sw, children=[baby], reason="Pre-birth assessment: risk of significant harm.",
        kind=ConferenceKind.PRE_BIRTH)
    deadline = Deadline.objects.get(child=baby, rule_id="prebirth_conference")
    assert deadline.due_date == dt.date(2027, 6, 15)
    assert deadline.status == DeadlineStatus.OPEN

    services.conference_request_submit(user=sw, request=request)
    services.conference_request_approve(user=tm, request=request)
    conference = book(bso=bso, request=request, on=dt.date(2027, 4, 1), chair=chair)
    assert conference.kind == ConferenceKind.PRE_BIRTH
    assert conference.due_date == dt.date(2027, 6, 15)
    assert conference.within_timescale is True
    assert str(baby) == "Baby Smith"


def test_prebirth_request_must_include_the_unborn_baby(frozen, smiths, sw):
    with pytest.raises(ServiceError, match="unborn child"):
        services.conference_request_create(user=sw, children=smiths, reason="Pre-birth",
                                           kind=ConferenceKind.PRE_BIRTH)


def test_prebirth_invitation_page_suggests_midwifery_and_neonatal_services(
        frozen, baby, sw, tm, bso, chair):
    ready_for_request(sw=sw, tm=tm, children=[baby], held_at=S47_HELD)
    request = services.conference_request_create(user=sw, children=[baby], reason="Pre-birth",
                                                 kind=ConferenceKind.PRE_BIRTH)
    services.conference_request_submit(user=sw, request=request)
    services.conference_request_approve(user=tm, request=request)
    conference = book(bso=bso, request=request, on=dt.date(2027, 4, 1), chair=chair)
    assert {s.agency for s in selectors.suggested_invitees(conference)} == {
        Agency.MIDWIFERY, Agency.HEALTH}

    professional(conference, sw, name="Mary Midwife", agency=Agency.MIDWIFERY,
                 email="mary.midwife@nhs.example")
    assert [s.role for s in selectors.suggested_invitees(conference)] == ["Neonatal service"]


def test_transfer_in_due_15_working_days_from_the_agreement_over_easter(
        frozen, moved_in, sw, tm, bso, chair):
    request = services.conference_request_create(
        user=sw, children=[moved_in], reason="Moved from Northshire on a plan (neglect).",
        kind=ConferenceKind.TRANSFER_IN, transfer_agreed_on=dt.date(2027, 3, 15),
        originating_authority="Northshire County Council")
    deadline = Deadline.objects.get(child=moved_in, rule_id="transfer_conference")
    # Good Friday 26 and Easter Monday 29 March are not working days.
    assert deadline.due_date == dt.date(2027, 4, 7)

    services.conference_request_submit(user=sw, request=request)
    # 003: no threshold decision here: the child is on the originating authority's plan.
    services.conference_request_approve(user=tm, request=request)
    moved_in.refresh_from_db()
    assert moved_in.cp_stage == CpStage.CONFERENCE  # business support can now see the record
    conference = book(bso=bso, request=request, on=dt.date(2027, 4, 8), chair=chair)
    assert conference.due_date == dt.date(2027, 4, 7)
    assert conference.within_timescale is False  # shown late; not an ICPC delay


def test_transfer_in_request_needs_the_agreement_date_and_the_originating_authority(
        frozen, moved_in, sw):
    with pytest.raises(ServiceError, match="agreed the transfer"):
        services.conference_request_create(user=sw, children=[moved_in], reason="Moved",
                                           kind=ConferenceKind.TRANSFER_IN,
                                           originating_authority="Northshire")
    with pytest.raises(ServiceError, match="originating authority"):
        services.conference_request_create(user=sw, children=[moved_in], reason="Moved",
                                           kind=ConferenceKind.TRANSFER_IN,
                                           transfer_agreed_on=dt.date(2027, 3, 15))


def test_withdrawn_transfer_request_cancels_its_timescale(frozen, moved_in, sw):
    request = services.conference_request_create(
        user=sw, children=[moved_in], reason="Moved", kind=ConferenceKind.TRANSFER_IN,
        transfer_agreed_on=dt.date(2027, 3, 15), originating_authority="Northshire")
    services.conference_request_cancel(user=sw, request=request, reason="Moved on again")
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED
    assert Deadline.objects.get(child=moved_in, rule_id="transfer_conference").status == \
        DeadlineStatus.CANCELLED


def test_a_transfer_in_request_from_the_page(frozen, moved_in, sw):
    from django.test import Client

    client = Client()
    client.force_login(sw)
    response = client.post(f"/conferences/child/{moved_in.pk}/request/", {
        "children": [moved_in.pk], "reason": "Moved in on a plan.", "kind": "transfer_in",
        "transfer_agreed_on_0": "", "transfer_agreed_on_1": "", "transfer_agreed_on_2": "",
        "originating_authority": "Northshire"})
    assert response.status_code == 200
    assert "agreed the transfer" in response.content.decode()
    response = client.post(f"/conferences/child/{moved_in.pk}/request/", {
        "children": [moved_in.pk], "reason": "Moved in on a plan.", "kind": "transfer_in",
        "transfer_agreed_on_0": "15", "transfer_agreed_on_1": "3",
        "transfer_agreed_on_2": "2027", "originating_authority": "Northshire"})
    assert response.status_code == 302
    assert Deadline.objects.get(child=moved_in, rule_id="transfer_conference").due_date == \
        dt.date(2027, 4, 7)


def test_originating_authoritys_report_due_5_working_days_before_a_transfer_in_conference(
        frozen, moved_in, sw, tm, bso, chair):
    request = services.conference_request_create(
        user=sw, children=[moved_in], reason="Moved from Northshire on a plan (neglect).",
        kind=ConferenceKind.TRANSFER_IN, transfer_agreed_on=dt.date(2027, 3, 15),
        originating_authority="Northshire County Council")
    services.conference_request_submit(user=sw, request=request)
    services.conference_request_approve(user=tm, request=request)
    book(bso=bso, request=request, on=dt.date(2027, 4, 1), chair=chair)
    deadline = Deadline.objects.get(child=moved_in, rule_id="originating_report")
    # 003: at least 5 working days before Thursday 1 April, counted back over Easter (Easter
    # Monday 29 and Good Friday 26 March are skipped): 31, 30, 25, 24, 23 March.
    assert deadline.due_date == dt.date(2027, 3, 23)
    assert deadline.status == DeadlineStatus.OPEN
