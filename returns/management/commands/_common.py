"""What the returns commands share: the authority, and plain refusals (exit status 1)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from cpcases.accounts.models import Authority


def add_authority_argument(parser: CommandParser) -> None:
    parser.add_argument("--authority", help="The authority's short name (slug); needed only "
                                            "when there is more than one")


def authority_from(options: dict[str, Any]) -> Authority:
    slug = options.get("authority")
    if slug:
        found = Authority.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"No authority called {slug!r}")
        return found
    authorities = list(Authority.objects.all()[:2])
    if len(authorities) != 1:
        raise CommandError("Say which authority with --authority" if authorities
                           else "There is no authority: run seed_demo or create one first")
    return authorities[0]
