"""The chronology as CSV in the agreed format (003 "Multi-Agency Chronologies"): a heading
with the child's name, date of birth and address, the contributing agency and the author;
then one row per event with its date as DD/MM/YY "to enable electronic merging of each
agency's chronology"."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from cpcases.chronology.providers import ChronologyItem

DATE_FORMAT = "%d/%m/%y"

COLUMNS = ("Date and time", "Significant event", "Professional/Agency", "Who was involved",
           "Decisions/Actions/Outcome", "Child seen/View obtained", "Author comments",
           "Contributing agency", "Author", "Event type")


def _dd_mm_yy(day: date | None) -> str:
    return day.strftime(DATE_FORMAT) if day else ""


def _safe(value: str) -> str:
    """A cell a spreadsheet would run as a formula is kept as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _seen(item: ChronologyItem) -> str:
    if item.child_seen is None:
        return item.child_views
    answer = "Yes" if item.child_seen else "No"
    return f"{answer}. {item.child_views}" if item.child_views else answer


def row(item: ChronologyItem) -> list[str]:
    when = _dd_mm_yy(item.event_date)
    if item.event_time is not None:
        when += f" {item.event_time:%H:%M}"
    return [when, item.significant_event, item.source, item.who_involved,
            item.decisions_actions_outcome, _seen(item), item.author_comments,
            item.agency_label, item.author, item.event_type_label]


def header(child: Child, *, author: User, agency: str = "") -> list[tuple[str, str]]:
    address = ", ".join(p for p in (child.address.replace("\n", ", "), child.postcode) if p)
    born = (_dd_mm_yy(child.date_of_birth) if not child.is_unborn
            else f"Unborn, expected {_dd_mm_yy(child.expected_delivery_date)}")
    return [("Name", child.display_name), ("DOB", born), ("Address", address),
            ("Agency", Agency(agency).label if agency else "Multi-agency (merged)"),
            ("Author", author.full_name or author.username)]


def chronology_csv(child: Child, items: Sequence[ChronologyItem], *, author: User,
                   agency: str = "") -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for label, value in header(child, author=author, agency=agency):
        writer.writerow([label, _safe(value)])
    writer.writerow([])
    writer.writerow(COLUMNS)
    for item in items:
        writer.writerow([_safe(v) for v in row(item)])
    return out.getvalue()
