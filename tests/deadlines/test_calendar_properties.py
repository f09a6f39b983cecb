"""Properties of the working-day arithmetic (DOMAIN §3) that hold for every date and count."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import holidays
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from deadlines.calendar import (
    CalendarRangeError,
    WorkingDayCalendar,
    add_working_days,
    calendar_with_closures,
    default_calendar,
    is_working_day,
    next_working_day,
    previous_working_day,
    working_days_between,
)

# Well inside the table (1990-2100) so that |n| <= 2000 never leaves it.
dates = st.dates(min_value=date(1999, 1, 1), max_value=date(2090, 12, 31))
counts = st.integers(min_value=-2000, max_value=2000)
nonzero_counts = counts.filter(bool)
# deadline=None: the first example builds the tables (tens of milliseconds).
props = settings(max_examples=300, deadline=None)
few = settings(max_examples=100, deadline=None)  # each example may build a calendar

_HOLIDAYS = frozenset(holidays.country_holidays("GB", subdiv="ENG", years=range(1998, 2092)))


def _stepping_one_day_at_a_time(d: date, n: int) -> date:
    """DOMAIN §3 read literally: walk day by day, counting Monday-Friday non-holidays."""
    step = timedelta(days=1 if n > 0 else -1)
    counted = 0
    while counted < abs(n):
        d += step
        if d.weekday() < 5 and d not in _HOLIDAYS:
            counted += 1
    return d


@props
@given(dates, st.integers(min_value=-40, max_value=40))
def test_add_matches_walking_the_calendar_one_day_at_a_time(d: date, n: int) -> None:
    assert add_working_days(d, n) == _stepping_one_day_at_a_time(d, n)


@props
@given(dates, st.integers(min_value=0, max_value=2000))
def test_counting_forward_then_between_gives_back_n(d: date, n: int) -> None:
    assert working_days_between(d, add_working_days(d, n)) == n


@props
@given(dates, nonzero_counts.filter(lambda n: n < 0))
def test_counting_back_then_between_gives_back_n_from_a_working_day(d: date, n: int) -> None:
    # From a working day every step back is a working day: between gives n back. From a
    # non-working day the anchor itself is not counted by "between" (DOMAIN §3), so n + 1.
    expected = n if is_working_day(d) else n + 1
    assert working_days_between(d, add_working_days(d, n)) == expected


@props
@given(dates, nonzero_counts)
def test_add_never_lands_on_a_non_working_day(d: date, n: int) -> None:
    assert is_working_day(add_working_days(d, n))


@props
@given(dates, counts, counts)
def test_add_is_strictly_increasing_in_n(d: date, m: int, n: int) -> None:
    if m < n:
        assert add_working_days(d, m) < add_working_days(d, n)
    elif m == n:
        assert add_working_days(d, m) == add_working_days(d, n)


@props
@given(dates, dates, counts)
def test_add_is_monotonic_in_the_anchor(a: date, b: date, n: int) -> None:
    a, b = min(a, b), max(a, b)
    assert add_working_days(a, n) <= add_working_days(b, n)


@props
@given(dates, dates)
def test_between_is_antisymmetric(a: date, b: date) -> None:
    assert working_days_between(a, b) == -working_days_between(b, a)


@props
@given(dates, dates, dates)
def test_between_adds_up_across_an_intermediate_date(a: date, b: date, c: date) -> None:
    assert (working_days_between(a, b) + working_days_between(b, c)
            == working_days_between(a, c))


@props
@given(dates)
def test_next_and_previous_agree_with_adding_plus_and_minus_one(d: date) -> None:
    assert next_working_day(d) == add_working_days(d, 1)
    assert previous_working_day(d) == add_working_days(d, -1)
    assert previous_working_day(d) < d < next_working_day(d)
    assert working_days_between(previous_working_day(d), next_working_day(d)) == (
        2 if is_working_day(d) else 1)


@few
@given(st.lists(dates, max_size=12), dates, nonzero_counts)
def test_closure_days_are_never_deadlines_and_only_push_them_later(
        closures: list[date], d: date, n: int) -> None:
    calendar = calendar_with_closures(closures)
    answer = calendar.add_working_days(d, n)
    assert answer not in set(closures)
    assert calendar.is_working_day(answer)
    national = add_working_days(d, n)
    assert answer >= national if n > 0 else answer <= national


@props
@given(st.lists(st.tuples(dates, counts), min_size=1, max_size=50))
def test_batch_form_agrees_with_single_calls(pairs: list[tuple[date, int]]) -> None:
    anchors = [d for d, _ in pairs]
    ns = np.array([n for _, n in pairs])
    batch = default_calendar.add_working_days_many(anchors, ns)
    assert batch.tolist() == [add_working_days(d, int(n)) for d, n in pairs]
    assert (default_calendar.working_days_between_many(anchors[:-1], anchors[1:]).tolist()
            == [working_days_between(a, b) for a, b in itertools.pairwise(anchors)])


# The fast paths (closures over the tables) and the checked methods must agree everywhere,
# including at and beyond the edges of a small table where the fast path falls back.
_SMALL = WorkingDayCalendar([date(2020, 12, 24)], first_year=2020, last_year=2021)
edge_dates = st.dates(min_value=date(2019, 12, 1), max_value=date(2022, 1, 31))


def _outcome(call: object, *args: object) -> object:
    try:
        return call(*args)  # type: ignore[operator]
    except CalendarRangeError:
        return CalendarRangeError


@props
@given(edge_dates, st.integers(min_value=-600, max_value=600), edge_dates)
def test_fast_path_and_checked_method_agree_at_the_table_edges(
        d: date, n: int, other: date) -> None:
    cls = WorkingDayCalendar
    pairs = [
        (_SMALL.add_working_days, cls.add_working_days, (d, n)),
        (_SMALL.working_days_between, cls.working_days_between, (d, other)),
        (_SMALL.is_working_day, cls.is_working_day, (d,)),
        (_SMALL.next_working_day, cls.next_working_day, (d,)),
        (_SMALL.previous_working_day, cls.previous_working_day, (d,)),
    ]
    for fast, checked, args in pairs:
        assert _outcome(fast, *args) == _outcome(checked, _SMALL, *args), (fast, args)
    batch = _outcome(_SMALL.add_working_days_many, [d], [n])
    single = _outcome(_SMALL.add_working_days, d, n)
    assert (batch if batch is CalendarRangeError else batch[0].item()) == single
