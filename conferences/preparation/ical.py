"""The calendar invitation (.ics) for a conference: downloaded from the conference page and
attached to the invitation e-mails to professionals. No child's name goes in it: the
e-mail leaves the system (002 §22.16: conference business is confidential)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from conferences.models import Conference, ConferenceStatus

LONDON = ZoneInfo("Europe/London")
# How long a conference is put in diaries for; the procedures set no length.
DIARY_HOURS = 2


def conference_start(conference: Conference) -> datetime:
    return datetime.combine(conference.date, conference.start_time, tzinfo=LONDON)


def conference_ics(conference: Conference) -> bytes:
    # Deferred: icalendar (80 modules, about 3 MB) is loaded only by the process that makes
    # an invitation, not by every web worker at start (issue 13 §6).
    from icalendar import Calendar, Event

    cancelled = conference.status == ConferenceStatus.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", "-//cpcases//conferences//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    host = getattr(settings, "ICAL_UID_DOMAIN", "cpcases.invalid")
    event.add("uid", f"conference-{conference.pk}@{host}")
    start = conference_start(conference)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(hours=DIARY_HOURS))
    event.add("dtstamp", datetime.now(tz=LONDON))
    # Each change (a reschedule) must supersede the invitation already in diaries.
    event.add("sequence", int(conference.updated_at.timestamp()) if conference.updated_at
              else 0)
    event.add("summary", f"{conference.get_kind_display()} (ref. CP-{conference.pk})")
    event.add("location", conference.venue or conference.online_link)
    description = "Child protection conference. Details are confidential."
    if conference.online_link:
        description += f" Join online: {conference.online_link}"
    event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
