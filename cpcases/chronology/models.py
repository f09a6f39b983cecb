"""Statutory visits by the lead social worker (DOMAIN §2 step 14) and the entries partner
agencies and social workers add by hand to the multi-agency chronology (step 17).

Written only through cpcases.chronology.services. The chronology itself is not a table: it is
these entries merged with the system's own events by the providers (chronology.providers).
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models

from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from cpcases.core.models import TimeStampedModel


class VisitLocation(models.TextChoices):
    # 003 "Seeing the Child": normally at the home where the child lives; on occasion at a
    # parent's home; another setting such as school "should not be the norm".
    HOME = "home", "The home where the child lives"
    PARENT_HOME = "parent_home", "A parent's home the child visits or stays at"
    SCHOOL = "school", "School or nursery"
    OTHER = "other", "Somewhere else"


@pghistory.track()
class Visit(TimeStampedModel):
    """One statutory visit, including an attempt where access was refused."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="visits")
    visited_at = models.DateTimeField("date and time of the visit")
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="visits_made")
    location = models.CharField(max_length=16, choices=VisitLocation.choices,
                                default=VisitLocation.HOME)
    child_seen = models.BooleanField("child seen")
    seen_alone = models.BooleanField("child seen alone", null=True, blank=True)
    seen_with = models.CharField("seen with whom", max_length=300, blank=True)
    bedroom_seen = models.BooleanField("bedroom or sleeping place seen", default=False)
    access_refused = models.BooleanField(default=False)
    access_refused_details = models.TextField("what happened when access was refused",
                                              blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["child", "visited_at"], name="visit_child_when")]
        constraints = [
            # Access refused means the child and their room were not seen.
            models.CheckConstraint(
                condition=models.Q(access_refused=False)
                | models.Q(child_seen=False, bedroom_seen=False),
                name="visit_refused_not_seen"),
        ]

    def __str__(self) -> str:
        return f"Visit to {self.child_id} on {self.visited_at:%d/%m/%Y %H:%M}"


class EventType(models.TextChoices):
    """What kind of event a chronology entry records: the filter of the merged view.

    The first group are chosen by people adding an entry by hand (003 "Significant
    Information/ Events"); the rest come from the system's own records."""

    INCIDENT = "incident", "Incident or allegation"
    CONTACT = "contact", "Contact or referral"
    HEALTH = "health", "Health appointment or admission"
    EDUCATION = "education", "School attendance, exclusion or change"
    POLICE = "police", "Police involvement or criminal proceedings"
    MISSING = "missing", "Missing or absconded"
    ASSESSMENT = "assessment", "Assessment or service"
    OTHER = "other", "Other significant event"
    # Automatic (never chosen by hand)
    STRATEGY = "strategy", "Strategy discussion"
    SECTION_47 = "s47", "Section 47 enquiry"
    CONFERENCE = "conference", "Child protection conference"
    PLAN = "plan", "Child protection plan"
    VISIT = "visit", "Statutory visit"
    ADDRESS = "address", "Change of address"
    HOUSEHOLD = "household", "Change of household"


MANUAL_EVENT_TYPES = (EventType.INCIDENT, EventType.CONTACT, EventType.HEALTH,
                      EventType.EDUCATION, EventType.POLICE, EventType.MISSING,
                      EventType.ASSESSMENT, EventType.OTHER)


@pghistory.track()
class ChronologyEntry(TimeStampedModel):
    """One entry added by a core group member, in the fields of the DSCB template (003
    "Multi-Agency Chronologies", DOMAIN §2 step 17)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="chronology_entries")
    # 003: "The date the episode event is said to have taken place (not the date of
    # recording)"; the time when it is known.
    event_date = models.DateField("date of the event")
    event_time = models.TimeField("time of the event", null=True, blank=True)
    event_type = models.CharField(max_length=16, choices=EventType.choices,
                                  default=EventType.OTHER)
    significant_event = models.TextField("significant event")
    source = models.CharField("professional or agency record", max_length=200,
                              help_text="The record the information comes from, for example "
                                        "police record or school nursing record")
    agency = models.CharField("contributing agency", max_length=32, choices=Agency.choices)
    who_involved = models.TextField("who was involved", blank=True)
    decisions_actions_outcome = models.TextField("decisions, actions and outcome", blank=True)
    child_seen = models.BooleanField("child seen")
    child_views = models.TextField("the child's views", blank=True)
    author_comments = models.TextField("author's comments", blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="chronology_entries")

    class Meta:
        verbose_name_plural = "chronology entries"
        ordering = ["event_date", "event_time", "id"]
        indexes = [models.Index(fields=["child", "event_date"], name="chron_child_date")]

    def __str__(self) -> str:
        return f"{self.event_date:%d/%m/%y}: {self.significant_event[:40]}"
