"""Reads for the conference day and after: which conferences a user may see, quoracy, the
safety-score rules, and the non-attendance counts. Always within the user's scope."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db.models import CharField, Exists, F, Func, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, TruncMonth

from conferences import scope_sql
from conferences.models import Conference, ConferenceStatus
from conferences.outcomes.models import (
    Attendance,
    AttendanceStatus,
    ChildDecision,
    ConferenceDay,
    ConferenceRecord,
    ParticipantType,
    SafetyScore,
)
from cpcases.accounts.models import User
from cpcases.accounts.roles import MANAGEMENT_LADDER, Agency, Role
from cpcases.children.models import Child, RestrictedAccess
from cpcases.children.scoping import visible_children_sql
from cpcases.core.kept_lists import ASKED_WHERE
from cpcases.core.prefetched import prefetched

# The staff who may see a conference's day, decisions and record: its chair and minute-taker,
# the authority's business support, and the children's team and managers (scoped). Partners
# see only the decisions summary, and only of a conference they attended.
STAFF_ROLES = (Role.CP_CHAIR, Role.BUSINESS_SUPPORT, Role.SOCIAL_WORKER, *MANAGEMENT_LADDER)
NON_ATTENDANCE_ROLES = (Role.CP_CHAIR, *MANAGEMENT_LADDER)
# Who runs the authority's conferences, and so sees them by its children, not by a scope.
RUNNERS = (Role.CP_CHAIR, Role.BUSINESS_SUPPORT)


def conferences_visible(*, user: User) -> QuerySet[Conference]:
    """Conferences all of whose children the user may see (a restricted child hides it)."""
    return _visible_where(user).select_related(
        "chair", "minute_taker", "authority").prefetch_related("children")


def _visible_where(user: User) -> QuerySet[Conference]:
    """`conferences_visible`'s conferences, the scope's conditions on the rows themselves
    rather than `pk IN (the scope's ids)`: PostgreSQL read the conferences twice and hash
    joined them (0.4 ms of the conferences list's 4.5; issue 13 §2). The same conditions as
    `conferences_visible_sql`, so the same rows."""
    found = _visible_parts(user)
    return Conference.objects.none() if found is None else _conferences_visible(*found)


def conferences_visible_sql(*, user: User) -> scope_sql.SqlParams | None:
    """The SQL of `conferences_visible`'s ids (conferences.scope_sql); None when it is empty."""
    found = _visible_parts(user)
    return None if found is None else _conferences_visible_sql(*found)


def _visible_parts(user: User
                   ) -> tuple[scope_sql.SqlParams, int | None, int | None] | None:
    """What `conferences_visible`'s conditions depend on: the children's scope SQL, the
    authority and a partner's attendance; None when the user sees no conference."""
    if not user.is_authenticated or user.role not in (*STAFF_ROLES, Role.PARTNER):
        return None
    if user.role in RUNNERS:
        seen: scope_sql.SqlParams | None = _runners_children_sql(user.authority_id, user.pk)
    else:
        seen = visible_children_sql(user, looked_up=True)
    if seen is None:  # no child seen: only conferences without children
        seen = ("SELECT NULL::bigint WHERE false", ())
    attended = user.pk if user.role == Role.PARTNER else None
    return seen, user.authority_id, attended


@lru_cache(maxsize=2048)
def _runners_children_sql(authority_id: int | None, user_id: int) -> scope_sql.SqlParams:
    """Chairs and business support run the authority's conferences: after the decision (a
    child with no plan leaves the child protection process) they still write the letters and
    the record. A restricted child's conference stays hidden from all but its named users."""
    return scope_sql.compiled(Child.objects.filter(authority_id=authority_id).filter(
        Q(is_restricted=False) | Q(Exists(RestrictedAccess.objects.filter(
            child=OuterRef("pk"), user_id=user_id)))))


@lru_cache(maxsize=2048)
def _conferences_visible_sql(seen: scope_sql.SqlParams, authority_id: int | None,
                             attended: int | None) -> scope_sql.SqlParams:
    return scope_sql.compiled(_conferences_visible(seen, authority_id, attended))


def _conferences_visible(seen: scope_sql.SqlParams, authority_id: int | None,
                         attended: int | None) -> QuerySet[Conference]:
    """No child hidden, the children's link rows read once (issue 13 §2); a partner's only
    where they attended. A new queryset each time (one never holds rows between requests)."""
    hidden = scope_sql.any_child_hidden(Conference.children.through.objects.all(),
                                        "conference_id", seen)
    queryset = Conference.objects.filter(authority_id=authority_id).exclude(pk__in=hidden)
    if attended is not None:
        queryset = queryset.filter(Exists(Attendance.objects.filter(
            conference_id=OuterRef("pk"), user_id=attended,
            status=AttendanceStatus.PRESENT)))
    return queryset


def conference_for(*, user: User, pk: int) -> Conference | None:
    return conferences_visible(user=user).filter(pk=pk).first()


def my_conference_days(*, user: User) -> QuerySet[Conference]:
    """The chair's and minute-taker's booked or held conferences; business support sees all
    of the authority's."""
    queryset = conferences_visible(user=user).exclude(status=ConferenceStatus.CANCELLED)
    if user.role == Role.CP_CHAIR:
        queryset = queryset.filter(chair=user)
    elif user.role != Role.BUSINESS_SUPPORT:
        return queryset.none()
    return queryset.order_by("-date", "-start_time")


def conference_resource_scope(*, user: User) -> QuerySet[Conference]:
    """The conferences /api/v1/conferences/ shows (issue 15 §5: one resource through the
    day): those the user may see before the day (conferences.preparation.selectors) and
    those they may see on and after it (`conferences_visible`: a chair and business support
    keep a conference whose children left the process at its decision, for the letter and
    the record)."""
    from conferences.preparation.selectors import conferences_for_sql

    after = conferences_visible_sql(user=user)
    if after is not None and user.role not in (*RUNNERS, Role.PARTNER):
        # Here both test the conference's children against visible_children in the same
        # authority, and "none hidden" is the day's whole rule: the first is within the
        # second (one scope to evaluate, not two; issue 13 §2), asked of the rows themselves
        # (`_visible_where`).
        return _visible_where(user)
    before = conferences_for_sql(user)
    scopes = [RawSQL(*scope) for scope in (before, after) if scope is not None]  # noqa: S611
    if not scopes:
        return Conference.objects.none()
    found = Q(pk__in=scopes[0])
    for scope in scopes[1:]:
        found |= Q(pk__in=scope)
    return Conference.objects.filter(found)


def day_for(conference: Conference) -> ConferenceDay | None:
    return ConferenceDay.objects.filter(conference=conference).first()


def record_for(conference: Conference) -> ConferenceRecord | None:
    return ConferenceRecord.objects.filter(conference=conference).first()


# --- quoracy (002 §5, 003) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Quoracy:
    quorate: bool
    csc_present: bool
    agencies_with_contact: tuple[str, ...]
    other_agencies_present: tuple[str, ...] = field(default=())
    recorded: bool = True  # False until anyone's attendance is recorded

    @property
    def message(self) -> str:
        if not self.recorded:
            return ("No attendance recorded yet: copy the invitation list (the lead social "
                    "worker is added as present) or add each person.")
        if self.quorate:
            # 002 §5.2
            return ("Quorate: children's social care and at least two other agencies with "
                    "direct contact with the child and family are present.")
        missing = []
        if not self.csc_present:
            missing.append("children's social care is not present")
        if len(self.agencies_with_contact) < 2:
            missing.append(f"{len(self.agencies_with_contact)} other agency with direct "
                           "contact is present, 2 are needed"
                           if len(self.agencies_with_contact) == 1 else
                           f"{len(self.agencies_with_contact)} other agencies with direct "
                           "contact are present, 2 are needed")
        return "Inquorate: " + "; ".join(missing) + "."  # 002 §5.2


class Attended(Protocol):
    """What quoracy reads of an attendance (an Attendance, or a list's `ATTENDED` parts)."""

    participant_type: str
    status: str
    agency: str
    direct_contact: bool


class _Attended(NamedTuple):
    participant_type: str
    status: str
    agency: str
    direct_contact: bool


# Each attendance's part in the quoracy, as one text array: a conference list reads them as an
# array column of its own query (`attended`) instead of every attendance row (issue 13 §2).
ATTENDED = ArraySubquery(Attendance.objects.filter(conference=OuterRef("pk")).order_by().values(
    parts=Func(F("participant_type"), F("status"), F("agency"),
               Cast("direct_contact", CharField()), function="ARRAY",
               template="%(function)s[%(expressions)s]",
               output_field=ArrayField(CharField()))))


def prefetched_if_any(relation: str, queryset: QuerySet[Any] | None = None
                      ) -> tuple[Prefetch, dict[str, Exists]]:
    """A conference list's `prefetched(relation)` (attendances, decisions) and the column
    of the page's own query saying whether a conference has any: a kept list asks the
    relation's query only of the conferences that have some, and not at all for a page with
    none (booked conferences; cpcases.core.kept_lists.ASKED_WHERE; issue 13 §2). Any other
    reading (a filtered list: Django's prefetch) asks of them all, as before."""
    column = f"listed_has_{relation}"
    found = prefetched(relation, queryset)
    setattr(found, ASKED_WHERE, column)
    related = Conference._meta.get_field(relation).related_model
    return found, {column: Exists(related.objects.filter(conference=OuterRef("pk")))}


def attended(parts: list[list[str]]) -> list[Attended]:
    """The attendances `ATTENDED` read, for `quoracy` (the same rule as of the rows)."""
    return [_Attended(kind, status, agency, contact == "true")
            for kind, status, agency, contact in parts]


def quoracy(attendances: Iterable[Attended]) -> Quoracy:
    """Children's social care plus at least two other agencies that have had direct contact
    with the child and family, present (002 §5.2; 003). Distinct agencies count, not people:
    two health visitors are one agency. Apologies and absences do not count; neither do
    family members, supporters or the observer."""
    present = [a for a in attendances if a.participant_type == ParticipantType.PROFESSIONAL
               and a.status == AttendanceStatus.PRESENT and a.agency]
    csc = any(a.agency == Agency.CHILDRENS_SOCIAL_CARE for a in present)
    others = sorted({a.agency for a in present if a.agency != Agency.CHILDRENS_SOCIAL_CARE})
    with_contact = sorted({a.agency for a in present
                           if a.agency != Agency.CHILDRENS_SOCIAL_CARE and a.direct_contact})
    return Quoracy(quorate=csc and len(with_contact) >= 2, csc_present=csc,
                   agencies_with_contact=tuple(with_contact),
                   other_agencies_present=tuple(others))


def conference_quoracy(conference: Conference,
                       attendances: Sequence[Attended] | None = None) -> Quoracy:
    """`attendances`: the conference's, when the caller has them (a list's prefetch or
    `attended` parts)."""
    attendances = list(conference.attendances.all()) if attendances is None else attendances
    return quoracy(attendances) if attendances else _NOT_RECORDED


_NOT_RECORDED = Quoracy(quorate=False, csc_present=False, agencies_with_contact=(),
                        recorded=False)


def quoracy_answer(check: Quoracy) -> dict[str, Any]:
    """The API's `quoracy` of a conference: its parts worked out once for each answer (a
    list's conferences mostly share one), each conference given its own dict and list."""
    quorate, message, agencies = _quoracy_parts(check)
    return {"quorate": quorate, "message": message, "agencies_with_contact": list(agencies)}


@lru_cache(maxsize=256)
def _quoracy_parts(check: Quoracy) -> tuple[bool, str, tuple[str, ...]]:
    return check.quorate, check.message, check.agencies_with_contact


# --- safety scores (001) -----------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreAdvice:
    count: int
    zeros: int
    above_five: int

    @property
    def escalate(self) -> bool:
        """001: "most or all of the conference attendees score 0": escalate to social work
        management. Most: more than half."""
        return self.count > 0 and self.zeros * 2 > self.count

    @property
    def consider_cin(self) -> bool:
        """001: "the majority score is above 5": consider whether a CIN plan would suffice."""
        return self.count > 0 and self.above_five * 2 > self.count


def score_advice(scores: Iterable[int]) -> ScoreAdvice:
    values = list(scores)
    return ScoreAdvice(count=len(values), zeros=sum(1 for s in values if s == 0),
                       above_five=sum(1 for s in values if s > 5))


def child_scores(conference: Conference, child_id: int) -> list[SafetyScore]:
    return list(SafetyScore.objects.filter(conference=conference, child_id=child_id))


def decisions_for(conference: Conference) -> list[ChildDecision]:
    return list(conference.child_decisions.select_related(
        "child", "lead_social_worker", "review_conference", "plan", "cin_plan"
    ).prefetch_related("agency_views"))


# --- non-attendance (001) ----------------------------------------------------------------------


def non_attenders(conference: Conference) -> list[Attendance]:
    """001: invited professionals who neither attended nor sent a report."""
    return list(conference.attendances.filter(
        participant_type=ParticipantType.PROFESSIONAL, report_sent=False).exclude(
        status=AttendanceStatus.PRESENT).select_related("non_attendance_letter"))


@dataclass(frozen=True)
class AgencyCount:
    agency: str
    label: str
    months: dict[date, int]
    total: int


def non_attendance_by_agency(*, user: User, since: date | None = None
                             ) -> tuple[list[date], list[AgencyCount]]:
    """Per agency and month, the professionals who neither attended nor sent a report, across
    the conferences the user may see (001: patterns are escalated)."""
    rows = Attendance.objects.filter(
        conference__in=conferences_visible(user=user),
        participant_type=ParticipantType.PROFESSIONAL, report_sent=False).exclude(
        status=AttendanceStatus.PRESENT)
    if since is not None:
        rows = rows.filter(conference__date__gte=since)
    counts: dict[str, Counter[date]] = {}
    for agency, month in rows.annotate(month=TruncMonth("conference__date")).values_list(
            "agency", "month"):
        counts.setdefault(agency or Agency.OTHER, Counter())[month] += 1
    months = sorted({m for c in counts.values() for m in c})
    labels = dict(Agency.choices)
    result = [AgencyCount(agency, labels.get(agency, agency), dict(c), sum(c.values()))
              for agency, c in sorted(counts.items(), key=lambda kv: -sum(kv[1].values()))]
    return months, result
