"""/api/v1/plans/ reads each plan's members, actions and versions as JSON rows of the page's
own query, and its conference's children for the read audit (issue 13 §2): each plan of the
list answers exactly as the plan read alone (model instances through DRF) and as DRF's own
reading, and the list logs the children it logged when those rows were model instances."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from cpcases.accounts.roles import Agency
from cpcases.audit.models import AccessEvent
from cpcases.core.serializing import written_at
from cpcases.plans import api, services
from cpcases.plans.models import ActionStatus, ChildProtectionPlan, PlanEndReason, PlanVersion
from tests.direct_read import assert_answers_as_drf, assert_written_out_as_drf
from tests.factories import AllocationFactory, ChildFactory
from tests.plans.conftest import ICPC, all_attended, at

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def busy_plan(clock, plan, sw, tm, chair, bso, org) -> ChildProtectionPlan:
    """The plan with every kind of row its list shows: members removed and two of one agency
    and name, actions by a user and by name (open, overdue and done), versions from a
    revision and a core group meeting; and a sibling's plan from one conference."""
    from conferences.models import Conference, ConferenceKind, ConferenceStatus

    for email in ("a@school.example", "b@school.example"):
        services.core_group_member_add(plan=plan, user=sw, member=services.MemberData(
            name="Ms Whitfield", agency=Agency.EDUCATION, email=email))
    services.core_group_member_remove(member=plan.members.get(email="a@school.example"),
                                      user=sw)
    worker = services.plan_action_add(plan=plan, user=sw, action=services.ActionData(
        who_user=tm, what="Review the plan", by_when=ICPC + dt.timedelta(days=3)))
    services.plan_action_add(plan=plan, user=sw, action=services.ActionData(
        who="Health visitor", what="Weigh Alfie", by_when=ICPC + dt.timedelta(days=3)))
    clock.move_to(at(ICPC + dt.timedelta(days=9)))
    services.plan_action_update(action=worker, user=sw, status=ActionStatus.DONE)
    services.plan_revise(plan=plan, user=tm, outcomes="Alfie thrives.", reason="Review")
    services.core_group_meeting_record(plan=plan, held_on=ICPC + dt.timedelta(days=9),
                                       attendance=all_attended(plan), user=sw)
    sibling = ChildFactory(authority=org.authority, first_name="Ben")
    AllocationFactory(child=sibling, team=org.team_a, social_worker=sw)
    held = Conference.objects.create(
        authority=org.authority, kind=ConferenceKind.INITIAL, date=ICPC,
        start_time=dt.time(13, 0), venue="Civic Centre", chair=chair, minute_taker=bso,
        status=ConferenceStatus.HELD)
    held.children.add(plan.child, sibling)
    ChildProtectionPlan.objects.filter(pk=plan.pk).update(conference=held)
    assert PlanVersion.objects.filter(plan=plan, meeting__isnull=False).exists()
    return plan


@pytest.mark.parametrize("username", ["sw", "tm", "police"])
def test_each_listed_plan_answers_as_the_plan_read_alone(request, busy_plan, username
                                                         ) -> None:
    client = _api(request.getfixturevalue(username))
    for path in ("/api/v1/plans/", "/api/v1/plans/?page=1", "/api/v1/plans/?category=neglect"):
        listed = client.get(path).json()["results"]
        assert [plan["id"] for plan in listed] == [busy_plan.pk]
        for plan in listed:
            assert plan == client.get(f"/api/v1/plans/{plan['id']}/").json()
        assert_answers_as_drf(client, path)
    shown = listed[0]
    assert [m["email"] for m in shown["members"] if m["name"] == "Ms Whitfield"
            and m["agency"] == Agency.EDUCATION][-2:] == ["a@school.example",
                                                          "b@school.example"]
    assert {a["who"]: a["overdue"] for a in shown["actions"]} == {
        "Anytown Primary": False, str(request.getfixturevalue("tm")): False,
        "Health visitor": True}
    assert [v["number"] for v in shown["versions"]] == [3, 2, 1]


def test_the_list_logs_the_conferences_other_child_in_four_queries(client, busy_plan, sw
                                                                   ) -> None:
    last = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    api = _api(sw)
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/plans/").status_code == 200
    logged = set(AccessEvent.objects.filter(id__gt=last).values_list("child_id", flat=True))
    conference = ChildProtectionPlan.objects.get(pk=busy_plan.pk).conference
    assert logged == set(conference.children.values_list("pk", flat=True))
    assert len(logged) == 2
    # The page's rows (with their nested lists and the conference's children) and the log.
    assert len(queries) == 2, [q["sql"][:80] for q in queries.captured_queries]


# --- the page's plans written by `listed_plan` (issue 13 §2) --------------------------------


def _ended(plan: ChildProtectionPlan) -> None:
    """Every column the list writes with a value: ended at a conference, with its reason,
    note and step-down rationale, its first core group's day and no conference of its own
    (a None key)."""
    ChildProtectionPlan.objects.filter(pk=plan.pk).update(
        ended_on=ICPC + dt.timedelta(days=90), end_reason=PlanEndReason.NO_LONGER_AT_RISK,
        end_note="Stepped down \u2013 \u201csafe\u201d now",
        stepdown_rationale="Family support ends",
        end_conference=plan.conference, conference=None, previous_plans=2,
        first_core_group_on=ICPC + dt.timedelta(days=10), outcomes="", contingency="Ünïcode")


@pytest.mark.parametrize("ended", [False, True])
@pytest.mark.parametrize("username", ["sw", "tm", "police"])
def test_the_listed_plans_are_written_as_drf_writes_them(request, busy_plan, username, ended
                                                         ) -> None:
    if ended:
        _ended(busy_plan)
    client = _api(request.getfixturevalue(username))
    for path in ("/api/v1/plans/", "/api/v1/plans/?page=1", "/api/v1/plans/?category=neglect",
                 f"/api/v1/plans/{busy_plan.pk}/"):
        # A list's plans are written by `listed_plan` (not left to PlanSerializer).
        listed = assert_written_out_as_drf(client, path, api, "listed_plan").json().get(
            "results")
        assert listed is None or listed, path


def test_a_plan_not_read_by_the_lists_query_is_written_by_its_serializer(busy_plan) -> None:
    """Plans without the list's columns (read whole, as a record is) are written by
    PlanSerializer, as before."""
    plans = list(ChildProtectionPlan.objects.filter(pk=busy_plan.pk))
    assert api.PlanSerializer(plans, many=True).data == [
        serializers.Serializer.to_representation(api.PlanSerializer(), plans[0])]


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/New_York",
                                  "Asia/Kolkata"])
def test_a_versions_time_is_written_as_drf_writes_it(zone) -> None:
    """`serializing.written_at` (the versions', visits' and children's times in a list)
    against DRF's DateTimeField, in winter
    and summer, at midnight and with and without microseconds."""
    field = serializers.DateTimeField(read_only=True)
    with timezone.override(zone):
        for text in ("2026-01-15T00:00:00+00:00", "2026-07-15T23:30:00.000001+00:00",
                     "2026-03-29T01:00:00.5+00:00", "2026-10-25T00:59:59.999999+00:00"):
            value = dt.datetime.fromisoformat(text)
            assert written_at(timezone.get_current_timezone(), value) == (
                field.to_representation(value)), (zone, text)
