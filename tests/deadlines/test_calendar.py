"""The working-day calendar (DOMAIN §3) on dates a practitioner can check with a wall calendar,
and against an independent calendar (numpy's business-day functions) on many random dates."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import numpy as np
import pytest

from deadlines.calendar import (
    CalendarRangeError,
    WorkingDayCalendar,
    add_working_days,
    add_working_days_many,
    calendar_with_closures,
    is_working_day,
    next_working_day,
    previous_working_day,
    working_days_between,
    working_days_between_many,
)

D = date.fromisoformat


# --- known dates -------------------------------------------------------------------------------

def test_icpc_due_15_working_days_after_strategy_discussion_over_christmas() -> None:
    # Fri 18 Dec 2026. Bank holidays: Fri 25 Dec, Mon 28 Dec (substitute for Boxing Day,
    # a Saturday), Fri 1 Jan 2027. Day 1 is Mon 21 Dec; day 15 is Wed 13 Jan 2027.
    assert add_working_days(D("2026-12-18"), 15) == D("2027-01-13")
    assert working_days_between(D("2026-12-18"), D("2027-01-13")) == 15


def test_christmas_2026_bank_holidays_are_not_working_days() -> None:
    for day in ("2026-12-25", "2026-12-28", "2027-01-01"):
        assert not is_working_day(D(day)), day
    for day in ("2026-12-24", "2026-12-29", "2026-12-31", "2027-01-04"):
        assert is_working_day(D(day)), day


def test_easter_good_friday_and_easter_monday_are_skipped() -> None:
    # Good Friday 3 April 2026, Easter Monday 6 April 2026.
    assert add_working_days(D("2026-04-02"), 1) == D("2026-04-07")
    assert working_days_between(D("2026-04-02"), D("2026-04-07")) == 1


def test_substitute_days_when_christmas_and_new_year_fall_at_a_weekend() -> None:
    # 25/26 Dec 2021 were Sat/Sun: substitute days Mon 27 and Tue 28 Dec; 1 Jan 2022 was a
    # Saturday: substitute day Mon 3 Jan 2022.
    assert add_working_days(D("2021-12-24"), 1) == D("2021-12-29")
    assert add_working_days(D("2021-12-31"), 1) == D("2022-01-04")
    for day in ("2021-12-27", "2021-12-28", "2022-01-03"):
        assert not is_working_day(D(day)), day


def test_platinum_jubilee_moved_the_spring_bank_holiday_to_2_june_2022() -> None:
    assert is_working_day(D("2022-05-30"))  # the usual last-Monday-of-May holiday moved
    assert not is_working_day(D("2022-06-02"))
    assert not is_working_day(D("2022-06-03"))
    assert add_working_days(D("2022-06-01"), 1) == D("2022-06-06")


def test_queens_funeral_and_coronation_are_one_off_bank_holidays() -> None:
    assert add_working_days(D("2022-09-16"), 1) == D("2022-09-20")  # Mon 19 Sep 2022
    assert add_working_days(D("2023-05-05"), 1) == D("2023-05-09")  # Mon 8 May 2023


def test_saturday_strategy_discussion_counts_from_the_following_monday() -> None:
    saturday = D("2026-01-10")
    assert add_working_days(saturday, 1) == D("2026-01-12")
    assert add_working_days(saturday, 15) == D("2026-01-30")
    # Friday, Saturday and Sunday anchors share their deadline: the weekend adds nothing.
    assert add_working_days(D("2026-01-09"), 15) == D("2026-01-30")
    assert add_working_days(D("2026-01-11"), 15) == D("2026-01-30")
    assert working_days_between(saturday, D("2026-01-30")) == 15


def test_report_due_3_working_days_before_a_monday_conference() -> None:
    assert add_working_days(D("2026-03-16"), -3) == D("2026-03-11")  # Fri 13, Thu 12, Wed 11


def test_working_days_before_a_conference_skip_easter_and_christmas() -> None:
    # Tue 7 Apr 2026: Thu 2 (Mon 6 and Fri 3 are bank holidays), Wed 1, Tue 31 Mar.
    assert add_working_days(D("2026-04-07"), -3) == D("2026-03-31")
    assert add_working_days(D("2027-01-04"), -1) == D("2026-12-31")
    assert add_working_days(D("2027-01-04"), -5) == D("2026-12-23")


def test_counting_back_from_a_sunday_starts_with_the_friday() -> None:
    assert add_working_days(D("2026-01-11"), -1) == D("2026-01-09")
    assert previous_working_day(D("2026-01-11")) == D("2026-01-09")


def test_next_and_previous_working_day_are_strictly_after_and_before() -> None:
    assert next_working_day(D("2026-01-12")) == D("2026-01-13")
    assert previous_working_day(D("2026-01-12")) == D("2026-01-09")
    assert next_working_day(D("2026-12-24")) == D("2026-12-29")


def test_zero_working_days_returns_the_anchor_itself_even_at_a_weekend() -> None:
    assert add_working_days(D("2026-01-12"), 0) == D("2026-01-12")
    assert add_working_days(D("2026-01-10"), 0) == D("2026-01-10")  # a Saturday
    assert working_days_between(D("2026-01-10"), D("2026-01-10")) == 0


def test_between_counts_after_the_first_date_up_to_and_including_the_second() -> None:
    assert working_days_between(D("2026-01-12"), D("2026-01-13")) == 1  # Mon -> Tue
    assert working_days_between(D("2026-01-09"), D("2026-01-11")) == 0  # Fri -> Sun
    assert working_days_between(D("2026-01-10"), D("2026-01-12")) == 1  # Sat -> Mon
    assert working_days_between(D("2026-01-13"), D("2026-01-12")) == -1
    assert working_days_between(D("2027-01-13"), D("2026-12-18")) == -15


def test_a_datetime_is_read_as_its_calendar_date() -> None:
    from datetime import datetime

    assert add_working_days(datetime(2026, 12, 18, 23, 30), 15) == D("2027-01-13")


def test_wrong_argument_types_are_refused() -> None:
    with pytest.raises(TypeError):
        add_working_days("2026-12-18", 15)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        add_working_days(D("2026-12-18"), 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        working_days_between(D("2026-12-18"), None)  # type: ignore[arg-type]


# --- closure days ------------------------------------------------------------------------------

def test_authority_closure_on_christmas_eve_pushes_the_icpc_deadline_a_day() -> None:
    authority = calendar_with_closures([D("2026-12-24")])
    assert not authority.is_working_day(D("2026-12-24"))
    assert is_working_day(D("2026-12-24"))  # the national calendar is unchanged
    assert authority.add_working_days(D("2026-12-18"), 15) == D("2027-01-14")
    assert authority.working_days_between(D("2026-12-18"), D("2027-01-14")) == 15
    assert authority.add_working_days(D("2026-12-29"), -1) == D("2026-12-23")


def test_closure_calendars_are_cached_by_their_days_and_national_when_empty() -> None:
    first = calendar_with_closures([D("2026-12-24"), D("2027-12-24")])
    assert calendar_with_closures([D("2027-12-24"), D("2026-12-24")]) is first
    assert calendar_with_closures([]) is calendar_with_closures(())
    assert calendar_with_closures([]).closures == frozenset()


def test_closure_day_at_a_weekend_or_outside_the_table_changes_nothing() -> None:
    calendar = WorkingDayCalendar([D("2026-01-10"), D("1900-01-01")])
    assert calendar.add_working_days(D("2026-01-09"), 1) == D("2026-01-12")


# --- range -------------------------------------------------------------------------------------

def test_dates_outside_the_calendar_raise_rather_than_guess() -> None:
    with pytest.raises(CalendarRangeError, match="outside the working-day calendar"):
        add_working_days(D("1989-12-29"), 1)
    with pytest.raises(CalendarRangeError, match="end of the working-day calendar"):
        add_working_days(D("2100-12-30"), 10)
    with pytest.raises(CalendarRangeError, match="start of the working-day calendar"):
        add_working_days(D("1990-01-03"), -5)
    with pytest.raises(CalendarRangeError):
        working_days_between(D("2026-01-01"), D("2101-01-01"))
    with pytest.raises(CalendarRangeError):
        is_working_day(D("2101-01-01"))
    with pytest.raises(CalendarRangeError):
        add_working_days(D("2101-01-01"), 0)


def test_calendar_range_edges_on_a_two_year_calendar() -> None:
    small = WorkingDayCalendar(first_year=2020, last_year=2021)
    assert small.add_working_days(D("2020-01-01"), 1) == D("2020-01-02")
    assert small.add_working_days(D("2021-12-30"), 1) == D("2021-12-31")
    assert small.is_working_day(D("2020-01-02"))
    assert not small.is_working_day(D("2020-01-01"))
    # Counting back consults only the days strictly before the anchor.
    assert small.add_working_days(D("2022-01-01"), -1) == D("2021-12-31")
    assert small.previous_working_day(D("2022-01-01")) == D("2021-12-31")
    with pytest.raises(CalendarRangeError):
        small.add_working_days(D("2021-12-31"), 1)  # Mon 3 Jan 2022 is beyond the table
    with pytest.raises(CalendarRangeError):
        small.next_working_day(D("2021-12-31"))
    with pytest.raises(CalendarRangeError):
        small.add_working_days(D("2020-01-02"), -1)  # 31 Dec 2019 is before the table
    with pytest.raises(CalendarRangeError):
        small.previous_working_day(D("2020-01-01"))
    with pytest.raises(CalendarRangeError):
        small.add_working_days(D("2022-01-02"), -1)
    with pytest.raises(CalendarRangeError):
        small.add_working_days_many([D("2021-12-31")], [1])
    with pytest.raises(CalendarRangeError):
        small.add_working_days_many([D("2020-01-02")], [-1])
    with pytest.raises(CalendarRangeError):
        small.add_working_days_many([D("2022-01-01")], [0])
    assert small.add_working_days_many([D("2022-01-01")], [-1])[0] == np.datetime64("2021-12-31")



def test_the_fast_answers_match_the_checked_ones_at_both_ends_of_the_table() -> None:
    # The fast paths index a table that starts at first_date; the days around both ends
    # are where an index slip would answer silently instead of raising.
    small = WorkingDayCalendar(first_year=2020, last_year=2021)
    checked = WorkingDayCalendar
    days = [D("2019-12-28") + timedelta(days=i) for i in range(12)]
    days += [D("2021-12-24") + timedelta(days=i) for i in range(12)]
    for day in days:
        for method in ("is_working_day", "next_working_day", "previous_working_day"):
            assert _answer(getattr(small, method), day) == _answer(
                getattr(checked, method), small, day), (method, day)
        for n in (-3, -1, 0, 1, 3):
            assert _answer(small.add_working_days, day, n) == _answer(
                checked.add_working_days, small, day, n), (day, n)
        for other in (D("2020-01-01"), D("2021-12-31"), D("2019-12-31")):
            assert _answer(small.working_days_between, day, other) == _answer(
                checked.working_days_between, small, day, other), (day, other)


def _answer(fn, *args):  # type: ignore[no-untyped-def]
    try:
        return fn(*args)
    except CalendarRangeError:
        return "out of range"


def test_an_authoritys_calendar_costs_a_web_worker_under_three_megabytes() -> None:
    # Issue 13 §6: every web worker builds the calendars it uses; the tables are sized by the
    # years they cover, not by the days since year 1.
    import tracemalloc

    WorkingDayCalendar().is_working_day(D("2026-12-04"))  # the shared national tables
    tracemalloc.start()
    try:
        calendar = WorkingDayCalendar([D("2026-12-24")])
        assert not calendar.is_working_day(D("2026-12-24"))
        size, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size < 3_000_000, f"{size / 1e6:.1f} MB"

# --- batch form --------------------------------------------------------------------------------

def test_batch_form_takes_dates_datetime64_or_ordinals_and_returns_datetime64() -> None:
    anchors = [D("2026-12-18"), D("2026-01-10"), D("2026-03-16")]
    ns = [15, 0, -3]
    expected = np.array(["2027-01-13", "2026-01-10", "2026-03-11"], dtype="datetime64[D]")
    for given in (anchors, np.array(anchors, dtype="datetime64[D]"),
                  np.array([d.toordinal() for d in anchors])):
        answer = add_working_days_many(given, np.array(ns))
        assert answer.dtype == np.dtype("datetime64[D]")
        assert (answer == expected).all()
    assert (add_working_days_many(anchors[:1], 15) == expected[:1]).all()  # broadcast n
    assert add_working_days_many([], []).shape == (0,)
    assert list(working_days_between_many(anchors[:1], [D("2027-01-13")])) == [15]


def test_batch_form_refuses_out_of_range_and_non_integer_input() -> None:
    with pytest.raises(CalendarRangeError, match="1989-12-31"):
        add_working_days_many([D("2026-01-01"), D("1989-12-31")], [1, 1])
    with pytest.raises(CalendarRangeError):
        add_working_days_many([D("2100-12-30")], [5])
    with pytest.raises(CalendarRangeError):
        add_working_days_many([D("2026-01-01")], [2**40])
    with pytest.raises(TypeError):
        add_working_days_many([D("2026-01-01")], [1.5])
    with pytest.raises(ValueError, match="NaT"):
        add_working_days_many(np.array(["NaT"], dtype="datetime64[D]"), [1])
    with pytest.raises(CalendarRangeError):
        working_days_between_many([D("2026-01-01")], [D("2101-01-01")])


# --- the independent calendar: numpy's business days -------------------------------------------
#
# numpy.busday_offset(start, k, roll="forward") first rolls a non-business start forward to the
# next business day and calls that offset 0, then moves k business days. So:
#   n > 0: the n-th working day strictly after d  = busday_offset(d + 1, n - 1, roll="forward")
#   n < 0: the |n|-th working day strictly before d = busday_offset(d - 1, n + 1, roll="backward")
#   n = 0: d.
# numpy.busday_count(begin, end) counts business days in [begin, end) when begin <= end, so
# working days in (a, b] = busday_count(a + 1, b + 1) for a <= b. (For end < begin numpy counts
# (end, begin], negated: not the mirror of the forward case, so b < a uses antisymmetry,
# -busday_count(b + 1, a + 1), as DOMAIN §3 defines it.)

RNG_SEED = 20261218
PAIRS = 20_000


def _independent_calendar(extra: list[date]) -> np.busdaycalendar:
    national = holidays.country_holidays("GB", subdiv="ENG", years=range(2016, 2033))
    days = sorted(set(national) | set(extra))
    return np.busdaycalendar(weekmask="1111100", holidays=np.array(days, dtype="datetime64[D]"))


def _numpy_add(anchors: np.ndarray, ns: np.ndarray, cal: np.busdaycalendar) -> np.ndarray:
    one = np.timedelta64(1, "D")
    forward = np.busday_offset(anchors + one, np.maximum(ns - 1, 0), roll="forward",
                               busdaycal=cal)
    backward = np.busday_offset(anchors - one, np.minimum(ns + 1, 0), roll="backward",
                                busdaycal=cal)
    return np.where(ns > 0, forward, np.where(ns < 0, backward, anchors))


def _random_dates(rng: np.random.Generator, count: int) -> np.ndarray:
    first, last = np.datetime64("2018-01-01"), np.datetime64("2030-12-31")
    return first + rng.integers(0, int((last - first).astype(int)) + 1, count)


@pytest.mark.parametrize("closures", [[], [D(f"{y}-12-24") for y in range(2017, 2032)]],
                         ids=["national", "closed-christmas-eve"])
def test_add_agrees_with_numpy_busday_offset_on_20000_random_dates(closures: list[date]) -> None:
    rng = np.random.default_rng(RNG_SEED)
    anchors = _random_dates(rng, PAIRS)
    ns = rng.integers(-300, 301, PAIRS)
    expected = _numpy_add(anchors, ns, _independent_calendar(closures))
    calendar = calendar_with_closures(closures)
    single = np.array([calendar.add_working_days(d, int(n))
                       for d, n in zip(anchors.tolist(), ns.tolist(), strict=True)],
                      dtype="datetime64[D]")
    mismatches = np.flatnonzero(single != expected)
    assert mismatches.size == 0, [(str(anchors[i]), int(ns[i]), str(single[i]),
                                   str(expected[i])) for i in mismatches[:5]]
    assert (calendar.add_working_days_many(anchors, ns) == expected).all()


@pytest.mark.parametrize("closures", [[], [D(f"{y}-12-24") for y in range(2017, 2032)]],
                         ids=["national", "closed-christmas-eve"])
def test_between_agrees_with_numpy_busday_count_on_20000_random_pairs(
        closures: list[date]) -> None:
    rng = np.random.default_rng(RNG_SEED + 1)
    starts = _random_dates(rng, PAIRS)
    ends = _random_dates(rng, PAIRS)
    one = np.timedelta64(1, "D")
    cal = _independent_calendar(closures)
    expected = np.where(starts <= ends,
                        np.busday_count(starts + one, ends + one, busdaycal=cal),
                        -np.busday_count(ends + one, starts + one, busdaycal=cal))
    calendar = calendar_with_closures(closures)
    single = np.array([calendar.working_days_between(a, b)
                       for a, b in zip(starts.tolist(), ends.tolist(), strict=True)])
    mismatches = np.flatnonzero(single != expected)
    assert mismatches.size == 0, [(str(starts[i]), str(ends[i]), int(single[i]),
                                   int(expected[i])) for i in mismatches[:5]]
    assert (calendar.working_days_between_many(starts, ends) == expected).all()


def test_every_day_2018_to_2030_is_classified_as_numpy_classifies_it() -> None:
    cal = _independent_calendar([])
    day, last = D("2018-01-01"), D("2030-12-31")
    while day <= last:
        assert is_working_day(day) == bool(np.is_busday(np.datetime64(day), busdaycal=cal)), day
        day += timedelta(days=1)


# --- an authority's calendar from the database --------------------------------------------------

@pytest.mark.django_db
def test_authority_calendar_sees_closure_days_as_soon_as_they_are_saved() -> None:
    from cpcases.accounts.models import Authority
    from deadlines.closures import calendar_for, calendar_for_slug, clear_cache
    from deadlines.models import ClosureDay

    authority = Authority.objects.create(name="Anyshire Council", slug="anyshire")
    assert calendar_for(authority).add_working_days(D("2026-12-18"), 15) == D("2027-01-13")
    closure = ClosureDay.objects.create(authority=authority, date=D("2026-12-24"),
                                        reason="Christmas Eve")
    assert calendar_for(authority).add_working_days(D("2026-12-18"), 15) == D("2027-01-14")
    assert calendar_for_slug("anyshire").closures == frozenset({D("2026-12-24")})
    # An update that bypasses save() and its signals is seen too.
    ClosureDay.objects.filter(pk=closure.pk).update(date=D("2026-12-31"))
    assert calendar_for(authority.pk).closures == frozenset({D("2026-12-31")})
    ClosureDay.objects.all().delete()
    assert calendar_for(authority) is calendar_for(None)
    clear_cache()
    with pytest.raises(Authority.DoesNotExist):
        calendar_for_slug("nowhere")


def test_a_web_worker_reads_the_bank_holidays_from_the_shared_cache_not_the_package() -> None:
    # Issue 13 §6: the package costs each worker about 12 MB; the days are shared instead.
    from importlib.metadata import version

    from django.core.cache import cache

    from deadlines.calendar import bank_holidays

    key = f"bank-holidays:{version('holidays')}:2031:2031"
    cache.delete(key)
    bank_holidays.cache_clear()
    try:
        computed = bank_holidays(2031, 2031)
        assert date(2031, 12, 25) in computed
        assert cache.get(key) == sorted(d.toordinal() for d in computed)
        # What the cache says is what a worker uses (another worker computed it).
        cache.set(key, [date(2031, 3, 3).toordinal()])
        bank_holidays.cache_clear()
        assert bank_holidays(2031, 2031) == frozenset({date(2031, 3, 3)})
    finally:
        cache.delete(key)
        bank_holidays.cache_clear()
