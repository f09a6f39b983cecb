"""A partner agency's professional gets only the documents sent to them or their agency
(decisions §27; 002 §22.5: the signed record goes to the professionals who attended or were
invited; the decision letter and the parents' copy go to the family, 002 §22.9, §23.1).
Everything else is refused as if it did not exist (404), and the refusal is logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from conferences.models import Conference, ConferenceRequest, Invitation, InviteeKind
from cpcases.accounts.roles import Agency
from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.documents.services import document_keep_issued
from tests.factories import PartnerInvolvementFactory

pytestmark = pytest.mark.django_db


def _conference(child, sw, chair, bso) -> Conference:
    request = ConferenceRequest.objects.create(authority_id=child.authority_id, reason="ICPC",
                                               social_worker=sw,
                                               household_id=child.household_id)
    conference = Conference.objects.create(
        authority_id=child.authority_id, request=request, date=dt.date(2026, 11, 2),
        start_time=dt.time(10), venue="Room 1", chair=chair, minute_taker=bso)
    conference.children.add(child)
    return conference


def _keep(kind: str, conference: Conference, child, sw, issued_to: str = "The invited"):
    return document_keep_issued(
        kind=kind, title=f"{kind}, CP-{conference.pk}", filename=f"{kind}.pdf",
        content=f"%PDF-1.4\n% {kind} {conference.pk} {issued_to}\n%%EOF\n".encode(),
        issued_to=issued_to, user=sw, child_ids=[child.pk], conference_id=conference.pk)


@pytest.fixture
def kept(child, police, sw, chair, bso) -> dict[str, object]:
    """The police officer was invited to one conference of the child and not to another."""
    PartnerInvolvementFactory(child=child, user=police, agency=Agency.POLICE)
    invited, other = (_conference(child, sw, chair, bso),
                      _conference(child, sw, chair, bso))
    police.email = "pat.police@police.example"
    police.save()
    Invitation.objects.create(conference=invited, kind=InviteeKind.PROFESSIONAL,
                              name=police.full_name, user=police, agency=Agency.POLICE,
                              email=police.email)
    return {
        "their invitation": _keep("conference invitation", invited, child, sw,
                                  f"DC Pat Police <{police.email}>"),
        "the summary": _keep("conference summary", invited, child, sw),
        "the professionals' record": _keep("conference record", invited, child, sw),
        "someone else's invitation": _keep("conference invitation", invited, child, sw,
                                           "Dr Hana Health <hana@health.example>"),
        "the decision letter": _keep("conference letter", invited, child, sw,
                                     "Grace Okafor, by post"),
        "the parents' copy": _keep("conference parents-record", invited, child, sw,
                                   "Grace Okafor"),
        "the summary of a conference they were not invited to":
            _keep("conference summary", other, child, sw),
        "the record of a conference they were not invited to":
            _keep("conference record", other, child, sw),
    }


SENT_TO_THEM = ["their invitation", "the summary", "the professionals' record"]
NOT_SENT_TO_THEM = ["someone else's invitation", "the decision letter", "the parents' copy",
                    "the summary of a conference they were not invited to",
                    "the record of a conference they were not invited to"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", SENT_TO_THEM)
def test_a_partner_downloads_what_was_sent_to_them(name, kept, child, police):
    document = kept[name]
    response = _client(police).get(f"/children/{child.pk}/documents/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == document.file.open("rb").read()
    assert AccessEvent.objects.filter(user=police, child_id=child.pk,
                                      action=AccessAction.EXPORT,
                                      section="document-download").exists()


@pytest.mark.parametrize("name", NOT_SENT_TO_THEM)
def test_a_partner_is_refused_what_was_not_sent_to_them_and_it_is_logged(name, kept, child,
                                                                         police):
    document = kept[name]
    response = _client(police).get(f"/children/{child.pk}/documents/{document.pk}/")
    assert response.status_code == 404
    refusal = AccessEvent.objects.get(user=police, action=AccessAction.REFUSED)
    assert refusal.child_id == child.pk
    assert refusal.detail == {"document": document.pk}
    assert not AccessEvent.objects.filter(user=police, action=AccessAction.EXPORT).exists()


def test_a_partner_lists_only_what_was_sent_to_them(kept, child, police):
    page = _client(police).get(f"/children/{child.pk}/documents/").content.decode()
    for name in SENT_TO_THEM:
        assert f"/documents/{kept[name].pk}/" in page, name
    for name in NOT_SENT_TO_THEM:
        assert f"/documents/{kept[name].pk}/" not in page, name


def test_a_colleague_of_their_agency_gets_what_was_sent_to_the_agency(kept, child, org):
    from cpcases.accounts.roles import Role
    from tests.factories import UserFactory

    colleague = UserFactory(username="police2", role=Role.PARTNER, agency=Agency.POLICE,
                            authority=org.authority, email="kim@police.example")
    PartnerInvolvementFactory(child=child, user=colleague, agency=Agency.POLICE)
    client = _client(colleague)
    record = kept["the professionals' record"]
    assert client.get(f"/children/{child.pk}/documents/{record.pk}/").status_code == 200
    invitation = kept["their invitation"]  # addressed to the other officer
    assert client.get(f"/children/{child.pk}/documents/{invitation.pk}/").status_code == 404


def test_social_care_staff_who_see_the_child_download_every_document(kept, child, sw):
    client = _client(sw)
    for name, document in kept.items():
        response = client.get(f"/children/{child.pk}/documents/{document.pk}/")
        assert response.status_code == 200, name


def test_the_tabs_counts_are_the_lists_counts_for_every_kind_of_user(
        kept, child, other_team_child, police, sw, sw_b, chair, tm, admin_user, org):
    """Issue 13 §2: the documents tab counts its two lists in one query of SQL built once
    per process (documents.selectors.page_counts); the counts are the lists' own, for staff
    who see the child, a partner, a chair, someone of another team and an administrator."""
    from django.utils import timezone

    from conferences.models import ConferenceReport, ReportKind
    from conferences.preparation.selectors import reports_for
    from cpcases.documents.selectors import issued_downloadable, page_counts

    conferences = list(Conference.objects.filter(children=child).order_by("pk"))
    shared = _conference(other_team_child, sw_b, chair, chair)
    shared.children.add(child)  # a conference of both: hidden from whoever misses one
    for n, conference in enumerate([*conferences, shared, conferences[0]]):
        ConferenceReport.objects.create(
            conference=conference, kind=ReportKind.AGENCY, agency=Agency.POLICE,
            author_name="PC", file=f"r{n}.pdf", original_name=f"r{n}.pdf", size=1,
            content_type="application/pdf", submitted_at=timezone.now())
    for user in (sw, police, chair, tm, sw_b, admin_user):
        for shown in (child, other_team_child):
            counts = page_counts(user=user, child_id=shown.pk)
            assert counts.issued == issued_downloadable(user=user, child_id=shown.pk).count()
            assert counts.reports == reports_for(user).filter(
                conference__children=shown).count(), (user.username, shown.pk)
    assert page_counts(user=sw, child_id=child.pk).reports == 3  # not the shared one
