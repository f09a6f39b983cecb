"""Ofsted ILACS Annex A lists 1 (contacts), 3 (referrals), 4 (assessments), 5 (Section 47
enquiries and initial conferences), 6 (children in need) and 7 (child protection plans):
Ofsted's column names, dates dd/mm/yyyy, letter-prefixed codes
(RETURNS.md §4), as .xlsx (openpyxl) and .csv.

Rows are built in a fixed number of queries for the children given (already scoped).
"Age of Child (Years)" is the child's age on the last day of the window; "in the last 12
months" counts the twelve months ending on that day.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Q, QuerySet
from django.utils import timezone

from cpcases.children.models import Child, Ethnicity
from returns.periods import Window

GENDER = {"M": "a) Male", "F": "b) Female", "U": "c) Not stated/recorded"}
# Census order, letter-prefixed; REFU and NOBT are both "s)" (Ofsted's sample workbook in
# liiatools: "r) OOTH", "s) NOBT"; RETURNS.md §4).
ETHNICITY = {code: f"{chr(ord('a') + min(i, 18))}) {code}"
             for i, code in enumerate(Ethnicity.values)}
# Contact and referral sources, letter-prefixed as in Ofsted's sample ("j) 3D", "q) 6",
# "s) 8"). 5D (early help) came after Ofsted's list: it takes the next letter, v).
SOURCES = ("1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4", "5A",
           "5B", "5C", "6", "7", "8", "9", "10", "5D")
CASE_STATUS = {"assessment": "a) Open assessment", "plan": "b) Child protection plan",
               "cin": "c) Child in need plan", "other": "d) Other"}
CATEGORY = {"NEG": "a) Neglect", "PHY": "b) Physical abuse", "SAB": "c) Sexual abuse",
            "EMO": "d) Emotional abuse", "MUL": "e) Multiple/not recommended"}
YES, NO = "a) Yes", "b) No"

def _source(code: str) -> str:
    from frontdoor.models import ReferralSource

    if code not in SOURCES:
        return ""
    return f"{chr(ord('a') + SOURCES.index(code))}) {code}: {ReferralSource(code).label}"


COMMON = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
          "Does the Child have a Disability"]
LIST_1_COLUMNS = [*COMMON[:5], "Date of Contact", "Contact Source"]
LIST_3_COLUMNS = [*COMMON[:5], "Date of Referral", "Referral Source", "Referral NFA?",
                  "Number of Referrals in Last 12 Months", "Allocated Team", "Allocated Worker"]
LIST_4_COLUMNS = [
    *COMMON, "Continuous Assessment Start Date", "Child Seen During Continuous Assessment",
    "Continuous Assessment Date of Authorisation",
    "Was the child assessed as requiring LA children's social care support?",
    "Allocated Team", "Allocated Worker"]
LIST_6_COLUMNS = [
    *COMMON, "CIN Start Date", "Primary Need Code", "Date Child Was Last Seen",
    "CIN Closure Date", "Reason for Closure", "Case Status", "Allocated Team",
    "Allocated Worker"]
LIST_5_COLUMNS = [
    *COMMON,
    "Strategy discussion initiating Section 47 Enquiry Start Date",
    "Was an Initial Child Protection Conference deemed unnecessary?",
    "Date of Initial Child Protection Conference",
    "Did the Initial Child Protection Conference Result in a Child Protection Plan",
    "Number of Section 47 Enquiries in the last 12 months",
    "Number of ICPCs in the last 12 months",
    "Allocated Team", "Allocated Worker"]
LIST_7_COLUMNS = [
    *COMMON,
    "Child Protection Plan Start Date", "Initial Category of Abuse",
    "Latest Category of Abuse", "Date of the Last Statutory Visit",
    "Was the Child Seen Alone?", "Date of latest review conference",
    "Child Protection Plan End Date",
    "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six "
    "Months (Y/N)",
    "Number of Previous Child Protection Plans", "Allocated Team", "Allocated Worker"]


@dataclass
class AnnexList:
    number: int
    title: str
    columns: list[str]
    rows: list[list[object]]
    child_ids: list[int]


def _date(day: dt.date | None) -> dt.date | str:
    """A date cell: a real date in the spreadsheet (shown dd/mm/yyyy), dd/mm/yyyy text in
    the CSV; blank when there is none."""
    return day if day else ""


def _text(value: object) -> object:
    return f"{value:%d/%m/%Y}" if isinstance(value, dt.date) else value


def _disability(codes: Sequence[str]) -> str:
    if not codes:
        return "c) Unknown"
    return "b) No" if list(codes) == ["NONE"] else YES


def _common(child: Child, window: Window) -> list[object]:
    age = child.age_on(window.end)
    return [child.la_child_id, GENDER.get(child.sex, GENDER["U"]),
            ETHNICITY.get(child.ethnicity, ""), _date(child.date_of_birth),
            "" if age is None else age, _disability(child.disabilities)]


def _allocations(ids: list[int]) -> dict[int, tuple[str, str]]:
    from cpcases.children.models import Allocation

    return {child_id: (team, worker or "")
            for child_id, team, worker in Allocation.objects.filter(
                child_id__in=ids, ended_on__isnull=True).values_list(
                "child_id", "team__name", "social_worker__full_name")}


def _icpcs(ids: list[int], until: dt.date) -> dict[int, list[dt.date]]:
    from conferences.models import Conference, ConferenceStatus

    found: dict[int, list[dt.date]] = defaultdict(list)
    for child_id, day in Conference.children.through.objects.filter(
            child_id__in=ids, conference__status=ConferenceStatus.HELD,
            conference__kind__in=("initial", "pre_birth"), conference__date__lte=until
    ).values_list("child_id", "conference__date").order_by("conference__date"):
        found[child_id].append(day)
    return found


def list_5(children: QuerySet[Child], window: Window) -> AnnexList:
    """One row per Section 47 enquiry whose strategy discussion fell in the window."""
    from cpcases.plans.models import ChildProtectionPlan
    from strategy.models import S47Outcome, Section47Enquiry

    enquiries = list(Section47Enquiry.objects.filter(
        child__in=children, started_on__range=(window.start, window.end))
        .select_related("child", "initiated_by").order_by("started_on", "id"))
    ids = sorted({e.child_id for e in enquiries})
    year_ago = window.end - relativedelta(years=1) + dt.timedelta(days=1)
    all_s47: dict[int, list[Section47Enquiry]] = defaultdict(list)
    for e in Section47Enquiry.objects.filter(child_id__in=ids).order_by("started_on", "id"):
        all_s47[e.child_id].append(e)
    icpcs = _icpcs(ids, window.end)
    plan_days = set(ChildProtectionPlan.objects.filter(child_id__in=ids).values_list(
        "child_id", "started_on"))
    allocated = _allocations(ids)
    rows = []
    for e in enquiries:
        mine = all_s47[e.child_id]
        nxt = next((o.started_on for o in mine if o.started_on > e.started_on), None)
        icpc = next((d for d in icpcs[e.child_id]
                     if d >= e.started_on and (nxt is None or d < nxt)), None)
        unnecessary = (YES if e.outcome == S47Outcome.NOT_SUBSTANTIATED
                       else NO if e.outcome == S47Outcome.SUBSTANTIATED else "")
        result = "" if icpc is None else ("Yes" if (e.child_id, icpc) in plan_days else "No")
        team, worker = allocated.get(e.child_id, ("", ""))
        rows.append([
            *_common(e.child, window), _date(e.started_on), unnecessary, _date(icpc), result,
            sum(1 for o in mine if year_ago <= o.started_on <= window.end),
            sum(1 for d in icpcs[e.child_id] if year_ago <= d <= window.end),
            team, worker])
    return AnnexList(5, "List 5: Section 47 enquiries and initial conferences",
                     LIST_5_COLUMNS, rows, ids)


def list_7(children: QuerySet[Child], window: Window) -> AnnexList:
    """One row per child protection plan open at any time in the window."""
    from conferences.models import Conference, ConferenceStatus
    from cpcases.chronology.models import Visit
    from cpcases.plans.models import ChildProtectionPlan, ChildProtectionPlanEvent
    from lifeevents.models import SHORT_ORDER_KINDS, LegalOrder

    plans = list(ChildProtectionPlan.objects.filter(
        child__in=children, started_on__lte=window.end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=window.start))
        .select_related("child").order_by("started_on", "id"))
    ids = sorted({p.child_id for p in plans})
    first_category = dict(ChildProtectionPlanEvent.objects.filter(
        pgh_obj_id__in=[p.pk for p in plans]).order_by("pgh_obj_id", "-pgh_id")
        .values_list("pgh_obj_id", "category"))
    visits: dict[int, tuple[dt.datetime, bool | None]] = {}
    for child_id, at, alone in Visit.objects.filter(
            child_id__in=ids, child_seen=True, visited_at__date__lte=window.end).order_by(
            "visited_at").values_list("child_id", "visited_at", "seen_alone"):
        visits[child_id] = (at, alone)
    reviews: dict[int, list[dt.date]] = defaultdict(list)
    for child_id, day in Conference.children.through.objects.filter(
            child_id__in=ids, conference__status=ConferenceStatus.HELD,
            conference__kind="review", conference__date__lte=window.end).values_list(
            "child_id", "conference__date").order_by("conference__date"):
        reviews[child_id].append(day)
    six_months = window.end - relativedelta(months=6)
    protected = set(LegalOrder.objects.filter(
        child_id__in=ids, kind__in=SHORT_ORDER_KINDS, starts_on__lte=window.end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=six_months)).values_list(
        "child_id", flat=True))
    earlier: dict[int, list[dt.date]] = defaultdict(list)
    for child_id, day in ChildProtectionPlan.objects.filter(child_id__in=ids).values_list(
            "child_id", "started_on"):
        earlier[child_id].append(day)
    allocated = _allocations(ids)
    rows = []
    for p in plans:
        end = p.ended_on if p.ended_on and p.ended_on <= window.end else None
        visit = visits.get(p.child_id)
        seen = ("" if visit is None or timezone.localdate(visit[0]) < p.started_on
                else "c) Unknown" if visit[1] is None else YES if visit[1] else NO)
        last_review = max((d for d in reviews[p.child_id]
                           if p.started_on < d <= (end or window.end)), default=None)
        before = sum(1 for d in earlier[p.child_id] if d < p.started_on)
        team, worker = allocated.get(p.child_id, ("", ""))
        rows.append([
            *_common(p.child, window), _date(p.started_on),
            CATEGORY.get(first_category.get(p.pk, p.category), ""),
            CATEGORY.get(p.category, ""),
            _date(timezone.localdate(visit[0]))
            if visit and timezone.localdate(visit[0]) >= p.started_on else "",
            seen, _date(last_review), _date(end),
            "Yes" if p.child_id in protected else "No",
            max(before, p.previous_plans), team, worker])
    return AnnexList(7, "List 7: Child protection plans", LIST_7_COLUMNS, rows, ids)


def _seen(ids: list[int], until: dt.date) -> dict[int, list[dt.date]]:
    """The days each child was seen on a visit, in order."""
    from cpcases.chronology.models import Visit

    found: dict[int, list[dt.date]] = defaultdict(list)
    for child_id, at in Visit.objects.filter(
            child_id__in=ids, child_seen=True, visited_at__date__lte=until).order_by(
            "visited_at").values_list("child_id", "visited_at"):
        found[child_id].append(timezone.localdate(at))
    return found


def list_1(children: QuerySet[Child], window: Window) -> AnnexList:
    """One row per child per contact received in the window."""
    from frontdoor.models import ContactChild

    links = list(ContactChild.objects.filter(
        child__in=children, contact__received_at__date__range=(window.start, window.end))
        .select_related("child", "contact").order_by("contact__received_at", "id"))
    rows = [[*_common(link.child, window)[:5],
             _date(timezone.localdate(link.contact.received_at)),
             _source(link.contact.source)] for link in links]
    return AnnexList(1, "List 1: Contacts", LIST_1_COLUMNS, rows,
                     sorted({link.child_id for link in links}))


def list_3(children: QuerySet[Child], window: Window) -> AnnexList:
    """One row per referral in the window."""
    from frontdoor.models import Referral

    referrals = list(Referral.objects.filter(
        child__in=children, referral_date__range=(window.start, window.end))
        .select_related("child").order_by("referral_date", "id"))
    ids = sorted({r.child_id for r in referrals})
    dates: dict[int, list[dt.date]] = defaultdict(list)
    for child_id, day in Referral.objects.filter(child_id__in=ids).values_list(
            "child_id", "referral_date"):
        dates[child_id].append(day)
    allocated = _allocations(ids)
    rows = [[*_common(r.child, window)[:5], _date(r.referral_date), _source(r.source),
             "Yes" if r.no_further_action else "No",
             # The referrals in the twelve months before this one.
             sum(1 for d in dates[r.child_id]
                 if r.referral_date - relativedelta(years=1) <= d < r.referral_date),
             *allocated.get(r.child_id, ("", ""))] for r in referrals]
    return AnnexList(3, "List 3: Referrals", LIST_3_COLUMNS, rows, ids)


def list_4(children: QuerySet[Child], window: Window) -> AnnexList:
    """One row per assessment open at any time in the window."""
    from frontdoor.models import Assessment, AssessmentOutcome

    assessments = list(Assessment.objects.filter(
        child__in=children, started_on__lte=window.end).filter(
        Q(authorised_at__isnull=True) | Q(authorised_at__date__gte=window.start))
        .select_related("child").order_by("started_on", "id"))
    ids = sorted({a.child_id for a in assessments})
    seen = _seen(ids, window.end)
    allocated = _allocations(ids)
    support = {AssessmentOutcome.CIN_PLAN: "Yes", AssessmentOutcome.STRATEGY_DISCUSSION: "Yes"}
    rows = []
    for a in assessments:
        authorised = timezone.localdate(a.authorised_at) if a.authorised_at else None
        until = authorised or window.end
        rows.append([
            *_common(a.child, window), _date(a.started_on),
            "Yes" if any(a.started_on <= d <= until for d in seen[a.child_id]) else "No",
            _date(authorised), support.get(a.outcome, "No") if a.outcome else "",
            *allocated.get(a.child_id, ("", ""))])
    return AnnexList(4, "List 4: Assessments", LIST_4_COLUMNS, rows, ids)


def list_6(children: QuerySet[Child], window: Window) -> AnnexList:
    """One row per child in need episode (a referral not closed with no further action)
    open at any time in the window."""
    from cpcases.plans.models import ChildProtectionPlan, CinPlan
    from frontdoor.models import Referral

    referrals = list(Referral.objects.filter(
        child__in=children, no_further_action=False, referral_date__lte=window.end).filter(
        Q(closure_date__isnull=True) | Q(closure_date__gte=window.start))
        .select_related("child").order_by("referral_date", "id"))
    ids = sorted({r.child_id for r in referrals})
    seen = _seen(ids, window.end)
    on_plan = set(ChildProtectionPlan.objects.filter(
        child_id__in=ids, started_on__lte=window.end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=window.end)).values_list(
        "child_id", flat=True))
    on_cin = set(CinPlan.objects.filter(child_id__in=ids, started_on__lte=window.end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=window.end)).values_list(
        "child_id", flat=True))
    assessing = set(Referral.objects.filter(
        pk__in=[r.pk for r in referrals], assessments__authorised_at__isnull=True)
        .values_list("child_id", flat=True))
    allocated = _allocations(ids)
    rows = []
    for r in referrals:
        closed = r.closure_date if r.closure_date and r.closure_date <= window.end else None
        status = ("" if closed else CASE_STATUS["plan"] if r.child_id in on_plan
                  else CASE_STATUS["cin"] if r.child_id in on_cin
                  else CASE_STATUS["assessment"] if r.child_id in assessing
                  else CASE_STATUS["other"])
        rows.append([
            *_common(r.child, window), _date(r.referral_date),
            f"{r.primary_need} - {r.get_primary_need_display()}" if r.primary_need else "",
            _date(max(seen[r.child_id], default=None)), _date(closed),
            f"{r.closure_reason} - {r.get_closure_reason_display()}" if closed else "",
            status or "e) Closed", *allocated.get(r.child_id, ("", ""))])
    return AnnexList(6, "List 6: Children in need", LIST_6_COLUMNS, rows, ids)


BUILDERS = {1: list_1, 3: list_3, 4: list_4, 5: list_5, 6: list_6, 7: list_7}


Progress = Callable[[int, int], None]
# Rows written between two progress reports (issue 16 point 5).
PROGRESS_EVERY = 500


def build_list(number: int, children: QuerySet[Child], window: Window, *,
               progress: Progress | None = None) -> AnnexList:
    """The list's rows; `progress(0, rows)` once they are known (the writers then report
    the rows written)."""
    built = BUILDERS[number](children, window)
    if progress is not None:
        progress(0, len(built.rows))
    return built


def _rows(annex: AnnexList, progress: Progress | None) -> Iterator[list[object]]:
    total = len(annex.rows)
    for i, row in enumerate(annex.rows, 1):
        yield row
        if progress is not None and (i % PROGRESS_EVERY == 0 or i == total):
            progress(i, total)


def to_csv(annex: AnnexList, *, progress: Progress | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(annex.columns)
    writer.writerows([_text(v) for v in row] for row in _rows(annex, progress))
    return out.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 with a BOM


def to_xlsx(annex: AnnexList, *, progress: Progress | None = None) -> bytes:
    """Written row by row (openpyxl's write-only mode: memory and time stay linear)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"List {annex.number}")
    bold = Font(bold=True)

    def header(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = bold
        return cell

    def cell(value: object) -> object:
        if not isinstance(value, dt.date):
            return value
        dated = WriteOnlyCell(sheet, value=value)
        dated.number_format = "DD/MM/YYYY"
        return dated

    sheet.append([header(c) for c in annex.columns])
    for row in _rows(annex, progress):
        sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
