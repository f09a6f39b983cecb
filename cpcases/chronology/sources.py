"""The chronology's built-in event providers (003 "Core Incidents": strategy discussions,
Section 47 investigations, conferences, house moves…), registered in ChronologyConfig.ready().

Each reads one kind of record for one child and describes it in the chronology's fields.
Providers for other apps' models import them inside the function and return nothing when
the app or model is absent, so the chronology works whichever workflows are installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from itertools import pairwise
from typing import Any

from django.apps import apps
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.urls import NoReverseMatch
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency
from cpcases.audit.reads import shown_along
from cpcases.children.models import Child, Household
from cpcases.children.tabs import child_href
from cpcases.chronology.models import ChronologyEntry, EventType, Visit
from cpcases.chronology.providers import STAGE, ChronologyItem, Source, register_provider
from cpcases.core.child_rows import child_rows

CSC = Agency.CHILDRENS_SOCIAL_CARE
SOCIAL_WORK_RECORD = "Social work record"


def _local(moment: datetime) -> tuple[date, time]:
    local = timezone.localtime(moment)
    return local.date(), local.time().replace(second=0, microsecond=0)


def _name(user: User | None) -> str:
    return user.full_name or user.username if user else ""


def _named(full_name: str | None, username: str | None) -> str:
    """`_name(user)` of a user read as two annotated columns (None: no user)."""
    return full_name or username or ""


def _model(app_label: str, name: str) -> Any:
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _url(name: str, pk: int) -> str:
    # child_href: the pattern reversed once per process, not once an event (issue 13 §2).
    try:
        return child_href(name, pk)
    except NoReverseMatch:
        return ""


# --- entries added by hand -------------------------------------------------------------------


def manual_entries(child: Child) -> Iterator[ChronologyItem]:
    for e in ChronologyEntry.objects.filter(child=child).select_related("author").order_by():
        yield ChronologyItem(
            event_date=e.event_date, event_time=e.event_time, event_type=e.event_type,
            significant_event=e.significant_event, source=e.source, agency=e.agency,
            origin=f"entry:{e.pk:010d}", who_involved=e.who_involved,
            decisions_actions_outcome=e.decisions_actions_outcome, child_seen=e.child_seen,
            child_views=e.child_views, author_comments=e.author_comments,
            author=_name(e.author), automatic=False)


# --- statutory visits ------------------------------------------------------------------------


def _visit_summary(v: Visit) -> str:
    if v.access_refused:
        return "Statutory visit: access refused"
    if not v.child_seen:
        return "Statutory visit: child not seen"
    seen = "child seen alone" if v.seen_alone else (
        f"child seen with {v.seen_with}" if v.seen_with else "child seen")
    room = ", bedroom seen" if v.bedroom_seen else ""
    return f"Statutory visit: {seen}{room}"


def _visits(child_id: int) -> QuerySet[Visit]:
    return Visit.objects.filter(child=child_id).annotate(
        by_full_name=F("visited_by__full_name"), by_username=F("visited_by__username")
    ).order_by()


def visits(child: Child) -> Iterator[ChronologyItem]:
    for v in child_rows("chronology.visits", _visits, child.pk):
        day, at = _local(v.visited_at)
        outcome = v.access_refused_details if v.access_refused else v.notes
        by = _named(v.by_full_name, v.by_username)
        yield ChronologyItem(
            event_date=day, event_time=at, event_type=EventType.VISIT,
            significant_event=_visit_summary(v), source=SOCIAL_WORK_RECORD, agency=CSC,
            origin=f"visit:{v.pk:010d}", who_involved=by, stage=STAGE["visit"],
            decisions_actions_outcome=outcome, child_seen=v.child_seen,
            author=by, href=_url("chronology:visits", child.pk))


# --- moves of address and household (from the record's history) ------------------------------


def moves(child: Child) -> Iterator[ChronologyItem]:
    """Each change of the child's address or household after the record was created, from
    pghistory's snapshots (the date is when it was recorded: the record holds no other)."""
    snapshots = list(child.events.order_by("pgh_id").values(
        "pgh_id", "pgh_created_at", "address", "postcode", "household_id", "updated_by_id"))
    household_ids = {s["household_id"] for s in snapshots if s["household_id"]}
    households = dict(Household.objects.filter(pk__in=household_ids).values_list("id", "name"))
    authors = {u.pk: _name(u) for u in User.objects.filter(
        pk__in={s["updated_by_id"] for s in snapshots if s["updated_by_id"]})}
    for before, after in pairwise(snapshots):
        day, at = _local(after["pgh_created_at"])
        author = authors.get(after["updated_by_id"], "")
        if (before["address"], before["postcode"]) != (after["address"], after["postcode"]):
            new = ", ".join(p for p in (after["address"].replace("\n", ", "),
                                        after["postcode"]) if p) or "no address"
            yield ChronologyItem(
                event_date=day, event_time=at, event_type=EventType.ADDRESS,
                significant_event=f"Change of address to {new}", source=SOCIAL_WORK_RECORD,
                agency=CSC, origin=f"move:{after['pgh_id']:010d}:a", author=author,
                stage=STAGE["move"])
        if before["household_id"] != after["household_id"]:
            name = households.get(after["household_id"], "no household")
            yield ChronologyItem(
                event_date=day, event_time=at, event_type=EventType.HOUSEHOLD,
                significant_event=f"Change of household: now {name}",
                source=SOCIAL_WORK_RECORD, agency=CSC,
                origin=f"move:{after['pgh_id']:010d}:h", author=author,
                stage=STAGE["move"])


