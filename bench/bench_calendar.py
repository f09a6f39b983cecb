"""Working-day calendar speed (DOMAIN §3) beside numpy.busday_offset. Prints figures only.

    cd /work/main && .venv/bin/python bench/bench_calendar.py

(a) single add_working_days calls/s in a Python loop, against numpy.busday_offset's
    per-element rate vectorised over the same pairs (goal: at least half);
(b) the batch form on the same pairs against numpy.busday_offset (goal: faster), checking that
    the answers agree with numpy's.
"""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from deadlines.calendar import (
    add_working_days,
    add_working_days_many,
    bank_holidays,
    default_calendar,
)

PAIRS = 1_000_000
REPEATS = 5
SEED = 20261218
FIRST, LAST = date(2018, 1, 1), date(2030, 12, 31)


def best_of(repeats: int, run) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def single_calls(anchors: list[date], ns: list[int]) -> None:
    add = add_working_days
    for d, n in zip(anchors, ns, strict=True):
        add(d, n)


def empty_loop(anchors: list[date], ns: list[int]) -> None:
    for _d, _n in zip(anchors, ns, strict=True):
        pass


def naive_add(d: date, n: int, holidays: frozenset[date]) -> date:
    """Day-by-day stepping, as a holidays-package user would write it (for scale)."""
    step = timedelta(days=1 if n > 0 else -1)
    counted = 0
    while counted < abs(n):
        d += step
        if d.weekday() < 5 and d not in holidays:
            counted += 1
    return d


def main() -> None:
    rng = np.random.default_rng(SEED)
    span = (LAST - FIRST).days + 1
    anchors64 = np.datetime64(FIRST, "D") + rng.integers(0, span, PAIRS)
    ns64 = rng.integers(-60, 61, PAIRS)  # deadlines run to a few months of working days
    anchors = anchors64.tolist()
    ns = ns64.tolist()
    # numpy's calendar holds the bank holidays of the years in play (a shorter list helps it).
    holidays = sorted(d for d in bank_holidays() if FIRST.year - 1 <= d.year <= LAST.year + 1)
    busdaycal = np.busdaycalendar(weekmask="1111100",
                                  holidays=np.array(holidays, dtype="datetime64[D]"))
    one = np.timedelta64(1, "D")

    def numpy_offset() -> np.ndarray:
        return np.busday_offset(anchors64, ns64, roll="forward", busdaycal=busdaycal)

    def numpy_equivalent() -> np.ndarray:
        # DOMAIN §3 semantics from numpy (see tests/deadlines/test_calendar.py).
        forward = np.busday_offset(anchors64 + one, np.maximum(ns64 - 1, 0), roll="forward",
                                   busdaycal=busdaycal)
        backward = np.busday_offset(anchors64 - one, np.minimum(ns64 + 1, 0),
                                    roll="backward", busdaycal=busdaycal)
        return np.where(ns64 > 0, forward, np.where(ns64 < 0, backward, anchors64))

    default_calendar.add_working_days_many(anchors64[:1], ns64[:1])  # build tables up front

    numpy_s = best_of(REPEATS, numpy_offset)
    numpy_rate = PAIRS / numpy_s
    single_s = best_of(REPEATS, lambda: single_calls(anchors, ns))
    single_rate = PAIRS / single_s
    loop_s = best_of(REPEATS, lambda: empty_loop(anchors, ns))
    batch_s = best_of(REPEATS, lambda: add_working_days_many(anchors64, ns64))
    batch_rate = PAIRS / batch_s

    print(f"pairs: {PAIRS:,} random (date in {FIRST}..{LAST}, n in -60..60), seed {SEED}, "
          f"best of {REPEATS}")
    print(f"numpy.busday_offset (vectorised):  {numpy_s:8.4f} s  {numpy_rate / 1e6:7.2f} M/s")
    print(f"(a) single add_working_days calls: {single_s:8.4f} s  {single_rate / 1e6:7.2f} M/s"
          f"  ratio to numpy {single_rate / numpy_rate:.2f} (goal >= 0.50)"
          f"  [empty zip loop alone {loop_s:.4f} s]")
    print(f"(b) add_working_days_many (batch):  {batch_s:8.4f} s  {batch_rate / 1e6:7.2f} M/s"
          f"  ratio to numpy {batch_rate / numpy_rate:.2f} (goal > 1)")

    expected = numpy_equivalent()
    batch = add_working_days_many(anchors64, ns64)
    single = np.array([add_working_days(d, n) for d, n in zip(anchors, ns, strict=True)],
                      dtype="datetime64[D]")
    agree = bool((batch == expected).all() and (single == expected).all())
    print(f"agree: {'yes' if agree else 'NO'} (batch and single calls vs numpy, "
          f"{PAIRS:,} pairs)")

    sample = 20_000
    national = frozenset(bank_holidays())
    naive_s = best_of(1, lambda: [naive_add(d, n, national)
                                  for d, n in zip(anchors[:sample], ns[:sample], strict=True)])
    print(f"for scale, a naive day-by-day loop:  {sample / naive_s / 1e6:7.3f} M/s "
          f"({sample:,} pairs)")
    if not agree:
        sys.exit(1)


if __name__ == "__main__":
    main()
