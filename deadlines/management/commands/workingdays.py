"""Working-day arithmetic from the command line (DOMAIN §3), for operators and checks.

    manage.py workingdays add 2026-12-18 15          -> 2027-01-13
    manage.py workingdays between 2026-12-18 2027-01-13   -> 15
    manage.py workingdays add 2026-12-18 15 --authority anyshire   (its closure days too)
    manage.py workingdays --stdin < queries.txt      (one query a line, one answer a line)

With ``--stdin`` each non-blank line is ``DATE N`` (add) or ``DATE DATE`` (between); naming the
operation (``workingdays add --stdin``) makes every line that kind. All lines are answered
before anything is written, then the answers go out in large chunks: a bad line (unparseable,
or needing days outside the calendar) stops the command with its line number and content on
stderr, exit status 2, and no answers at all, so a consumer never pairs answers with the
wrong queries. An unknown ``--authority`` exits with status 1.

The database is touched only for ``--authority`` (and system checks are skipped): the national
calendar is pure arithmetic.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deadlines.calendar import WorkingDayCalendar, default_calendar, parse_iso_date

if TYPE_CHECKING:
    from collections.abc import Iterable

BAD_INPUT = 2  # exit status for a query that cannot be answered
_INTEGER = re.compile(r"[+-]?\d{1,9}", re.ASCII)
_CHUNK_LINES = 65_536


def _parse_n(text: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise ValueError(f"not a whole number of working days: {text!r}")
    return int(text)


def _looks_like_date(text: str) -> bool:
    return len(text) == 10 and text[4] == "-"


class Command(BaseCommand):
    help = ("Working days (DOMAIN §3): `add DATE N` prints the N-th working day after DATE "
            "(before it when N < 0); `between DATE DATE` prints the working days after the "
            "first date up to and including the second. --stdin answers one query a line.")
    requires_system_checks: list[str] = []  # arithmetic only; checks would cost start-up time

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", nargs="?", choices=("add", "between"))
        parser.add_argument("values", nargs="*", metavar="DATE|N",
                            help="add: DATE N; between: DATE DATE (YYYY-MM-DD)")
        parser.add_argument("--authority", metavar="SLUG",
                            help="include this authority's closure days")
        parser.add_argument("--stdin", action="store_true",
                            help="read queries from standard input, one a line")

    def handle(self, *args: Any, **options: Any) -> None:
        operation: str | None = options["operation"]
        values: list[str] = options["values"]
        calendar = self._calendar(options["authority"])
        if options["stdin"]:
            if values:
                raise CommandError("--stdin reads the queries from standard input: "
                                   "give no dates or numbers on the command line",
                                   returncode=BAD_INPUT)
            self._answer_stream(calendar, sys.stdin, operation)
            return
        if operation is None:
            raise CommandError("say `add DATE N`, `between DATE DATE` or --stdin",
                               returncode=BAD_INPUT)
        expected = "DATE N" if operation == "add" else "DATE DATE"
        if len(values) != 2:
            raise CommandError(f"{operation} takes {expected}", returncode=BAD_INPUT)
        try:
            self.stdout.write(self._answer(calendar, operation, *values))
        except (ValueError, TypeError) as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from exc

    @staticmethod
    def _calendar(slug: str | None) -> WorkingDayCalendar:
        if slug is None:
            return default_calendar
        # Imported here so that the national calendar never loads models or queries.
        from cpcases.accounts.models import Authority
        from deadlines.closures import calendar_for_slug

        try:
            return calendar_for_slug(slug)
        except Authority.DoesNotExist:
            raise CommandError(f"unknown authority {slug!r} (no Authority has that slug)",
                               returncode=1) from None

    @staticmethod
    def _answer(calendar: WorkingDayCalendar, operation: str, first: str, second: str) -> str:
        anchor = parse_iso_date(first)
        if operation == "add":
            return calendar.add_working_days(anchor, _parse_n(second)).isoformat()
        return str(calendar.working_days_between(anchor, parse_iso_date(second)))

    def _answer_stream(self, calendar: WorkingDayCalendar, stream: Iterable[str],
                       operation: str | None) -> None:
        add = calendar.add_working_days
        between = calendar.working_days_between
        # A million queries name few distinct dates and numbers: parse each text once.
        dates: dict[str, date] = {}
        numbers: dict[str, int] = {}
        chunks: list[str] = []
        answers: list[str] = []
        for lineno, line in enumerate(stream, 1):
            parts = line.split()
            if not parts:
                continue  # blank lines are skipped
            try:
                if len(parts) != 2:
                    raise ValueError("expected two fields: DATE N or DATE DATE")
                first, second = parts
                anchor = dates.get(first)
                if anchor is None:
                    anchor = dates[first] = parse_iso_date(first)
                if operation == "between" or (operation is None and _looks_like_date(second)):
                    other = dates.get(second)
                    if other is None:
                        other = dates[second] = parse_iso_date(second)
                    answers.append(str(between(anchor, other)))
                else:
                    n = numbers.get(second)
                    if n is None:
                        n = numbers[second] = _parse_n(second)
                    answers.append(add(anchor, n).isoformat())
            except (ValueError, TypeError) as exc:
                raise CommandError(f"line {lineno}: {line.rstrip(chr(10))!r}: {exc}",
                                   returncode=BAD_INPUT) from exc
            if len(answers) >= _CHUNK_LINES:
                answers.append("")  # the chunk's final newline
                chunks.append("\n".join(answers))
                answers.clear()
        if answers:
            answers.append("")
            chunks.append("\n".join(answers))
        for chunk in chunks:
            self.stdout.write(chunk, ending="")
        self.stdout.flush()
