"""Demo of what people read (issue 9): after every workflow's demo, one escalation sweep, so
each demo user's notifications page has their digest of the notices due now (one entry per
person per sweep). Idempotent: the sweep sends each (deadline, level, due date) once, so a
second seed adds nothing."""

from __future__ import annotations

from typing import TextIO

from deadlines.sweep import deadlines_sweep


def seed_deadlines_demo(stdout: TextIO) -> None:
    result = deadlines_sweep()
    stdout.write(f"Deadline notices: {result.summary()}")
