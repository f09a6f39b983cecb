"""Reading what was sent (issue 12 §8)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection
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


# --- the documents tab's two counts, in one query (issue 13 §2) ----------------------------

# A child id no row has: it stands for the child's in SQL built once and kept.
_CHILD = -914_271_163
SqlParams = tuple[str, tuple[object, ...]]


@dataclass(frozen=True)
class PageCounts:
    issued: int  # documents as sent the user may list (issued_downloadable)
    reports: int  # reports to the child's conferences the user may see (reports_for)


def _ids_sql(queryset: QuerySet[Any]) -> SqlParams:
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


@lru_cache(maxsize=1)
def _issued_sql() -> SqlParams:
    """issued_for_child's ids for staff (a partner's list depends on who they are)."""
    return _ids_sql(issued_for_child(child_id=_CHILD))


@lru_cache(maxsize=2048)
def _reports_sql(conferences: SqlParams) -> SqlParams:
    """The ids of `reports_for(user).filter(conference__children=child)`, for the user whose
    conferences' SQL (conferences_for_sql) this is: only SQL text is kept."""
    from conferences.models import Conference, ConferenceReport
    from conferences.scope_sql import scoped

    return _ids_sql(ConferenceReport.objects.filter(
        conference__in=scoped(Conference, conferences)).filter(conference__children=_CHILD))


def _bind(params: tuple[object, ...], child_id: int) -> list[object]:
    return [child_id if p == _CHILD else [child_id] if p == [_CHILD] else p for p in params]


def page_counts(*, user: User, child_id: int) -> PageCounts:
    """How many rows the documents tab's two lists have, in one query whose SQL is built once
    per process (per scope) for staff: the same rows as `issued_downloadable(...).count()`
    and `reports_for(user).filter(conference__children=child).count()`."""
    from conferences.preparation.selectors import conferences_for_sql

    if user.role == Role.PARTNER:
        issued, issued_params = _ids_sql(issued_downloadable(user=user, child_id=child_id))
    else:
        issued, params = _issued_sql()
        issued_params = tuple(_bind(params, child_id))
    conferences = conferences_for_sql(user)
    reports, reports_params = ("SELECT 1 WHERE false", ()) if conferences is None else (
        _reports_sql(conferences))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT COUNT(*) FROM ({issued}) AS issued), "  # noqa: S608 - the ORM's SQL
                       f"(SELECT COUNT(*) FROM ({reports}) AS reports)",
                       [*issued_params, *_bind(reports_params, child_id)])
        row = cursor.fetchone()
    return PageCounts(issued=row[0], reports=row[1])
