"""Reads for conference requests, bookings and delay authorisations, always within the
user's scope (cpcases.children.scoping.visible_children)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from conferences import scope_sql, strategy_link
from conferences.models import (
    Conference,
    ConferenceRequest,
    ConferenceStatus,
    DelayAuthorisation,
    DelayStatus,
    RequestedChild,
    RequestStatus,
)
from cpcases.accounts.models import User
from cpcases.accounts.roles import Role
from cpcases.audit.reads import shown_along
from cpcases.children.models import Child
from cpcases.children.scoping import ScopeKey, scope_key, visible_children_sql
from cpcases.core.compiled import CompiledQuery, first
from deadlines.models import Deadline, DeadlineStatus
from deadlines.services import calendar_for, due_date_for, may_authorise_delay

# Partners see nothing of requests and bookings (they are invited to conferences later);
# administrators manage the policy, not cases.
NO_REQUESTS = (Role.PARTNER, Role.ADMINISTRATOR)
# Business support and chairs never see a social worker's unfinished draft.
NOT_DRAFTS = (Role.BUSINESS_SUPPORT, Role.CP_CHAIR)


def _with_children(queryset: QuerySet[ConferenceRequest]) -> QuerySet[ConferenceRequest]:
    return queryset.select_related(
        "social_worker", "approved_by", "returned_by", "second_conference_agreed_by",
        "household").prefetch_related(*_request_prefetches())


def _request_prefetches() -> tuple[Prefetch, ...]:
    """A request's children and conferences, for a list of requests."""
    return (Prefetch("requested_children",
                     queryset=RequestedChild.objects.select_related("child")),
            Prefetch("conferences", queryset=Conference.objects.select_related(
                "chair", "minute_taker").prefetch_related("children")))


def requests_visible(*, user: User) -> QuerySet[ConferenceRequest]:
    """Requests with at least one child the user may see; none with a child they may not
    (a restricted child keeps the whole request out of sight)."""
    return _with_children(scope_sql.scoped(ConferenceRequest, requests_visible_sql(user)))


def requests_visible_sql(user: User) -> scope_sql.SqlParams | None:
    """The SQL of `requests_visible`'s ids; None when it is empty."""
    if not user.is_authenticated or user.role in NO_REQUESTS:
        return None
    visible = visible_children_sql(user, looked_up=True)
    return None if visible is None else _requests_visible_sql(
        visible, user.authority_id, user.role in NOT_DRAFTS)


@lru_cache(maxsize=2048)
def _requests_visible_sql(visible: scope_sql.SqlParams, authority_id: int | None,
                          not_drafts: bool) -> scope_sql.SqlParams:
    return scope_sql.compiled(_requests_visible(RequestedChild.objects.all(), visible,
                                                authority_id, not_drafts))


def _requests_visible(links: QuerySet[RequestedChild], seen: scope_sql.SqlParams,
                      authority_id: int | None, not_drafts: bool
                      ) -> QuerySet[ConferenceRequest]:
    """At least one child seen and none hidden, the requests' children read once (issue 13
    §2: conferences.scope_sql); without drafts for business support and chairs."""
    queryset = ConferenceRequest.objects.filter(
        authority_id=authority_id,
        pk__in=scope_sql.all_children_seen(links, "request_id", seen))
    if not_drafts:
        queryset = queryset.exclude(status=RequestStatus.DRAFT)
    return queryset


def _child_requests_visible(key: ScopeKey, child: object) -> QuerySet[ConferenceRequest]:
    """`requests_visible` of a user with the scope `key`, narrowed to one child's requests
    (scope_sql.of_one_child)."""
    links, seen = scope_sql.of_one_child(RequestedChild.objects.all(), "request_id", child,
                                         key)
    return _requests_visible(links, seen, key[3], key[0] in NOT_DRAFTS)


def request_for(*, user: User, pk: int) -> ConferenceRequest | None:
    return requests_visible(user=user).filter(pk=pk).first()