# --- strategy discussions and Section 47 enquiries -------------------------------------------


def strategy_discussions(child: Child) -> Iterator[ChronologyItem]:
    DiscussionChild = _model("strategy", "DiscussionChild")
    if DiscussionChild is None:
        return
    outcomes = DiscussionChild.objects.filter(child=child).select_related(
        "discussion", "discussion__created_by").prefetch_related(
        "discussion__participants").order_by()
    for o in outcomes:
        d = o.discussion
        day, at = _local(d.held_at)
        decision = ("Section 47 enquiry initiated" if o.s47_initiated
                    else f"No Section 47 enquiry: {o.get_next_step_display().lower()}")
        who = "; ".join(f"{p.name} ({p.get_agency_display()})" for p in d.participants.all())
        yield ChronologyItem(
            event_date=day, event_time=at, event_type=EventType.STRATEGY,
            significant_event=f"Strategy discussion ({d.get_format_display().lower()})",
            source=SOCIAL_WORK_RECORD, agency=CSC, origin=f"strategy:{d.pk:010d}",
            stage=STAGE["strategy"],
            who_involved=who, decisions_actions_outcome=decision,
            author=_name(d.created_by), href=_url("strategy:discussion_detail", d.pk))


def section_47_enquiries(child: Child) -> Iterator[ChronologyItem]:
    Enquiry = _model("strategy", "Section47Enquiry")
    if Enquiry is None:
        return
    for e in Enquiry.objects.filter(child=child).select_related(
            "decided_by", "created_by").order_by():
        yield ChronologyItem(
            event_date=e.started_on, event_type=EventType.SECTION_47,
            significant_event="Section 47 enquiry started", source=SOCIAL_WORK_RECORD,
            agency=CSC, origin=f"s47:{e.pk:010d}:start", author=_name(e.created_by),
            stage=STAGE["s47_start"])
        if e.outcome_date:
            outcome = e.get_outcome_display()
            if e.next_step:
                outcome += f"; next step: {e.get_next_step_display().lower()}"
            yield ChronologyItem(
                event_date=e.outcome_date, event_type=EventType.SECTION_47,
                significant_event="Section 47 enquiry outcome", source=SOCIAL_WORK_RECORD,
                agency=CSC, origin=f"s47:{e.pk:010d}:outcome", stage=STAGE["s47_outcome"],
                decisions_actions_outcome=f"{outcome}. {e.outcome_reasons}".strip(),
                author=_name(e.decided_by))


