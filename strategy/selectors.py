"""Reads, always within the user's scope (cpcases.children.scoping.visible_children).

Partner professionals see only the discussions they took part in (and the enquiries those
initiated); chairs see the consultations assigned to them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import Role
from cpcases.children.models import Child
from cpcases.children.scoping import visible_children
from cpcases.core.compiled import CompiledQuery
from deadlines.models import Deadline, DeadlineStatus
from strategy.models import (
    CaseNote,
    ConsultationRequest,
    ConsultationStatus,
    DiscussionChild,
    Participant,
    S47Outcome,
    Section47Enquiry,
    StrategyDiscussion,
    ThresholdDecision,
)
from strategy.services import current_enquiry

# --- for part 4b (ICPC request and booking) ---------------------------------------------------


def icpc_anchor(child: Child) -> StrategyDiscussion | None:
    """The discussion that initiated the child's current (open or substantiated, not
    superseded) Section 47 enquiry: the anchor of `icpc` (000: "when several were held, the
    one at which the S47 was initiated")."""
    enquiry = current_enquiry(child)
    return enquiry.initiated_by if enquiry else None


def latest_threshold_decision(child: Child) -> ThresholdDecision | None:
    """The latest threshold decision about the child's current Section 47 enquiry (None if
    there is none: a decision about an earlier, replaced enquiry does not count)."""
    enquiry = current_enquiry(child)
    if enquiry is None:
        return None
    return (ThresholdDecision.objects.filter(child=child, enquiry=enquiry)
            .select_related("decided_by", "iro").order_by("-decided_at", "-id").first())


def substantiated_enquiry(child: Child) -> Section47Enquiry | None:
    """The child's current enquiry if its outcome is substantiated (an ICPC is to be
    requested: 003 "Outcomes of a Section 47")."""
    enquiry = current_enquiry(child)
    return enquiry if enquiry and enquiry.outcome == S47Outcome.SUBSTANTIATED else None


# --- scoped querysets ------------------------------------------------------------------------


def discussions_visible(*, user: User) -> QuerySet[StrategyDiscussion]:
    qs = StrategyDiscussion.objects.filter(
        child_outcomes__child__in=visible_children(user))
    if user.role == Role.PARTNER:
        qs = qs.filter(participants__user=user)
    return qs.distinct().order_by("-held_at", "-id")


def discussion_children(*, user: User, discussion: StrategyDiscussion
                        ) -> QuerySet[DiscussionChild]:
    """The children of the discussion the user may see (a restricted sibling stays hidden)."""
    return (discussion.child_outcomes.filter(child__in=visible_children(user))
            .select_related("child"))


def visible_discussion_children(*, user: User) -> Prefetch:
    """For a list of discussions: each one's children the user may see, in one query for
    the whole list (`discussion.visible_children`), as `discussion_children` finds them."""
    return Prefetch("child_outcomes", to_attr="visible_children",
                    queryset=DiscussionChild.objects.filter(child__in=visible_children(user))
                    .select_related("child"))


def enquiries_visible(*, user: User) -> QuerySet[Section47Enquiry]:
    qs = Section47Enquiry.objects.filter(child__in=visible_children(user))
    if user.role == Role.PARTNER:
        qs = qs.filter(initiated_by__participants__user=user)
    return qs.select_related("child", "initiated_by", "decided_by").distinct()


def thresholds_visible(*, user: User) -> QuerySet[ThresholdDecision]:
    """The local authority's decisions: not shown to partner agencies."""
    if user.role == Role.PARTNER:
        return ThresholdDecision.objects.none()
    qs = ThresholdDecision.objects.filter(child__in=visible_children(user))
    if user.role == Role.CP_CHAIR:
        qs = qs.filter(iro=user)
    return qs.select_related("child", "decided_by", "iro")


def consultations_visible(*, user: User) -> QuerySet[ConsultationRequest]:
    if user.role == Role.PARTNER:
        return ConsultationRequest.objects.none()
    qs = ConsultationRequest.objects.filter(child__in=visible_children(user))
    if user.role == Role.CP_CHAIR:
        qs = qs.filter(chair=user)
    return qs.select_related("child", "requested_by", "manager", "chair")


def my_consultation_requests(*, user: User) -> QuerySet[ConsultationRequest]:
    return consultations_visible(user=user).filter(
        Q(requested_by=user) | Q(manager=user)).order_by("-requested_at")


def consultation_queue(*, user: User) -> QuerySet[ConsultationRequest]:
    """Business support: requests waiting for a chair first, then the assigned ones."""
    if user.role != Role.BUSINESS_SUPPORT:
        return ConsultationRequest.objects.none()
    return consultations_visible(user=user).exclude(
        status=ConsultationStatus.RECORDED).order_by("-status", "requested_at")


def chair_consultations(*, user: User) -> QuerySet[ConsultationRequest]:
    if user.role != Role.CP_CHAIR:
        return ConsultationRequest.objects.none()
    return consultations_visible(user=user).order_by("status", "-assigned_at")


def waiting_for_chair_count(user: User) -> int:
    if not getattr(user, "is_authenticated", False) or user.role != Role.BUSINESS_SUPPORT:
        return 0
    return consultation_queue(user=user).filter(status=ConsultationStatus.REQUESTED).count()


def awaiting_record_count(user: User) -> int:
    if not getattr(user, "is_authenticated", False) or user.role != Role.CP_CHAIR:
        return 0
    return chair_consultations(user=user).filter(status=ConsultationStatus.ASSIGNED).count()


def threshold_discussions_to_record(*, user: User) -> QuerySet[ThresholdDecision]:
    return thresholds_visible(user=user).filter(iro=user, iro_recorded_at__isnull=True)


def discussion_for_view(*, user: User, pk: int) -> StrategyDiscussion | None:
    return (discussions_visible(user=user).filter(pk=pk)
            .prefetch_related(Prefetch("participants"), Prefetch("actions")).first())


# --- the child's tab ------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    at: datetime | date
    title: str
    text: str
    href: str = ""
    tag: str = ""
    tag_colour: str = ""

    @property
    def has_time(self) -> bool:
        return isinstance(self.at, datetime)

    @property
    def sort_key(self) -> datetime:
        if isinstance(self.at, datetime):
            return self.at
        # A day's events without a time sort after the timed events of that day.
        return datetime.combine(self.at, datetime.max.time(),
                                tzinfo=timezone.get_current_timezone())


@dataclass(frozen=True)
class ChildTab:
    """What the child's tab shows: the timeline, the current enquiry (if the user may see
    it) and the threshold discussions the user is to record the outcome of."""

    timeline: list[Event]
    enquiry: Section47Enquiry | None
    thresholds_to_record: list[ThresholdDecision]


def child_tab(*, user: User, child: Child) -> ChildTab:
    """The tab's records in one query per kind (issue 13 §2), for a child the caller has
    checked the user may see (`child_for_view`).

    Every record here is of that one child, so each `*_visible` scope reduces to its role
    rule (the child is in `visible_children`): a discussion of the child is seen by a partner
    who took part in it, an enquiry by one who took part in the discussion that initiated
    it, thresholds and consultations by no partner and only by their chair or duty IRO.
    The current enquiry is the first of the child's enquiries (their order) under way or
    substantiated and not replaced, shown if the user may see it (`services.current_enquiry`);
    the thresholds to record are the user's own of the visible ones, not yet recorded
    (`threshold_discussions_to_record`). The same rows are loaded as before, so the read
    audit logs the same children."""
    partner = user.role == Role.PARTNER
    chair = user.role == Role.CP_CHAIR
    if partner:
        outcomes = _PARTNERS_OUTCOMES.run("partner", child.pk, user.pk)
        enquiry_rows = _PARTNERS_ENQUIRIES.run("partner", child.pk, user.pk)
        # The child's current enquiry may be one the partner does not see: then none.
        current = current_enquiry(child)
        seen = {e.pk for e in enquiry_rows}
        enquiry = current if current is not None and current.pk in seen else None
    else:
        outcomes = _OUTCOMES.run("staff", child.pk)
        enquiry_rows = _ENQUIRIES.run("staff", child.pk)
        enquiry = next((e for e in enquiry_rows if e.superseded_by_id is None and e.outcome in (
            S47Outcome.OPEN, S47Outcome.SUBSTANTIATED)), None)
    thresholds: list[ThresholdDecision] = []
    consultations: list[ConsultationRequest] = []
    if chair:
        thresholds = _CHAIRS_THRESHOLDS.run("chair", child.pk, user.pk)
        consultations = _CHAIRS_CONSULTATIONS.run("chair", child.pk, user.pk)
    elif not partner:
        thresholds = _THRESHOLDS.run("staff", child.pk)
        consultations = _CONSULTATIONS.run("staff", child.pk)
    return ChildTab(
        timeline=_timeline(outcomes, enquiry_rows, thresholds, consultations),
        enquiry=enquiry,
        thresholds_to_record=[t for t in thresholds
                              if t.iro_id == user.pk and t.iro_recorded_at is None])


# The tab's queries, their SQL compiled once per process (cpcases.core.compiled; issue 13
# §2), each with a partner's or a chair's rule where `child_tab` says it.
def _outcomes(child_id: int) -> QuerySet[DiscussionChild]:
    return DiscussionChild.objects.filter(child_id=child_id).select_related(
        "discussion").order_by("pk")


def _enquiries(child_id: int) -> QuerySet[Section47Enquiry]:
    return Section47Enquiry.objects.filter(child_id=child_id).select_related(
        "initiated_by", "decided_by")


def _took_part(user_id: int) -> QuerySet[Participant]:
    return Participant.objects.filter(user_id=user_id).values("discussion_id")


def _thresholds(child_id: int) -> QuerySet[ThresholdDecision]:
    return ThresholdDecision.objects.filter(child_id=child_id).select_related(
        "decided_by", "iro")


def _consultations(child_id: int) -> QuerySet[ConsultationRequest]:
    return ConsultationRequest.objects.filter(child_id=child_id).select_related(
        "requested_by", "case_note__author")


_OUTCOMES = CompiledQuery(lambda key, child_id: _outcomes(child_id))
_PARTNERS_OUTCOMES = CompiledQuery(lambda key, child_id, user_id: _outcomes(child_id).filter(
    discussion__in=_took_part(user_id)))
_ENQUIRIES = CompiledQuery(lambda key, child_id: _enquiries(child_id))
_PARTNERS_ENQUIRIES = CompiledQuery(lambda key, child_id, user_id: _enquiries(child_id).filter(
    initiated_by__in=_took_part(user_id)))
_THRESHOLDS = CompiledQuery(lambda key, child_id: _thresholds(child_id))
_CHAIRS_THRESHOLDS = CompiledQuery(
    lambda key, child_id, user_id: _thresholds(child_id).filter(iro_id=user_id))
_CONSULTATIONS = CompiledQuery(lambda key, child_id: _consultations(child_id))
_CHAIRS_CONSULTATIONS = CompiledQuery(
    lambda key, child_id, user_id: _consultations(child_id).filter(chair_id=user_id))


def _timeline(outcomes: Iterable[DiscussionChild], enquiries: list[Section47Enquiry],
              thresholds: list[ThresholdDecision],
              consultations: list[ConsultationRequest]) -> list[Event]:
    """The child's strategy discussions, enquiries, threshold decisions and consultations,
    newest first."""
    events: list[Event] = []
    for o in outcomes:
        d = o.discussion
        decision = ("Section 47 enquiry initiated" if o.s47_initiated
                    else f"No Section 47 enquiry: {o.get_next_step_display().lower()}")
        events.append(Event(d.held_at, "Strategy discussion",
                            f"{d.get_format_display()}, {d.get_urgency_display().lower()}. "
                            f"{decision}.",
                            reverse("strategy:discussion_detail", args=[d.pk]),
                            "Held late" if d.late_reason else "",
                            "yellow" if d.late_reason else ""))
    for e in enquiries:
        events.append(Event(e.started_on, "Section 47 enquiry started",
                            f"Initiated at the strategy discussion of "
                            f"{timezone.localtime(e.initiated_by.held_at):%d %B %Y}."))
        if e.outcome_date:
            text = e.get_outcome_display()
            if e.next_step:
                text += f"; next step: {e.get_next_step_display().lower()}"
            events.append(Event(e.outcome_date, "Section 47 outcome",
                                f"{text}. Decided by {e.decided_by}.", "",
                                e.get_outcome_display(),
                                "red" if e.outcome == S47Outcome.SUBSTANTIATED else "grey"))
    for t in thresholds:
        text = f"Decided by {t.decided_by}. {t.rationale}"
        if t.iro_id:
            text += f" Threshold discussion with {t.iro}"
            text += f": {t.iro_outcome}" if t.iro_outcome else " (outcome to be recorded)."
        events.append(Event(t.decided_at, "Threshold decision", text, "",
                            "Threshold met" if t.met else "Threshold not met",
                            "red" if t.met else "grey"))
    for c in consultations:
        flag = " No strategy discussion had been held." if c.without_strategy_discussion else ""
        events.append(Event(c.requested_at, "Consultation with a CP chair requested",
                            f"By {c.requested_by}: {c.question}{flag}", "",
                            c.get_status_display(),
                            "yellow" if c.without_strategy_discussion else "blue"))
        note = _case_note(c)
        if note:
            events.append(Event(note.written_at, "Case note: CP chair consultation",
                                f"{note.author}. {note.text}"))
    return sorted(events, key=lambda e: e.sort_key, reverse=True)


def _case_note(consultation: ConsultationRequest) -> CaseNote | None:
    """The consultation's case note, loaded with it (a one-to-one: at most one)."""
    try:
        return consultation.case_note
    except CaseNote.DoesNotExist:
        return None


def icpc_due(*, child: Child) -> Deadline | None:
    """The child's open ICPC deadline (set by the engine when an S47 was initiated)."""
    return (Deadline.objects.filter(child=child, rule_id="icpc",
                                    status__in=[DeadlineStatus.OPEN,
                                                DeadlineStatus.DELAY_AUTHORISED])
            .order_by("-id").first())
