"""The documents generated from the recorded decisions: the decision letter (002 §23), the
decisions summary (003) and the conference record with its parents' copy (002 §22, 003).

Each is one template rendered as printable HTML (print stylesheet in static/css, no inline
styles: CSP) or as PDF through xhtml2pdf (its page header and footer carry "Parent's copy" on
every page of the parents' copy).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from conferences.models import Conference
from conferences.outcomes import selectors
from conferences.outcomes.models import AttendanceStatus, ParticipantType
from cpcases.children.models import ChildPerson


@dataclass(frozen=True)
class Kind:
    slug: str
    title: str
    template: str
    parents_copy: bool = False


KINDS: dict[str, Kind] = {k.slug: k for k in (
    Kind("letter", "Decision letter", "conferences/outcomes/documents/letter.html"),
    Kind("summary", "Decisions summary", "conferences/outcomes/documents/summary.html"),
    Kind("record", "Record of the conference", "conferences/outcomes/documents/record.html"),
    Kind("parents-record", "Record of the conference: parent's copy",
         "conferences/outcomes/documents/record.html", parents_copy=True),
)}


def _people(conference: Conference) -> list[ChildPerson]:
    """Parents, carers and other adults around the subjects, once each (003)."""
    seen: set[int] = set()
    people = []
    for link in ChildPerson.objects.filter(child__in=conference.children.all()).select_related(
            "person").order_by("relationship", "person__last_name"):
        if link.person_id not in seen:
            seen.add(link.person_id)
            people.append(link)
    return people


def _reports(conference: Conference) -> list[dict[str, Any]]:
    """The written reports available to the conference and whether the parents had them."""
    from conferences.models import ConferenceReport

    rows = []
    for report in ConferenceReport.objects.filter(
            conference=conference, redacted_from__isnull=True).prefetch_related("sharings"):
        rows.append({"report": report,
                     "shared_with_parents": any(s.recipient == "family"
                                                for s in report.sharings.all())})
    return rows


def context(conference: Conference, kind: Kind) -> dict[str, Any]:
    attendances = list(conference.attendances.all())
    decisions = selectors.decisions_for(conference)
    record = selectors.record_for(conference)
    return {
        "conference": conference, "kind": kind, "parents_copy": kind.parents_copy,
        "children": list(conference.children.order_by("date_of_birth", "pk")),
        "people": _people(conference),
        "attended": [a for a in attendances if a.status == AttendanceStatus.PRESENT],
        "apologies": [a for a in attendances if a.status == AttendanceStatus.APOLOGIES],
        "absent": [a for a in attendances if a.status == AttendanceStatus.ABSENT],
        "invited": attendances,
        "family": [a for a in attendances if a.participant_type == ParticipantType.FAMILY],
        "reports": _reports(conference), "decisions": decisions, "record": record,
        "sections": record.section_items(parents_copy=kind.parents_copy) if record else [],
        "day": selectors.day_for(conference),
        "quoracy": selectors.conference_quoracy(conference),
        "next_conference": next((d.review_conference for d in decisions
                                 if d.review_conference_id), None),
        "generated_at": timezone.now(),
    }


def render_html(conference: Conference, kind: Kind, *, pdf: bool = False) -> str:
    return render_to_string(kind.template, {**context(conference, kind), "pdf": pdf})


def render_pdf(conference: Conference, kind: Kind) -> bytes:
    from xhtml2pdf import pisa

    out = io.BytesIO()
    result = pisa.CreatePDF(render_html(conference, kind, pdf=True), dest=out,
                            encoding="utf-8")
    if result.err:
        raise RuntimeError(f"PDF generation failed for {kind.slug} of conference "
                           f"{conference.pk}")
    return out.getvalue()
