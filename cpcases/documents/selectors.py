"""Reading what was sent (issue 12 §8)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cpcases.accounts.models import User
from cpcases.accounts.roles import Role
from cpcases.documents.models import IssuedDocument


def issued_latest(*, conference_id: int, kind: str) -> IssuedDocument | None:
    """The last document of this kind kept for the conference, if any was issued."""
    return IssuedDocument.objects.filter(conference_id=conference_id, kind=kind).first()


def issued_for_child(*, child_id: int) -> QuerySet[IssuedDocument]:
    """Every document kept as sent that concerns the child, newest first."""
    return (IssuedDocument.objects.filter(child_ids__contains=[child_id])
            .select_related("issued_by").order_by("-issued_at", "-id"))


# What professionals are sent (002 §22.5: the signed record goes to every professional who
# attended or was invited; the decisions summary is circulated to them): kinds kept by
# conferences.outcomes.services._keep_as_sent. The decision letter and the parents' copy go to
# the family (002 §23.1, §22.9), never to an agency.
PROFESSIONALS_COPIES = ("conference summary", "conference record")
INVITATION = "conference invitation"  # conferences.preparation.services


def issued_downloadable(*, user: User, child_id: int) -> QuerySet[IssuedDocument]:
    """The child's documents as sent that this user may list and download (decisions §27).

    Staff of children's social care who may see the child: all of them. A partner agency's
    professional (who sees the child through their involvement): only what was sent to them
    or their agency: their own invitations, and the professionals' copies (summary, record)
    of conferences they or their agency were invited to."""
    documents = issued_for_child(child_id=child_id)
    if user.role != Role.PARTNER:
        return documents
    from conferences.models import Invitation

    mine = Q(user_id=user.pk)
    if user.email:
        mine |= Q(email__iexact=user.email)
    invited = mine | Q(agency=user.agency) if user.agency else mine
    conferences = Invitation.objects.filter(invited).values("conference_id")
    emails = {e.lower() for e in Invitation.objects.filter(mine).exclude(email="")
              .values_list("email", flat=True)} | ({user.email.lower()} if user.email else set())
    own_invitations = Q()
    for email in sorted(emails):
        own_invitations |= Q(kind=INVITATION, issued_to__iendswith=f"<{email}>")
    allowed = Q(kind__in=PROFESSIONALS_COPIES, conference_id__in=conferences)
    if emails:
        allowed |= own_invitations
    return documents.filter(allowed)


def issued_content(document: IssuedDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()
