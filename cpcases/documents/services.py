"""Keeping what was sent (issue 12 §8)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.documents.models import IssuedDocument


def document_keep_issued(*, kind: str, title: str, filename: str, content: bytes,
                         issued_to: str, user: User | None, child_ids: Iterable[int],
                         conference_id: int | None = None) -> IssuedDocument:
    """Store the document as sent, with its hash, in the caller's transaction. The file is
    written first: a rolled-back issue leaves an unreferenced file, never a row without one."""
    document = IssuedDocument(
        kind=kind, title=title, sha256=hashlib.sha256(content).hexdigest(), size=len(content),
        issued_at=timezone.now(), issued_by=user, issued_to=issued_to,
        conference_id=conference_id, child_ids=sorted(set(child_ids)))
    document.file.save(filename, ContentFile(content), save=False)
    document.save()
    return document


def document_verify(document: IssuedDocument) -> bool:
    """The stored file is still byte for byte what was sent."""
    with document.file.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest() == document.sha256
