"""Who sees which child (Foundation §6)."""

from __future__ import annotations

import pytest

from cpcases.children.models import CpStage
from cpcases.children.scoping import visible_children
from tests.factories import PartnerInvolvementFactory, RestrictedAccessFactory

pytestmark = pytest.mark.django_db


def test_social_worker_sees_children_allocated_to_their_team_only(sw, child, other_team_child):
    assert list(visible_children(sw)) == [child]


def test_team_manager_sees_their_team_not_the_other(tm, tm_b, child, other_team_child):
    assert list(visible_children(tm)) == [child]
    assert list(visible_children(tm_b)) == [other_team_child]


def test_service_manager_and_head_of_service_see_their_whole_service(sm, hos, child,
                                                                    other_team_child):
    assert set(visible_children(sm)) == {child, other_team_child}
    assert set(visible_children(hos)) == {child, other_team_child}


def test_chair_and_business_support_see_only_children_with_an_active_cp_process(
        chair, bso, child, other_team_child):
    assert other_team_child.cp_stage == CpStage.NONE
    assert list(visible_children(chair)) == [child]
    assert list(visible_children(bso)) == [child]


def test_partner_sees_only_children_they_are_involved_with(police, child, other_team_child):
    assert list(visible_children(police)) == []
    PartnerInvolvementFactory(child=child, user=police, kind="strategy")
    assert list(visible_children(police)) == [child]


def test_administrator_sees_no_children(admin_user, child):
    assert list(visible_children(admin_user)) == []


def test_restricted_child_vanishes_from_lists_and_counts_for_everyone_not_named(
        sw, tm, sm, chair, restricted_child, child):
    for user in (sw, tm, sm, chair):
        assert restricted_child not in visible_children(user)
        assert visible_children(user).filter(last_name="Restricted").count() == 0


def test_restricted_child_is_visible_to_its_named_users(tm, restricted_child):
    RestrictedAccessFactory(child=restricted_child, user=tm)
    assert restricted_child in visible_children(tm)


def test_children_of_another_authority_are_never_visible(sm, child):
    from tests.factories import AllocationFactory, ChildFactory

    foreign = ChildFactory()  # a new authority
    AllocationFactory(child=foreign, team=sm.service.teams.first())
    assert foreign not in visible_children(sm)


def test_the_kept_scope_sql_finds_each_change_at_the_next_query(sw, org, child,
                                                                 other_team_child):
    """The scope's SQL is built once per (user, team, day) and kept (decision 42): what it
    finds is asked afresh every time, so a reallocation shows at the next query."""
    assert list(visible_children(sw)) == [child]
    child.allocations.update(ended_on=child.allocations.get().started_on)
    other_team_child.allocations.update(team=org.team_a)
    assert list(visible_children(sw)) == [other_team_child]
    sw.team = org.team_b  # another team: another scope
    assert list(visible_children(sw)) == []


def test_the_scope_from_its_candidates_is_the_scope(org, sw, tm, tm_b, sm, hos, chair, bso,
                                                     police, child, other_team_child,
                                                     restricted_child):
    """`all_children_in_scope` (the rules asked of the children they name, looked up by key:
    the caseload's, the children API's and the conference lists'), `visible_children` (a
    team's or service's from the kept TeamChild table, decision 88) and
    `visible_child_condition` (decision 94) find exactly the rules' children, for every
    role, with a restricted record named to one user, another opened today by break-glass
    (restricted or not), a merged duplicate and a partner's involvement."""
    from django.db.models.expressions import RawSQL
    from django.utils import timezone

    from cpcases.children.models import Allocation, BreakGlassAccess, Child
    from cpcases.children.scoping import (
        all_children_in_scope,
        scope_key,
        visible_child_condition,
        visible_children_sql,
    )
    from tests.factories import AllocationFactory, ChildFactory

    RestrictedAccessFactory(child=restricted_child, user=tm)
    sealed_elsewhere = ChildFactory(authority=org.authority, is_restricted=True,
                                    cp_stage=CpStage.PLAN)
    AllocationFactory(child=sealed_elsewhere, team=org.team_b)
    merged = ChildFactory(authority=org.authority, merged_into=child)
    AllocationFactory(child=merged, team=org.team_a)
    for user, opened in ((tm_b, child), (tm_b, sealed_elsewhere), (sw, other_team_child)):
        BreakGlassAccess.objects.create(child=opened, user=user, reason="urgent",
                                        opened_on=timezone.localdate())
    PartnerInvolvementFactory(child=other_team_child, user=police)
    unallocated = ChildFactory(authority=org.authority, cp_stage=CpStage.PLAN)
    assert not Allocation.objects.filter(child=unallocated).exists()
    for user in (sw, tm, tm_b, sm, hos, chair, bso, police):
        key = scope_key(user)
        assert key is not None
        # The rules asked of every child's row (decision 88: the deadline lists' form).
        rules = RawSQL(*visible_children_sql(user, rules=True))  # noqa: S611
        expected = set(Child.objects.filter(pk__in=rules).values_list("pk", flat=True))
        assert set(visible_children(user).values_list("pk", flat=True)) == expected, user
        assert set(all_children_in_scope(key).values_list("pk", flat=True)) == expected, user
        # The same, as the SQL the conference lists test each conference's children against.
        looked_up = RawSQL(*visible_children_sql(user, looked_up=True))  # noqa: S611
        assert set(Child.objects.filter(pk__in=looked_up).values_list("pk", flat=True)) == (
            expected), user
        # The same, as the condition the deadlines of My work are filtered by (decision 94:
        # a team's user's as two tests of each row).
        condition = visible_child_condition(user, "pk")
        assert condition is not None
        assert set(Child.objects.filter(condition).values_list("pk", flat=True)) == (
            expected), user
        own = Allocation.objects.filter(ended_on__isnull=True, social_worker=sw).values(
            "child_id")
        assert set(all_children_in_scope(key, among=own).values_list("pk", flat=True)) == (
            expected & set(own.values_list("child_id", flat=True))), user
