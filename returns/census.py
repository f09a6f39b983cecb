"""The Children in Need census: what cpcases holds, arranged as the return (RETURNS.md §2).

`build_census` reads the children's episodes (front-door referrals), assessments, S47 enquiries
with the engine's `icpc` due dates, conferences, child protection plans and Child in Need
plans, in a fixed number of queries, and links them as the DfE specification does:
- an episode (CINdetails) is a referral, from its date to its closure;
- an assessment belongs to its referral; an S47, CIN plan or CP plan to the episode open on
  the day it started;
- an S47's DateOfInitialCPC is the first initial (or pre-birth) conference held for the child
  on or after the S47 started and before the next S47 started; an initial conference held in
  an episode with no S47 is the episode's own DateOfInitialCPC (rule 2885b; never both, 2884);
- ICPCnotRequired is 1 when the enquiry ended not substantiated;
- a plan's reviews are the review conferences held after it started, up to its end.
Nothing dated after the ReferenceDate is shown (a closure in June is not known on 31 March).
`to_xml` writes the Message in the schema's element order.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from cpcases.children.models import Child
from cpcases.core.compiled import ROW_ID, TODAY, WEEK_END, cached, compile_once
from returns.periods import CensusPeriod


@dataclass
class S47:
    start: dt.date
    target: dt.date | None = None
    icpc: dt.date | None = None
    not_required: bool = False
    pk: int | None = None
    ended: dt.date | None = None  # the enquiry's outcome date (the DfE API's end_date)


@dataclass
class Assessment:
    start: dt.date
    authorised: dt.date | None = None
    factors: list[str] = field(default_factory=list)
    pk: int | None = None


@dataclass
class CinPlan:
    start: dt.date
    end: dt.date | None = None
    pk: int | None = None


@dataclass
class Plan:
    start: dt.date
    end: dt.date | None = None
    initial_category: str = ""
    latest_category: str = ""
    previous: int | None = 0
    reviews: list[dt.date] = field(default_factory=list)
    pk: int | None = None


@dataclass
class Episode:
    referral_date: dt.date
    source: str = "10"
    primary_need: str = ""
    closure_date: dt.date | None = None
    closure_reason: str = ""
    icpc: dt.date | None = None
    nfa: bool = False
    assessments: list[Assessment] = field(default_factory=list)
    cin_plans: list[CinPlan] = field(default_factory=list)
    s47s: list[S47] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    pk: int | None = None


@dataclass
class CensusChild:
    la_child_id: str
    sex: str = "U"
    ethnicity: str = "NOBT"
    upn: str = ""
    former_upn: str = ""
    upn_unknown: str = ""
    birth_date: dt.date | None = None
    expected_birth_date: dt.date | None = None
    death_date: dt.date | None = None
    disabilities: list[str] = field(default_factory=list)
    episodes: list[Episode] = field(default_factory=list)
    pk: int | None = None
    name: str = ""


@dataclass
class Census:
    period: CensusPeriod
    children: list[CensusChild]
    la_code: str = "000"


ICPC_KINDS = ("initial", "pre_birth")


def _upto(day: dt.date | None, limit: dt.date) -> dt.date | None:
    """A date as known on `limit`: a later one is not known yet."""
    return day if day is not None and day <= limit else None


def _episode_for(episodes: list[Episode], day: dt.date) -> Episode | None:
    """The episode open on `day` (the latest that started on or before it)."""
    starts = [e.referral_date for e in episodes]
    i = bisect_right(starts, day) - 1
    while i >= 0:
        ep = episodes[i]
        if ep.closure_date is None or day <= ep.closure_date:
            return ep
        i -= 1
    return None


# A child with no referral on record (a history from before the front door): their plans,
# child in need plans and S47 enquiries make one episode, its source "10" (unknown) and its
# primary need "N0" (not stated), RETURNS.md §2; closed when all of them have ended, with
# "RC7" (services ceased), on the last end date.
UNKNOWN_SOURCE = "10"
NEED_NOT_STATED = "N0"
SERVICES_CEASED = "RC7"


def census_children(children: QuerySet[Child], period: CensusPeriod) -> QuerySet[Child]:
    """Every child with an episode open at some time in the period: a referral open in it,
    or, for a child with no referral on record, a plan, child in need plan or S47 enquiry
    open in it."""
    return children.filter(_in_census_rule(period.reference_date, period.start)
                           ).order_by("la_child_id")


def _in_census_rule(ref: object, start: object, child: object = None) -> Q:
    """`census_children`'s rule; with `child`, each table's rows narrowed to that child's
    (the one child's question asks the indexes for a few rows, not the whole authority's)."""
    from cpcases.plans.models import ChildProtectionPlan
    from cpcases.plans.models import CinPlan as CinPlanRow
    from frontdoor.models import Referral
    from strategy.models import Section47Enquiry

    def of(model: type[Model]) -> QuerySet[Any]:
        rows = model._default_manager.all()
        return rows if child is None else rows.filter(child_id=child)

    open_in_period = of(Referral).filter(referral_date__lte=ref).exclude(
        closure_date__lt=start)
    unreferred = (
        Q(pk__in=of(ChildProtectionPlan).filter(started_on__lte=ref).exclude(
            ended_on__lt=start).values("child_id"))
        | Q(pk__in=of(CinPlanRow).filter(started_on__lte=ref).exclude(
            ended_on__lt=start).values("child_id"))
        | Q(pk__in=of(Section47Enquiry).filter(started_on__lte=ref).exclude(
            outcome_date__lt=start).values("child_id"))
    ) & ~Q(pk__in=of(Referral).filter(referral_date__lte=ref).values("child_id"))
    return Q(pk__in=open_in_period.values("child_id")) | unreferred


def _unreferred_episode(spans: list[tuple[dt.date, dt.date | None]], start: dt.date
                        ) -> Episode | None:
    """The episode of a child with no referral on record, from their activities (start,
    end or None while open) that were open in the period."""
    spans = [(s, e) for s, e in spans if e is None or e >= start]
    if not spans:
        return None
    ends = [e for _, e in spans]
    closed = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
    return Episode(referral_date=min(s for s, _ in spans), source=UNKNOWN_SOURCE,
                   primary_need=NEED_NOT_STATED, closure_date=closed,
                   closure_reason=SERVICES_CEASED if closed else "")


Progress = Callable[[int, int], None]
# Children linked per round of queries: bounds the id lists sent to PostgreSQL and lets a
# background export report its progress (issue 16 point 5).
CHUNK = 500


def build_census(children: QuerySet[Child], period: CensusPeriod, *, select: bool = True,
                 progress: Progress | None = None, chunk: int | None = None) -> Census:
    """The census for these children (already scoped to the user) in a fixed number of
    queries per `chunk` children, whatever the caseload. `select=False` takes the children
    as given, with or without an episode in the period (one child's DfE API record).
    `progress(done, total)` is called with the children done after each chunk."""
    rows = list(census_children(children, period) if select
                else children.order_by("la_child_id"))
    chunk = max(chunk or CHUNK, 1)
    out: list[CensusChild] = []
    if progress is not None:
        progress(0, len(rows))
    for i in range(0, len(rows), chunk):
        out.extend(_build_children(rows[i:i + chunk], period))
        if progress is not None:
            progress(len(out), len(rows))
    return Census(period=period, children=out,
                  la_code=getattr(settings, "RETURNS_LA_CODE", "000"))


def in_census(child_id: int, period: CensusPeriod) -> bool:
    """Whether `census_children` selects the child: its rule asked of that child alone, its
    SQL compiled once per process; every call asks afresh."""
    return _in_census(child_id, period)[0]


def _in_census(child_id: int, period: CensusPeriod) -> tuple[bool, dt.date | None]:
    """`in_census`, and the child's reported death's date when they are in the census (the
    census reads it anyway)."""
    found = _one_child("in_census", _in_census_query, child_id, period)
    return (True, found[0].reported_death) if found else (False, None)


def _in_census_query(child: object, ref: object, start: object) -> QuerySet[Child]:
    from lifeevents.models import ChildDeath

    # One death a child (a one-to-one): its date, or NULL.
    return Child.objects.filter(pk=child).filter(_in_census_rule(ref, start, child)).annotate(
        reported_death=Subquery(ChildDeath.objects.filter(child_id=OuterRef("pk"))
                                .values("died_on"))).only("pk").order_by()


# One child's census reads (the census-checks tab, a one-child DfE record) run SQL compiled
# once per process (cpcases.core.compiled), the child and the period's dates as markers:
# compiling its queries through the ORM cost more than running them (issue 13 §2).
_MARKERS: dict[str, object] = {"child": ROW_ID, "ref": TODAY, "start": WEEK_END}


def _one_child(key: str, build: Callable[[Any, Any, Any], QuerySet[Any]], child_id: int,
               period: CensusPeriod) -> list[Any]:
    """`build(child_id, reference date, start)`'s model instances or values_list() tuples."""
    query = cached(("census", key), lambda: compile_once(build(*_MARKERS.values()), _MARKERS))
    values = {"child": child_id, "ref": period.reference_date, "start": period.start}
    return query.rows(values) if query.plain else query.instances(values)


def _read(key: str, build: Callable[[Any, Any, Any], QuerySet[Any]], ids: list[int],
          period: CensusPeriod) -> list[Any]:
    """`build(ids, reference date, start)`'s rows; for one child through `_one_child`
    (`build` filters `child_id__in=[child]`: one SQL answers for any one child)."""
    if len(ids) == 1:
        return _one_child(key, lambda child, ref, start: build([child], ref, start), ids[0],
                          period)
    return list(build(ids, period.reference_date, period.start))


@dataclass
class Reads:
    """What the census reads of some children, beside the children themselves: each list in
    the order the census links it. Rows are model instances (many children, `_read_rows`) or
    plain rows with the same attributes (one child's tab, returns.census_one)."""

    referrals: list[Any]  # pk, child_id, referral_date, source, primary_need, ...
    assessments: list[Any]  # pk, referral_id, started_on, authorised_at, factors
    conferences: list[tuple[int, str, dt.date]]  # held: (child_id, kind, date) by date
    enquiries: list[Any]  # pk, child_id, started_on, outcome, outcome_date
    targets: dict[int, dt.date]  # an enquiry's ICPC due date, by the enquiry's pk
    plans: list[Any]  # pk, child_id, started_on, ended_on, category, previous_plans
    cin_plans: list[Any]  # pk, child_id, started_on, ended_on
    first_category: dict[int, str]  # a plan's first category, by the plan's pk


def _build_children(rows: list[Child], period: CensusPeriod, *,
                    deaths: dict[int, dt.date] | None = None) -> list[CensusChild]:
    """`deaths`: the children's reported deaths' dates, when the caller has read them."""
    from lifeevents.models import ChildDeath

    ids = [c.pk for c in rows]
    # PersonDeathDate: the record's date of death, else the death reported (lifeevents).
    if deaths is None:
        deaths = dict(ChildDeath.objects.filter(child_id__in=ids).values_list("child_id",
                                                                              "died_on"))
    return _linked(rows, period, _read_rows(ids, period), deaths)


def _read_rows(ids: list[int], period: CensusPeriod) -> Reads:
    """The census's reads of these children, a fixed number of queries whatever their
    number (one child's through SQL compiled once, `_read`)."""
    from conferences.models import Conference, ConferenceStatus
    from cpcases.plans.models import ChildProtectionPlan, ChildProtectionPlanEvent
    from cpcases.plans.models import CinPlan as CinPlanRow
    from deadlines.models import Deadline
    from frontdoor.models import Assessment as AssessmentRow
    from frontdoor.models import Referral
    from strategy.models import Section47Enquiry

    ref = period.reference_date
    referrals = _read("referrals", lambda ids, ref, start: Referral.objects.filter(
        child_id__in=ids, referral_date__lte=ref).order_by("referral_date", "id"), ids, period)
    assessments = list(AssessmentRow.objects.filter(
        referral_id__in=[r.pk for r in referrals], started_on__lte=ref)) if referrals else []
    through = Conference.children.through
    conferences = _read("conferences", lambda ids, ref, start: (
        through.objects.filter(
            child_id__in=ids, conference__status=ConferenceStatus.HELD,
            conference__date__lte=ref).values_list(
            "child_id", "conference__kind", "conference__date")
        .order_by("conference__date")), ids, period)
    enquiries = _read("enquiries", lambda ids, ref, start: Section47Enquiry.objects.filter(
        child_id__in=ids, started_on__lte=ref).order_by("started_on", "id"), ids, period)
    # The enquiries' ICPC targets: none to ask for without an enquiry (issue 13 §2).
    s47_type = ContentType.objects.get_for_model(Section47Enquiry)
    targets = dict(_read("icpc_targets", lambda ids, ref, start: Deadline.objects.filter(
        child_id__in=ids, rule_id="icpc", content_type=s47_type).order_by(
        "created_at").values_list("object_id", "due_date"), ids, period)) if enquiries else {}
    plans = _read("plans", lambda ids, ref, start: ChildProtectionPlan.objects.filter(
        child_id__in=ids, started_on__lte=ref).order_by("started_on", "id"), ids, period)
    cin_plans = _read("cin_plans", lambda ids, ref, start: CinPlanRow.objects.filter(
        child_id__in=ids, started_on__lte=ref).order_by("started_on", "id"), ids, period)
    # Each plan's first category: none to ask for without a plan (issue 13 §2).
    first_category = dict(_read("first_categories", lambda ids, ref, start: (
        ChildProtectionPlanEvent.objects.filter(pgh_obj__child_id__in=ids)
        .order_by("pgh_obj_id", "-pgh_id").values_list("pgh_obj_id", "category")),
        ids, period)) if plans else {}
    return Reads(referrals=referrals, assessments=assessments, conferences=conferences,
                 enquiries=enquiries, targets=targets, plans=plans, cin_plans=cin_plans,
                 first_category=first_category)


def _linked(rows: list[Child], period: CensusPeriod, reads: Reads,
            deaths: dict[int, dt.date]) -> list[CensusChild]:
    """The census's children, their reads linked as the DfE specification does (the
    module's docstring)."""
    from strategy.models import S47Outcome

    ref, start = period.reference_date, period.start
    ids = [c.pk for c in rows]
    by_child: dict[int, CensusChild] = {}
    episodes: dict[int, list[Episode]] = defaultdict(list)
    by_referral: dict[int, Episode] = {}
    for c in rows:
        by_child[c.pk] = CensusChild(
            la_child_id=c.la_child_id, sex=c.sex, ethnicity=c.ethnicity, upn=c.upn,
            former_upn=c.former_upn, upn_unknown=c.upn_unknown_reason,
            birth_date=None if c.is_unborn else _upto(c.date_of_birth, ref),
            expected_birth_date=c.expected_delivery_date if c.is_unborn else None,
            death_date=_upto(c.date_of_death or deaths.get(c.pk), ref),
            disabilities=list(c.disabilities),
            pk=c.pk, name="" if c.is_restricted else c.display_name)
    for r in reads.referrals:
        closed = _upto(r.closure_date, ref)
        ep = Episode(referral_date=r.referral_date, source=r.source,
                     primary_need=r.primary_need, closure_date=closed,
                     closure_reason=r.closure_reason if closed else "",
                     nfa=r.no_further_action, pk=r.pk)
        episodes[r.child_id].append(ep)
        by_referral[r.pk] = ep
    for a in reads.assessments:
        authorised = _upto(timezone.localdate(a.authorised_at) if a.authorised_at else None,
                           ref)
        if authorised is not None and authorised < start:
            continue  # finished before the period
        by_referral[a.referral_id].assessments.append(Assessment(
            start=a.started_on, authorised=authorised, factors=list(a.factors), pk=a.pk))
    # Initial conferences held, by child, in date order.
    icpcs: dict[int, list[dt.date]] = defaultdict(list)
    reviews: dict[int, list[dt.date]] = defaultdict(list)
    for child_id, kind, day in reads.conferences:
        if kind in ICPC_KINDS:
            icpcs[child_id].append(day)
        elif kind == "review":
            reviews[child_id].append(day)
    enquiries: dict[int, list[Any]] = defaultdict(list)
    for e in reads.enquiries:
        enquiries[e.child_id].append(e)
    targets, plans, cin_plans = reads.targets, reads.plans, reads.cin_plans
    # No referral on record: one episode from the child's activities (UNKNOWN_SOURCE).
    spans: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for e in (e for found in enquiries.values() for e in found):
        spans[e.child_id].append((e.started_on, _upto(e.outcome_date, ref) if e.outcome
                                  else None))
    for row in (*plans, *cin_plans):
        spans[row.child_id].append((row.started_on, _upto(row.ended_on, ref)))
    for child_id in ids:
        if not episodes[child_id]:
            made = _unreferred_episode(spans.get(child_id, []), start)
            if made is not None:
                episodes[child_id].append(made)
    matched: dict[int, set[dt.date]] = defaultdict(set)
    for child_id, found in enquiries.items():
        for i, e in enumerate(found):
            until = found[i + 1].started_on if i + 1 < len(found) else None
            icpc = next((d for d in icpcs.get(child_id, []) if d >= e.started_on
                         and (until is None or d < until)), None)
            if icpc is not None:
                matched[child_id].add(icpc)
            not_required = (e.outcome == S47Outcome.NOT_SUBSTANTIATED
                            and e.outcome_date is not None and e.outcome_date <= ref)
            if not (period.contains(e.started_on) or period.contains(icpc)
                    or (icpc is None and not_required is False)):
                continue  # concluded before the period
            ep = _episode_for(episodes[child_id], e.started_on)
            if ep is not None:
                ep.s47s.append(S47(start=e.started_on, target=targets.get(e.pk), icpc=icpc,
                                   not_required=not_required and icpc is None, pk=e.pk,
                                   ended=_upto(e.outcome_date, ref) if e.outcome else None))
    for child_id, days in icpcs.items():
        for day in days:
            ep = _episode_for(episodes[child_id], day)
            if day not in matched[child_id] and period.contains(day) and ep is not None \
                    and not ep.s47s and ep.icpc is None:
                ep.icpc = day
    first_category = reads.first_category
    earlier: dict[int, list[dt.date]] = defaultdict(list)
    for p in plans:
        earlier[p.child_id].append(p.started_on)
        end = _upto(p.ended_on, ref)
        if end is not None and end < start:
            continue
        ep = _episode_for(episodes[p.child_id], p.started_on)
        if ep is None:
            continue
        before = sum(1 for d in earlier[p.child_id] if d < p.started_on)
        ep.plans.append(Plan(
            start=p.started_on, end=end,
            initial_category=first_category.get(p.pk, p.category), latest_category=p.category,
            previous=max(before, p.previous_plans),
            reviews=[d for d in reviews.get(p.child_id, [])
                     if p.started_on < d <= (end or ref) and d >= start], pk=p.pk))
    for cp in cin_plans:
        end = _upto(cp.ended_on, ref)
        if end is not None and end < start:
            continue
        ep = _episode_for(episodes[cp.child_id], cp.started_on)
        if ep is not None:
            ep.cin_plans.append(CinPlan(start=cp.started_on, end=end, pk=cp.pk))
    children_out = []
    for c in rows:
        child = by_child[c.pk]
        child.episodes = [ep for ep in episodes[c.pk] if ep.closure_date is None
                          or ep.closure_date >= start]
        children_out.append(child)
    return children_out


# --- XML --------------------------------------------------------------------------------


def _d(day: dt.date) -> str:
    return day.isoformat()


def _sub(parent: ET.Element, tag: str, text: object | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = text if isinstance(text, str) else _d(text)  # type: ignore[arg-type]
    return el


def _opt(parent: ET.Element, tag: str, value: object | None) -> None:
    if value not in (None, ""):
        _sub(parent, tag, value)


def _episode_xml(parent: ET.Element, ep: Episode) -> None:
    el = _sub(parent, "CINdetails")
    _sub(el, "CINreferralDate", ep.referral_date)
    _sub(el, "ReferralSource", ep.source)
    _opt(el, "PrimaryNeedCode", ep.primary_need)
    _opt(el, "CINclosureDate", ep.closure_date)
    _opt(el, "ReasonForClosure", ep.closure_reason)
    _opt(el, "DateOfInitialCPC", ep.icpc)
    for a in ep.assessments:
        a_el = _sub(el, "Assessments")
        _sub(a_el, "AssessmentActualStartDate", a.start)
        _opt(a_el, "AssessmentAuthorisationDate", a.authorised)
        if a.factors:
            f_el = _sub(a_el, "FactorsIdentifiedAtAssessment")
            for code in a.factors:
                _sub(f_el, "AssessmentFactors", code)
    for cp in ep.cin_plans:
        c_el = _sub(el, "CINPlanDates")
        _sub(c_el, "CINPlanStartDate", cp.start)
        _opt(c_el, "CINPlanEndDate", cp.end)
    for s in ep.s47s:
        s_el = _sub(el, "Section47")
        _sub(s_el, "S47ActualStartDate", s.start)
        _opt(s_el, "InitialCPCtarget", s.target)
        _opt(s_el, "DateOfInitialCPC", s.icpc)
        _sub(s_el, "ICPCnotRequired", "1" if s.not_required else "0")  # emitted strictly
    _sub(el, "ReferralNFA", "true" if ep.nfa else "false")
    for p in ep.plans:
        p_el = _sub(el, "ChildProtectionPlans")
        _sub(p_el, "CPPstartDate", p.start)
        _opt(p_el, "CPPendDate", p.end)
        _sub(p_el, "InitialCategoryOfAbuse", p.initial_category)
        _sub(p_el, "LatestCategoryOfAbuse", p.latest_category)
        _sub(p_el, "NumberOfPreviousCPP", str(p.previous or 0))
        if p.reviews:
            r_el = _sub(p_el, "Reviews")
            for day in p.reviews:
                _sub(r_el, "CPPreviewDate", day)


def to_xml(census: Census, *, now: dt.datetime | None = None) -> bytes:
    """The Message, elements in the schema's order, dates yyyy-mm-dd."""
    root = ET.Element("Message")
    header = _sub(root, "Header")
    details = _sub(header, "CollectionDetails")
    _sub(details, "Collection", "CIN")
    _sub(details, "Year", str(census.period.year))
    _sub(details, "ReferenceDate", census.period.reference_date)
    source = _sub(header, "Source")
    _sub(source, "SourceLevel", "L")
    _sub(source, "LEA", census.la_code)
    _sub(source, "SoftwareCode", "cpcases")
    _sub(source, "Release", "1")
    _sub(source, "SerialNo", "001")
    _sub(source, "DateTime", (now or timezone.localtime()).replace(microsecond=0)
         .strftime("%Y-%m-%dT%H:%M:%S"))
    children_el = _sub(root, "Children")
    for child in census.children:
        c_el = _sub(children_el, "Child")
        ids = _sub(c_el, "ChildIdentifiers")
        _sub(ids, "LAchildID", child.la_child_id)
        _opt(ids, "UPN", child.upn)
        _opt(ids, "FormerUPN", child.former_upn)
        _opt(ids, "UPNunknown", child.upn_unknown)
        _opt(ids, "PersonBirthDate", child.birth_date)
        _opt(ids, "ExpectedPersonBirthDate", child.expected_birth_date)
        _sub(ids, "Sex", child.sex)
        _opt(ids, "PersonDeathDate", child.death_date)
        chars = _sub(c_el, "ChildCharacteristics")
        _sub(chars, "Ethnicity", child.ethnicity)
        if child.disabilities:
            dis = _sub(chars, "Disabilities")
            for code in child.disabilities:
                _sub(dis, "Disability", code)
        for ep in child.episodes:
            _episode_xml(c_el, ep)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def child_ids(census: Census) -> Iterable[int]:
    return [c.pk for c in census.children if c.pk is not None]
