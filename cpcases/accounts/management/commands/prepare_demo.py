"""`make run`'s database step in one process: `migrate`, then `seed_demo` (issue 13 §5,
decisions §44). One Django start-up instead of two, and the system checks run once, with
migrate (scripts/run.py starts runserver with --skip-checks). After migrate it prints
SCHEMA_READY, the line run.py waits for before starting the web server beside the seeding,
and DEMO_READY once the demo data is committed."""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

SCHEMA_READY = "prepare_demo: schema ready"
DEMO_READY = "prepare_demo: demo data ready"  # printed once seed_demo has committed


class Command(BaseCommand):
    help = "Migrate, then create (or leave as they are) the demo data: make run's first start."
    requires_system_checks = []  # migrate runs them (once)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        call_command("migrate", interactive=False, skip_checks=False, stdout=self.stdout,
                     stderr=self.stderr)
        self.stdout.write(f"{SCHEMA_READY} (migrate took {time.monotonic() - started:.1f}s)")
        self.stdout.flush()
        started = time.monotonic()
        call_command("seed_demo", stdout=self.stdout, stderr=self.stderr)
        self.stdout.write(f"{DEMO_READY} (seed_demo took {time.monotonic() - started:.1f}s)")
        self.stdout.flush()
