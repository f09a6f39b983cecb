"""A kept query runs on its generic plan from its first run, a search's too (issue 13 §2;
decision 95)."""

from __future__ import annotations

import pytest
from django.db import connection

from cpcases.children.selectors import child_search
from deadlines.mywork import my_work

pytestmark = pytest.mark.django_db


def _prepared() -> list[tuple[int, int, str]]:
    """This connection's prepared statements: (generic plans, custom plans, SQL)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans, statement "
                       "FROM pg_prepared_statements")
        return cursor.fetchall()


def test_the_connection_plans_prepared_statements_generically():
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"


def test_my_work_is_not_planned_again_for_each_of_its_first_runs(tm, child):
    for _ in range(3):
        my_work(user=tm)
    found = [(g, c) for g, c, sql in _prepared() if "my_work_mine" in sql]
    # PostgreSQL's default planned each of a statement's first five runs afresh (2-4 ms
    # each at a team of 1,500): for every user's statement on every connection.
    assert found
    assert all(custom == 0 for _generic, custom in found)
    assert max(generic for generic, _custom in found) >= 3


def test_a_search_is_prepared_once_and_its_words_are_parameters_of_the_generic_plan(
        sw, child):
    assert [c.pk for c in child_search(user=sw, text=child.first_name)] == [child.pk]
    assert [c.pk for c in child_search(user=sw, text="nobody-has-this-name")] == []
    (found,) = [(g, c) for g, c, sql in _prepared() if "LIKE" in sql]
    assert found == (2, 0)
