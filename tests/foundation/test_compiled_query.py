"""A child's record is read with SQL built once per scope (issue 13 §2; cpcases.core.compiled):
the same child, household and authority the ORM gives, and every change seen at once."""

from __future__ import annotations

import datetime as dt

import pytest

from cpcases.children.models import Child
from cpcases.children.scoping import visible_children
from cpcases.children.selectors import _child_in_scope
from cpcases.core.compiled import MARKERS, CompiledQuery
from tests.factories import HouseholdFactory


def _fields(obj) -> dict:
    return {k: v for k, v in obj.__dict__.items() if k != "_state"}


def _orm(user, pk):
    return visible_children(user).filter(pk=pk).select_related("household", "authority").first()


def test_the_child_is_the_one_the_orm_reads_with_household_and_authority(org, sw, child):
    child.household = HouseholdFactory(authority=org.authority, name="The <Example> house")
    child.save()
    found = _child_in_scope(sw, child.pk)
    expected = _orm(sw, child.pk)
    assert _fields(found) == _fields(expected)
    assert _fields(found.household) == _fields(expected.household)
    assert _fields(found.authority) == _fields(expected.authority)
    assert found._state.adding is False
    assert found._state.db == "default"
    assert found.household.name == "The <Example> house"


def test_a_child_without_a_household_reads_as_none(sw, child, django_assert_num_queries):
    found = _child_in_scope(sw, child.pk)
    with django_assert_num_queries(0):  # both relations came with the child
        assert found.household is None
        assert found.authority.pk == child.authority_id


def test_a_child_outside_the_scope_is_not_found(sw, other_team_child, restricted_child, bso):
    assert _child_in_scope(sw, other_team_child.pk) is None
    assert _child_in_scope(bso, restricted_child.pk) is None
    assert _child_in_scope(sw, 10**9) is None


def test_a_new_allocation_is_seen_by_the_very_next_read(org, sw, sw_b, other_team_child):
    assert _child_in_scope(sw, other_team_child.pk) is None
    other_team_child.allocations.update(ended_on=dt.date(2026, 3, 1))
    other_team_child.allocations.create(team=org.team_a, social_worker=sw,
                                        started_on=dt.date(2026, 3, 1))
    assert _child_in_scope(sw, other_team_child.pk).pk == other_team_child.pk
    assert _child_in_scope(sw_b, other_team_child.pk) is None


def test_a_marker_that_is_not_a_parameter_is_refused(child):
    query = CompiledQuery(lambda key, pk: Child.objects.filter(pk=child.pk))
    with pytest.raises(ValueError, match="marker"):
        query.run("key", child.pk)


def test_the_oldest_plans_are_forgotten_past_the_size(child):
    query = CompiledQuery(lambda key, pk: Child.objects.filter(pk=pk), size=2)
    for key in ("a", "b", "c"):
        assert [c.pk for c in query.run(key, child.pk)] == [child.pk]
    assert list(query._plans) == ["b", "c"]
    assert MARKERS[0] not in [c.pk for c in query.run("a", child.pk)]
