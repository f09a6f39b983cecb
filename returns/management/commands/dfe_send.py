"""python manage.py dfe_send [--full]: send the authority's children whose record changed
since the DfE children's social care API last accepted it (or every child with --full).
Off unless the DFE_API_* settings are in the environment (returns.dfe.sender)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from returns.dfe.models import DfeBatchStatus, DfeMode
from returns.dfe.sender import NotConfigured, config_from_env, send
from returns.management.commands._common import add_authority_argument, authority_from


class Command(BaseCommand):
    help = "Send the DfE children's social care API payload (changed children by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true",
                            help="Send every child in the cohort, changed or not")
        add_authority_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = config_from_env()
        except NotConfigured as exc:
            raise CommandError(str(exc)) from exc
        batch = send(authority=authority_from(options), config=config,
                     mode=DfeMode.FULL if options["full"] else DfeMode.CHANGED)
        if batch.status == DfeBatchStatus.FAILED:
            raise CommandError(f"Nothing was sent: {batch.error}")
        self.stdout.write(f"Sent {batch.sent_count} of {batch.children_count} children.")
        if batch.status == DfeBatchStatus.PARTLY_SENT:
            raise CommandError(f"Stopped part way: {batch.error}. The children not sent "
                               "will be sent next time.")
