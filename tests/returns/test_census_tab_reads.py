"""The Plan and Census checks tabs read their rows' children with the rows (issue 13 §2):
one query for a child's census, the plans' conferences' children in the plans' own query.
What the read audit logs is unchanged: the children it found by following the rows (a
plan's conference's other children) are logged by the tab itself, under the route's name."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpcases.audit.models import AccessEvent
from cpcases.audit.reads import child_ids_of
from cpcases.children.models import Child
from cpcases.plans.models import ChildProtectionPlan, CinPlan, CoreGroupMeeting, PlanVersion
from deadlines.models import Deadline
from tests.factories import AllocationFactory, ChildFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def siblings(org, sw, chair, bso) -> tuple[Child, Child]:
    """Two children of team A's caseload on plans started at one conference held for both
    this year."""
    from conferences.models import Conference, ConferenceKind, ConferenceStatus

    pair = []
    for name in ("Ada", "Ben"):
        child = ChildFactory(authority=org.authority, first_name=name, last_name="Sibling")
        AllocationFactory(child=child, team=org.team_a, social_worker=sw)
        pair.append(child)
    held = Conference.objects.create(
        authority=org.authority, kind=ConferenceKind.INITIAL, date=dt.date(2026, 5, 4),
        start_time=dt.time(13, 0), venue="Civic Centre", chair=chair, minute_taker=bso,
        status=ConferenceStatus.HELD)
    held.children.add(*pair)
    for child in pair:
        ChildProtectionPlan.objects.create(
            authority=org.authority, child=child, conference=held,
            started_on=dt.date(2026, 5, 4), category="NEG", lead_social_worker=sw)
    # The first's meetings (one distributed, recommending) and versions (one from a meeting).
    plan = pair[0].cp_plans.get()
    first = CoreGroupMeeting.objects.create(plan=plan, held_on=dt.date(2026, 5, 18),
                                            is_first=True, distributed_on=dt.date(2026, 5, 20))
    CoreGroupMeeting.objects.create(plan=plan, held_on=dt.date(2026, 8, 3),
                                    recommendation="continue")
    PlanVersion.objects.create(plan=plan, number=1, reason="Initial plan", category="NEG",
                               created_at=dt.datetime(2026, 5, 4, 23, 30, tzinfo=dt.UTC))
    PlanVersion.objects.create(plan=plan, number=2, reason="Core group", category="NEG",
                               meeting=first, actions=[{"what": "Visit"}])
    # The first's timescales: one overdue, one to come, one met (not shown).
    for rule_id, due, status in (("first_review", "2027-01-10", "open"),
                                 ("core_group_first", "2026-05-19", "open"),
                                 ("child_seen", "2026-05-14", "met")):
        Deadline.objects.create(
            authority=org.authority, child=pair[0], rule_id=rule_id,
            anchor_date=dt.date(2026, 5, 4), due_date=dt.date.fromisoformat(due),
            status=status, met_at=dt.datetime(2026, 5, 13, tzinfo=dt.UTC)
            if status == "met" else None)
    return pair[0], pair[1]


@pytest.mark.parametrize(("path", "section"), [("/returns/child/{}/", "returns:child"),
                                               ("/plans/child/{}/", "plans:child")])
def test_a_tab_logs_the_other_child_of_the_plans_conference_without_asking_again(
        client, sw, siblings, path, section) -> None:
    ada, ben = siblings
    client.force_login(sw)
    last = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path.format(ada.pk)).status_code == 200
    logged = set(AccessEvent.objects.filter(id__gt=last).values_list("child_id", "section"))
    assert (ben.pk, section) in logged
    assert {child for child, _ in logged} == {ada.pk, ben.pk}
    # The read audit did not look the plans' conferences' children up again.
    assert not [q for q in queries.captured_queries if '"conference__children"' in q["sql"]]


def test_one_childs_census_is_one_query_and_names_the_children_the_audit_would(
        demo) -> None:
    """Every demo child, in the tab's year and the last: `census_child_shown` asks one
    query, builds what `build_census` builds, and names exactly the children the read audit
    finds from the rows the census reads of many children (`_read_rows`' model rows)."""
    from returns.census import _read_rows, build_census, in_census
    from returns.census_one import census_child_shown
    from returns.periods import census_period, year_so_far

    for period in (year_so_far(), census_period(2026)):
        for child in Child.objects.all():
            with CaptureQueriesContext(connection) as queries:
                built, shown = census_child_shown(child, period)
            assert len(queries) == 1
            assert built == build_census(Child.objects.filter(pk=child.pk), period)
            if not in_census(child.pk, period):
                assert shown == frozenset()
                continue
            reads = _read_rows([child.pk], period)
            rows = [*reads.referrals, *reads.assessments, *reads.enquiries, *reads.plans,
                    *reads.cin_plans]
            assert shown == {child.pk} | {c for found in child_ids_of(rows).values()
                                          for c in found}, child.la_child_id


@pytest.mark.parametrize("username", ["sw.sam", "tm.tara", "chair.chris", "police"])
def test_the_plan_tabs_plans_name_the_children_the_audit_would(request, demo, siblings,
                                                              username) -> None:
    """Every demo child: `tab_plans` gives the rows `child_plans` and `child_cin_plans` give,
    and names exactly the children the read audit finds from them (their plans' and
    step-downs' conferences), each plan carrying the child's open timescales. A partner
    (`police`) sees the plans of core groups they are in."""
    from cpcases.accounts.models import User
    from cpcases.plans.models import CoreGroupMember
    from cpcases.plans.selectors import (
        child_cin_plans,
        child_plans,
        plan_deadlines,
        plan_meetings,
        plan_versions,
        tab_meetings,
        tab_plans,
        tab_timescales,
        tab_versions,
        timescales,
    )

    if username == "police":
        user = request.getfixturevalue("police")
        CoreGroupMember.objects.create(plan=siblings[0].cp_plans.get(), user=user,
                                       name=user.full_name, agency=user.agency)
    else:
        user = User.objects.get(username=username)
    assert CinPlan.objects.exclude(from_plan=None).exists()
    shown_timescales = shown_meetings = 0
    for child in Child.objects.all():
        found = tab_plans(user=user, child=child)
        plans = child_plans(user=user, child=child)
        cin_plans = child_cin_plans(user=user, child=child)
        assert [p.pk for p in found.plans] == [p.pk for p in plans]
        assert [c.pk for c in found.cin_plans] == [c.pk for c in cin_plans]
        rows = [*plans, *cin_plans, *(c.from_plan for c in cin_plans if c.from_plan)]
        assert found.shown == {child.pk} | {c for ids in child_ids_of(rows).values()
                                            for c in ids}, child.la_child_id
        for plan in found.plans:
            # The open timescales, versions and meetings the plans carry are the plan
            # page's own, and the versions' meetings lead to their plans' children.
            assert tab_timescales(plan) == timescales(plan_deadlines(plan))
            shown_timescales += len(tab_timescales(plan))
            versions = plan_versions(plan)
            assert [(v.pk, v.number, v.reason, v.created_at, v.meeting_child_id)
                    for v in tab_versions(plan)] == [
                (v.pk, v.number, v.reason, v.created_at,
                 v.meeting.plan.child_id if v.meeting else None) for v in versions]
            assert {c for ids in child_ids_of(versions).values() for c in ids} == ({
                plan.child_id, *(v.meeting_child_id for v in tab_versions(plan)
                                 if v.meeting_child_id)} if versions else set())
            assert [(m.pk, m.held_on, m.is_first, m.get_recommendation_display(),
                     m.distributed_on) for m in tab_meetings(plan)] == [
                (m.pk, m.held_on, m.is_first, m.get_recommendation_display(),
                 m.distributed_on) for m in plan_meetings(plan)]
            shown_meetings += len(tab_meetings(plan))
    assert shown_timescales == 2
    assert shown_meetings >= 2
