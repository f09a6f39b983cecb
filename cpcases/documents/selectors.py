"""Reading what was sent (issue 12 §8)."""

from __future__ import annotations

from django.db.models import QuerySet

from cpcases.documents.models import IssuedDocument


def issued_latest(*, conference_id: int, kind: str) -> IssuedDocument | None:
    """The last document of this kind kept for the conference, if any was issued."""
    return IssuedDocument.objects.filter(conference_id=conference_id, kind=kind).first()


def issued_for_child(*, child_id: int) -> QuerySet[IssuedDocument]:
    """Every document kept as sent that concerns the child, newest first."""
    return (IssuedDocument.objects.filter(child_ids__contains=[child_id])
            .select_related("issued_by").order_by("-issued_at", "-id"))


def issued_content(document: IssuedDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()