def my_requests(*, user: User) -> QuerySet[ConferenceRequest]:
    """A social worker's own requests; for anyone else, every request they may see."""
    queryset = requests_visible(user=user).exclude(status=RequestStatus.CANCELLED)
    if user.role == Role.SOCIAL_WORKER:
        queryset = queryset.filter(social_worker=user)
    return queryset


def approvals_queue(*, user: User) -> QuerySet[ConferenceRequest]:
    """Submitted requests awaiting the team manager (000; 004)."""
    if user.role != Role.TEAM_MANAGER:
        return ConferenceRequest.objects.none()
    return requests_visible(user=user).filter(status=RequestStatus.SUBMITTED).order_by(
        "submitted_at")


def second_conference_queue(*, user: User) -> QuerySet[ConferenceRequest]:
    """Approved requests for a child who has had a plan before, not yet agreed (000)."""
    if user.role != Role.SERVICE_MANAGER:
        return ConferenceRequest.objects.none()
    return (requests_visible(user=user)
            .filter(status=RequestStatus.APPROVED, second_conference_agreed_at__isnull=True,
                    requested_children__had_plan_before=True)
            .distinct().order_by("approved_at"))


def booking_queue(*, user: User) -> QuerySet[ConferenceRequest]:
    """Approved requests for business support to book, oldest first."""
    if user.role != Role.BUSINESS_SUPPORT:
        return ConferenceRequest.objects.none()
    return requests_visible(user=user).filter(status=RequestStatus.APPROVED).order_by(
        "approved_at")


def conferences_visible(*, user: User) -> QuerySet[Conference]:
    """Every conference the user may see, with or without a request (reviews and reconvened
    conferences are booked by the conference itself, not through a request)."""
    from conferences.preparation.selectors import conferences_for

    return conferences_for(user)


def bookings_calendar(*, user: User, start: date | None = None, weeks: int = 6
                      ) -> QuerySet[Conference]:
    """Booked conferences from `start` (today) for the next weeks, by date."""
    start = start or timezone.localdate()
    queryset = conferences_visible(user=user).filter(
        status=ConferenceStatus.BOOKED, date__gte=start,
        date__lt=start + timedelta(weeks=weeks))
    if user.role == Role.CP_CHAIR:
        queryset = queryset.filter(chair=user)
    return queryset.order_by("date", "start_time")


def child_tab_requests(*, user: User, child: Child) -> list[ConferenceRequest]:
    """The child's tab: the requests for the child the user may see (`requests_visible`;
    the caller has checked the user may see the child), each with its household (its rows
    lead the read audit to the children it logs as seen) but not the four people joined
    for a request's own page; the children and conferences prefetched as `_with_children`
    does. The SQL is compiled once per process and scope (cpcases.core.compiled; issue 13
    §2)."""
    key = scope_key(user)
    if key is None or user.role in NO_REQUESTS:  # as requests_visible_sql: none
        return []
    rows = _CHILD_TAB_REQUESTS.run(key, child.pk)
    prefetch_related_objects(rows, *_request_prefetches())
    return rows


_CHILD_TAB_REQUESTS: CompiledQuery[ConferenceRequest] = CompiledQuery(
    lambda key, child_id: ConferenceRequest.objects.filter(
        requested_children__child_id=child_id).select_related("household").filter(
        pk__in=_child_requests_visible(key, child_id).values("pk")))


def child_tab_conferences(*, user: User, child: Child) -> list[Conference]:
    """The child's tab: the child's conferences the user may see (`conferences_for`; the
    caller has checked the user may see the child), latest first, with their chair,
    minute-taker and request; their SQL compiled once per process and scope
    (cpcases.core.compiled; issue 13 §2)."""
    key = scope_key(user)
    if key is None or user.role == Role.ADMINISTRATOR:  # as conferences_for_sql: none
        return []
    return _CHILD_TAB_CONFERENCES.run(key, child.pk)


def _child_conferences(key: ScopeKey, child_id: object) -> QuerySet[Conference]:
    from conferences.preparation.selectors import child_conferences_for

    # Each conference's children read with it, for the read audit (no query of its own).
    return Conference.objects.filter(children__id=child_id).select_related(
        "chair", "minute_taker", "request").order_by("-date").filter(
        pk__in=child_conferences_for(key, child_id).values("pk")).annotate(
        **children_shown(request=False))


