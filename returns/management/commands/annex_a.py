"""python manage.py annex_a --list 5 --output FILE.xlsx: an Ofsted Annex A list for a six- or
twelve-month window (issue 16 point 3), written atomically and recorded as an export. The
format follows the file's extension (.xlsx or .csv)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from returns import services
from returns.management.commands._common import add_authority_argument, authority_from
from returns.periods import PeriodError


class Command(BaseCommand):
    help = "Write an Ofsted Annex A list (1, 3, 4, 5, 6 or 7) as .xlsx or .csv."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", type=int, required=True, dest="number",
                            help="The list number: 1, 3, 4, 5, 6 or 7")
        parser.add_argument("--output", required=True, help="The file to write (.xlsx, .csv)")
        parser.add_argument("--end", default=None,
                            help="Last day of the period, YYYY-MM-DD (default: today)")
        parser.add_argument("--months", type=int, default=12, help="6 or 12 (default 12)")
        add_authority_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"]
        fmt = Path(output).suffix.lstrip(".").lower()
        try:
            end = (dt.date.fromisoformat(options["end"]) if options["end"]
                   else timezone.localdate())
        except ValueError as exc:
            raise CommandError(f"--end must be a date like 2026-03-31, not "
                               f"{options['end']!r}") from exc
        try:
            export = services.annex_a_export(
                number=options["number"], end=end, months=options["months"], fmt=fmt,
                authority=authority_from(options), output=output)
        except PeriodError as exc:
            # Point 7: the message names the option it is about.
            message = ("--output: the output file must end in .xlsx or .csv"
                       if exc.field == "format" else f"--{exc.field}: {exc}")
            raise CommandError(message) from exc
        except OSError as exc:
            raise CommandError(f"Could not write {output}: {exc.strerror}") from exc
        self.stdout.write(f"Wrote {output}: {len(export.child_ids)}"
                          f" children.")
