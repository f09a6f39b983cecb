"""My work's groups and the team's breaches read in one statement (deadlines.mywork
`_first_rows`, issue 13 §2): the same counts, the same first rows in the same order, as the
ORM's own lists of each group and of the breaches, for every role that has them, at moments
either side of an hour rule's hour and of the week's end; the policy read once a page; the
approvals queue's kept count never stale."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpcases.core import compiled
from deadlines import services
from deadlines.models import Deadline, DeadlineStatus
from deadlines.mywork import (
    GROUPS,
    _first_rows,
    group_filter,
    my_deadlines,
    my_work,
    slim,
    team_breaches,
)
from tests.factories import AllocationFactory, ChildFactory

LONDON = ZoneInfo("Europe/London")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


MOMENTS = [at(2026, 3, 4, 7), at(2026, 3, 4, 9), at(2026, 3, 8, 23, 59), at(2026, 3, 20, 9)]


@pytest.fixture
def spread(org, sw, tm, bso, child):
    """Deadlines of the team's children in every group, some sw's, some the manager's, some
    nobody's yet (business support's queue), an hour rule due at 08:00 on 4 March, one
    deadline met (in no group) and one of another team's child."""
    with time_machine.travel(at(2026, 3, 4, 7), tick=False):
        for n, day in enumerate((1, 2, 3, 4, 5, 6, 8, 9, 12, 20)):
            c = ChildFactory(authority=org.authority)
            AllocationFactory(child=c, team=org.team_a, social_worker=sw)
            anchor = dt.date(2026, 3, day) - dt.timedelta(days=5)
            services.deadline_set(child=c, rule_id="plan_distributed", anchor=anchor,
                                  responsible=(sw, tm, None)[n % 3])
            services.deadline_set(child=c, rule_id="child_seen", anchor=anchor,
                                  responsible=(tm, sw, None)[n % 3])
        met = Deadline.objects.filter(responsible=sw).first()
        Deadline.objects.filter(pk=met.pk).update(status=DeadlineStatus.MET,
                                                  met_at=at(2026, 3, 1, 9))
        services.deadline_set(child=child, rule_id="invitation_list",
                              anchor=at(2026, 3, 2, 8), responsible=sw)
        other = ChildFactory(authority=org.authority)
        AllocationFactory(child=other, team=org.team_b)
        services.deadline_set(child=other, rule_id="child_seen", anchor=dt.date(2026, 2, 2),
                              responsible=tm)


def _orm_groups(user, when, first):
    expected = {}
    for g in GROUPS:
        found = slim(my_deadlines(user=user).filter(group_filter(g.key, now=when)))
        expected[g.key] = (found.count(), [d.pk for d in found[:first]])
    return expected


@pytest.mark.parametrize("first", [2, 5])
@pytest.mark.parametrize("who", ["sw", "tm", "bso", "sm"])
def test_the_one_statement_is_the_orms_groups_and_breaches(request, spread, who, first):
    user = request.getfixturevalue(who)
    team = who in ("tm", "sm")
    compiled.clear()
    for when in MOMENTS:
        found = _first_rows(user, now=when, first=first, breaches=team)
        assert {g.key: (found.counts.get(g.key, 0), [d.pk for d in found.items[g.key]])
                for g in GROUPS} == _orm_groups(user, when, first), when
        if team:
            breaches = slim(team_breaches(user, now=when))
            assert found.breach_count == breaches.count()
            assert [d.pk for d in found.breaches] == [d.pk for d in breaches[:first]]
        else:
            assert (found.breach_count, found.breaches) == (0, [])
        shown = [d for key in found.items for d in found.items[key]] + found.breaches
        assert all(d.child.la_child_id and d.rule_id for d in shown)
    # One kept statement served every moment.
    assert len([k for k in compiled._CACHE if k[0] == "my_work.rows"]) == 1


def test_the_manager_sees_breaches_counted_from_the_statement(spread, tm):
    when = at(2026, 3, 20, 9)
    work = my_work(user=tm, now=when)
    expected = slim(team_breaches(tm, now=when))
    assert work.breach_count == expected.count() > 5
    assert [d.pk for d in work.breaches] == [d.pk for d in expected[:5]]
    assert all(d.responsible != tm for d in work.breaches)
    assert all(hasattr(d, "countdown") for d in work.breaches)


