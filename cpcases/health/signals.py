"""A deadline sweep that finished without error is a heartbeat (deadlines stays unaware)."""

from __future__ import annotations

from typing import Any

from celery.signals import task_success

from cpcases.health.services import SWEEP, heartbeat_record


@task_success.connect
def _sweep_succeeded(sender: Any = None, **kwargs: Any) -> None:
    if getattr(sender, "name", "") == "deadlines.sweep":
        heartbeat_record(name=SWEEP)
