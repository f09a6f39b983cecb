"""The working-day calendar: the arithmetic every statutory "N working days" deadline uses.

DOMAIN §3, exactly:

* A **working day** is Monday to Friday, not a bank holiday in England (and Wales: the two
  calendars are identical; substitute days and one-off days such as 2022-06-03, 2022-09-19
  and 2023-05-08 included), and not a closure day the authority configures (e.g. 24 Dec).
* ``add_working_days(d, n)``: for ``n > 0`` the n-th working day strictly after ``d``; for
  ``n < 0`` the |n|-th working day strictly before ``d``; ``d`` need not be a working day
  (a Saturday strategy discussion: the following Monday is working day 1).
  ``n == 0`` returns ``d`` itself, working day or not, so that
  ``working_days_between(d, add_working_days(d, 0)) == 0``.
* ``working_days_between(a, b)``: the working days strictly after ``a`` up to and including
  ``b``; for ``b < a`` it is ``-working_days_between(b, a)``. Hence
  ``working_days_between(d, add_working_days(d, n)) == n`` for every ``n >= 0``, and for
  ``n < 0`` when ``d`` is a working day. (For ``n < 0`` from a non-working ``d`` it is
  ``n + 1``: ``d`` itself is not counted, by the two definitions above.)

Range: the calendar knows the days ``first_date .. last_date`` (1990-01-01 .. 2100-12-31 by
default; the ``holidays`` package computes future years by rule). When an answer would need a
day outside that span (or would itself lie outside it) a :class:`CalendarRangeError` is
raised; the calendar never extends itself silently and never guesses. For ``n < 0`` only the
days strictly before the anchor are consulted, so ``last_date + 1 day`` is a valid anchor.

Speed: every answer is O(1) from tables built once per calendar (lazily, on first use):

* ``cum[o]``: working days in ``[first_date, date.fromordinal(o)]``, a list indexed directly by
  the proleptic ordinal (``None`` below ``first_date``, so no subtraction or bounds test is
  needed on the hot path: ``None + n`` raises and the checked path explains why);
* ``wd[k]``: the k-th working day (``wd1`` is the same list shifted by one).

``n > 0``: ``wd1[cum[d] + n]``; ``n < 0``: ``wd[cum[d - 1 day] + n]``; between:
``cum[b] - cum[a]``. Each public single-call function is a closure over those lists (the
fastest thing CPython calls); any exception sends the call to the checked method of the same
name, which answers or raises the precise error. The batch forms (``*_many``) use the same
tables as numpy arrays; numpy is imported only when they are first used.

Dates are :class:`datetime.date`; a ``datetime`` is read as its own calendar date, so convert
aware datetimes to Europe/London first (DOMAIN §3: hour rules run in Europe/London).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import operator
import re
import threading
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "CalendarRangeError",
    "WorkingDayCalendar",
    "add_working_days",
    "add_working_days_many",
    "bank_holidays",
    "calendar_with_closures",
    "clear_calendar_cache",
    "default_calendar",
    "is_working_day",
    "next_working_day",
    "parse_iso_date",
    "previous_working_day",
    "working_days_between",
    "working_days_between_many",
]

FIRST_YEAR = 1990
LAST_YEAR = 2100

# date(1970, 1, 1).toordinal(): numpy's datetime64[D] counts days from 1970-01-01.
_EPOCH_ORDINAL = 719_163
# Marks "no answer in the table" in the numpy tables; far below any n a caller may pass
# (|n| is capped at _MAX_BATCH_N) so a sentinel plus n stays negative and is caught.
_INVALID = -(2**40)
_MAX_BATCH_N = 2**31
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class CalendarRangeError(ValueError):
    """The answer needs days outside the calendar's table (DOMAIN §3 is never guessed)."""


def parse_iso_date(text: str) -> date:
    """A strict ``YYYY-MM-DD`` date (``date.fromisoformat`` alone also takes other ISO forms)."""
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not a valid date: {text!r} ({exc})") from None


