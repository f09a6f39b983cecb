"""My work's queries compiled once per process and run with each request's values
(cpcases.core.compiled, issue 13 §2): the same SQL, the same rows and the same groups as the
ORM builds afresh, and never a value of an earlier request."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Count, Window
from django.utils import timezone

from cpcases.core import compiled
from deadlines import services
from deadlines.models import Deadline
from deadlines.mywork import (
    _dates,
    _first_breaches,
    _first_of_each_group_query,
    my_deadlines,
    my_work,
    slim,
    team_breaches,
)
from tests.factories import AllocationFactory, ChildFactory

LONDON = ZoneInfo("Europe/London")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def many(org, sw, child):
    """Deadlines of sw's children in every group: day rules either side of the week, and an
    hour rule due at 08:00 on Wednesday 4 March 2026."""
    with time_machine.travel(at(2026, 3, 4, 7), tick=False):
        for day in (2, 3, 4, 5, 8, 9, 20):
            c = ChildFactory(authority=org.authority)
            AllocationFactory(child=c, team=org.team_a, social_worker=sw)
            services.deadline_set(child=c, rule_id="plan_distributed",
                                  anchor=dt.date(2026, 3, day) - dt.timedelta(days=5))
        return services.deadline_set(child=child, rule_id="invitation_list",
                                     anchor=at(2026, 3, 2, 8), responsible=sw)


def _row(d: Deadline) -> tuple:
    return (d.pk, d.work_group, d.group_rank, d.group_count,  # type: ignore[attr-defined]
            d.child.display_name, d.child.la_child_id, str(d.responsible), d.due_date,
            d.due_at, d.rule_id)


@pytest.mark.parametrize("when", [at(2026, 3, 4, 7), at(2026, 3, 4, 9), at(2026, 3, 9, 9)])
def test_the_groups_query_is_the_orms_at_every_moment(sw, many, when):
    fresh = _first_of_each_group_query(my_deadlines(user=sw), first=3, **_dates(when))
    kept = compiled.compile_once(_first_of_each_group_query(
        my_deadlines(user=sw), now=compiled.NOW, today=compiled.TODAY,
        week_end=compiled.WEEK_END, first=3), compiled.MARKERS)
    sql, params = fresh.query.sql_with_params()
    assert (kept.sql, kept.params_for(_dates(when))) == (sql, list(params))
    assert sorted(map(_row, kept.instances(_dates(when)))) == sorted(map(_row, fresh))


def test_one_compiled_query_serves_each_moment_of_the_day(sw, many):
    """The hour rule due at 08:00 is due today at 07:00 and overdue at 09:00, from the same
    kept SQL (the day, and so the scope's key, is the same)."""
    compiled.clear()
    with time_machine.travel(at(2026, 3, 4, 7), tick=False):
        early = {g.key: [d.pk for d in g.items] for g in my_work(user=sw).groups}
    with time_machine.travel(at(2026, 3, 4, 9), tick=False):
        later = {g.key: [d.pk for d in g.items] for g in my_work(user=sw).groups}
    assert many.pk in early["due_today"]
    assert many.pk not in early["overdue"]
    assert many.pk in later["overdue"]
    assert many.pk not in later["due_today"]
    assert len(compiled._CACHE) == 1


def test_the_team_breaches_are_the_orms_count_and_first_rows(tm, sw, many):
    for when in (at(2026, 3, 4, 7), at(2026, 3, 4, 9), at(2026, 3, 20, 9)):
        count, rows = _first_breaches(tm, now=when, first=2)
        expected = team_breaches(tm, now=when)
        assert count == expected.count() > 0
        assert [d.pk for d in rows] == [d.pk for d in slim(expected)[:2]]
        assert all(d.child.display_name and d.responsible for d in rows)


def test_a_manager_without_breaches_has_none(tm, org):
    assert _first_breaches(tm, now=timezone.now(), first=5) == (0, [])


def test_rows_read_are_noted_for_the_read_audit(sw, many):
    from cpcases.audit import loaded

    token = loaded.start()
    try:
        my_work(user=sw, now=at(2026, 3, 4, 9))
    finally:
        rows = loaded.stop(token)
    assert many.pk in {r.pk for r in rows if isinstance(r, Deadline)}


def test_a_value_the_orm_does_not_pass_as_a_parameter_is_refused(sw):
    inlined = Deadline.objects.annotate(n=Window(Count("id"))).extra(
        where=["due_date <> '1111-11-11'"])
    with pytest.raises(ValueError, match="inlined"):
        compiled.compile_once(inlined, {"today": compiled.TODAY})
    converted = Deadline.objects.filter(cancelled_reason=str(compiled.TODAY))
    with pytest.raises(ValueError, match="not passed as itself"):
        compiled.compile_once(converted, {"today": compiled.TODAY})
    sliced = compiled.compile_once(Deadline.objects.all()[:5], {})
    with pytest.raises(ValueError, match="sliced"):
        sliced.instances({}, limit=10)


def test_a_real_value_with_eleven_hundred_and_eleven_in_it_is_kept(sw):
    # A child ID, a team or user id, a search: only the markers' own forms are refused.
    query = Deadline.objects.filter(cancelled_reason="B001111 on 11/11/2011", pk__gt=11110)
    kept = compiled.compile_once(query, {"today": compiled.TODAY})
    assert kept.instances({"today": compiled.TODAY}) == []


def test_a_childs_deadlines_are_the_orms(child, sw, many, other_team_child):
    from deadlines.selectors import child_deadlines, deadlines_for_child

    compiled.clear()
    for someone in (child, other_team_child):
        expected = list(deadlines_for_child(child=someone))
        kept = child_deadlines(child=someone)
        assert [(d.pk, d.status, d.due_date, str(d.responsible)) for d in kept] == [
            (d.pk, d.status, d.due_date, str(d.responsible)) for d in expected]
    query = compiled.cached("deadlines_for_child", lambda: None)
    sql, params = deadlines_for_child(child=child).query.sql_with_params()
    assert (query.sql, query.params_for({"child": child.pk})) == (sql, list(params))


def test_the_oldest_kept_query_is_dropped_past_the_cache_size(monkeypatch):
    monkeypatch.setattr(compiled, "CACHE_SIZE", 2)
    compiled.clear()
    made = []

    def build(name):
        made.append(name)
        return name

    for name in ("a", "b", "c", "b"):
        compiled.cached(name, lambda name=name: build(name))
    assert made == ["a", "b", "c"]
    assert list(compiled._CACHE) == ["b", "c"]
    compiled.clear()
