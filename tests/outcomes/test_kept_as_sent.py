"""The decision letter and the decisions summary are kept exactly as issued (issue 12 §8)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
import time_machine
from pypdf import PdfReader

from conferences.models import Conference
from conferences.outcomes import services
from cpcases.documents.models import IssuedDocument
from tests.outcomes.helpers import cin_data, decide, plan_data, started
from tests.outcomes.test_outputs import LONDON

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(conference: Conference, siblings, chair, bso, sw) -> Conference:
    held = started(conference, minute_taker=bso, chair=chair)
    decide(held, siblings[0], chair, plan_data(sw))
    decide(held, siblings[1], chair, cin_data())
    return held


def test_the_issued_letter_is_kept_as_a_pdf_with_its_hash_when_and_to_whom(
        settings, tmp_path, decided: Conference, siblings, bso):
    settings.MEDIA_ROOT = tmp_path
    services.decision_letter_issue(conference=decided, user=bso)
    services.decisions_summary_issue(conference=decided, user=bso)
    letter, summary = (IssuedDocument.objects.get(kind=f"conference {k}")
                       for k in ("letter", "summary"))
    data = (tmp_path / letter.file.name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == letter.sha256
    assert data.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(data)).pages) >= 1
    assert sorted(letter.child_ids) == sorted(c.pk for c in siblings)
    assert letter.issued_by == bso
    assert letter.issued_to
    assert summary.conference_id == decided.pk


def test_the_distributed_record_is_kept_as_sent_to_whom_it_went(
        settings, tmp_path, decided: Conference, siblings, bso, chair):
    from tests.outcomes.test_outputs import SECRET, _write_record

    settings.MEDIA_ROOT = tmp_path
    _write_record(decided, bso)
    services.record_sign_off(conference=decided, user=chair)
    with time_machine.travel(dt.datetime(2027, 5, 20, 9, tzinfo=LONDON), tick=False):
        services.record_distribute(conference=decided, user=bso, audience="professionals",
                                   recipients="All invited", sent_on=dt.date(2027, 5, 18))
        services.record_distribute(conference=decided, user=bso, audience="family",
                                   recipients="Grace Okafor, by post",
                                   sent_on=dt.date(2027, 5, 20))
    record = IssuedDocument.objects.get(kind="conference record")
    family = IssuedDocument.objects.get(kind="conference parents-record")
    assert record.issued_to == "All invited"
    assert family.issued_to == "Grace Okafor, by post"
    assert sorted(family.child_ids) == sorted(c.pk for c in siblings)
    for kept in (record, family):
        data = (tmp_path / kept.file.name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == kept.sha256
    text = lambda d: "".join(p.extract_text() for p in PdfReader(io.BytesIO(d)).pages)  # noqa: E731
    assert SECRET in text((tmp_path / record.file.name).read_bytes())
    assert SECRET not in text((tmp_path / family.file.name).read_bytes())  # parents' copy


def test_once_issued_the_pdf_is_the_one_sent_never_made_again(
        settings, tmp_path, monkeypatch, decided: Conference, bso):
    from django.test import Client

    from conferences.outcomes import documents

    settings.MEDIA_ROOT = tmp_path
    services.decision_letter_issue(conference=decided, user=bso)
    letter = IssuedDocument.objects.get(kind="conference letter")

    def regenerate(*args, **kwargs):
        raise AssertionError("the letter was made again")

    monkeypatch.setattr(documents, "render_pdf", regenerate)
    client = Client()
    client.force_login(bso)
    response = client.get(f"/conferences/{decided.pk}/outputs/documents/letter/pdf/")
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == letter.sha256
