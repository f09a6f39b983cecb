"""python manage.py dfe_payload --output FILE.json [--changed-only]: the DfE children's
social care API payload (issue 16 point 4) as a file, written atomically and recorded as an
export. Writing the file does not mark anyone as sent: only `dfe_send` does."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from returns.dfe.models import DfeMode
from returns.dfe.services import payload_export
from returns.management.commands._common import add_authority_argument, authority_from


class Command(BaseCommand):
    help = "Write the DfE children's social care API payload (JSON, one record per child)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="The file to write (.json)")
        parser.add_argument("--changed-only", action="store_true",
                            help="Only the children whose record changed since the API "
                                 "last accepted it")
        add_authority_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"]
        if not output.lower().endswith(".json"):
            raise CommandError("The output file must end in .json")
        mode = DfeMode.CHANGED if options["changed_only"] else DfeMode.FULL
        try:
            export = payload_export(mode=mode, authority=authority_from(options),
                                    output=output)
        except OSError as exc:
            raise CommandError(f"Could not write {output}: {exc.strerror}") from exc
        self.stdout.write(f"Wrote {output}: {len(export.child_ids)} children.")
