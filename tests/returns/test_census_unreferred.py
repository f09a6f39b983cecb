"""Children with no referral on record (histories from before the front door) are in the
census when a plan, child in need plan or S47 enquiry of theirs was open in the year
(issue 16 point 1; RETURNS.md §2: "every child with a CIN episode open during the
period"). Their episode's source is "10" (unknown) and primary need "N0" (not stated)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from lxml import etree

from cpcases.accounts.models import User
from cpcases.children.models import Child
from cpcases.plans.models import ChildProtectionPlan, CinPlan, PlanEndReason
from returns.census import build_census
from returns.periods import census_period
from returns.rules import check_census
from tests.factories import AllocationFactory, ChildFactory
from tests.returns.test_census import census_xsd

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def _unreferred(org, la_child_id: str) -> Child:
    child = ChildFactory(authority=org.authority, la_child_id=la_child_id, sex="F",
                         date_of_birth=D("2015-06-01"), disabilities=["NONE"],
                         upn_unknown_reason="UN4")  # rule 8770: a child of school age
    AllocationFactory(child=child, team=org.team_a)
    return child


@pytest.fixture
def on_a_plan_since_2024(org, demo) -> Child:
    """On a plan since June 2024, made before the front door: no referral on record."""
    child = _unreferred(org, "OLD0001")
    ChildProtectionPlan.objects.create(
        authority=org.authority, child=child, started_on=D("2024-06-03"), category="EMO",
        lead_social_worker=User.objects.get(username="sw.sam"))
    return child


@pytest.fixture
def child_in_need_plan_ended_in_the_year(org, demo) -> Child:
    child = _unreferred(org, "OLD0002")
    CinPlan.objects.create(authority=org.authority, child=child, started_on=D("2025-01-13"),
                           ended_on=D("2025-09-30"), summary="Support at home.")
    return child


def _census(tmp_path: Path) -> tuple[etree._ElementTree, Path]:
    out = tmp_path / "census.xml"
    call_command("cin_census", "--year", "2026", "--output", str(out))
    return etree.parse(str(out)), out


def test_child_on_a_plan_with_no_referral_on_record_is_in_the_census(
        org, on_a_plan_since_2024, tmp_path) -> None:
    tree, _ = _census(tmp_path)
    child = tree.xpath("//Child[ChildIdentifiers/LAchildID='OLD0001']")
    assert len(child) == 1
    details = child[0].find("CINdetails")
    assert details.findtext("CINreferralDate") == "2024-06-03"
    assert details.findtext("ReferralSource") == "10"
    assert details.findtext("PrimaryNeedCode") == "N0"
    assert details.find("CINclosureDate") is None
    assert details.findtext("ChildProtectionPlans/CPPstartDate") == "2024-06-03"
    assert details.findtext("ChildProtectionPlans/InitialCategoryOfAbuse") == "EMO"


def test_child_in_need_plan_ended_in_the_year_closes_the_episode_services_ceased(
        org, child_in_need_plan_ended_in_the_year, tmp_path) -> None:
    tree, _ = _census(tmp_path)
    details = tree.xpath("//Child[ChildIdentifiers/LAchildID='OLD0002']/CINdetails")[0]
    assert details.findtext("CINreferralDate") == "2025-01-13"
    assert details.findtext("CINclosureDate") == "2025-09-30"
    assert details.findtext("ReasonForClosure") == "RC7"
    assert details.findtext("CINPlanDates/CINPlanEndDate") == "2025-09-30"


def test_census_with_children_without_referrals_still_validates_and_passes_the_rules(
        org, on_a_plan_since_2024, child_in_need_plan_ended_in_the_year, tmp_path) -> None:
    _, out = _census(tmp_path)
    schema = census_xsd(tmp_path)
    assert schema.validate(etree.parse(str(out))), schema.error_log
    built = build_census(Child.objects.filter(authority=org.authority), census_period(2026))
    assert [(f.rule, f.child.la_child_id if f.child else "") for f in check_census(built)] == []


def test_a_plan_that_ended_before_the_year_does_not_bring_the_child_in(org, demo,
                                                                       tmp_path) -> None:
    child = _unreferred(org, "OLD0003")
    ChildProtectionPlan.objects.create(
        authority=org.authority, child=child, started_on=D("2023-01-09"),
        ended_on=D("2024-02-05"), end_reason=PlanEndReason.NO_LONGER_AT_RISK, category="NEG",
        lead_social_worker=User.objects.get(username="sw.sam"))
    tree, _ = _census(tmp_path)
    assert not tree.xpath("//Child[ChildIdentifiers/LAchildID='OLD0003']")


@pytest.mark.parametrize("year", [2025, 2026, None])
def test_one_childs_census_check_selects_the_children_the_census_does(
        org, demo, on_a_plan_since_2024, child_in_need_plan_ended_in_the_year, year) -> None:
    """The census-checks tab asks `in_census` of its one child (the census rule narrowed to
    that child, compiled once: issue 13 §2): it selects exactly the children
    `census_children` does, referred or not, in every year; and `census_child` (one
    child's reads, compiled once) builds what `build_census` builds for that child, alone
    or among all the authority's children (the ORM's reads of many)."""
    from returns.census import census_children, in_census
    from returns.census_one import census_child
    from returns.periods import year_so_far

    # A plan that ended before the year, and an S47 enquiry's child, are among the demo's.
    ended = _unreferred(org, "OLD0003")
    ChildProtectionPlan.objects.create(
        child=ended, authority=org.authority, started_on=D("2022-01-10"),
        ended_on=D("2023-01-10"), end_reason=PlanEndReason.NO_LONGER_AT_RISK,
        category="NEG", lead_social_worker=User.objects.get(username="sw.sam"))
    period = census_period(year) if year else year_so_far()  # None: the tab's own period
    children = Child.objects.filter(authority=org.authority)
    selected = set(census_children(children, period).values_list("pk", flat=True))
    assert selected
    assert selected != set(children.values_list("pk", flat=True))
    among_all = {c.pk: c for c in build_census(children, period).children}
    assert set(among_all) == selected
    for child in children:
        assert in_census(child.pk, period) == (child.pk in selected), child.la_child_id
        built = census_child(child, period)
        assert built == build_census(Child.objects.filter(pk=child.pk), period)
        assert built.children == ([among_all[child.pk]] if child.pk in selected else [])
