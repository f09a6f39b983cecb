"""The periods a return covers, and the refusals for bad ones (issue 16 point 7).

CIN census (RETURNS.md §1, DfE rule 100): ReferenceDate is 31 March of the census year; the
period runs from the day after the previous ReferenceDate. Ofsted Annex A: a six- or
twelve-month window ending on a chosen day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils import timezone

# Census years whose specification cpcases implements: 2024-25 (Sex replaces GenderCurrent)
# and 2025-26 (no rule changes). 2026-27 adds the pre-proceedings block: not yet supported.
SUPPORTED_CENSUS_YEARS = (2025, 2026)
ANNEX_A_MONTHS = (6, 12)


class PeriodError(ValueError):
    """A period, list or year the returns cannot be produced for; the message names the field
    it is about (`field`) in plain words."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CensusPeriod:
    year: int
    reference_date: dt.date
    start: dt.date

    @property
    def label(self) -> str:
        return f"{self.year - 1}-{str(self.year)[2:]}"

    def contains(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.reference_date


def census_period(year: int, *, today: dt.date | None = None) -> CensusPeriod:
    """The census period for `year` (the year of its ReferenceDate), refused when the year is
    not supported or its period has not ended."""
    today = today or timezone.localdate()
    if year > today.year or (year == today.year and today < dt.date(year, 3, 31)):
        raise PeriodError(f"The {year - 1}-{str(year)[2:]} census period ends on "
                          f"31 March {year}, which is in the future", "year")
    if year not in SUPPORTED_CENSUS_YEARS:
        choices = " or ".join(str(y) for y in SUPPORTED_CENSUS_YEARS)
        raise PeriodError(f"Census year {year} is not supported: choose {choices}", "year")
    reference = dt.date(year, 3, 31)
    return CensusPeriod(year=year, reference_date=reference,
                        start=reference - relativedelta(years=1) + dt.timedelta(days=1))


def year_so_far(today: dt.date | None = None) -> CensusPeriod:
    """The census year in progress, up to today: what a child's record would give if the
    year ended now (the child's census checks)."""
    today = today or timezone.localdate()
    year = today.year + 1 if today >= dt.date(today.year, 4, 1) else today.year
    return CensusPeriod(year=year, reference_date=today, start=dt.date(year - 1, 4, 1))


def default_census_year(today: dt.date | None = None) -> int:
    """The latest supported census year whose period has ended (2026 on 3 December 2026: the
    2025-26 return, due in COLLECT from 1 April 2026)."""
    today = today or timezone.localdate()
    ended = [y for y in SUPPORTED_CENSUS_YEARS if dt.date(y, 3, 31) <= today]
    return max(ended) if ended else SUPPORTED_CENSUS_YEARS[0]


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date
    months: int

    def contains(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end


def annex_a_window(end: dt.date, months: int, *, today: dt.date | None = None) -> Window:
    """The window of `months` months ending on `end` (inclusive)."""
    if months not in ANNEX_A_MONTHS:
        raise PeriodError("The period must be 6 or 12 months", "months")
    today = today or timezone.localdate()
    if end > today:
        raise PeriodError("The end of the period must be today or in the past", "end")
    return Window(start=end - relativedelta(months=months) + dt.timedelta(days=1), end=end,
                  months=months)


ANNEX_A_LISTS = {1: "List 1: Contacts", 3: "List 3: Referrals", 4: "List 4: Assessments",
                 5: "List 5: Section 47 enquiries and initial conferences",
                 6: "List 6: Children in need", 7: "List 7: Child protection plans"}


def annex_a_list(number: int) -> int:
    if number not in ANNEX_A_LISTS:
        numbers = [str(n) for n in ANNEX_A_LISTS]
        choices = f"list {', '.join(numbers[:-1])} or {numbers[-1]}"
        raise PeriodError(f"List {number} is not available: choose {choices}", "list")
    return number
