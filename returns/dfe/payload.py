"""The DfE children's social care API payload (RETURNS.md §5): one JSON record per child.

Built from the same linked history as the census (returns.census.build_census), over the
API's window: 1 April two years before the start of the current financial year's April, to
tomorrow. Cohort: every child with an episode open in the window (a referral, or for a child
with no referral on record their plans and S47 enquiries) aged 25 or under at some time in
it. Ids are cpcases' own record ids, prefixed by kind ("R" referral, "A" assessment, "S"
S47, "P" plan, "N" child in need plan; "U" + the child's id for the episode of a child with
no referral on record). Blocks cpcases does not hold (SDQ scores, care placements,
adoption, care leavers) are sent empty, never invented.

"Changed only": the children whose record's hash differs from the one the API last
accepted (DfeChildSent); each changed child's whole record is sent. The hash is SHA-256 of
the record as canonical JSON (sorted keys, no spaces).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from cpcases.children.models import Child
from returns import census
from returns.dfe.models import DfeChildSent, DfeMode
from returns.periods import CensusPeriod

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 250  # children between two calls of the progress callback
COHORT_MAX_AGE = 25


class PayloadError(ValueError):
    """Input the payload cannot be built for; the message says why in plain words."""


@dataclass(frozen=True)
class ChildRecord:
    child_id: int
    la_child_id: str
    body: dict[str, Any]
    payload_hash: str


@dataclass(frozen=True)
class Payload:
    window: CensusPeriod
    mode: str
    cohort: int  # children in the window: what a full send sends
    changed: int  # of them, those whose record changed since the API last accepted it
    records: list[ChildRecord]  # what this mode sends

    def to_json(self) -> bytes:
        return dumps([r.body for r in self.records], indent=2)


def dumps(value: object, *, indent: int | None = None) -> bytes:
    if indent is None:
        return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    return json.dumps(value, sort_keys=True, indent=indent).encode()


def record_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(dumps(body)).hexdigest()


def api_window(today: dt.date | None = None) -> CensusPeriod:
    """1 April two years before this financial year's, to tomorrow (the DfE cohort window
    as Data to Insight's extract describes it)."""
    today = today or timezone.localdate()
    april = dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    tomorrow = today + dt.timedelta(days=1)
    return CensusPeriod(year=tomorrow.year, reference_date=tomorrow,
                        start=april - relativedelta(years=2))


def parse_mode(mode: str) -> str:
    if mode not in DfeMode.values:
        raise PayloadError("Choose every child (full) or only the children whose record "
                           "changed (changed)")
    return mode


def _d(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _episode(ep: census.Episode, child_pk: int) -> dict[str, Any]:
    return {
        "social_care_episode_id": f"R{ep.pk}" if ep.pk else f"U{child_pk}",
        "referral_date": _d(ep.referral_date),
        "referral_source": ep.source,
        "referral_no_further_action_flag": ep.nfa,
        "closure_date": _d(ep.closure_date),
        "closure_reason": ep.closure_reason or None,
        "care_worker_details": [],
        "child_and_family_assessments": [
            {"child_and_family_assessment_id": f"A{a.pk}", "start_date": _d(a.start),
             "authorisation_date": _d(a.authorised), "factors": list(a.factors),
             "purge": False} for a in ep.assessments],
        "child_in_need_plans": [
            {"child_in_need_plan_id": f"N{p.pk}", "start_date": _d(p.start),
             "end_date": _d(p.end), "purge": False} for p in ep.cin_plans],
        # icpc_required_flag is, by its name, the inverse of the census's ICPCnotRequired.
        "section_47_assessments": [
            {"section_47_assessment_id": f"S{s.pk}", "start_date": _d(s.start),
             "icpc_required_flag": not s.not_required, "icpc_date": _d(s.icpc),
             "end_date": _d(s.ended), "purge": False} for s in ep.s47s],
        "child_protection_plans": [
            {"child_protection_plan_id": f"P{p.pk}", "start_date": _d(p.start),
             "end_date": _d(p.end), "purge": False} for p in ep.plans],
        "child_looked_after_placements": [],
        "purge": False,
    }


def _record(child: census.CensusChild, row: dict[str, Any], la_code: str) -> dict[str, Any]:
    return {
        "la_code": la_code,
        "la_child_id": child.la_child_id,
        "mis_child_id": str(child.pk),
        "purge": False,
        "child_details": {
            "unique_pupil_number": child.upn or None,
            "former_unique_pupil_number": child.former_upn or None,
            "unique_pupil_number_unknown_reason": child.upn_unknown or None,
            "first_name": row["first_name"] or None,
            "surname": row["last_name"] or None,
            "date_of_birth": _d(child.birth_date),
            "expected_date_of_birth": _d(child.expected_birth_date),
            "sex": child.sex if child.sex in ("M", "F") else "U",
            "ethnicity": child.ethnicity,
            "disabilities": [d for d in child.disabilities if d != "NONE"],
            "postcode": row["postcode"] or None,
            "uasc_flag": False,
            "uasc_end_date": None,
            "purge": False,
        },
        "health_and_wellbeing": {"sdq_assessments": [], "purge": False},
        "social_care_episodes": [_episode(ep, child.pk or 0) for ep in child.episodes],
    }


def in_cohort(children: QuerySet[Child], window: CensusPeriod) -> QuerySet[Child]:
    """Aged 25 or under at some time in the window (or unborn)."""
    oldest = window.start - relativedelta(years=COHORT_MAX_AGE + 1)
    return children.filter(Q(date_of_birth__isnull=True) | Q(date_of_birth__gt=oldest))


def build_payload(children: QuerySet[Child], *, mode: str = DfeMode.FULL,
                  today: dt.date | None = None, progress: Progress | None = None,
                  select: bool = True) -> Payload:
    """The records of these children (already scoped to the user) for the API, in a fixed
    number of queries. `progress(done, total)` is called as the records are made (every
    PROGRESS_EVERY children and at the end), e.g. by a background export. `select=False`:
    the children as given, in the window or not (one child's record)."""
    mode = parse_mode(mode)
    window = api_window(today)
    built = census.build_census(in_cohort(children, window) if select else children, window,
                                select=select)
    total = len(built.children)
    if progress is not None:
        progress(0, total)
    ids = [c.pk for c in built.children]
    rows = {r["pk"]: r for r in Child.objects.filter(pk__in=ids).values(
        "pk", "first_name", "last_name", "postcode")}
    sent = dict(DfeChildSent.objects.filter(child_id__in=ids).values_list(
        "child_id", "payload_hash"))
    changed = 0
    la_code = getattr(settings, "RETURNS_LA_CODE", "000")
    records = []
    for done, child in enumerate(built.children, start=1):
        body = _record(child, rows[child.pk], la_code)
        digest = record_hash(body)
        is_changed = sent.get(child.pk) != digest
        changed += is_changed
        if mode == DfeMode.FULL or is_changed:
            records.append(ChildRecord(child.pk, child.la_child_id, body, digest))
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    return Payload(window=window, mode=mode, cohort=total, changed=changed, records=records)
