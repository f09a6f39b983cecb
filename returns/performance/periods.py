"""The period the performance figures cover: whole months, from a start month to an end month
(issue 16 point 6), by default the return year so far (1 April to this month). Bad input is
refused with a message naming the field (returns.periods.PeriodError)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from returns.periods import PeriodError

# A longer period would make a chart of more months than a phone can show readably.
MAX_MONTHS = 24

_MONTHS = {name: number for number, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}


@dataclass(frozen=True)
class Period:
    start: dt.date  # the first day of the start month
    end: dt.date  # the last day of the end month

    @property
    def label(self) -> str:
        first, last = f"{self.start:%B %Y}", f"{self.end:%B %Y}"
        return first if first == last else f"{first} to {last}"

    @property
    def query(self) -> str:
        return f"from_month={self.start:%Y-%m}&to_month={self.end:%Y-%m}"


def _month_end(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def parse_month(text: str) -> dt.date | None:
    """'2026-04', '4/2026', '04 2026', 'April 2026' or 'Apr 2026' → 1 April 2026."""
    text = text.strip().lower()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        year, month = int(m[1]), int(m[2])
    elif m := re.fullmatch(r"(\d{1,2})\s*[/\s.-]\s*(\d{4})", text):
        month, year = int(m[1]), int(m[2])
    elif m := re.fullmatch(r"([a-z]+)\.?\s+(\d{4})", text):
        names = [n for n in _MONTHS if len(m[1]) >= 3 and n.startswith(m[1])]
        if len(names) != 1:
            return None
        month, year = _MONTHS[names[0]], int(m[2])
    else:
        return None
    if not 1 <= month <= 12 or not 1900 <= year <= 9999:
        return None
    return dt.date(year, month, 1)


def return_year_start(today: dt.date) -> dt.date:
    """1 April of the return year `today` falls in."""
    return dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)


def default_period(today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(return_year_start(today), _month_end(today.replace(day=1)))


FIELD_NAMES = {"from_month": "start month", "to_month": "end month"}


def performance_period(from_text: str | None, to_text: str | None, *,
                       today: dt.date | None = None) -> Period:
    """The period from the two months typed; either left empty takes the default's."""
    today = today or timezone.localdate()
    default = default_period(today)
    months: dict[str, dt.date] = {}
    for name, text, fallback in (("from_month", from_text, default.start),
                                 ("to_month", to_text, default.end.replace(day=1))):
        if not (text or "").strip():
            months[name] = fallback
            continue
        month = parse_month(text or "")
        if month is None:
            raise PeriodError(f"Enter the {FIELD_NAMES[name]} as a month and year, for "
                              "example 4/2026 or April 2026", name)
        if month > today.replace(day=1):
            raise PeriodError(f"The {FIELD_NAMES[name]} must be this month or earlier, not "
                              "in the future", name)
        months[name] = month
    start, end = months["from_month"], months["to_month"]
    if start > end:
        raise PeriodError("The end month must be the same as the start month or after it",
                          "to_month")
    if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
        raise PeriodError(f"The period can be at most {MAX_MONTHS} months: choose a later "
                          "start month or an earlier end month", "from_month")
    return Period(start, _month_end(end))
