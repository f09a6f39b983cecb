"""The decision letter and the decisions summary are kept exactly as issued (issue 12 §8)."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader

from conferences.models import Conference
from conferences.outcomes import services
from cpcases.documents.models import IssuedDocument
from tests.outcomes.helpers import cin_data, decide, plan_data, started

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
