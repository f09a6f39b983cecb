"""The DfE Children in Need census validation rules cpcases checks before the return is sent
(RETURNS.md §3 and its "other entry checks"; rule numbers and severities are the DfE's:
"E" an error that stops the return, "Q" a query the authority must be able to explain).

Data-driven: each rule is one function over the built census (returns.census), registered
with its number, severity and a plain-English message. A failure names the child and the
record to correct (`target`: kind and id), so the readiness page can link to the page that
fixes it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from returns.census import S47, Census, CensusChild, Episode, Plan

CATEGORIES = {"NEG", "PHY", "SAB", "EMO", "MUL"}
# DfE rule 8675 (a census rule, not a case timescale): an S47 with no conference yet is
# queried when it started more than this many working days before the ReferenceDate.
RULE_8675_WORKING_DAYS = 15
CHILD_ID_MAX = 20  # rule 1570
RULE_8606_DAYS = 280  # DfE rule 8606: a referral at most 280 days before the (expected) birth
SCHOOL_AGE = (6, 17)  # DfE rule 8770: older than 5 and under 18 on the ReferenceDate


@dataclass(frozen=True)
class Failure:
    rule: str
    severity: str
    message: str
    child: CensusChild | None
    target: tuple[str, int | None]  # ("child"|"referral"|"s47"|"plan"|"cin_plan", pk)


@dataclass(frozen=True)
class Rule:
    number: str
    severity: str
    message: str
    check: Callable[[Census], Iterator[tuple[CensusChild | None, tuple[str, int | None]]]]

    def failures(self, census: Census) -> Iterator[Failure]:
        for child, target in self.check(census):
            yield Failure(self.number, self.severity, self.message, child, target)


RULES: list[Rule] = []
Hit = Iterator[tuple[CensusChild | None, tuple[str, int | None]]]


def rule(number: str, severity: str, message: str) -> Callable[[Callable[[Census], Hit]],
                                                                Callable[[Census], Hit]]:
    def register(fn: Callable[[Census], Hit]) -> Callable[[Census], Hit]:
        RULES.append(Rule(number, severity, message, fn))
        return fn
    return register


def check_census(census: Census) -> list[Failure]:
    return [f for r in RULES for f in r.failures(census)]


# --- walking the census -------------------------------------------------------------------

def _episodes(c: Census) -> Iterator[tuple[CensusChild, Episode]]:
    for child in c.children:
        for ep in child.episodes:
            yield child, ep


def _s47s(c: Census) -> Iterator[tuple[CensusChild, Episode, S47]]:
    for child, ep in _episodes(c):
        for s in ep.s47s:
            yield child, ep, s


def _plans(c: Census) -> Iterator[tuple[CensusChild, Episode, Plan]]:
    for child, ep in _episodes(c):
        for p in ep.plans:
            yield child, ep, p


def _weekend(day: dt.date) -> bool:
    return day.weekday() >= 5


def _awaiting(s: S47) -> bool:
    return s.icpc is None and not s.not_required


# --- child identifiers --------------------------------------------------------------------

@rule("8500", "E", "The child has no local authority child ID")
def r8500(c: Census) -> Hit:
    yield from ((ch, ("child", ch.pk)) for ch in c.children if not ch.la_child_id.strip())


@rule("1570", "E", "The local authority child ID is longer than 20 characters")
def r1570(c: Census) -> Hit:
    yield from ((ch, ("child", ch.pk)) for ch in c.children
                if len(ch.la_child_id) > CHILD_ID_MAX)


@rule("1580", "E", "The local authority child ID may only contain letters and numbers")
def r1580(c: Census) -> Hit:
    yield from ((ch, ("child", ch.pk)) for ch in c.children
                if ch.la_child_id
                and not (ch.la_child_id.isascii() and ch.la_child_id.isalnum()))


@rule("8510", "E", "Another child in the return has the same local authority child ID")
def r8510(c: Census) -> Hit:
    seen = Counter(ch.la_child_id for ch in c.children)
    yield from ((ch, ("child", ch.pk)) for ch in c.children if seen[ch.la_child_id] > 1)


@rule("8750", "E", "An unborn child's sex must be recorded as not known")
def r8750(c: Census) -> Hit:
    yield from ((ch, ("child", ch.pk)) for ch in c.children
                if ch.expected_birth_date and not ch.birth_date and ch.sex != "U")


@rule("4180", "E", "The child's sex must be recorded as male, female or not known")
def r4180(c: Census) -> Hit:
    yield from ((ch, ("child", ch.pk)) for ch in c.children if ch.sex not in ("M", "F", "U"))


@rule("8525", "Q", "Record either a date of birth or an expected date of birth, not both")
def r8525(c: Census) -> Hit:
    yield from ((ch, ("child", ch.pk)) for ch in c.children
                if bool(ch.birth_date) == bool(ch.expected_birth_date))


@rule("8790", "E", "'No disability' cannot be recorded with a disability")
def r8790(c: Census) -> Hit:
    yield from ((ch, ("child", ch.pk)) for ch in c.children
                if "NONE" in ch.disabilities and len(ch.disabilities) > 1)


@rule("8530", "Q", "The expected date of birth is outside March to December of the year the "
      "census ends")
def r8530(c: Census) -> Hit:
    first, last = dt.date(c.period.year, 3, 1), dt.date(c.period.year, 12, 31)
    yield from ((ch, ("child", ch.pk)) for ch in c.children
                if ch.expected_birth_date and not ch.birth_date
                and not first <= ch.expected_birth_date <= last)


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@rule("8770", "Q", "A child of school age should have a unique pupil number or a reason it "
      "is not known")
def r8770(c: Census) -> Hit:
    yield from ((ch, ("child", ch.pk)) for ch in c.children
                if ch.birth_date and SCHOOL_AGE[0] <= _age(ch.birth_date,
                                                           c.period.reference_date)
                <= SCHOOL_AGE[1] and not ch.upn.strip() and not ch.upn_unknown)


# --- episodes ------------------------------------------------------------------------------

@rule("8606", "E", "The referral is more than 280 days before the child's date of birth or "
      "expected date of birth")
def r8606(c: Census) -> Hit:
    for ch, ep in _episodes(c):
        born = ch.birth_date or ch.expected_birth_date
        if born and ep.referral_date < born - dt.timedelta(days=RULE_8606_DAYS):
            yield ch, ("referral", ep.pk)


@rule("8569", "Q", "A referral with no further action is dated long before the census year")
def r8569(c: Census) -> Hit:
    from deadlines.calendar import calendar_with_closures

    earliest = calendar_with_closures().add_working_days(c.period.start, -1)
    yield from ((ch, ("referral", ep.pk)) for ch, ep in _episodes(c)
                if ep.nfa and ep.referral_date < earliest)


def _open_episodes(ch: CensusChild) -> list[Episode]:
    return [ep for ep in ch.episodes if ep.closure_date is None and not ep.nfa]


@rule("8815", "E", "The child has more than one open referral")
def r8815(c: Census) -> Hit:
    for ch in c.children:
        if len(_open_episodes(ch)) > 1:
            yield ch, ("referral", _open_episodes(ch)[-1].pk)


@rule("8816", "E", "An open referral must be the child's latest referral")
def r8816(c: Census) -> Hit:
    for ch in c.children:
        latest = max((ep.referral_date for ep in ch.episodes), default=None)
        for ep in _open_episodes(ch):
            if ep.referral_date < latest:  # type: ignore[operator]
                yield ch, ("referral", ep.pk)
                break


@rule("8820", "E", "The referral starts before the child's previous referral was closed")
def r8820(c: Census) -> Hit:
    for ch in c.children:
        eps = sorted(ch.episodes, key=lambda e: e.referral_date)
        for i, ep in enumerate(eps):
            if any(o.closure_date and o.referral_date <= ep.referral_date < o.closure_date
                   for o in eps[:i]):
                yield ch, ("referral", ep.pk)


@rule("8610", "E", "The referral needs a primary need unless it led to no further action")
def r8610(c: Census) -> Hit:
    yield from ((ch, ("referral", ep.pk)) for ch, ep in _episodes(c)
                if not ep.nfa and not ep.primary_need)


@rule("8805", "E", "A closed case needs a reason for closure")
def r8805(c: Census) -> Hit:
    yield from ((ch, ("referral", ep.pk)) for ch, ep in _episodes(c)
                if ep.closure_date and not ep.closure_reason)


@rule("8810", "E", "A reason for closure needs a closure date")
def r8810(c: Census) -> Hit:
    yield from ((ch, ("referral", ep.pk)) for ch, ep in _episodes(c)
                if ep.closure_reason and not ep.closure_date)


@rule("2991", "Q", "A Section 47 enquiry was recorded but no assessment in the same referral")
def r2991(c: Census) -> Hit:
    yield from ((ch, ("referral", ep.pk)) for ch, ep in _episodes(c)
                if ep.s47s and not ep.assessments)


@rule("2884", "E", "The same initial conference is recorded for the referral and for its "
      "Section 47 enquiry")
def r2884(c: Census) -> Hit:
    yield from ((ch, ("referral", ep.pk)) for ch, ep in _episodes(c)
                if ep.icpc and any(s.icpc == ep.icpc for s in ep.s47s))


@rule("8832", "E", "A referral with no further action cannot have a child protection plan")
def r8832(c: Census) -> Hit:
    yield from ((ch, ("referral", ep.pk)) for ch, ep in _episodes(c) if ep.nfa and ep.plans)


@rule("8831", "E", "A referral with no further action cannot have an assessment, Section 47 "
      "enquiry or initial conference")
def r8831(c: Census) -> Hit:
    yield from ((ch, ("referral", ep.pk)) for ch, ep in _episodes(c)
                if ep.nfa and (ep.assessments or ep.s47s or ep.icpc))


@rule("2990", "E", "A case closed after assessment cannot have a Section 47 enquiry, "
      "conference, child protection plan or child in need plan")
def r2990(c: Census) -> Hit:
    yield from ((ch, ("referral", ep.pk)) for ch, ep in _episodes(c)
                if ep.closure_reason in ("RC8", "RC9")
                and (ep.s47s or ep.plans or ep.icpc or ep.cin_plans))


@rule("8565", "E", "The case was closed before some of its work was done")
def r8565(c: Census) -> Hit:
    for ch, ep in _episodes(c):
        if ep.closure_date is None:
            continue
        dates = [ep.icpc]
        for a in ep.assessments:
            dates += [a.start, a.authorised]
        for s in ep.s47s:
            dates += [s.start, s.icpc]
        for p in ep.plans:
            dates += [p.start, p.end]
        for cp in ep.cin_plans:
            dates += [cp.start, cp.end]
        if any(d is not None and d > ep.closure_date for d in dates):
            yield ch, ("referral", ep.pk)


@rule("8868", "E", "The case was closed while a Section 47 enquiry still awaits its initial "
      "conference or a decision that none is needed")
def r8868(c: Census) -> Hit:
    yield from ((ch, ("s47", s.pk)) for ch, ep, s in _s47s(c)
                if ep.closure_date and _awaiting(s))


@rule("8839", "E", "Only one Section 47 enquiry in a referral may still await its conference")
def r8839(c: Census) -> Hit:
    for ch, ep in _episodes(c):
        waiting = [s for s in ep.s47s if _awaiting(s)]
        if len(waiting) > 1:
            yield ch, ("s47", waiting[-1].pk)


# --- Section 47 enquiries and initial conferences ------------------------------------------

@rule("2889", "E", "The Section 47 enquiry started before the referral")
def r2889(c: Census) -> Hit:
    yield from ((ch, ("s47", s.pk)) for ch, ep, s in _s47s(c) if s.start < ep.referral_date)


@rule("8615", "E", "The initial conference is dated before its Section 47 enquiry started")
def r8615(c: Census) -> Hit:
    yield from ((ch, ("s47", s.pk)) for ch, ep, s in _s47s(c) if s.icpc and s.start > s.icpc)


@rule("1104", "E", "The initial conference is dated before the referral")
def r1104(c: Census) -> Hit:
    yield from ((ch, ("s47", s.pk)) for ch, ep, s in _s47s(c)
                if s.icpc and s.icpc < ep.referral_date)


@rule("8715", "E", "The initial conference is outside the census year")
def r8715(c: Census) -> Hit:
    yield from ((ch, ("s47", s.pk)) for ch, ep, s in _s47s(c)
                if s.icpc and not c.period.contains(s.icpc))


@rule("8875", "E", "The initial conference is recorded on a Saturday or Sunday")
def r8875(c: Census) -> Hit:
    yield from ((ch, ("s47", s.pk)) for ch, ep, s in _s47s(c) if s.icpc and _weekend(s.icpc))


@rule("8870", "Q", "The initial conference target date falls on a Saturday or Sunday")
def r8870(c: Census) -> Hit:
    yield from ((ch, ("s47", s.pk)) for ch, ep, s in _s47s(c)
                if s.target and _weekend(s.target))


@rule("8675", "Q", "The Section 47 enquiry started long before the end of the year and has "
      "no initial conference or decision that none is needed")
def r8675(c: Census) -> Hit:
    from deadlines.calendar import calendar_with_closures

    latest = calendar_with_closures().add_working_days(c.period.reference_date,
                                                       -RULE_8675_WORKING_DAYS)
    yield from ((ch, ("s47", s.pk)) for ch, ep, s in _s47s(c)
                if _awaiting(s) and s.start < latest)


@rule("8740", "E", "A Section 47 enquiry still awaiting its conference started outside the "
      "census year")
def r8740(c: Census) -> Hit:
    yield from ((ch, ("s47", s.pk)) for ch, ep, s in _s47s(c)
                if _awaiting(s) and not c.period.contains(s.start))


@rule("8890", "E", "A Section 47 enquiry started while another was still under way")
def r8890(c: Census) -> Hit:
    for ch, ep in _episodes(c):
        for i, s in enumerate(ep.s47s):
            for o in ep.s47s[:i]:
                if o.start <= s.start and (o.icpc is None or s.start < o.icpc):
                    yield ch, ("s47", s.pk)
                    break


# --- child protection plans ----------------------------------------------------------------

@rule("2883", "E", "More child protection plans started in the year than initial conferences "
      "were held")
def r2883(c: Census) -> Hit:
    plans = sum(1 for _, _, p in _plans(c) if c.period.contains(p.start))
    icpcs = sum(1 for _, ep in _episodes(c) if c.period.contains(ep.icpc)) + sum(
        1 for _, _, s in _s47s(c) if c.period.contains(s.icpc))
    if plans > icpcs:
        yield None, ("return", None)


@rule("2885", "E", "The child protection plan does not start on the day of an initial "
      "conference in the same referral")
def r2885(c: Census) -> Hit:
    for ch, ep, p in _plans(c):
        if c.period.contains(p.start):
            days = {s.icpc for s in ep.s47s if s.icpc} or {ep.icpc}
            if p.start not in days:
                yield ch, ("plan", p.pk)


@rule("1105", "E", "The child protection plan started before the referral")
def r1105(c: Census) -> Hit:
    yield from ((ch, ("plan", p.pk)) for ch, ep, p in _plans(c) if p.start < ep.referral_date)


@rule("8720", "E", "The child protection plan starts after the end of the census year")
def r8720(c: Census) -> Hit:
    yield from ((ch, ("plan", p.pk)) for ch, ep, p in _plans(c)
                if p.start > c.period.reference_date)


@rule("8925", "E", "The child protection plan ends before it started")
def r8925(c: Census) -> Hit:
    yield from ((ch, ("plan", p.pk)) for ch, ep, p in _plans(c) if p.end and p.end < p.start)


@rule("8840", "E", "The child protection plan ends on the day it started")
def r8840(c: Census) -> Hit:
    yield from ((ch, ("plan", p.pk)) for ch, ep, p in _plans(c) if p.end == p.start)


@rule("8930", "E", "The child protection plan's end date is outside the census year")
def r8930(c: Census) -> Hit:
    yield from ((ch, ("plan", p.pk)) for ch, ep, p in _plans(c)
                if p.end and not c.period.contains(p.end))


@rule("8935", "E", "The child has more than one child protection plan open")
def r8935(c: Census) -> Hit:
    for ch in c.children:
        open_plans = [p for ep in ch.episodes for p in ep.plans if p.end is None]
        if len(open_plans) > 1:
            yield ch, ("plan", open_plans[-1].pk)


@rule("8940", "E", "A child protection plan started while another was still open")
def r8940(c: Census) -> Hit:
    for ch in c.children:
        plans = sorted((p for ep in ch.episodes for p in ep.plans), key=lambda p: p.start)
        for i, p in enumerate(plans):
            if any(o.start <= p.start < (o.end or c.period.reference_date + dt.timedelta(1))
                   for o in plans[:i]):
                yield ch, ("plan", p.pk)


@rule("8905", "E", "The initial category of abuse is missing or not a census category")
def r8905(c: Census) -> Hit:
    yield from ((ch, ("plan", p.pk)) for ch, ep, p in _plans(c)
                if p.initial_category not in CATEGORIES)


@rule("8910", "E", "The latest category of abuse is missing or not a census category")
def r8910(c: Census) -> Hit:
    yield from ((ch, ("plan", p.pk)) for ch, ep, p in _plans(c)
                if p.latest_category not in CATEGORIES)


@rule("8730", "E", "The number of previous child protection plans is missing")
def r8730(c: Census) -> Hit:
    yield from ((ch, ("plan", p.pk)) for ch, ep, p in _plans(c)
                if p.previous is None or p.previous < 0)


@rule("8841", "E", "A review conference is dated on or before the plan started")
def r8841(c: Census) -> Hit:
    yield from ((ch, ("plan", p.pk)) for ch, ep, p in _plans(c)
                if any(d <= p.start for d in p.reviews))


@rule("8842", "Q", "A review of the plan has no date")
def r8842(c: Census) -> Hit:
    yield from ((ch, ("plan", p.pk)) for ch, ep, p in _plans(c)
                if any(d is None for d in p.reviews))


@rule("8915", "E", "The child protection plan starts after the child's death")
def r8915(c: Census) -> Hit:
    yield from ((ch, ("plan", p.pk)) for ch, ep, p in _plans(c)
                if ch.death_date and p.start > ch.death_date)


@rule("8920", "E", "The child protection plan ends after the child's death")
def r8920(c: Census) -> Hit:
    yield from ((ch, ("plan", p.pk)) for ch, ep, p in _plans(c)
                if ch.death_date and p.end and p.end > ch.death_date)


# --- child in need plans beside child protection plans --------------------------------------

@rule("4001", "E", "A child in need plan and a child protection plan are both open")
def r4001(c: Census) -> Hit:
    for ch, ep in _episodes(c):
        if any(p.end is None for p in ep.plans) and any(cp.end is None for cp in ep.cin_plans):
            yield ch, ("cin_plan", next(cp.pk for cp in ep.cin_plans if cp.end is None))


@rule("4016", "E", "A child in need plan started while a child protection plan was open")
def r4016(c: Census) -> Hit:
    for ch, ep in _episodes(c):
        for cp in ep.cin_plans:
            if any(p.start <= cp.start < (p.end or dt.date.max) for p in ep.plans):
                yield ch, ("cin_plan", cp.pk)


@rule("4017", "E", "A child protection plan started while a child in need plan was open")
def r4017(c: Census) -> Hit:
    for ch, ep in _episodes(c):
        for p in ep.plans:
            if any(cp.start <= p.start < (cp.end or dt.date.max) for cp in ep.cin_plans):
                yield ch, ("plan", p.pk)


@rule("4003", "E", "A child protection review is dated while a child in need plan was open")
def r4003(c: Census) -> Hit:
    for ch, ep in _episodes(c):
        for p in ep.plans:
            for d in p.reviews:
                if d != p.end and any(cp.start <= d < (cp.end or dt.date.max)
                                      for cp in ep.cin_plans):
                    yield ch, ("plan", p.pk)
                    break
