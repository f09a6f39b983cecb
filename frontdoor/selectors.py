"""Reads of the front door, always within the user's scope: the queue, contacts, referrals
and assessments; the authority-wide search (identifying details and who holds the case, never
case content); likely duplicates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from cpcases.accounts.models import User
from cpcases.accounts.roles import Role
from cpcases.children.identifiers import normalise_nhs_number
from cpcases.children.models import (
    POSTCODE_KEY,
    Allocation,
    Child,
    RestrictedAccess,
    postcode_key,
)
from cpcases.children.scoping import visible_children
from frontdoor.models import Assessment, Contact, Referral

# Roles that work cases and may search the whole authority (DOMAIN §1); partners and
# administrators may not.
CASE_WORKING_ROLES = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.SERVICE_MANAGER,
                      Role.HEAD_OF_SERVICE, Role.CP_CHAIR, Role.BUSINESS_SUPPORT)
# pg_trgm similarity above which a name is a candidate: "Jon Smyth" for "John Smith" is 0.31.
NAME_THRESHOLD = 0.25
SEARCH_LIMIT = 50


def may_search_authority(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role in CASE_WORKING_ROLES


# --- scoped querysets --------------------------------------------------------------------------


def contacts_visible(*, user: User) -> QuerySet[Contact]:
    """The front-door team's own contacts, and contacts about children the user may see."""
    if not getattr(user, "is_authenticated", False):
        return Contact.objects.none()
    about_visible = Exists(Contact.children.through.objects.filter(
        contact=OuterRef("pk"), child__in=visible_children(user)))
    own_team = Q(team_id=user.team_id) if user.team_id else Q(pk__in=[])
    # A restricted child's contact is hidden from the team unless they may see the child.
    hidden = Exists(Contact.children.through.objects.filter(
        contact=OuterRef("pk"), child__is_restricted=True).exclude(
        child__in=visible_children(user)))
    return (Contact.objects.filter(authority_id=user.authority_id)
            .filter(own_team | Q(about_visible)).exclude(hidden))


def referrals_visible(*, user: User) -> QuerySet[Referral]:
    return Referral.objects.filter(child__in=visible_children(user))


def assessments_visible(*, user: User) -> QuerySet[Assessment]:
    return Assessment.objects.filter(child__in=visible_children(user))


def awaiting_decision(*, user: User) -> QuerySet[Contact]:
    """The queue: the user's front-door team's contacts awaiting a decision, oldest first."""
    return (contacts_visible(user=user).filter(team_id=user.team_id, decided_at__isnull=True)
            .prefetch_related("children").order_by("received_at", "pk"))


def awaiting_decision_count(user: User) -> int:
    if not user.team_id:
        return 0
    return awaiting_decision(user=user).count()


def referrals_to_allocate(*, user: User) -> QuerySet[Referral]:
    return (referrals_visible(user=user).filter(closure_date__isnull=True)
            .exclude(assessments__isnull=False).select_related("child")
            .order_by("referral_date", "pk"))


def assessments_to_authorise(*, user: User) -> QuerySet[Assessment]:
    return (assessments_visible(user=user).filter(completed_on__isnull=False,
                                                   authorised_at__isnull=True)
            .select_related("child", "social_worker").order_by("completed_on", "pk"))


# --- find any child across the authority -------------------------------------------------------


def searchable_children(user: User) -> QuerySet[Child]:
    """Every child of the user's authority they may find: restricted records only for their
    named users; merged duplicates never."""
    if not may_search_authority(user):
        return Child.objects.none()
    named = Exists(RestrictedAccess.objects.filter(child=OuterRef("pk"), user_id=user.pk))
    return Child.objects.filter(authority_id=user.authority_id, merged_into__isnull=True
                                ).filter(Q(is_restricted=False) | Q(named))