def children_shown(*, request: bool = True) -> dict[str, ArraySubquery]:
    """Annotations of a conference's row carrying the children the read audit finds along
    its `children` and, with `request`, its request's (`request__children`), as the link
    tables name them (`reads.shown_along`): the audit then asks no query of its own for
    them (issue 13 §2). A conference without a request has none there, as the audit's own
    lookup finds."""
    links = Conference.children.through.objects.filter(conference=OuterRef("pk"))
    shown = {shown_along("children"): ArraySubquery(links.order_by().values("child_id"))}
    if request:
        requested = RequestedChild.objects.filter(request=OuterRef("request"))
        shown[shown_along("request__children")] = ArraySubquery(
            requested.order_by().values("child_id"))
    return shown


_CHILD_TAB_CONFERENCES: CompiledQuery[Conference] = CompiledQuery(_child_conferences)


def with_delays_shown(conferences: list[Conference]) -> list[Conference]:
    """The conferences, with the delay authorisation (and who decided it) that each one held
    outside its timescale shows, read in two queries for them all instead of two a
    conference: the same rows, so the read audit sees the same (issue 13 §2)."""
    shown = [c for c in conferences
             if c.within_timescale is False and c.delay_authorisation_id is not None]
    if shown:
        prefetch_related_objects(shown, "delay_authorisation__decided_by")
    return conferences


def delays_visible(*, user: User) -> QuerySet[DelayAuthorisation]:
    return (DelayAuthorisation.objects.filter(request__in=requests_visible(user=user))
            .select_related("request", "requested_by", "decided_by")
            # the children's names of each request, in two queries for the whole list
            .prefetch_related("request__requested_children__child"))


def may_authorise_icpc_delay(user: User) -> bool:
    """Whether the user holds the role the authority's policy names (000: head of service;
    002 §3.5, 003: team manager) — the engine decides."""
    if not user.is_authenticated:
        return False
    return may_authorise_delay(user, Deadline(rule_id="icpc",
                                              authority_id=user.authority_id))


def delay_queue(*, user: User) -> QuerySet[DelayAuthorisation]:
    if not may_authorise_icpc_delay(user):
        return DelayAuthorisation.objects.none()
    return delays_visible(user=user).filter(status=DelayStatus.REQUESTED).order_by(
        "created_at")


def authorised_delay(request: ConferenceRequest) -> DelayAuthorisation | None:
    """The latest authorisation in force for the request, if any."""
    return (request.delay_authorisations.filter(status=DelayStatus.AUTHORISED)
            .order_by("-latest_date", "-id").first())


# --- the ICPC timescale, from the engine -----------------------------------------------------


def open_icpc_deadline(child: Child) -> Deadline | None:
    """The child's latest `icpc` deadline not cancelled (SQL compiled once per process: the
    conferences tab asks on every view; issue 13 §2)."""
    return first(_OPEN_ICPC_DEADLINE.run("icpc", child.pk))


_OPEN_ICPC_DEADLINE: CompiledQuery[Deadline] = CompiledQuery(
    lambda key, child_id: Deadline.objects.filter(child_id=child_id, rule_id="icpc")
    .exclude(status=DeadlineStatus.CANCELLED).order_by("-id")[:1])


def icpc_due_for_child(child: Child) -> date | None:
    """The child's ICPC due date: their `icpc` deadline, or computed by the engine from the
    strategy discussion that initiated the S47 enquiry (000: 15 working days)."""
    deadline = open_icpc_deadline(child)
    if deadline is not None:
        return deadline.due_date
    discussion = strategy_link.icpc_anchor(child)
    if discussion is None:
        return None
    due = due_date_for(child.authority, "icpc", strategy_link.anchor_date(discussion))
    return due.date() if isinstance(due, datetime) else due


def icpc_due_date(request: ConferenceRequest) -> date | None:
    """The conference covers every child of the request: the earliest of their due dates."""
    return icpc_due_dates([request])[request.pk]


