"""Reads for the conference page: which conferences a user may see, its invitations,
reports, sharing record, exclusion requests and deadlines, and the due dates the engine
gives (never computed here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from conferences import scope_sql
from conferences.models import (
    Conference,
    ConferenceKind,
    ConferenceReport,
    ConferenceRequest,
    ExclusionRequest,
    Invitation,
    InviteeKind,
    ReportSharing,
)
from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency, Role
from cpcases.children.models import Child, ChildPerson
from cpcases.children.scoping import ScopeKey, visible_children_sql
from deadlines.models import Deadline
from deadlines.services import due_date_for

# The deadlines set when a conference is booked (DOMAIN §4; 002 §15-16).
REPORT_RULES = ("report_countersigned", "report_to_family", "report_to_chair",
                "agency_report_to_chair", "originating_report")
PRE_SCHOOL_AGE = 5  # 002 §13.13: pre-school children may not attend
ADVOCACY_AGE = 10  # 002 §13.2: every child aged 10 or over is offered advocacy


def conferences_for(user: User) -> QuerySet[Conference]:
    """Conferences all of whose children the user may see (the child's team and managers,
    the authority's chairs and business support); partners only those they are invited to;
    administrators none."""
    return scope_sql.scoped(Conference, conferences_for_sql(user)).select_related(
        "chair", "minute_taker", "request").prefetch_related("children")


def conferences_for_sql(user: User) -> scope_sql.SqlParams | None:
    """The SQL of `conferences_for`'s ids (conferences.scope_sql); None when it is empty."""
    if not user.is_authenticated or user.role == Role.ADMINISTRATOR:
        return None
    visible = visible_children_sql(user, looked_up=True)
    if visible is None:  # no child seen: no conference has one
        return None
    invited = user.pk if user.role == Role.PARTNER else None
    return _conferences_for_sql(visible, user.authority_id, invited)


@lru_cache(maxsize=2048)
def _conferences_for_sql(visible: scope_sql.SqlParams, authority_id: int | None,
                         invited: int | None) -> scope_sql.SqlParams:
    return scope_sql.compiled(_conferences_for(
        Conference.children.through.objects.all(), visible, authority_id, invited))


def _conferences_for(links: QuerySet[Any], seen: scope_sql.SqlParams,
                     authority_id: int | None, invited: int | None) -> QuerySet[Conference]:
    """At least one child seen and none hidden, in one pass over the conferences' children
    (issue 13 §2); a partner's only where they are invited."""
    queryset = Conference.objects.filter(
        authority_id=authority_id,
        pk__in=scope_sql.all_children_seen(links, "conference_id", seen))
    if invited is not None:
        queryset = queryset.filter(Exists(Invitation.objects.filter(
            conference=OuterRef("pk"), user_id=invited)))
    return queryset


def child_conferences_for(key: ScopeKey, child: object) -> QuerySet[Conference]:
    """`conferences_for` of a user with the scope `key` (not None), narrowed to the
    conferences of one child: their children's scope is asked of those children alone
    (scope_sql.of_one_child)."""
    role, _, user_id, authority_id, _ = key
    links, seen = scope_sql.of_one_child(Conference.children.through.objects.all(),
                                         "conference_id", child, key)
    return _conferences_for(links, seen, authority_id,
                            user_id if role == Role.PARTNER else None)


def conference_for(user: User, pk: int) -> Conference | None:
    return conferences_for(user).filter(pk=pk).first()


def invitations_for(user: User) -> QuerySet[Invitation]:
    return Invitation.objects.filter(conference__in=conferences_for(user)).select_related(
        "conference", "person", "user", "child")


def reports_for(user: User) -> QuerySet[ConferenceReport]:
    return ConferenceReport.objects.filter(conference__in=conferences_for(user)).select_related(
        "conference", "author", "countersigned_by", "invitation", "redacted_from")


def exclusions_for(user: User) -> QuerySet[ExclusionRequest]:
    return ExclusionRequest.objects.filter(
        conference__in=conferences_for(user)).select_related(
        "conference", "invitation", "person", "requested_by", "decided_by", "redacted_report")


def conference_invitations(conference: Conference) -> QuerySet[Invitation]:
    return conference.invitations.select_related("person", "user", "child")


def conference_reports(conference: Conference) -> QuerySet[ConferenceReport]:
    return conference.reports.select_related(
        "author", "countersigned_by", "invitation", "redacted_from").prefetch_related(
        Prefetch("sharings", queryset=ReportSharing.objects.select_related("shared_by")))


def conference_exclusions(conference: Conference) -> QuerySet[ExclusionRequest]:
    return conference.exclusion_requests.select_related(
        "invitation", "person", "requested_by", "decided_by", "redacted_report")


def conference_deadlines(conference: Conference) -> QuerySet[Deadline]:
    """The deadlines whose subject is this conference, for every child."""
    content_type = ContentType.objects.get_for_model(Conference)
    return (Deadline.objects.filter(content_type=content_type, object_id=conference.pk)
            .select_related("child", "responsible").order_by("due_date", "rule_id", "child_id"))


# --- who to invite -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildInvitationAdvice:
    child: Child
    age: int | None
    invite: bool
    advocacy: bool
    reason: str


def child_invitation_advice(conference: Conference, child: Child) -> ChildInvitationAdvice:
    """002 §13.5 (usually from 10) or 003 (12): the authority's age guidance; pre-school
    children never (002 §13.13); advocacy for every child of 10 or over (002 §13.2). Ages on
    the conference date."""
    guidance = conference.authority.child_invitation_age
    age = child.age_on(conference.date)
    if age is None:
        return ChildInvitationAdvice(child, None, False, False, "Unborn: not invited.")
    advocacy = age >= ADVOCACY_AGE
    if age < PRE_SCHOOL_AGE:
        return ChildInvitationAdvice(child, age, False, False,
                                     "Pre-school children may not attend.")  # 002 §13.13
    if age < guidance:
        return ChildInvitationAdvice(
            child, age, False, advocacy,
            f"Under {guidance}, this authority's age guidance: not invited unless the chair "
            "decides otherwise.")  # 002 §13.10
    return ChildInvitationAdvice(child, age, True, advocacy,
                                 f"{guidance} or over: invited (the authority's age guidance).")


def family_with_parental_responsibility(conference: Conference) -> list[ChildPerson]:
    """Everyone with parental responsibility for any child of the conference, including
    parents who no longer live with the children (003), one link per person."""
    links = (ChildPerson.objects.filter(child__in=conference.children.all(),
                                        has_parental_responsibility=True)
             .select_related("person").order_by("person_id", "id"))
    seen: dict[int, ChildPerson] = {}
    for link in links:
        seen.setdefault(link.person_id, link)
    return list(seen.values())


@dataclass(frozen=True)
class Suggestion:
    agency: str
    role: str
    why: str

    @property
    def agency_label(self) -> str:
        return Agency(self.agency).label


def suggested_invitees(conference: Conference) -> list[Suggestion]:
    """Invitees the conference's kind calls for and the list does not have yet."""
    agencies = set(conference.invitations.filter(kind=InviteeKind.PROFESSIONAL)
                   .values_list("agency", flat=True))
    roles = " ".join(conference.invitations.values_list("role", flat=True)).lower()
    suggestions: list[Suggestion] = []
    if conference.kind == ConferenceKind.PRE_BIRTH:
        # 003 "Pre Birth Conference", 002 §7: midwifery and neonatal services are invited.
        if Agency.MIDWIFERY not in agencies:
            suggestions.append(Suggestion(Agency.MIDWIFERY, "Midwife",
                                          "Pre-birth conference: invite midwifery."))  # 003
        if "neonatal" not in roles:
            suggestions.append(Suggestion(Agency.HEALTH, "Neonatal service",
                                          "Pre-birth conference: invite the neonatal "
                                          "service."))  # 003
    if conference.kind == ConferenceKind.TRANSFER_IN and "originating" not in roles:
        suggestions.append(Suggestion(Agency.CHILDRENS_SOCIAL_CARE,
                                      "Lead social worker, originating authority",
                                      "Transfer-in: the originating authority's lead social "
                                      "worker must be invited."))  # 003
    return suggestions


# --- due dates from the engine --------------------------------------------------------------


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def kind_due_date(request: ConferenceRequest) -> date | None:
    """When a pre-birth or transfer-in conference is due (`prebirth_conference`: 3 months
    before the earliest expected delivery date; `transfer_conference`: 15 working days from
    the agreement / notification of the move), from the engine. None for other kinds."""
    authority = request.authority
    if request.kind == ConferenceKind.PRE_BIRTH:
        dues = [_as_date(due_date_for(authority, "prebirth_conference",
                                      rc.child.expected_delivery_date))
                for rc in request.requested_children.select_related("child")
                if rc.child.is_unborn and rc.child.expected_delivery_date]
        return min(dues) if dues else None
    if request.kind == ConferenceKind.TRANSFER_IN and request.transfer_agreed_on:
        return _as_date(due_date_for(authority, "transfer_conference",
                                     request.transfer_agreed_on))
    return None


def exclusion_cutoff(conference: Conference) -> date:
    """The last day to ask the chair to exclude someone (002 §12.1, 003: 3 working days
    before), from the engine."""
    return _as_date(due_date_for(conference.authority, "exclusion_request", conference.date))
