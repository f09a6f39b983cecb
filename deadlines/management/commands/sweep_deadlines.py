"""python manage.py sweep_deadlines: run one escalation sweep now and say what it did."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from deadlines.policy import LADDER
from deadlines.sweep import deadlines_sweep


class Command(BaseCommand):
    help = "Send the deadline reminders and escalations due now (what Celery beat runs)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = deadlines_sweep()
        for level in LADDER:
            self.stdout.write(f"{level}: {result.notices.get(level, 0)}")
        self.stdout.write(f"deadlines needing action: {result.claimed}")
        self.stdout.write(f"notifications: {result.notifications}")
        self.stdout.write(f"e-mails: {result.emails}")
