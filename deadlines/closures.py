"""An authority's working-day calendar: England's bank holidays plus its ClosureDay rows.

DOMAIN §3: a working day is not "a closure day the authority configures (e.g. 24 December)".

Caching: each call reads the authority's closure dates (one indexed query, a handful of rows)
and returns the calendar cached for exactly that set of dates
(:func:`deadlines.calendar.calendar_with_closures`). Keying on the dates themselves, rather than
remembering an authority's calendar until told otherwise, means an added, edited or deleted
ClosureDay is seen at once by every process (web, Celery workers) whatever wrote it: signals
miss ``QuerySet.update()``, bulk writes and other processes. So there is nothing to invalidate;
:func:`clear_cache` only frees memory. Callers computing many deadlines for one authority should
fetch the calendar once and reuse it.
"""

from __future__ import annotations

from datetime import date

from cpcases.accounts.models import Authority
from deadlines.calendar import WorkingDayCalendar, calendar_with_closures, clear_calendar_cache
from deadlines.models import ClosureDay

__all__ = ["calendar_for", "calendar_for_slug", "clear_cache", "closure_dates"]


def closure_dates(authority: Authority | int) -> frozenset[date]:
    """The closure days an authority has configured (its ClosureDay rows)."""
    authority_id = authority.pk if isinstance(authority, Authority) else authority
    return frozenset(ClosureDay.objects.filter(authority_id=authority_id)
                     .values_list("date", flat=True))


def calendar_for(authority: Authority | int | None) -> WorkingDayCalendar:
    """The working-day calendar of an authority (instance or pk); national for ``None``."""
    if authority is None:
        return calendar_with_closures(())
    return calendar_with_closures(closure_dates(authority))


def calendar_for_slug(slug: str) -> WorkingDayCalendar:
    """The calendar of the authority with this slug; ``Authority.DoesNotExist`` if none."""
    authority_id = Authority.objects.values_list("pk", flat=True).get(slug=slug)
    return calendar_for(authority_id)


def clear_cache() -> None:
    """Forget cached authority calendars (memory only: answers never depend on the cache)."""
    clear_calendar_cache()
