"""The returns through the API (issue 16): the stored readiness problems and one child's
DfE API record; scoped, paged, in the access log."""

from __future__ import annotations

import datetime as dt

import pytest

from cpcases.audit.models import AccessEvent
from cpcases.children.models import Child
from cpcases.plans.models import ChildProtectionPlan
from returns.dfe.models import ReadinessProblem
from returns.dfe.readiness import refresh_readiness
from tests.api_problems import field_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client_for():
    from rest_framework.test import APIClient

    def signed_in(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client
    return signed_in


def test_readiness_lists_the_stored_problems_with_the_child_and_the_rule(api_client_for,
                                                                        pdo, demo,
                                                                        org) -> None:
    ChildProtectionPlan.objects.filter(child__la_child_id="RET2501").update(
        started_on=dt.date(2025, 5, 30))
    refresh_readiness(authority=org.authority, year=2026)
    body = api_client_for(pdo).get("/api/v1/returns/readiness/?year=2026").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["la_child_id"], row["rule"], row["severity"], row["year"]) == (
        "RET2501", "2885", "E", 2026)
    freya = Child.objects.get(la_child_id="RET2501")
    assert AccessEvent.objects.filter(user=pdo, child_id=freya.pk,
                                      section__startswith="api list").exists()
    # Issue 15 §3: filtered by child (the children the caller runs returns for).
    mine = api_client_for(pdo).get(f"/api/v1/returns/readiness/?year=2026&child={freya.pk}")
    assert mine.json()["count"] == 1
    other = Child.objects.exclude(pk=freya.pk).first()
    assert api_client_for(pdo).get(
        f"/api/v1/returns/readiness/?year=2026&child={other.pk}").json()["count"] == 0


def test_readiness_is_paged(api_client_for, pdo, demo, org) -> None:
    run = refresh_readiness(authority=org.authority, year=2026)
    ReadinessProblem.objects.bulk_create(
        ReadinessProblem(run=run, rule="2883", severity="E", message=f"Problem {n}",
                         target_kind="child") for n in range(60))
    body = api_client_for(pdo).get("/api/v1/returns/readiness/?year=2026").json()
    assert (body["count"], len(body["results"])) == (60, 50)
    assert body["next"]


def test_readiness_before_any_check_is_empty_and_a_bad_year_is_refused(
        api_client_for, pdo, demo) -> None:
    client = api_client_for(pdo)
    assert client.get("/api/v1/returns/readiness/?year=2026").json()["count"] == 0
    answer = client.get("/api/v1/returns/readiness/?year=2019")
    assert answer.status_code == 400
    assert "Census year 2019 is not supported" in field_errors(answer)["year"][0]
    assert client.get("/api/v1/returns/readiness/?year=next").status_code == 400


def test_one_childs_dfe_record(api_client_for, pdo, demo) -> None:
    freya = Child.objects.get(la_child_id="RET2501")
    answer = api_client_for(pdo).get(f"/api/v1/returns/dfe-payload/{freya.pk}/")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["la_child_id"], body["mis_child_id"]) == ("RET2501", str(freya.pk))
    assert body["social_care_episodes"][0]["child_protection_plans"][0]["start_date"] == \
        "2025-05-29"
    assert AccessEvent.objects.filter(user=pdo, child_id=freya.pk,
                                      section="api record dfe-payload").exists()


def test_a_manager_gets_no_record_of_a_child_outside_their_service(api_client_for, sm,
                                                                   demo, org) -> None:
    from cpcases.accounts.models import Service, Team

    freya = Child.objects.get(la_child_id="RET2501")
    client = api_client_for(sm)
    assert client.get(f"/api/v1/returns/dfe-payload/{freya.pk}/").status_code == 200
    other = Team.objects.create(service=Service.objects.create(authority=org.authority,
                                                               name="East"), name="East 1")
    freya.allocations.update(team=other)
    assert client.get(f"/api/v1/returns/dfe-payload/{freya.pk}/").status_code == 404


def test_a_social_worker_is_refused(api_client_for, sw, child) -> None:
    client = api_client_for(sw)
    assert client.get(f"/api/v1/returns/dfe-payload/{child.pk}/").status_code == 403
    assert client.get("/api/v1/returns/readiness/").status_code == 403
