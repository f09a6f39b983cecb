"""Chronology entries for missing episodes, a death and legal orders (003 "Core Incidents":
"Child absconded/missing"), the ending of a plan (the notices to the ICPC's invitees, the
views sought from the agencies not at the review and each one received: 003
"Discontinuing") and a record being restricted or the restriction lifted (registered in
LifeEventsConfig.ready()).

The chronology is shown only through child_for_view, so these entries are seen only by those
who may see the record; the restriction's entries never give its reason, nor the lifting's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time

from django.urls import reverse
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from cpcases.chronology.models import EventType
from cpcases.chronology.providers import STAGE, ChronologyItem, Source
from lifeevents.models import (
    AgencyViewRequest,
    ChildDeath,
    LegalOrder,
    Letter,
    LetterKind,
    MissingEpisode,
    PlanEndingNotice,
    PlanEndViews,
    RecordRestriction,
)

CSC = Agency.CHILDRENS_SOCIAL_CARE
SOURCE = "Social work record"


def missing_episodes(child: Child) -> Iterator[ChronologyItem]:
    href = reverse("lifeevents:child", args=[child.pk])
    for e in MissingEpisode.objects.filter(child=child).select_related(
            "reported_by").order_by():
        seen = timezone.localtime(e.last_seen_at)
        outcome = "Not yet found"
        if e.found_at:
            outcome = f"Found {timezone.localtime(e.found_at):%d/%m/%y %H:%M}. {e.found_note}"
        yield ChronologyItem(
            event_date=seen.date(), event_time=seen.time().replace(second=0, microsecond=0),
            event_type=EventType.MISSING,
            significant_event=f"{e.get_kind_display()}: last seen by {e.last_seen_by}",
            source=SOURCE, agency=CSC, origin=f"missing:{e.pk:010d}",
            who_involved=f"Reported by {e.reported_by.full_name}",
            decisions_actions_outcome=outcome.strip(), author=e.reported_by.full_name,
            href=href)


def death(child: Child) -> Iterator[ChronologyItem]:
    record = ChildDeath.objects.filter(child=child).select_related("reported_by").first()
    if record is not None:
        yield ChronologyItem(
            event_date=record.died_on, event_type=EventType.OTHER,
            significant_event="Death of the child", source=SOURCE, agency=CSC,
            origin=f"death:{record.pk:010d}",
            decisions_actions_outcome=record.circumstances,
            author=record.reported_by.full_name,
            href=reverse("lifeevents:death", args=[record.pk]))


def orders(child: Child) -> Iterator[ChronologyItem]:
    for o in LegalOrder.objects.filter(child=child).select_related("created_by").order_by():
        until = o.ended_on or o.ends_on
        yield ChronologyItem(
            event_date=o.starts_on, event_type=EventType.OTHER,
            significant_event=o.get_kind_display(), source=SOURCE, agency=CSC,
            origin=f"order:{o.pk:010d}",
            decisions_actions_outcome=f"Until {until:%d/%m/%y}" if until else "",
            author=o.created_by.full_name if o.created_by else "")


def _when(moment: datetime) -> tuple[date, time]:
    local = timezone.localtime(moment)
    return local.date(), local.time().replace(second=0, microsecond=0)


def _name(user: User | None) -> str:
    return (user.full_name or user.username) if user else ""


def _agency(value: str) -> str:
    return str(Agency(value).label) if value in Agency.values else value


# After the plan's end on the same day (chronology.providers.STAGE).
AFTER_PLAN_END = STAGE["plan_end"] + 1


def plan_endings(child: Child) -> Iterator[ChronologyItem]:
    """003 "Discontinuing": the ICPC's invitees told the plan has ended; the views asked of
    the agencies not at the review that ended it, and each view as it came in."""
    for notice in PlanEndingNotice.objects.filter(plan__child=child).select_related(
            "sent_by").order_by():
        day, at = _when(notice.sent_at)
        told = Letter.objects.filter(kind=LetterKind.PLAN_ENDED, object_id=notice.pk,
                                     child=child).order_by("recipient_name", "id")
        yield ChronologyItem(
            event_date=day, event_time=at, event_type=EventType.PLAN,
            significant_event="Everyone invited to the initial conference told that the "
                              "child protection plan has ended",
            source=SOURCE, agency=CSC, origin=f"plan-notices:{notice.pk:010d}",
            who_involved="; ".join(f"{letter.recipient_name} ({letter.get_method_display()})"
                                   for letter in told),
            author=_name(notice.sent_by), stage=AFTER_PLAN_END,
            href=reverse("lifeevents:plan_ending", args=[notice.plan_id]))
    for views in PlanEndViews.objects.filter(plan__child=child).select_related(
            "sought_by").order_by():
        day, at = _when(views.sought_at)
        href = reverse("lifeevents:plan_ending", args=[views.plan_id])
        asked = list(AgencyViewRequest.objects.filter(views=views).select_related(
            "recorded_by"))
        yield ChronologyItem(
            event_date=day, event_time=at, event_type=EventType.PLAN,
            significant_event="Views asked in writing of the agencies not at the review "
                              "that ended the plan",
            source=SOURCE, agency=CSC, origin=f"plan-views:{views.pk:010d}",
            who_involved="; ".join(f"{r.name} ({_agency(r.agency)})" for r in asked),
            author=_name(views.sought_by), stage=AFTER_PLAN_END, href=href)
        for r in asked:
            if r.received_on is None:
                continue
            yield ChronologyItem(
                event_date=r.received_on, event_type=EventType.PLAN,
                significant_event=f"View received from {r.name} ({_agency(r.agency)}) on "
                                  "the plan ending",
                source=SOURCE, agency=CSC, origin=f"plan-view:{r.pk:010d}",
                who_involved=r.name, decisions_actions_outcome=r.view,
                author=_name(r.recorded_by), stage=AFTER_PLAN_END, href=href)


def restrictions(child: Child) -> Iterator[ChronologyItem]:
    """The record restricted (by whom) and the restriction lifted: never why."""
    for r in RecordRestriction.objects.filter(child=child).select_related(
            "created_by", "marked_by", "lifted_by").order_by():
        day, at = _when(r.created_at)
        changed = ""
        if r.marked_at and _when(r.marked_at) != (day, at):
            changed = ("The people who may see it were last changed on "
                       f"{timezone.localtime(r.marked_at):%d/%m/%y} by {_name(r.marked_by)}.")
        yield ChronologyItem(
            event_date=day, event_time=at, event_type=EventType.OTHER,
            significant_event="Record restricted: only the people named may see it",
            source=SOURCE, agency=CSC, origin=f"restriction:{r.pk:010d}:marked",
            decisions_actions_outcome=changed,
            author=_name(r.created_by or r.marked_by))
        if r.lifted_at is not None:
            day, at = _when(r.lifted_at)
            yield ChronologyItem(
                event_date=day, event_time=at, event_type=EventType.OTHER,
                significant_event="Restriction of the record lifted", source=SOURCE,
                agency=CSC, origin=f"restriction:{r.pk:010d}:lifted",
                author=_name(r.lifted_by))


# (name, provider, the tables it reads its events from: chronology.providers.Source)
PROVIDERS = (
    ("missing", missing_episodes, (Source("lifeevents.MissingEpisode"),)),
    ("death", death, (Source("lifeevents.ChildDeath"),)),
    ("orders", orders, (Source("lifeevents.LegalOrder"),)),
    ("plan_endings", plan_endings, (Source("lifeevents.PlanEndingNotice", "plan__child"),
                                    Source("lifeevents.PlanEndViews", "plan__child"))),
    ("restrictions", restrictions, (Source("lifeevents.RecordRestriction"),)),
)
