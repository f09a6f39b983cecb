"""The return readiness page reads stored results (returns.dfe.readiness): the census is
checked on demand and every night, not rebuilt on every visit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpcases.beat import RETURNS_READINESS
from cpcases.children.models import Child
from cpcases.plans.models import ChildProtectionPlan
from returns.dfe.models import ReadinessProblem, ReadinessRun
from returns.dfe.readiness import refresh_readiness
from returns.dfe.tasks import refresh_readiness_nightly

pytestmark = pytest.mark.django_db


def _break_freyas_plan() -> ChildProtectionPlan:
    plan = ChildProtectionPlan.objects.get(child__la_child_id="RET2501")
    ChildProtectionPlan.objects.filter(pk=plan.pk).update(started_on=dt.date(2025, 5, 30))
    return plan


def test_before_any_check_the_page_offers_to_check_now(client, pdo, demo) -> None:
    client.force_login(pdo)
    page = client.get("/returns/readiness/?year=2026").content.decode()
    assert "The census for this year has not been checked yet." in page
    assert "Check the census now" in page


def test_the_page_shows_the_stored_check_until_it_is_checked_again(client, pdo, demo,
                                                                   org) -> None:
    refresh_readiness(authority=org.authority, year=2026)
    plan = _break_freyas_plan()
    client.force_login(pdo)
    page = client.get("/returns/readiness/?year=2026").content.decode()
    assert "No problems found: the census is ready to send." in page  # as stored
    assert "overnight" in page
    answer = client.post("/returns/readiness/refresh/", {"year": "2026"}, follow=True)
    page = answer.content.decode()
    assert "The census has been checked: 1 problem found." in page
    assert "Census rule 2885" in page
    assert f'href="/plans/{plan.pk}/"' in page
    assert "by Priya Data" in page
    run = ReadinessRun.objects.get(authority=org.authority, year=2026)
    assert (run.problems, run.errors, run.user) == (1, 1, pdo)


def test_reading_the_page_builds_no_census(client, pdo, demo, org) -> None:
    """A fixed, small number of queries, none on the children's histories."""
    refresh_readiness(authority=org.authority, year=2026)
    client.force_login(pdo)
    client.get("/returns/readiness/?year=2026")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/returns/readiness/?year=2026")
    tables = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "strategy_section47enquiry" not in tables
    assert "frontdoor_referral" not in tables


def test_stored_problems_are_shown_a_page_at_a_time(client, pdo, demo, org) -> None:
    run = refresh_readiness(authority=org.authority, year=2026)
    ReadinessProblem.objects.bulk_create(
        ReadinessProblem(run=run, rule="2883", severity="E", message=f"Problem {n}",
                         target_kind="child") for n in range(60))
    client.force_login(pdo)
    first = client.get("/returns/readiness/?year=2026").content.decode()
    assert "60 problems" in first
    assert "1 of 2" in first
    assert "Problem 49" in first
    assert "Problem 50" not in first
    second = client.get("/returns/readiness/?year=2026&page=2").content.decode()
    assert "Problem 50" in second


def test_a_manager_sees_only_the_stored_problems_of_their_own_service(client, sm, demo,
                                                                       org) -> None:
    from cpcases.accounts.models import Service, Team

    _break_freyas_plan()
    refresh_readiness(authority=org.authority, year=2026)
    client.force_login(sm)
    assert "Census rule 2885" in client.get("/returns/readiness/?year=2026").content.decode()
    # Freya moves to a team of another service: no longer this manager's.
    other = Team.objects.create(service=Service.objects.create(authority=org.authority,
                                                               name="East"), name="East 1")
    Child.objects.get(la_child_id="RET2501").allocations.update(team=other)
    assert "Census rule 2885" not in client.get(
        "/returns/readiness/?year=2026").content.decode()


def test_checking_a_year_not_supported_is_refused_beside_the_field(client, pdo, demo) -> None:
    client.force_login(pdo)
    answer = client.post("/returns/readiness/refresh/", {"year": "2019"}, follow=True)
    page = answer.content.decode()
    assert "Census year 2019 is not supported: choose 2025 or 2026" in page
    assert not ReadinessRun.objects.exists()


def test_a_social_worker_cannot_check_the_census(client, sw, demo) -> None:
    client.force_login(sw)
    assert client.post("/returns/readiness/refresh/", {"year": "2026"}).status_code == 403


def test_the_nightly_task_refreshes_every_ended_year(org, demo) -> None:
    assert settings.CELERY_BEAT_SCHEDULE[RETURNS_READINESS]["task"] == \
        "returns.refresh_readiness"
    refresh_readiness_nightly.apply().get()
    assert sorted(ReadinessRun.objects.filter(authority=org.authority).values_list(
        "year", flat=True)) == [2025, 2026]
    first = ReadinessRun.objects.get(authority=org.authority, year=2026)
    assert (first.user, first.problems) == (None, 0)
    _break_freyas_plan()
    refresh_readiness_nightly.apply().get()
    assert ReadinessRun.objects.get(pk=first.pk).problems == 1
    assert ReadinessProblem.objects.filter(run=first, rule="2885").count() == 1
