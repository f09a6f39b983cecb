"""One child's census reads in one query: the census-checks tab (issue 13 §2).

The tab asked whether the child is in the census and then read their referrals, conferences,
enquiries, plans, Child in Need plans and plan categories one query each, and the read
audit asked a ninth for the children of the plans' conferences. Here one statement, built by
the ORM and compiled once per process (cpcases.core.compiled), answers all of it for a child
in the census (no row for a child outside it): each table's rows as one JSON array, in the
order `census._read_rows` reads them, and the children the read audit would have followed
those rows to, so the tab logs them itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db.models import BigIntegerField, QuerySet

from cpcases.children.models import Child
from cpcases.core.compiled import json_rows
from returns.census import Census, Reads, _in_census_query, _linked, _one_child
from returns.periods import CensusPeriod


@dataclass(frozen=True)
class ChildReads:
    reads: Reads
    died_on: dt.date | None  # the child's reported death
    # The children the rows lead to (the read audit's `child` and `conference__children`).
    shown: frozenset[int]


def read_child(child_id: int, period: CensusPeriod) -> ChildReads | None:
    """The census's reads of a child in the census (`census_children` selects them); None
    for a child outside it."""
    found = _one_child("one_child", _query, child_id, period)
    if not found:
        return None
    row = found[0]
    shown = {child_id, *(row.conference_children or ())}
    tables = {name: [_parsed(fields, values) for values in getattr(row, f"census_{name}") or ()]
              for name, (fields, _) in _TABLES.items()}
    shown.update(a["child_id"] for a in tables["assessments"])
    referrals = [SimpleNamespace(child_id=child_id, **r) for r in tables["referrals"]]
    return ChildReads(reads=Reads(
        referrals=referrals,
        assessments=[SimpleNamespace(**a) for a in tables["assessments"]],
        conferences=[(child_id, c["kind"], c["date"]) for c in tables["conferences"]],
        enquiries=[SimpleNamespace(child_id=child_id, **e) for e in tables["enquiries"]],
        targets={t["object_id"]: t["due_date"] for t in tables["targets"]},
        plans=[SimpleNamespace(child_id=child_id, **p) for p in tables["plans"]],
        cin_plans=[SimpleNamespace(child_id=child_id, **c) for c in tables["cin_plans"]],
        first_category={e["plan"]: e["category"] for e in tables["first_categories"]}),
        died_on=row.reported_death, shown=frozenset(shown))


def _parsed(fields: Sequence[str], values: Sequence[Any]) -> dict[str, Any]:
    row = dict(zip(fields, values, strict=True))
    for name in fields:
        parse = _PARSE.get(name)
        if parse is not None and row[name] is not None:
            row[name] = parse(row[name])
    return row


# JSON holds dates and times as ISO text: the columns read back as Python's.
_DATES = ("referral_date", "closure_date", "started_on", "date", "outcome_date", "due_date",
          "ended_on")
_PARSE: dict[str, Callable[[str], Any]] = {
    **dict.fromkeys(_DATES, dt.date.fromisoformat), "authorised_at": dt.datetime.fromisoformat}


def _tables(child: object, ref: object) -> dict[str, tuple[QuerySet[Any], Sequence[str]]]:
    """Each read of `census._read_rows` for one child: its rows and their order."""
    from conferences.models import Conference, ConferenceStatus
    from cpcases.plans.models import ChildProtectionPlan, ChildProtectionPlanEvent
    from cpcases.plans.models import CinPlan as CinPlanRow
    from deadlines.models import Deadline
    from frontdoor.models import Assessment, Referral
    from strategy.models import Section47Enquiry

    by_start = ("started_on", "id")
    return {
        "referrals": (Referral.objects.filter(child_id=child, referral_date__lte=ref),
                      ("referral_date", "id")),
        "assessments": (Assessment.objects.filter(
            referral__child_id=child, referral__referral_date__lte=ref, started_on__lte=ref),
            ("id",)),
        "conferences": (Conference.children.through.objects.filter(
            child_id=child, conference__status=ConferenceStatus.HELD,
            conference__date__lte=ref), ("conference__date",)),
        "enquiries": (Section47Enquiry.objects.filter(child_id=child, started_on__lte=ref),
                      by_start),
        "targets": (Deadline.objects.filter(
            child_id=child, rule_id="icpc",
            content_type=ContentType.objects.get_for_model(Section47Enquiry)),
            ("created_at",)),
        "plans": (ChildProtectionPlan.objects.filter(child_id=child, started_on__lte=ref),
                  by_start),
        "cin_plans": (CinPlanRow.objects.filter(child_id=child, started_on__lte=ref),
                      by_start),
        "first_categories": (ChildProtectionPlanEvent.objects.filter(pgh_obj__child_id=child),
                             ("pgh_obj_id", "-pgh_id")),
    }


# Each table's columns (the name read back: the ORM's path), as `census._linked` reads them.
_TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "referrals": (("pk", "referral_date", "source", "primary_need", "no_further_action",
                   "closure_date", "closure_reason"), ()),
    "assessments": (("pk", "referral_id", "started_on", "authorised_at", "factors",
                     "child_id"), ()),
    "conferences": (("kind", "date"), ("conference__kind", "conference__date")),
    "enquiries": (("pk", "started_on", "outcome", "outcome_date"), ()),
    "targets": (("object_id", "due_date"), ()),
    "plans": (("pk", "started_on", "ended_on", "category", "previous_plans"), ()),
    "cin_plans": (("pk", "started_on", "ended_on"), ()),
    "first_categories": (("plan", "category"), ("pgh_obj_id", "category")),
}


def _query(child: object, ref: object, start: object) -> QuerySet[Child]:
    """`census._in_census_query` (the child when in the census, with their reported death),
    each table's rows a JSON array of arrays, and the children of the plans' conferences."""
    from conferences.models import Conference
    from cpcases.plans.models import ChildProtectionPlan, CinPlan

    tables = _tables(child, ref)
    rows = {f"census_{name}": json_rows(tables[name][0], paths or fields, tables[name][1])
            for name, (fields, paths) in _TABLES.items()}
    # Plans and Child in Need plans lead the read audit to their conference's children.
    conferences = ChildProtectionPlan.objects.filter(
        child_id=child, started_on__lte=ref).order_by().values("conference_id").union(
        CinPlan.objects.filter(child_id=child, started_on__lte=ref).order_by().values(
            "conference_id"))
    return _in_census_query(child, ref, start).annotate(
        **rows, conference_children=ArraySubquery(
            Conference.children.through.objects.filter(conference_id__in=conferences)
            .order_by().values("child_id").distinct(),
            output_field=ArrayField(BigIntegerField())))


def census_child(child: Child, period: CensusPeriod) -> Census:
    """`build_census` of one child the caller has loaded (already scoped to the user: the
    child's census-checks tab), without reading the child again (issue 13 §2)."""
    return census_child_shown(child, period)[0]


def census_child_shown(child: Child, period: CensusPeriod) -> tuple[Census, frozenset[int]]:
    """`census_child`, and the children its reads lead to, as the read audit follows them
    (its reads are plain rows, which the audit does not see): all of it in one query
    (above), compiled once per process."""
    found = read_child(child.pk, period)
    la_code = getattr(settings, "RETURNS_LA_CODE", "000")
    if found is None:
        return Census(period=period, children=[], la_code=la_code), frozenset()
    deaths = {child.pk: found.died_on} if found.died_on else {}
    return (Census(period=period, children=_linked([child], period, found.reads, deaths),
                   la_code=la_code), found.shown)
