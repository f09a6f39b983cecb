"""Reports to the conference (002 §15-16): deadlines set on booking through the engine and
moved by a reschedule, the social worker's report countersigned by the children's team
manager (`report_countersigned`), shared with the family and the chair (`report_to_family`,
`report_to_chair`), agency reports received (`agency_report_to_chair`); uploads checked by
type and size; downloads only within scope, each logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conferences import services
from conferences.models import ReportKind, ReportSharing, ShareHow, ShareRecipient
from conferences.preparation import services as preparation
from cpcases.accounts.roles import Agency
from cpcases.audit.models import AccessEvent
from cpcases.core.errors import NotPermitted, ServiceError
from deadlines.models import Deadline, DeadlineStatus
from tests.conferences.factories import LONDON, docx, pdf, professional

pytestmark = pytest.mark.django_db


def deadline(conference, child, rule_id):
    return Deadline.objects.exclude(status=DeadlineStatus.CANCELLED).get(
        child=child, rule_id=rule_id, object_id=conference.pk,
        content_type__model="conference")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sw_report(conference, sw, upload=None):
    return preparation.report_upload(user=sw, conference=conference,
                                     kind=ReportKind.SOCIAL_WORKER, upload=upload or pdf(),
                                     includes_chronology=True)


def test_booking_sets_the_report_deadlines_before_an_easter_conference(booked, ready):
    lily = ready[0]
    # Thursday 1 April 2027 at 10:00; Good Friday and Easter Monday fall before it.
    assert deadline(booked, lily, "report_countersigned").due_at == dt.datetime(
        2027, 3, 30, 10, tzinfo=LONDON)
    assert deadline(booked, lily, "agency_report_to_chair").due_at == dt.datetime(
        2027, 3, 31, 10, tzinfo=LONDON)
    # 3 working days before: 31, 30 March, then Thursday 25 March (26 and 29 are holidays).
    assert deadline(booked, lily, "report_to_chair").due_date == dt.date(2027, 3, 25)
    assert deadline(booked, lily, "report_to_family").due_date == dt.date(2027, 3, 25)


def test_a_reschedule_moves_the_report_deadlines(booked, ready, bso, chair):
    lily = ready[0]
    services.conference_reschedule(user=bso, conference=booked, on=dt.date(2027, 4, 6),
                                   start_time=dt.time(14, 0), chair=chair, minute_taker=bso,
                                   venue="Room 3")
    assert deadline(booked, lily, "report_countersigned").due_at == dt.datetime(
        2027, 4, 4, 14, tzinfo=LONDON)
    assert deadline(booked, lily, "report_to_chair").due_date == dt.date(2027, 4, 1)
    assert deadline(booked, lily, "agency_report_to_chair").due_at == dt.datetime(
        2027, 4, 5, 14, tzinfo=LONDON)


def test_cancelling_the_conference_cancels_the_report_deadlines(booked, ready, tm):
    services.conference_request_cancel(user=tm, request=booked.request, reason="Not needed")
    statuses = set(Deadline.objects.filter(
        object_id=booked.pk, content_type__model="conference",
        rule_id__in=["report_countersigned", "report_to_family", "report_to_chair",
                     "agency_report_to_chair"]).values_list("status", flat=True))
    assert statuses == {DeadlineStatus.CANCELLED}


def test_the_team_manager_countersigns_and_meets_report_countersigned(
        booked, ready, sw, tm, media):
    report = sw_report(booked, sw)
    assert report.includes_chronology
    preparation.report_countersign(user=tm, report=report, comments="Endorsed.")
    report.refresh_from_db()
    assert report.countersigned_by == tm
    assert deadline(booked, ready[0], "report_countersigned").status == DeadlineStatus.MET


def test_a_social_worker_cannot_countersign(booked, sw, media):
    report = sw_report(booked, sw)
    with pytest.raises(NotPermitted, match="team manager"):
        preparation.report_countersign(user=sw, report=report)


def test_another_teams_manager_cannot_countersign(booked, sw, tm_b, media):
    report = sw_report(booked, sw)
    with pytest.raises(NotPermitted):
        preparation.report_countersign(user=tm_b, report=report)


def test_the_report_is_shared_only_once_countersigned(booked, ready, sw, tm, media):
    report = sw_report(booked, sw)
    with pytest.raises(ServiceError, match="countersign"):
        preparation.report_share(user=sw, report=report, recipient=ShareRecipient.FAMILY,
                                 how=ShareHow.IN_PERSON, name="Mary Smith")
    preparation.report_countersign(user=tm, report=report)
    preparation.report_share(user=sw, report=report, recipient=ShareRecipient.FAMILY,
                             how=ShareHow.IN_PERSON, name="Mary Smith")
    preparation.report_share(user=sw, report=report, recipient=ShareRecipient.CHAIR,
                             how=ShareHow.IN_SYSTEM)
    lily = ready[0]
    assert deadline(booked, lily, "report_to_family").status == DeadlineStatus.MET
    assert deadline(booked, lily, "report_to_chair").status == DeadlineStatus.MET
    assert list(ReportSharing.objects.values_list("name", "recipient")) == [
        ("Mary Smith", "family"), ("Chris Chair", "chair")]


def test_an_agency_report_received_meets_agency_report_to_chair(
        booked, ready, sw, police, media):
    professional(booked, sw, name="DC Pat Police", agency=Agency.POLICE, email=police.email)
    report = preparation.report_upload(user=police, conference=booked, kind=ReportKind.AGENCY,
                                       upload=docx())
    assert report.agency == Agency.POLICE
    assert report.invitation.user == police
    assert deadline(booked, ready[0], "agency_report_to_chair").status == DeadlineStatus.MET


@pytest.mark.parametrize(("name", "content", "message"), [
    ("report.exe", b"MZ\x90\x00", "must be a PDF or Word"),
    ("report.pdf", b"MZ\x90\x00not a pdf", "not a real PDF"),
    ("report.docx", b"PK\x03\x04not a word document", "not a real DOCX"),
    ("report.doc", b"%PDF-1.4 pretending", "not a real DOC"),
    ("report.pdf", b"", "empty"),
])
def test_a_file_of_the_wrong_type_is_refused(booked, sw, media, name, content, message):
    with pytest.raises(ServiceError, match=message):
        sw_report(booked, sw, SimpleUploadedFile(name, content))


def test_a_file_over_10_mb_is_refused(booked, sw, media):
    big = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ServiceError, match="10 MB or smaller"):
        sw_report(booked, sw, big)


def test_a_word_97_document_is_accepted(booked, sw, media):
    upload = SimpleUploadedFile("report.DOC", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 64)
    assert sw_report(booked, sw, upload).content_type == "application/msword"


def test_download_is_scoped_and_logged(booked, sw, sw_b, media):
    report = sw_report(booked, sw)
    response = signed_in(sw).get(f"/conferences/reports/{report.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert AccessEvent.objects.filter(section="conference-report-download",
                                      user=sw).exists()
    assert signed_in(sw_b).get(f"/conferences/reports/{report.pk}/download/").status_code == 404


def test_upload_page_shows_the_refusal_in_the_error_summary(booked, sw, media):
    response = signed_in(sw).post(f"/conferences/{booked.pk}/reports/upload/", {
        "kind": "social_worker", "file": SimpleUploadedFile("virus.exe", b"MZ")})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "must be a PDF or Word" in response.content.decode()


def test_api_upload_countersign_and_refusals(booked, sw, tm, media):
    client = signed_in(sw)
    refused = client.post("/api/v1/conference-reports/", {
        "conference": booked.pk, "kind": "social_worker",
        "file": SimpleUploadedFile("x.txt", b"hello")}, format="multipart")
    assert refused.status_code == 400
    assert "PDF or Word" in refused.json()["detail"]
    created = client.post("/api/v1/conference-reports/", {
        "conference": booked.pk, "kind": "social_worker", "includes_chronology": "true",
        "file": pdf()}, format="multipart")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert client.post(f"/api/v1/conference-reports/{pk}/countersign/", {},
                       content_type="application/json").status_code == 403
    signed = signed_in(tm).post(f"/api/v1/conference-reports/{pk}/countersign/", {},
                                content_type="application/json")
    assert signed.status_code == 200
    assert signed.json()["countersigned_by"] == tm.pk


def test_the_conference_page_shows_what_was_shared_with_whom(booked, ready, sw, tm, media):
    report = sw_report(booked, sw)
    preparation.report_countersign(user=tm, report=report)
    response = signed_in(sw).post(f"/conferences/reports/{report.pk}/share/", {
        "recipient": "family", "name": "Mary Smith", "how": "in_person", "note": ""})
    assert response.status_code == 302
    page = signed_in(tm).get(f"/conferences/{booked.pk}/").content.decode()
    assert "Mary Smith (family member), in person" in page
    assert "Tara Manager" in page  # countersigned by
    # From the child's Conferences tab.
    tab = signed_in(sw).get(f"/conferences/child/{ready[0].pk}/").content.decode()
    assert f'href="/conferences/{booked.pk}/"' in tab
