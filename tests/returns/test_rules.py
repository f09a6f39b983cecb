"""Every census rule of RETURNS.md §3 (and the identifier checks) has a failing and a passing
case: a census that passes every rule, and for each rule one change that breaks it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from returns.census import S47, Assessment, Census, CensusChild, CinPlan, Episode, Plan
from returns.periods import census_period
from returns.rules import RULES, check_census

D = dt.date.fromisoformat


def clean_census() -> Census:
    """Two children of the 2025-26 year: one on a plan after an S47 and initial conference;
    one whose S47 was not substantiated, with a child in need plan, closed."""
    on_plan = Episode(
        referral_date=D("2025-05-01"), source="6", primary_need="N1", pk=10,
        assessments=[Assessment(D("2025-05-02"), D("2025-06-01"), ["16A"], pk=11)],
        s47s=[S47(D("2025-05-05"), target=D("2025-05-27"), icpc=D("2025-05-22"), pk=20)],
        plans=[Plan(D("2025-05-22"), None, "NEG", "NEG", 0, [D("2025-08-21")], pk=30)])
    closed = Episode(
        referral_date=D("2025-09-01"), source="2A", primary_need="N4",
        closure_date=D("2025-10-10"), closure_reason="RC7", pk=40,
        assessments=[Assessment(D("2025-09-01"), D("2025-09-20"), ["4B"], pk=41)],
        s47s=[S47(D("2025-09-01"), target=D("2025-09-22"), not_required=True, pk=42)],
        cin_plans=[CinPlan(D("2025-09-22"), D("2025-10-10"), pk=43)])
    return Census(census_period(2026, today=D("2026-12-03")), [
        CensusChild("A1", sex="F", birth_date=D("2015-01-01"), disabilities=["NONE"],
                    upn="K999000125001", episodes=[on_plan], pk=1, name="Amy"),
        CensusChild("B2", sex="M", birth_date=D("2012-03-04"), upn_unknown="UN5",
                    episodes=[closed], pk=2, name="Ben")])


Change = Callable[[Census], None]


def _a(c: Census) -> CensusChild:
    return c.children[0]


def _ep(c: Census) -> Episode:
    return c.children[0].episodes[0]


def _closed(c: Census) -> Episode:
    return c.children[1].episodes[0]


def _s47(c: Census) -> S47:
    return _ep(c).s47s[0]


def _plan(c: Census) -> Plan:
    return _ep(c).plans[0]


def _set(get: Callable[[Census], object], **values: object) -> Change:
    def change(c: Census) -> None:
        target = get(c)
        for name, value in values.items():
            setattr(target, name, value)
    return change


def _both(*changes: Change) -> Change:
    def change(c: Census) -> None:
        for ch in changes:
            ch(c)
    return change


BREAKS: dict[str, Change] = {
    "8530": _set(_a, birth_date=None, expected_birth_date=D("2025-12-01")),
    "8770": _set(_a, upn=""),
    "8606": _set(_a, birth_date=D("2026-03-01")),
    "8569": _set(_closed, nfa=True, referral_date=D("2025-03-01")),
    "8815": lambda c: _a(c).episodes.append(Episode(D("2025-06-01"), pk=99)),
    "8816": lambda c: _a(c).episodes.append(Episode(D("2025-06-01"), closure_date=D(
        "2025-06-02"), closure_reason="RC1", pk=99)),
    "8820": lambda c: c.children[1].episodes.append(Episode(D("2025-09-05"), closure_date=D(
        "2025-09-06"), closure_reason="RC1", pk=98)),
    "8500": _set(_a, la_child_id=""),
    "1570": _set(_a, la_child_id="A" * 21),
    "1580": _set(_a, la_child_id="A-1"),
    "8510": _set(lambda c: c.children[1], la_child_id="A1"),
    "8750": _set(_a, birth_date=None, expected_birth_date=D("2026-05-01")),
    "4180": _set(_a, sex="X"),
    "8525": _set(_a, expected_birth_date=D("2015-01-01")),
    "8790": _set(_a, disabilities=["NONE", "MOB"]),
    "8610": _set(_ep, primary_need=""),
    "8805": _set(_closed, closure_reason=""),
    "8810": _set(_ep, closure_reason="RC7"),
    "2991": _set(_ep, assessments=[]),
    "2884": _set(_ep, icpc=D("2025-05-22")),
    "8832": _set(_ep, nfa=True),
    "8831": _set(_ep, nfa=True),
    "2990": _set(_closed, closure_reason="RC8"),
    "8565": _set(_closed, closure_date=D("2025-09-10")),
    "8868": _set(lambda c: _closed(c).s47s[0], not_required=False),
    "8839": lambda c: _ep(c).s47s.extend([S47(D("2025-06-02")), S47(D("2025-07-01"))]),
    "2889": _set(_s47, start=D("2025-04-20")),
    "8615": _set(_s47, start=D("2025-05-23")),
    "1104": _set(_s47, icpc=D("2025-04-24")),
    "8715": _set(_s47, icpc=D("2026-04-02")),
    "8875": _set(_s47, icpc=D("2025-05-24")),
    "8870": _set(_s47, target=D("2025-05-25")),
    "8675": _set(_s47, icpc=None),
    "8740": _both(_set(_ep, referral_date=D("2025-01-02")),
                  _set(_s47, start=D("2025-03-03"), icpc=None)),
    "8890": lambda c: _ep(c).s47s.append(S47(D("2025-05-10"), icpc=D("2025-05-22"))),
    "2883": _set(_s47, icpc=None),
    "2885": _set(_plan, start=D("2025-05-23")),
    "1105": _set(_plan, start=D("2025-04-30")),
    "8720": _set(_plan, start=D("2026-04-10")),
    "8925": _set(_plan, end=D("2025-05-20")),
    "8840": _set(_plan, end=D("2025-05-22")),
    "8930": _set(_plan, end=D("2026-04-30")),
    "8935": lambda c: _ep(c).plans.append(Plan(D("2025-06-01"), None, "PHY", "PHY", 1)),
    "8940": lambda c: _ep(c).plans.append(Plan(D("2025-06-01"), D("2025-07-01"), "PHY",
                                               "PHY", 1)),
    "8905": _set(_plan, initial_category="XYZ"),
    "8910": _set(_plan, latest_category=""),
    "8730": _set(_plan, previous=None),
    "8841": _set(_plan, reviews=[D("2025-05-22")]),
    "8842": _set(_plan, reviews=[None]),
    "8915": _set(_a, death_date=D("2025-05-01")),
    "8920": _both(_set(_a, death_date=D("2025-06-01")), _set(_plan, end=D("2025-07-01"))),
    "4001": lambda c: _ep(c).cin_plans.append(CinPlan(D("2025-06-01"))),
    "4016": lambda c: _ep(c).cin_plans.append(CinPlan(D("2025-06-01"), D("2025-06-30"))),
    "4017": lambda c: _closed(c).plans.append(Plan(D("2025-09-25"), D("2025-10-09"), "EMO",
                                                   "EMO", 0)),
    "4003": lambda c: _closed(c).plans.append(Plan(D("2025-09-02"), D("2025-09-30"), "EMO",
                                                   "EMO", 0, [D("2025-09-25")])),
}


def test_every_rule_has_a_failing_case() -> None:
    assert sorted(BREAKS) == sorted(r.number for r in RULES)


def test_the_clean_census_passes_every_rule() -> None:
    assert check_census(clean_census()) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.number)
def test_rule_fails_on_its_breaking_change_and_passes_without(rule) -> None:
    census = clean_census()
    assert list(rule.failures(census)) == []
    BREAKS[rule.number](census)
    failures = list(rule.failures(census))
    assert failures, f"rule {rule.number} did not notice"
    assert failures[0].message == rule.message
    assert failures[0].severity in ("E", "Q")


def test_a_failure_points_at_the_record_to_correct() -> None:
    census = clean_census()
    BREAKS["2885"](census)
    (failure,) = [f for f in check_census(census) if f.rule == "2885"]
    assert failure.child.la_child_id == "A1"
    assert failure.target == ("plan", 30)


def test_rule_8675_counts_working_days_back_from_the_reference_date() -> None:
    """15 working days before Tuesday 31 March 2026 is 10 March. An enquiry
    from 11 March still awaiting its conference is not queried; one from 9 March is."""
    census = clean_census()
    rule = next(r for r in RULES if r.number == "8675")
    _s47(census).icpc = None
    _s47(census).start = D("2026-03-11")
    assert list(rule.failures(census)) == []
    _s47(census).start = D("2026-03-09")
    assert list(rule.failures(census))
