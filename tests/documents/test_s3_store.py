"""Documents in a real S3-compatible store (issue 12 §8): django-storages' S3 backend, as
production uses it with MinIO, against moto's S3 server over HTTP. The backup and restore
run against it in test_backup_restore.py."""

from __future__ import annotations

import hashlib

import pytest
from django.test import override_settings

from cpcases.documents.services import document_keep_issued, document_verify

PDF = b"%PDF-1.4\n% a decision letter as issued\n%%EOF\n"


@pytest.mark.django_db
def test_an_issued_letter_is_kept_in_the_s3_bucket_byte_for_byte(s3, sw, child):
    s3.make_bucket("letters")
    with override_settings(STORAGES=s3.storages("letters")):
        document = document_keep_issued(
            kind="conference letter", title="Decision letter", filename="CP-1-letter.pdf",
            content=PDF, issued_to="Parent One", user=sw, child_ids=[child.pk])
        stored = s3.client().get_object(Bucket="letters", Key=document.file.name)
        assert stored["Body"].read() == PDF
        assert document.sha256 == hashlib.sha256(PDF).hexdigest()
        assert document_verify(document)
        with document.file.open("rb") as handle:
            assert handle.read() == PDF
        # Kept, never overwritten: a second letter of the same name gets its own key.
        again = document_keep_issued(
            kind="conference letter", title="Decision letter", filename="CP-1-letter.pdf",
            content=PDF + b"2", issued_to="Parent One", user=sw, child_ids=[child.pk])
        assert again.file.name != document.file.name
        assert s3.client().get_object(Bucket="letters", Key=document.file.name)[
            "Body"].read() == PDF

