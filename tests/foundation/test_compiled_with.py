"""Kept queries read in parts of one statement, counted, and with their constants written in
(cpcases.core.compiled `compile_with`, `counted`, `constants_written_in`; issue 13 §2): the
same rows as the ORM's, whatever the values hold (quotes, a percent sign), and each
request's own values in the markers' places."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import BooleanField, IntegerField
from django.db.models.expressions import RawSQL

from cpcases.children.models import Child
from cpcases.core import compiled
from deadlines.models import Deadline
from tests.factories import ChildFactory

DAY = compiled.TODAY


@pytest.fixture
def children(org):
    return [ChildFactory(authority=org.authority, last_name=name, date_of_birth=born)
            for name, born in (("O'Brien", dt.date(2020, 1, 1)),
                               ("100% Smith", dt.date(2021, 1, 1)),
                               ("Plain", dt.date(2022, 1, 1)))]


def _born_before(day) -> object:
    return Child.objects.filter(date_of_birth__lt=day).order_by("pk")


@pytest.mark.parametrize("name", ["O'Brien", "100% Smith", "Plain"])
def test_constants_written_in_are_the_orms_rows(children, name):
    queryset = Child.objects.filter(last_name=name, date_of_birth__lt=DAY).order_by("pk")
    kept = compiled.constants_written_in(compiled.compile_once(queryset, {"today": DAY}))
    assert kept.params == (DAY,)  # only the marker is left a parameter
    for day in (dt.date(2020, 6, 1), dt.date(2023, 1, 1)):
        expected = list(Child.objects.filter(last_name=name, date_of_birth__lt=day)
                        .order_by("pk"))
        assert kept.instances({"today": day}) == expected


def test_a_count_kept_is_the_orms_count_and_makes_no_instance(children):
    kept = compiled.counted(_born_before(DAY).prefetch_related("allocations"), {"today": DAY})
    for day in (dt.date(2019, 1, 1), dt.date(2021, 6, 1), dt.date(2030, 1, 1)):
        assert kept.rows({"today": day}) == [(_born_before(day).count(),)]


def test_named_rows_are_read_in_several_places_of_one_statement(children, org):
    older = compiled.Named("older", ("id",), _born_before(DAY).order_by().values_list("id"))
    rows = Child.objects.filter(RawSQL('"children_child"."id" IN (SELECT id FROM older)', (),
                                       BooleanField())).annotate(
        older_count=RawSQL("SELECT COUNT(*) FROM older", (), IntegerField())).order_by("pk")
    kept = compiled.compile_with([older], rows, {"today": DAY})
    assert kept.sql.startswith("SELECT ")  # pghistory leaves a SELECT as it is
    for day in (dt.date(2019, 1, 1), dt.date(2021, 6, 1), dt.date(2030, 1, 1)):
        expected = list(_born_before(day))
        found = kept.instances({"today": day})
        assert found == expected
        assert all(c.older_count == len(expected) for c in found)


def test_a_marker_inlined_in_a_named_part_is_refused(children):
    inlined = Deadline.objects.extra(where=["due_date <> '1111-11-11'"]).values_list("id")
    with pytest.raises(ValueError, match="inlined"):
        compiled.compile_with([compiled.Named("x", ("id",), inlined)],
                              Deadline.objects.all(), {"today": DAY})