# --- conferences -----------------------------------------------------------------------------


def _conferences(child_id: int) -> QuerySet[Any]:
    """The child's conferences not cancelled, each with the decision for this child and who
    was present (as the model orders its attendances: type, agency, name) in the same row.
    The decisions and attendances are not loaded as rows of their own: the read audit finds
    no child through them that it does not find through their conference."""
    Decision = _model("conference_outcomes", "ChildDecision")
    Attendance = _model("conference_outcomes", "Attendance")
    outcomes: dict[str, Any] = {}
    if Decision is not None:
        # One decision per conference and child (the model's unique constraint).
        decision = Decision.objects.filter(conference=OuterRef("pk"), child=child_id).order_by()

        def decided(column: str) -> Subquery:
            return Subquery(decision.values(column)[:1])

        outcomes.update(decided=Exists(decision), decision_outcome=decided("outcome"),
                        decision_category=decided("category"),
                        decision_reasons=decided("reasons"),
                        decider_full_name=decided("decided_by__full_name"),
                        decider_username=decided("decided_by__username"))
    if Attendance is not None:
        present = Attendance.objects.filter(conference=OuterRef("pk"), status="present").order_by(
            "participant_type", "agency", "name", "id")
        outcomes.update(present_names=ArraySubquery(present.values("name")),
                        present_agencies=ArraySubquery(present.values("agency")))
    Conference = _model("conferences", "Conference")
    return (Conference.objects.filter(children=child_id)
            .exclude(status="cancelled")
            .annotate(chair_full_name=F("chair__full_name"), chair_username=F("chair__username"),
                      creator_full_name=F("created_by__full_name"),
                      creator_username=F("created_by__username"), **outcomes,
                      **_children_shown(Conference, "children", "pk"))
            .order_by("date", "pk"))


def _children_shown(Conference: Any, path: str, conference: str) -> dict[str, Any]:
    """The children of the row's conference (`conference`: the column naming it) for the
    read audit, in the row's own query: no query of its own for `path` (issue 13 §2)."""
    links = Conference.children.through.objects.filter(conference=OuterRef(conference))
    return {shown_along(path): ArraySubquery(links.values("child_id"))}


def _display(app_label: str, model: str, field: str, value: Any) -> str:
    """`get_<field>_display()` of a value read as a plain column."""
    choices = _model(app_label, model)._meta.get_field(field).flatchoices
    return str(dict(choices).get(value, value))


def conferences(child: Child) -> Iterator[ChronologyItem]:
    """Conferences held (or booked for a date now past; cancelled ones are not events), with
    the decision for this child and who attended where the conference record holds them."""
    if _model("conferences", "Conference") is None:
        return
    today = timezone.localdate()
    every = list(child_rows("chronology.conferences", _conferences, child.pk))
    held = [c for c in every if c.date <= today]
    for c in every:
        if c.date > today:
            # Every conference has its entry: one still to come is recorded on the day it
            # was booked.
            booked_on, booked_at = _local(c.created_at)
            yield ChronologyItem(
                event_date=booked_on, event_time=booked_at, event_type=EventType.CONFERENCE,
                significant_event=f"{c.get_kind_display()} booked for {c.date:%-d %B %Y}",
                source=SOCIAL_WORK_RECORD, agency=CSC, origin=f"conference:{c.pk:010d}:booked",
                who_involved=f"Chair: {_named(c.chair_full_name, c.chair_username)}",
                stage=STAGE["conference_booked"],
                author=_named(c.creator_full_name, c.creator_username))
    for c in held:
        chair = _named(c.chair_full_name, c.chair_username)
        present = [f"{name} ({_display('conference_outcomes', 'Attendance', 'agency', agency)})"
                   if agency else name
                   for name, agency in zip(getattr(c, "present_names", []),
                                           getattr(c, "present_agencies", []), strict=True)]
        who = "; ".join([f"Chair: {chair}", *present])
        outcome = c.get_status_display()
        decided = getattr(c, "decided", False)
        if decided:
            outcome = _display("conference_outcomes", "ChildDecision", "outcome",
                               c.decision_outcome)
            if c.decision_category:
                category = _display("conference_outcomes", "ChildDecision", "category",
                                    c.decision_category)
                outcome += f" (category: {category.lower()})"
            outcome += f". {c.decision_reasons}".rstrip()
        yield ChronologyItem(
            event_date=c.date, event_time=c.start_time, event_type=EventType.CONFERENCE,
            significant_event=c.get_kind_display(), source=SOCIAL_WORK_RECORD, agency=CSC,
            origin=f"conference:{c.pk:010d}", who_involved=who, stage=STAGE["conference"],
            decisions_actions_outcome=outcome,
            author=_named(c.decider_full_name, c.decider_username) if decided else chair)