@dataclass(frozen=True)
class SearchCriteria:
    name: str = ""
    date_of_birth: date | None = None
    postcode: str = ""
    nhs_number: str = ""
    upn: str = ""
    la_child_id: str = ""

    @property
    def empty(self) -> bool:
        return not any([self.name.strip(), self.date_of_birth, self.postcode.strip(),
                        self.nhs_number.strip(), self.upn.strip(), self.la_child_id.strip()])


def _set_threshold() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_limit(%s)", [NAME_THRESHOLD])


def authority_search(*, user: User, criteria: SearchCriteria) -> list[Child]:
    """Children matching every criterion given; names fuzzily (pg_trgm on "first last", so
    misspellings and transposed names match), best first. Each child comes with
    `current_allocations` and `in_scope` (whether the user may open it without a reason)."""
    if criteria.empty:
        return []
    children = searchable_children(user)
    if criteria.nhs_number.strip():
        children = children.filter(nhs_number=normalise_nhs_number(criteria.nhs_number))
    if criteria.upn.strip():
        children = children.filter(Q(upn=criteria.upn.strip().upper())
                                   | Q(former_upn=criteria.upn.strip().upper()))
    if criteria.la_child_id.strip():
        # As typed or in capitals (IDs are issued in capitals): the unique index serves both.
        typed = criteria.la_child_id.strip()
        children = children.filter(la_child_id__in={typed, typed.upper()})
    if criteria.date_of_birth:
        children = children.filter(Q(date_of_birth=criteria.date_of_birth)
                                   | Q(expected_delivery_date=criteria.date_of_birth))
    if criteria.postcode.strip():
        # Normalised on both sides, served by the index child_postcode_key.
        children = children.alias(postcode_key=POSTCODE_KEY).filter(
            postcode_key=postcode_key(criteria.postcode))
    order = ["last_name", "first_name", "pk"]
    name = " ".join(criteria.name.lower().split())
    if name:
        _set_threshold()
        children = (children.filter(search_name__trigram_similar=name)
                    .annotate(score=TrigramSimilarity("search_name", name)))
        order = ["-score", *order]
    in_scope = visible_children(user).filter(pk=OuterRef("pk"))
    current = Prefetch("allocations", to_attr="current_allocations",
                       queryset=Allocation.objects.filter(ended_on__isnull=True)
                       .select_related("team", "social_worker"))
    return list(children.annotate(in_scope=Exists(in_scope)).prefetch_related(current)
                .order_by(*order)[:SEARCH_LIMIT])


# --- likely duplicates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    child: Child
    reasons: tuple[str, ...]
    # Whether the user may open the record without a reason (else break-glass, as search).
    in_scope: bool = False


def likely_duplicates(*, user: User, first_name: str = "", last_name: str = "",
                      date_of_birth: date | None = None, nhs_number: str = "",
                      postcode: str = "", address: str = "",
                      exclude_pk: int | None = None) -> list[Duplicate]:
    """Records that may be the same child: the same NHS number; the same date of birth and a
    similar name; the same address."""
    children = searchable_children(user)
    if exclude_pk:
        children = children.exclude(pk=exclude_pk)
    found: dict[int, tuple[Child, list[str]]] = {}

    def add(qs: QuerySet[Child], reason: str) -> None:
        for child in qs[:10]:
            found.setdefault(child.pk, (child, []))[1].append(reason)

    nhs = normalise_nhs_number(nhs_number)
    if nhs:
        add(children.filter(nhs_number=nhs), "Same NHS number")
    name = f"{first_name} {last_name}".strip().lower()
    if date_of_birth and name:
        _set_threshold()
        add(children.filter(date_of_birth=date_of_birth, search_name__trigram_similar=name),
            "Same date of birth and a similar name")
    if postcode.strip() and address.strip():
        add(children.alias(postcode_key=POSTCODE_KEY).filter(
            postcode_key=postcode_key(postcode), address__iexact=address.strip()),
            "Same address")
    in_scope = set(visible_children(user).filter(pk__in=found).values_list("pk", flat=True)
                   ) if found else set()
    return [Duplicate(child, tuple(reasons), child.pk in in_scope)
            for child, reasons in found.values()]
