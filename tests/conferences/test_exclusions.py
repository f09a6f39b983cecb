"""Exclusion requests (002 §12; 003): who asks, on which grounds, with what evidence, at
least 3 working days before (`exclusion_request`: a late request is accepted and flagged);
only the conference's chair decides, in writing, finally; the excluded person gets the
(redacted) report and a way to give their views; never carried to the next conference."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client

from conferences.models import (
    Conference,
    ConferenceKind,
    ExclusionDecision,
    ExclusionGround,
    InviteeKind,
    ReportKind,
    ShareHow,
)
from conferences.preparation import services as preparation
from cpcases.accounts.roles import Agency
from cpcases.core.errors import NotPermitted, ServiceError
from deadlines.models import Deadline, DeadlineStatus
from tests.conferences.factories import at, pdf, professional
from tests.factories import ChildPersonFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

GROUNDS = [ExclusionGround.VIOLENCE, ExclusionGround.CONFIDENTIAL]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def dad(org, ready, booked, sw):
    """The father, with parental responsibility, on the invitation list; the police officer
    invited."""
    person = PersonFactory(authority=org.authority, first_name="Dan", last_name="Smith")
    for child in ready:
        ChildPersonFactory(child=child, person=person, relationship="father")
    preparation.invitations_prefill(user=sw, conference=booked)
    return booked.invitations.get(person=person)


@pytest.fixture
def police_invited(booked, sw, police):
    return professional(booked, sw, name="DC Pat Police", agency=Agency.POLICE,
                        email=police.email)


def ask(booked, police, dad):
    return preparation.exclusion_request_make(
        user=police, conference=booked, invitation=dad, grounds=GROUNDS,
        evidence="Arrested on 10 March for threats to kill the children's mother; bail "
                 "conditions forbid contact.")


def test_a_police_officer_asks_the_chair_in_time(
        booked, dad, police, police_invited, chair, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(booked, police, dad)
    assert request.requesting_agency == Agency.POLICE
    assert request.late is False
    assert {d.status for d in Deadline.objects.filter(rule_id="exclusion_request")} == {
        DeadlineStatus.MET}
    assert [m.to for m in mail.outbox] == [[chair.email]]


def test_a_late_request_is_accepted_but_flagged(booked, dad, police, police_invited, frozen):
    # Monday 29 March: the cut-off was Thursday 25 March (Good Friday, Easter Monday).
    frozen.move_to(at(2027, 3, 29, 9))
    request = ask(booked, police, dad)
    assert request.late is True
    assert {d.status for d in Deadline.objects.filter(rule_id="exclusion_request")} == {
        DeadlineStatus.MISSED}


def test_a_request_needs_grounds_and_evidence(booked, dad, sw):
    with pytest.raises(ServiceError, match="grounds"):
        preparation.exclusion_request_make(user=sw, conference=booked, invitation=dad,
                                           grounds=[], evidence="x")
    with pytest.raises(ServiceError, match="evidence"):
        preparation.exclusion_request_make(user=sw, conference=booked, invitation=dad,
                                           grounds=GROUNDS, evidence=" ")


def test_a_partner_not_invited_cannot_ask(booked, dad, org):
    other = UserFactory(authority=org.authority, role="partner", agency=Agency.HEALTH)
    with pytest.raises(NotPermitted):
        preparation.exclusion_request_make(user=other, conference=booked, invitation=dad,
                                           grounds=GROUNDS, evidence="x")


def test_only_the_conferences_chair_decides(booked, dad, police, police_invited, sw, tm, org):
    request = ask(booked, police, dad)
    another_chair = UserFactory(authority=org.authority, role="cp_chair")
    for user in (sw, tm, police, another_chair):
        with pytest.raises(NotPermitted, match="Only the chair"):
            preparation.exclusion_decide(user=user, exclusion=request,
                                         decision=ExclusionDecision.EXCLUDED, reasons="No",
                                         views_arrangement="Letter")


def test_the_chairs_decision_is_written_and_final(booked, dad, police, police_invited, chair):
    request = ask(booked, police, dad)
    with pytest.raises(ServiceError, match="reasons"):
        preparation.exclusion_decide(user=chair, exclusion=request,
                                     decision=ExclusionDecision.EXCLUDED, reasons="")
    with pytest.raises(ServiceError, match="views"):
        preparation.exclusion_decide(user=chair, exclusion=request,
                                     decision=ExclusionDecision.EXCLUDED, reasons="Risk.")
    with pytest.raises(ServiceError, match="which part"):
        preparation.exclusion_decide(user=chair, exclusion=request,
                                     decision=ExclusionDecision.PARTLY, reasons="Risk.",
                                     views_arrangement="Letter")
    decided = preparation.exclusion_decide(
        user=chair, exclusion=request, decision=ExclusionDecision.PARTLY,
        reasons="Bail conditions forbid contact with the mother.",
        excluded_part="While the mother is present", views_arrangement="Meets the chair "
        "before the conference; a letter read to the conference.")
    assert decided.decided_by == chair
    with pytest.raises(ServiceError, match="final"):
        preparation.exclusion_decide(user=chair, exclusion=request,
                                     decision=ExclusionDecision.NOT_EXCLUDED, reasons="Rethink")


def test_the_excluded_person_gets_the_redacted_report(
        booked, dad, police, police_invited, chair, sw, tm, media):
    request = ask(booked, police, dad)
    preparation.exclusion_decide(user=chair, exclusion=request,
                                 decision=ExclusionDecision.EXCLUDED, reasons="Risk.",
                                 views_arrangement="Written views via the social worker.")
    report = preparation.report_upload(user=sw, conference=booked,
                                       kind=ReportKind.SOCIAL_WORKER, upload=pdf(),
                                       includes_chronology=True)
    preparation.report_countersign(user=tm, report=report)
    redacted = preparation.report_upload(user=sw, conference=booked,
                                         kind=ReportKind.SOCIAL_WORKER, upload=pdf("r.pdf"),
                                         redacted_from=report)
    done = preparation.exclusion_provide_report(user=sw, exclusion=request, report=redacted,
                                                how=ShareHow.POST)
    assert done.redacted_report == redacted
    sharing = redacted.sharings.get()
    assert sharing.redacted is True
    assert sharing.name == "Dan Smith"


def test_an_exclusion_is_never_carried_to_the_next_conference(
        booked, dad, police, police_invited, chair, sw, ready):
    request = ask(booked, police, dad)
    preparation.exclusion_decide(user=chair, exclusion=request,
                                 decision=ExclusionDecision.EXCLUDED, reasons="Risk.",
                                 views_arrangement="Letter")
    review = Conference.objects.create(
        authority=booked.authority, kind=ConferenceKind.REVIEW, date=dt.date(2027, 6, 24),
        start_time=dt.time(10), venue="Room 1", chair=chair, minute_taker=booked.minute_taker)
    review.children.set(ready)
    preparation.invitations_prefill(user=sw, conference=review)
    invited = review.invitations.get(kind=InviteeKind.FAMILY, person=dad.person)
    assert not invited.exclusion_requests.exists()
    assert not review.exclusion_requests.exists()


def test_pages_the_chair_decides_and_a_social_worker_is_refused(
        booked, dad, police, police_invited, chair, sw):
    request = ask(booked, police, dad)
    assert signed_in(sw).get(f"/conferences/exclusions/{request.pk}/decide/").status_code \
        == 403
    page = signed_in(chair).get(f"/conferences/{booked.pk}/").content.decode()
    assert f"/conferences/exclusions/{request.pk}/decide/" in page
    response = signed_in(chair).post(f"/conferences/exclusions/{request.pk}/decide/", {
        "decision": "not_excluded", "reasons": "Police can share in a confidential part.",
        "excluded_part": "", "views_arrangement": ""})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.decision == ExclusionDecision.NOT_EXCLUDED


def test_api_only_the_chair_decides(booked, dad, police, police_invited, chair, sw):
    created = signed_in(police).post("/api/v1/exclusion-requests/", {
        "conference": booked.pk, "invitation": dad.pk, "grounds": ["violence"],
        "evidence": "Threats."}, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    body = {"decision": "excluded", "reasons": "Risk.", "views_arrangement": "Letter"}
    assert signed_in(sw).post(f"/api/v1/exclusion-requests/{pk}/decide/", body,
                              content_type="application/json").status_code == 403
    decided = signed_in(chair).post(f"/api/v1/exclusion-requests/{pk}/decide/", body,
                                    content_type="application/json")
    assert decided.status_code == 200
    assert decided.json()["decision"] == "excluded"


def test_requests_made_before_a_reschedule_are_judged_against_the_new_date(
        booked, dad, police, police_invited, bso, chair, frozen):
    from conferences import services

    frozen.move_to(at(2027, 3, 29, 9))
    request = ask(booked, police, dad)
    assert request.late is True
    services.conference_reschedule(user=bso, conference=booked, on=dt.date(2027, 4, 6),
                                   start_time=dt.time(10), chair=chair, minute_taker=bso,
                                   venue="Room 3")
    request.refresh_from_db()
    assert request.late is False