def test_the_statement_keeps_no_value_of_an_earlier_request(spread, sw, tm):
    """A deadline met between two reads leaves the next read's groups and breaches."""
    when = at(2026, 3, 20, 9)
    first = my_work(user=tm, now=when)
    gone = first.breaches[0]
    Deadline.objects.filter(pk=gone.pk).update(status=DeadlineStatus.MET, met_at=when)
    again = my_work(user=tm, now=when)
    assert again.breach_count == first.breach_count - 1
    assert gone.pk not in [d.pk for d in again.breaches]


@pytest.mark.parametrize("who", ["tm", "sw"])
def test_my_work_reads_the_policy_version_once(request, spread, who):
    user = request.getfixturevalue(who)
    my_work(user=user, now=at(2026, 3, 4, 9))  # the policy cached
    with CaptureQueriesContext(connection) as queries:
        my_work(user=user, now=at(2026, 3, 4, 9))
    reads = [q for q in queries.captured_queries if "deadlines_policy_version" in q["sql"]]
    assert len(reads) == 1


def test_a_policy_change_between_two_reads_shows_on_the_next(spread, org, sw):
    """The policy's version comes with the statement's rows: a closure day made between two
    reads counts in the next read's countdowns."""
    from deadlines.models import ClosureDay

    when = at(2026, 3, 20, 9)
    def late() -> dict[int, int]:  # the day rules due before the closure: working days
        return {d.pk: d.countdown.working_days
                for d in my_work(user=sw, now=when).groups[0].items
                if d.due_at is None and d.due_date < dt.date(2026, 3, 18)}

    first = late()
    ClosureDay.objects.create(authority=org.authority, date=dt.date(2026, 3, 18),
                              reason="Closed")
    assert first
    assert late() == {pk: days + 1 for pk, days in first.items()}  # a working day fewer late


def test_the_approvals_count_kept_is_never_stale(org, sw, tm, child):
    from tests.conferences.factories import ready_for_request, submitted_request

    with time_machine.travel(at(2027, 3, 17, 12), tick=False):
        ready_for_request(sw=sw, tm=tm, children=[child], held_at=at(2027, 3, 15, 10))
        before = {q.key: q for q in my_work(user=tm).queues}["approvals"]
        request = submitted_request(sw=sw, children=[child])
        after = {q.key: q for q in my_work(user=tm).queues}["approvals"]
    assert (before.count, before.items) == (0, [])
    assert after.count == 1
    assert after.items[0].url == f"/conferences/requests/{request.pk}/"


def test_the_my_work_api_is_drfs_own_answer(monkeypatch, org, sw, tm, child):
    """The answer, its deadlines read as the mixin reads them (cpcases.core.serializing), is
    DRF's generic walk's, with the rows of the one statement: groups, a queue item and the
    team's breaches."""
    from rest_framework import serializers
    from rest_framework.test import APIClient

    from cpcases.core.serializing import DirectReadMixin
    from tests.conferences.factories import ready_for_request, submitted_request

    api = APIClient()
    api.force_authenticate(tm)
    with time_machine.travel(at(2027, 3, 17, 12), tick=False):
        ready_for_request(sw=sw, tm=tm, children=[child], held_at=at(2027, 3, 15, 10))
        submitted_request(sw=sw, children=[child])
        other = ChildFactory(authority=org.authority)
        AllocationFactory(child=other, team=org.team_a, social_worker=sw)
        services.deadline_set(child=other, rule_id="child_seen", anchor=dt.date(2027, 2, 2),
                              responsible=sw)
        fast = api.get("/api/v1/my-work/").json()
        monkeypatch.setattr(DirectReadMixin, "to_representation",
                            lambda self, instance: serializers.Serializer.to_representation(
                                self, instance))
        generic = api.get("/api/v1/my-work/").json()
    assert fast == generic
    assert fast["queues"][0]["items"]
    assert fast["team_breaches"]["items"]
