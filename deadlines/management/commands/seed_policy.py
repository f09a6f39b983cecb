"""python manage.py seed_policy: (re)load the shipped policy profiles. Idempotent.

Migrations already load them; run this after changing deadlines/policy.py.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from deadlines.policy import PROFILES, load_shipped_profiles


class Command(BaseCommand):
    help = "Load or refresh the shipped timescale policy profiles (authority overrides kept)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            written = load_shipped_profiles()
        self.stdout.write(f"{len(PROFILES)} profiles, {written} rules loaded.")