@functools.lru_cache(maxsize=8)
def bank_holidays(first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> frozenset[date]:
    """England's bank holidays (substitute and one-off days included) in those years.

    England and Wales share one list (DOMAIN §3 says "England and Wales"; the ``holidays``
    package's ENG and WLS subdivisions agree for 1990-2100). Future one-off days exist only
    once the ``holidays`` package knows of them: until then an authority can configure them
    as closure days.
    """
    if first_year > last_year:
        raise ValueError(f"first_year {first_year} is after last_year {last_year}")
    # Kept in the shared cache, keyed by the package's version: the package loads ~460
    # modules (about 12 MB) to say it, which every web worker paid at its first page with a
    # deadline (issue 13 §6). A new release of the package (a newly announced bank holiday)
    # has a new key, so it is read afresh after the deploy that brings it.
    from importlib.metadata import version

    from django.core.cache import cache

    key = f"bank-holidays:{version('holidays')}:{first_year}:{last_year}"
    try:
        kept = cache.get(key)
    except Exception:  # a cache outage must not stop a deadline being computed
        kept = None
    if kept is not None:
        return frozenset(date.fromordinal(day) for day in kept)
    days = _bank_holidays_from_package(first_year, last_year)
    with contextlib.suppress(Exception):  # not kept: computed again next time
        cache.set(key, sorted(day.toordinal() for day in days), timeout=None)
    return days


def _bank_holidays_from_package(first_year: int, last_year: int) -> frozenset[date]:
    import holidays  # deferred: loaded only when the shared cache does not have the days

    national = holidays.country_holidays(
        "GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return frozenset(national)


@functools.lru_cache(maxsize=8)
def _national_mask(first_year: int, last_year: int) -> bytes:
    """1 for each working day of the national calendar, 0 otherwise, from 1 January."""
    start = date(first_year, 1, 1).toordinal()
    end = date(last_year, 12, 31).toordinal()
    mask = bytearray(end - start + 1)
    weekday = date(first_year, 1, 1).weekday()
    for i in range(len(mask)):
        if (weekday + i) % 7 < 5:  # Monday..Friday
            mask[i] = 1
    for holiday in bank_holidays(first_year, last_year):
        mask[holiday.toordinal() - start] = 0
    return bytes(mask)


@functools.lru_cache(maxsize=8)
def _all_days(first_year: int, last_year: int) -> tuple[date, ...]:
    """Every day of the table, shared by all calendars over those years (cheap builds)."""
    start = date(first_year, 1, 1).toordinal()
    return tuple(map(date.fromordinal, range(start, date(last_year, 12, 31).toordinal() + 1)))


def _as_date(value: object, what: str) -> date:
    if not isinstance(value, date):
        raise TypeError(f"{what} must be a datetime.date, not {type(value).__name__}")
    return value


def _as_int(value: object, what: str) -> int:
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{what} must be an integer, not {type(value).__name__}") from None


class WorkingDayCalendar:
    """Working days for England plus a set of closure days (DOMAIN §3).

    ``WorkingDayCalendar()`` is the national calendar; ``WorkingDayCalendar(closures)`` adds an
    authority's closure days. Construction is cheap; the tables are built on first use (~10 ms
    once the national holidays are known; about 2 MB, the running count of working days). Prefer
    :func:`calendar_with_closures`, which caches calendars by their closure days.

    The single-call methods below are the checked reference; each instance replaces them with
    fast closures of the same name and meaning, which fall back to these on any exception.
    """

    def __init__(self, closures: Iterable[date] = (), *, first_year: int = FIRST_YEAR,
                 last_year: int = LAST_YEAR) -> None:
        if not (1 <= first_year <= last_year <= 9998):
            raise ValueError(f"bad calendar years {first_year}..{last_year}")
        self.first_date = date(first_year, 1, 1)
        self.last_date = date(last_year, 12, 31)
        self.closures: frozenset[date] = frozenset(
            date.fromordinal(_as_date(c, "a closure day").toordinal()) for c in closures)
        self._first_year = first_year
        self._last_year = last_year
        self._start = self.first_date.toordinal()
        self._end = self.last_date.toordinal()
        self._lock = threading.Lock()
        self._built = False
        self._mask = b""
        # Filled in place by _build(), so the closures below see them without a rebinding.
        # While _cum is empty every fast path raises IndexError and takes the checked path,
        # which builds the tables. _cum[i] counts the working days from first_date up to and
        # including the day first_date + i.
        self._cum: list[int] = []
        self._wd: list[date] = []
        self._wd1: list[date | None] = []
        self._np: dict[str, Any] | None = None
        self._install_fast_paths()

    def __repr__(self) -> str:
        return (f"<WorkingDayCalendar {self.first_date}..{self.last_date}, "
                f"{len(self.closures)} closure day(s)>")

    # --- tables -------------------------------------------------------------------------------

    def _ensure_built(self) -> None:
        if self._built:
            return
        with self._lock:
            if not self._built:
                self._build()

    def _build(self) -> None:
        start = self._start
        mask = bytearray(_national_mask(self._first_year, self._last_year))
        for closure in self.closures:
            i = closure.toordinal() - start
            if 0 <= i < len(mask):  # closures outside the table cannot change any answer
                mask[i] = 0
        wd = list(itertools.compress(_all_days(self._first_year, self._last_year), mask))
        # Indexed from first_date, not by ordinal: a pad of None below the table cost every
        # web worker 6 MB (issue 13 §6).
        cum = list(itertools.accumulate(mask))
        self._mask = bytes(mask)
        self._wd[:] = wd
        self._wd1[:] = [None, *wd]
        # Last: the fast paths index _cum first, so until now they all took the checked path.
        self._cum[:] = cum
        self._built = True

    def _require(self, ordinal: int, shown: date) -> None:
        if not self._start <= ordinal <= self._end:
            raise CalendarRangeError(
                f"{shown.isoformat()} is outside the working-day calendar "
                f"({self.first_date.isoformat()} to {self.last_date.isoformat()})")

    # --- single calls (checked reference; instances use the fast closures) ---------------------

    def is_working_day(self, d: date) -> bool:
        """True when ``d`` is Monday-Friday, not a bank holiday and not a closure day."""
        o = _as_date(d, "d").toordinal()
        self._ensure_built()
        self._require(o, d)
        return bool(self._mask[o - self._start])

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day strictly after ``d`` (``n > 0``) or the |n|-th strictly before
        it (``n < 0``); ``d`` itself when ``n == 0``. DOMAIN §3."""
        o = _as_date(d, "d").toordinal()
        n = _as_int(n, "n")
        self._ensure_built()
        if n == 0:
            self._require(o, d)
            return date.fromordinal(o)
        if n > 0:
            self._require(o, d)
            k = self._cum[o - self._start]  # o is inside the table (_require)
            if k + n >= len(self._wd1):
                raise CalendarRangeError(
                    f"{n} working days after {d.isoformat()} is after "
                    f"{self.last_date.isoformat()}, the end of the working-day calendar")
            return cast(date, self._wd1[k + n])  # k + n >= 1: never the None at wd1[0]
        # Only the days strictly before d are consulted (DOMAIN §3: "strictly before"), so
        # the day after last_date is a valid anchor here.
        if o - 1 > self._end:
            self._require(o, d)
        k = self._cum[o - 1 - self._start] if o - 1 >= self._start else 0
        if k + n < 0:
            raise CalendarRangeError(
                f"{-n} working days before {d.isoformat()} is before "
                f"{self.first_date.isoformat()}, the start of the working-day calendar")
        return self._wd[k + n]

    def working_days_between(self, a: date, b: date) -> int:
        """Working days strictly after ``a`` up to and including ``b``; negative when
        ``b < a`` (``-working_days_between(b, a)``). DOMAIN §3."""
        oa = _as_date(a, "a").toordinal()
        ob = _as_date(b, "b").toordinal()
        self._ensure_built()
        self._require(oa, a)
        self._require(ob, b)
        return self._cum[ob - self._start] - self._cum[oa - self._start]

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d`` (``add_working_days(d, 1)``)."""
        return WorkingDayCalendar.add_working_days(self, d, 1)

    def previous_working_day(self, d: date) -> date:
        """The first working day strictly before ``d`` (``add_working_days(d, -1)``)."""
        return WorkingDayCalendar.add_working_days(self, d, -1)

    def _install_fast_paths(self) -> None:
        """Shadow the checked methods with closures over the (lazily filled) table lists.

        Why: a closure reading cell variables and two list indexes runs about twice as fast as
        a method reading attributes and testing bounds (measured while writing
        bench/bench_calendar.py), which keeps single calls near numpy's per-element rate.
        Correctness is kept by construction: every access outside the table raises or is
        tested (a day before first_date gives a negative index, tested; IndexError above the
        table; a negative k is tested) and goes to the checked method.
        """
        cum, wd, wd1 = self._cum, self._wd, self._wd1
        start = self._start
        cls = WorkingDayCalendar
        checked_add = cls.add_working_days
        checked_between = cls.working_days_between
        checked_is_working = cls.is_working_day
        checked_next = cls.next_working_day
        checked_previous = cls.previous_working_day
        slow = (AttributeError, IndexError, TypeError)

        def add_working_days(d: date, n: int) -> date:
            try:
                i = d.toordinal() - start
                if n > 0 and i >= 0:
                    return wd1[cum[i] + n]  # type: ignore[return-value]
                if n < 0 and i >= 1:
                    k = cum[i - 1] + n
                    if k >= 0:
                        return wd[k]
            except slow:
                pass
            return checked_add(self, d, n)

        def working_days_between(a: date, b: date) -> int:
            try:
                ia, ib = a.toordinal() - start, b.toordinal() - start
                if ia >= 0 and ib >= 0:
                    return cum[ib] - cum[ia]
            except slow:
                pass
            return checked_between(self, a, b)

        def is_working_day(d: date) -> bool:
            try:
                i = d.toordinal() - start
                if i >= 1:
                    return cum[i] - cum[i - 1] == 1
            except slow:
                pass
            return checked_is_working(self, d)

        def next_working_day(d: date) -> date:
            try:
                i = d.toordinal() - start
                if i >= 0:
                    return wd1[cum[i] + 1]  # type: ignore[return-value]
            except slow:
                pass
            return checked_next(self, d)

        def previous_working_day(d: date) -> date:
            try:
                i = d.toordinal() - start
                if i >= 1:
                    k = cum[i - 1] - 1
                    if k >= 0:
                        return wd[k]
            except slow:
                pass
            return checked_previous(self, d)

        fast: list[Callable[..., Any]] = [add_working_days, working_days_between,
                                          is_working_day, next_working_day,
                                          previous_working_day]
        for fn in fast:
            fn.__doc__ = getattr(cls, fn.__name__).__doc__
            fn.__qualname__ = f"{cls.__qualname__}.{fn.__name__}"
            setattr(self, fn.__name__, fn)

    # --- batch forms (numpy) -------------------------------------------------------------------

    def _numpy_tables(self) -> dict[str, Any]:
        tables = self._np
        if tables is not None:
            return tables
        import numpy as np

        self._ensure_built()
        mask = np.frombuffer(self._mask, dtype=np.uint8)
        size = len(mask)
        cum = mask.cumsum(dtype=np.int64)
        # Row e (days since first_date, 0..size) holds the wd index base for n <= 0 (column 0:
        # working days strictly before the day, i.e. cum of the day before) and for n > 0
        # (column 1: cum of the day, minus one). One gather on 2*e + (n > 0) picks the right
        # one. Rows whose answer would need a day outside the table hold _INVALID.
        base = np.full(2 * (size + 1), _INVALID, dtype=np.int64)
        base[2::2] = cum
        base[1:2 * size:2] = cum - 1
        tables = {
            "np": np,
            "size": size,
            "start": self._start - _EPOCH_ORDINAL,
            "cum": cum,
            "base": base,
            "wd": np.flatnonzero(mask).astype(np.int64) + (self._start - _EPOCH_ORDINAL),
        }
        self._np = tables
        return tables

    def _epoch_days(self, values: ArrayLike, what: str) -> NDArray[np.int64]:
        """Days since 1970-01-01 from datetime64 values, date objects or proleptic ordinals."""
        np = self._numpy_tables()["np"]
        array = np.asarray(values)
        if array.size == 0:  # np.asarray([]) is float64: nothing to convert
            return array.astype(np.int64)
        kind = array.dtype.kind
        if kind == "O":
            if array.size and not all(isinstance(v, date) for v in array.flat):
                raise TypeError(f"{what} must hold dates, datetime64 values or day ordinals")
            array = array.astype("datetime64[D]")
            kind = "M"
        if kind == "M":
            array = array.astype("datetime64[D]", copy=False)
            if np.isnat(array).any():
                raise ValueError(f"{what} contains NaT")
            return array.view(np.int64)
        if kind in "iu":
            # Integers are proleptic ordinals, as date.toordinal() gives.
            return array.astype(np.int64) - _EPOCH_ORDINAL
        raise TypeError(f"{what} must hold dates, datetime64 values or day ordinals, "
                        f"not {array.dtype}")

    def _range_error(self, epoch_day: int, detail: str) -> CalendarRangeError:
        ordinal = int(epoch_day) + _EPOCH_ORDINAL
        shown = date.fromordinal(ordinal).isoformat() if 0 < ordinal < 3_652_060 else ordinal
        return CalendarRangeError(
            f"{detail} from {shown} needs days outside the working-day calendar "
            f"({self.first_date.isoformat()} to {self.last_date.isoformat()})")

    def add_working_days_many(self, dates: ArrayLike, ns: ArrayLike) -> NDArray[np.datetime64]:
        """``add_working_days`` element-wise (broadcasting), vectorised on the same tables.

        ``dates``: datetime64 values, ``date`` objects or proleptic day ordinals (ints as from
        ``date.toordinal()``); ``ns``: integers. Returns ``datetime64[D]``. Raises
        :class:`CalendarRangeError` naming the first element that needs days outside the table.
        """
        t = self._numpy_tables()
        np = t["np"]
        days = self._epoch_days(dates, "dates")
        n = np.asarray(ns)
        if n.size == 0:
            n = n.astype(np.int64)
        if n.dtype.kind not in "iu":
            raise TypeError(f"ns must be integers, not {n.dtype}")
        n = n.astype(np.int64, copy=False)
        days, n = np.broadcast_arrays(days, n)
        if days.size == 0:
            return days.astype("datetime64[D]")
        if n.min() < -_MAX_BATCH_N or n.max() > _MAX_BATCH_N:
            raise CalendarRangeError(f"|n| above {_MAX_BATCH_N} is outside any calendar")
        e = days - t["start"]
        size = t["size"]
        if e.min() < 0 or e.max() > size:
            i = int(np.argmax((e < 0) | (e > size)))
            raise self._range_error(days.flat[i], "the date")
        idx = e * 2
        idx += n > 0
        k = t["base"].take(idx)
        k += n
        zero = n == 0
        has_zero = bool(zero.any())
        if has_zero:  # n == 0 answers d itself; its k is a placeholder
            if e.max() == size:  # the day after last_date is an anchor for n < 0 only
                i = int(np.argmax(zero & (e == size)))
                if zero.flat[i] and e.flat[i] == size:
                    raise self._range_error(days.flat[i], "0 working days")
            k[zero] = 0
        if k.min() < 0 or k.max() >= len(t["wd"]):
            i = int(np.argmax((k < 0) | (k >= len(t["wd"]))))
            raise self._range_error(days.flat[i], f"{int(n.flat[i])} working days")
        answer = t["wd"].take(k)
        if has_zero:
            np.copyto(answer, days, where=zero)
        return answer.view("datetime64[D]")

    def working_days_between_many(self, starts: ArrayLike, ends: ArrayLike) -> NDArray[np.int64]:
        """``working_days_between`` element-wise (broadcasting); same inputs as
        :meth:`add_working_days_many`. Returns int64."""
        t = self._numpy_tables()
        np = t["np"]
        a, b = np.broadcast_arrays(self._epoch_days(starts, "starts"),
                                   self._epoch_days(ends, "ends"))
        if a.size == 0:
            return np.zeros(a.shape, dtype=np.int64)
        ea = a - t["start"]
        eb = b - t["start"]
        size = t["size"]
        for e, days in ((ea, a), (eb, b)):
            if e.min() < 0 or e.max() >= size:
                i = int(np.argmax((e < 0) | (e >= size)))
                raise self._range_error(days.flat[i], "the date")
        cum = t["cum"]
        return cum.take(eb) - cum.take(ea)


_cache_lock = threading.Lock()


# About 2 MB a calendar: a process serves the national calendar and an authority or two.
@functools.lru_cache(maxsize=16)
def _calendar_for_closures(closures: frozenset[date]) -> WorkingDayCalendar:
    return WorkingDayCalendar(closures)


def calendar_with_closures(closures: Iterable[date] = ()) -> WorkingDayCalendar:
    """The (cached) calendar with these closure days; the national one when there are none."""
    key = frozenset(date.fromordinal(_as_date(c, "a closure day").toordinal())
                    for c in closures)
    if not key:
        return default_calendar
    with _cache_lock:
        return _calendar_for_closures(key)


def clear_calendar_cache() -> None:
    """Forget the cached closure-day calendars (memory only; answers never depend on it)."""
    with _cache_lock:
        _calendar_for_closures.cache_clear()


default_calendar = WorkingDayCalendar()

# `from deadlines.calendar import add_working_days` gets the national calendar's fast path.
add_working_days: Callable[[date, int], date] = default_calendar.add_working_days
working_days_between: Callable[[date, date], int] = default_calendar.working_days_between
is_working_day: Callable[[date], bool] = default_calendar.is_working_day
next_working_day: Callable[[date], date] = default_calendar.next_working_day
previous_working_day: Callable[[date], date] = default_calendar.previous_working_day
add_working_days_many = default_calendar.add_working_days_many
working_days_between_many = default_calendar.working_days_between_many