# --- child protection plans ------------------------------------------------------------------


def _plans(child_id: int) -> QuerySet[Any]:
    Conference = _model("conferences", "Conference")
    shown = ({} if Conference is None
             else _children_shown(Conference, "conference__children", "conference"))
    return (_model("plans", "ChildProtectionPlan").objects.filter(child=child_id)
            .annotate(lead_full_name=F("lead_social_worker__full_name"),
                      lead_username=F("lead_social_worker__username"),
                      ender_full_name=F("ended_by__full_name"),
                      ender_username=F("ended_by__username"), **shown).order_by())


def plans(child: Child) -> Iterator[ChronologyItem]:
    """Plan start (with its category and lead social worker) and end (with the reason)."""
    Plan = _model("plans", "ChildProtectionPlan")
    if Plan is None:
        return
    for p in child_rows("chronology.plans", _plans, child.pk):
        yield ChronologyItem(
            event_date=p.started_on, event_type=EventType.PLAN,
            significant_event="Child protection plan started "
                              f"(category: {p.get_category_display().lower()})",
            source=SOCIAL_WORK_RECORD, agency=CSC, origin=f"plan:{p.pk:010d}:start",
            stage=STAGE["plan_start"],
            who_involved=f"Lead social worker: {_named(p.lead_full_name, p.lead_username)}")
        if p.ended_on:
            yield ChronologyItem(
                event_date=p.ended_on, event_type=EventType.PLAN,
                significant_event="Child protection plan ended", source=SOCIAL_WORK_RECORD,
                agency=CSC, origin=f"plan:{p.pk:010d}:end", stage=STAGE["plan_end"],
                decisions_actions_outcome=f"{p.get_end_reason_display()}. {p.end_note}".strip(),
                author=_named(p.ender_full_name, p.ender_username))


# (name, provider, the tables it reads its events from: see providers.Source)
BUILTIN: tuple[tuple[str, Any, tuple[Source, ...]], ...] = (
    ("manual", manual_entries, (Source("chronology.ChronologyEntry"),)),
    ("visits", visits, (Source("chronology.Visit"),)),
    # A move is a difference between two snapshots of the record.
    ("moves", moves, (Source("children.ChildEvent", "pgh_obj", at_least=2),)),
    ("strategy", strategy_discussions, (Source("strategy.DiscussionChild"),)),
    ("s47", section_47_enquiries, (Source("strategy.Section47Enquiry"),)),
    ("conferences", conferences, (Source("conferences.Conference", "children"),)),
    ("plans", plans, (Source("plans.ChildProtectionPlan"),)),
)


def register_builtin() -> None:
    for name, fn, sources in BUILTIN:
        register_provider(fn, name=f"chronology.{name}", sources=sources)
