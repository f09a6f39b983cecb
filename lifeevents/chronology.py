"""Chronology entries for missing episodes, a death and legal orders (003 "Core Incidents":
"Child absconded/missing"; registered in LifeEventsConfig.ready())."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone

from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from cpcases.chronology.models import EventType
from cpcases.chronology.providers import ChronologyItem
from lifeevents.models import ChildDeath, LegalOrder, MissingEpisode

CSC = Agency.CHILDRENS_SOCIAL_CARE
SOURCE = "Social work record"


def missing_episodes(child: Child) -> Iterator[ChronologyItem]:
    href = reverse("lifeevents:child", args=[child.pk])
    for e in MissingEpisode.objects.filter(child=child).select_related("reported_by"):
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
    for o in LegalOrder.objects.filter(child=child).select_related("created_by"):
        until = o.ended_on or o.ends_on
        yield ChronologyItem(
            event_date=o.starts_on, event_type=EventType.OTHER,
            significant_event=o.get_kind_display(), source=SOURCE, agency=CSC,
            origin=f"order:{o.pk:010d}",
            decisions_actions_outcome=f"Until {until:%d/%m/%y}" if until else "",
            author=o.created_by.full_name if o.created_by else "")


PROVIDERS = (("missing", missing_episodes), ("death", death), ("orders", orders))
