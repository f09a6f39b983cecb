"""python manage.py cin_census --year 2026 --output FILE.xml: the authority's Children in Need
census (issue 16 point 1), written atomically and recorded as an export."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from returns import services
from returns.management.commands._common import add_authority_argument, authority_from
from returns.periods import PeriodError, default_census_year


class Command(BaseCommand):
    help = "Write the Children in Need census XML for a census year."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=None,
                            help="The year the census period ends on 31 March (default: the "
                                 "latest ended)")
        parser.add_argument("--output", required=True, help="The file to write")
        add_authority_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"] or default_census_year()
        try:
            export = services.census_export(year=year, authority=authority_from(options),
                                            output=options["output"])
        except PeriodError as exc:
            raise CommandError(f"--{exc.field}: {exc}") from exc  # point 7: names the option
        except OSError as exc:
            raise CommandError(f"Could not write {options['output']}: {exc.strerror}") from exc
        self.stdout.write(f"Wrote {options['output']}: {len(export.child_ids)} children.")
