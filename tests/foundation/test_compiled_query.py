"""A child's record is read with SQL built once per scope (issue 13 §2; cpcases.core.compiled):
the same child, household and authority the ORM gives, and every change seen at once."""

from __future__ import annotations

import datetime as dt

import pytest

from cpcases.children.models import Child
from cpcases.children.scoping import visible_children
from cpcases.children.selectors import _child_in_scope
from cpcases.core.compiled import POSITIONAL, CompiledQuery
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


def test_each_key_is_compiled_once(child, other_team_child):
    built = []

    def build(key, pk):
        built.append(key)
        return Child.objects.filter(pk=pk)

    query = CompiledQuery(build)
    for key in ("a", "b", "a", "b"):
        assert [c.pk for c in query.run(key, child.pk)] == [child.pk]
    assert [c.pk for c in query.run("a", other_team_child.pk)] == [other_team_child.pk]
    assert built == ["a", "b"]
    assert POSITIONAL[0] not in [c.pk for c in query.run("a", child.pk)]


def test_each_rule_asked_of_one_child_finds_whom_the_scope_finds(
        org, sw, tm, sw_b, sm, chair, bso, police, admin_user, child, other_team_child,
        restricted_child):
    """Every persona against every way a record is in or out of scope: the one-child read
    (each rule narrowed to that child) agrees with the whole scope."""
    from django.utils import timezone

    from cpcases.children.models import (
        BreakGlassAccess,
        CpStage,
        PartnerInvolvement,
        RestrictedAccess,
    )
    from lifeevents.models import RecordRestriction
    from tests.factories import ChildFactory

    today = timezone.localdate()
    now = timezone.now()
    no_process = ChildFactory(authority=org.authority, cp_stage=CpStage.NONE)
    merged = ChildFactory(authority=org.authority, cp_stage=CpStage.PLAN,
                          merged_into=other_team_child)
    elsewhere = ChildFactory(cp_stage=CpStage.PLAN)  # another authority
    # Named on the restricted record; a partner on a case; sw_b broke the glass today on
    # team A's child, and on the restricted record before it was (re)marked.
    RestrictedAccess.objects.create(child=restricted_child, user=tm)
    PartnerInvolvement.objects.create(child=child, user=police, kind="strategy")
    PartnerInvolvement.objects.create(child=other_team_child, user=police, kind="strategy",
                                      ended_on=today)
    BreakGlassAccess.objects.create(child=child, user=sw_b, reason="duty", opened_on=today)
    BreakGlassAccess.objects.create(child=restricted_child, user=sw_b, reason="duty",
                                    opened_on=today)
    RecordRestriction.objects.create(child=restricted_child, reason="sealed", marked_by=tm,
                                     marked_at=now + dt.timedelta(minutes=5))
    BreakGlassAccess.objects.create(child=no_process, user=chair, reason="old",
                                    opened_on=today - dt.timedelta(days=1))
    children = [child, other_team_child, restricted_child, no_process, merged, elsewhere]
    seen = 0
    for user in (sw, tm, sw_b, sm, chair, bso, police, admin_user):
        for candidate in children:
            expected = visible_children(user).filter(pk=candidate.pk).exists()
            found = _child_in_scope(user, candidate.pk)
            assert (found is not None) == expected, (user.username, candidate.pk)
            seen += expected
    assert seen >= 8  # the personas do see children: the comparison is not all "no"


def _prepared_child_reads() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements "
                       "WHERE statement LIKE 'SELECT \"children_child\".\"id\"%%'")
        return cursor.fetchone()[0]


def test_the_childs_read_is_prepared_once_on_the_connection(sw, child, settings,
                                                            django_assert_num_queries):
    settings.DATABASE_PREPARED_STATEMENTS = True
    with django_assert_num_queries(3) as captured:  # counted and logged as any query
        for _ in range(3):
            assert _child_in_scope(sw, child.pk).pk == child.pk
    assert _prepared_child_reads() >= 1
    logged = captured.captured_queries[-1]["sql"]  # shown with its values, as Django shows
    assert logged.startswith('SELECT "children_child"."id"')
    assert f'"children_child"."id" = {child.pk}' in logged


def test_behind_a_pooler_the_read_is_not_prepared(sw_b, other_team_child, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    before = _prepared_child_reads()
    for _ in range(3):
        assert _child_in_scope(sw_b, other_team_child.pk).pk == other_team_child.pk
    assert _prepared_child_reads() == before


def test_a_values_list_query_gives_the_orms_tuples_converted(org, child, other_team_child):
    """A values_list() compiles to tuples (`rows`), each value converted as the ORM's own
    (a date is a date); other values queries are refused rather than answered otherwise."""
    from cpcases.core.compiled import ROW_ID, TODAY, compile_once

    def build(pk, born_by):
        return Child.objects.filter(pk__in=[pk, other_team_child.pk],
                                    date_of_birth__lte=born_by).values_list(
            "pk", "date_of_birth", "authority__name").order_by("pk")

    child.date_of_birth = dt.date(2015, 6, 1)
    child.save(update_fields=["date_of_birth"])
    query = compile_once(build(ROW_ID, TODAY), {"pk": ROW_ID, "born_by": TODAY})
    for born_by in (dt.date(2020, 1, 1), dt.date(2010, 1, 1)):
        assert query.rows({"pk": child.pk, "born_by": born_by}) == list(
            build(child.pk, born_by))
    assert query.rows({"pk": child.pk, "born_by": dt.date(2020, 1, 1)})[0][1] == \
        dt.date(2015, 6, 1)
    with pytest.raises(ValueError, match="tuples"):
        query.instances({"pk": child.pk, "born_by": TODAY})
    for refused in (Child.objects.filter(pk=ROW_ID).values("pk"),
                    Child.objects.filter(pk=ROW_ID).values_list("pk", flat=True)):
        with pytest.raises(ValueError, match="values_list"):
            compile_once(refused, {"pk": ROW_ID})