def icpc_due_dates(requests: list[ConferenceRequest]) -> dict[int, date | None]:
    """`icpc_due_date` of each request of a list (the API's page), in one query for their
    children's ICPC deadlines; only a child with none (not the usual path: the deadline is
    set when the enquiry starts) is computed from its strategy discussion, fetched for all
    such children together."""
    children = {rc.child_id: rc.child for r in requests for rc in r.requested_children.all()}
    if not children:  # an empty page: nothing to ask (issue 13 §2)
        return {r.pk: None for r in requests}
    latest = dict(Deadline.objects.filter(child_id__in=children, rule_id="icpc")
                  .exclude(status=DeadlineStatus.CANCELLED)
                  .order_by("child_id", "-id").distinct("child_id")
                  .values_list("child_id", "due_date"))
    anchors = strategy_link.icpc_anchors([pk for pk in children if pk not in latest])
    dues = {pk: latest.get(pk) for pk in children}
    for pk, discussion in anchors.items():
        due = due_date_for(children[pk].authority_id, "icpc",
                           strategy_link.anchor_date(discussion))
        dues[pk] = due.date() if isinstance(due, datetime) else due
    return {r.pk: min((d for rc in r.requested_children.all()
                       if (d := dues[rc.child_id]) is not None), default=None)
            for r in requests}


@dataclass(frozen=True)
class Slot:
    date: date
    within_timescale: bool


def candidate_slots(request: ConferenceRequest, *, start: date | None = None,
                    count: int = 20) -> list[Slot]:
    """The next `count` working days after `start` (today) in the authority's calendar, each
    marked within the ICPC timescale or late."""
    start = start or timezone.localdate()
    calendar = calendar_for(request.authority_id)
    due = icpc_due_date(request)
    days = [calendar.add_working_days(start, n) for n in range(1, count + 1)]
    return [Slot(d, due is None or d <= due) for d in days]



# --- queues on "My work" (deadlines.mywork; registered in conferences.worklinks) ---------------


def dates_to_offer(*, user: User) -> QuerySet[ConferenceRequest]:
    """Business support's booking queue, each request with `offer_by`: when its
    `icpc_date_offered` deadline falls due (000: within 24 hours of the request), soonest
    first."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import F, Subquery

    offered = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(ConferenceRequest),
        object_id=OuterRef("pk"), rule_id="icpc_date_offered",
        status=DeadlineStatus.OPEN).order_by("due_at")
    return booking_queue(user=user).annotate(
        offer_by=Subquery(offered.values("due_at")[:1])).order_by(
        F("offer_by").asc(nulls_last=True), "approved_at")


def invitations_to_send(*, user: User) -> QuerySet[Conference]:
    """Booked conferences still ahead with an invitation not yet sent (business support)."""
    from conferences.models import Invitation

    if user.role != Role.BUSINESS_SUPPORT:
        return Conference.objects.none()
    unsent = Invitation.objects.filter(conference=OuterRef("pk"), invited_at__isnull=True)
    return (conferences_visible(user=user)
            .filter(status=ConferenceStatus.BOOKED, date__gte=timezone.localdate())
            .filter(Exists(unsent)).order_by("date", "start_time", "id"))


def chair_upcoming(*, user: User) -> QuerySet[Conference]:
    """The chair's booked conferences from today."""
    if user.role != Role.CP_CHAIR:
        return Conference.objects.none()
    return (conferences_visible(user=user)
            .filter(chair=user, status=ConferenceStatus.BOOKED,
                    date__gte=timezone.localdate()).order_by("date", "start_time", "id"))


def reports_expected(*, user: User) -> QuerySet[Conference]:
    """A partner professional's conferences still ahead for which they have sent no report
    (002 §16.8: agency reports reach the chair 24 hours before)."""
    from conferences.models import ConferenceReport

    if user.role != Role.PARTNER:
        return Conference.objects.none()
    sent = ConferenceReport.objects.filter(conference=OuterRef("pk"), author_id=user.pk)
    return (conferences_visible(user=user)
            .filter(status=ConferenceStatus.BOOKED, date__gte=timezone.localdate())
            .exclude(Exists(sent)).order_by("date", "start_time", "id"))
