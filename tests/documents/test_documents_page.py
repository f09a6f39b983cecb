"""A child's documents as sent (issue 12 §8): who sent what, when, to whom and its
fingerprint; paged; only for those who may see the child; each download logged."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.documents.services import document_keep_issued

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% a decision letter as issued\n%%EOF\n"


def _keep(child, user, title="Decision letter", content=PDF):
    return document_keep_issued(kind="conference letter", title=title,
                                filename="CP-1-letter.pdf", content=content,
                                issued_to="Grace Okafor, by post", user=user,
                                child_ids=[child.pk], conference_id=1)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_childs_documents_show_who_sent_what_when_to_whom_and_the_fingerprint(
        sw, child, other_team_child):
    kept = _keep(child, sw)
    _keep(other_team_child, sw, title="Someone else's letter")
    page = _client(sw).get(f"/children/{child.pk}/documents/").content.decode()
    assert "Decision letter" in page
    assert "Grace Okafor, by post" in page
    assert sw.get_full_name() in page or str(sw) in page
    assert kept.sha256[:12] in page
    assert "Someone else&#x27;s letter" not in page
    assert "Someone else's letter" not in page


def test_the_list_is_paged(sw, child):
    for n in range(27):
        _keep(child, sw, title=f"Letter {n:02d}", content=PDF + str(n).encode())
    client = _client(sw)
    first = client.get(f"/children/{child.pk}/documents/").content.decode()
    second = client.get(f"/children/{child.pk}/documents/?page=2").content.decode()
    assert "Letter 26" in first
    assert "Letter 00" not in first
    assert "Letter 00" in second
    assert "27 documents" in first


def test_a_download_is_the_document_as_sent_and_is_logged(sw, child):
    kept = _keep(child, sw)
    response = _client(sw).get(f"/children/{child.pk}/documents/{kept.pk}/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == kept.sha256
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    event = AccessEvent.objects.get(user=sw, child_id=child.pk, section="document-download",
                                    action=AccessAction.EXPORT)
    assert event.detail["sha256"] == kept.sha256


def test_someone_outside_the_case_cannot_list_or_download_and_is_logged(
        sw, sw_b, child):
    kept = _keep(child, sw)
    client = _client(sw_b)
    assert client.get(f"/children/{child.pk}/documents/").status_code == 404
    assert client.get(f"/children/{child.pk}/documents/{kept.pk}/").status_code == 404
    assert AccessEvent.objects.filter(user=sw_b, action=AccessAction.REFUSED).count() == 2


def test_a_document_of_another_child_is_not_reached_through_this_one(
        sw, child, other_team_child, tm_b):
    theirs = _keep(other_team_child, tm_b)
    response = _client(sw).get(f"/children/{child.pk}/documents/{theirs.pk}/")
    assert response.status_code == 404
