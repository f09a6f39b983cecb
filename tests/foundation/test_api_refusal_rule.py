"""The API's one refusal rule and one error shape (issue 15 §1-2, docs/api.md), walked over
every operation of the OpenAPI schema:

- a caller without credentials gets 401 naming the scheme (WWW-Authenticate: Token);
- a user outside the case gets 404 for a record of the case, whatever the method and body —
  the same answer as for a record that does not exist;
- a user in the case whose role may not do the thing gets 403;
- every one of these answers, and every 400, is problem details (application/problem+json).

The records come from the permission walk (tests/foundation/test_permission_walk.py): each
API route there names the record its insider sees and its outsider does not.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api_problems import field_errors, problem_of
from tests.foundation.test_permission_walk import ACCESS, Access, _placeholders

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")


def _operations() -> list[tuple[str, str]]:
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return [(path, method) for path, ops in paths.items() for method in ops
            if method in METHODS]


OPERATIONS = _operations()


def _access_for(template: str) -> Access | None:
    """The permission walk's rule for the route this schema path is (placeholders of the
    walk in place of the schema's parameters)."""
    pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template)))
    found = [a for a in ACCESS.values() if a.path.startswith("/api/")
             and pattern.fullmatch(a.path) and "{" in a.path]
    return found[0] if found else None


def _client(user: Any | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _send(client: APIClient, method: str, path: str) -> Any:
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, {}, format="json")


def test_the_walk_covers_the_whole_api() -> None:
    assert len(OPERATIONS) > 150
    with_records = [p for p, _ in OPERATIONS if "{" in p]
    assert len(with_records) > 80


@pytest.mark.parametrize(("template", "method"), OPERATIONS)
def test_a_caller_without_credentials_gets_401_naming_the_scheme(template: str,
                                                                   method: str) -> None:
    path = re.sub(r"\{[^}]+\}", "1", template)
    response = _send(_client(None), method, path)
    problem_of(response, 401)
    assert response["WWW-Authenticate"] == "Token"


# Path parameters that are not records of a case: every signed-in user reads the same thing.
NOT_CASE_RECORDS = ("/api/v1/policy-rules/", "/api/v1/deadline-rules/", "/api/v1/merges/")

SCOPED = [(t, m) for t, m in OPERATIONS if "{" in t and not t.startswith(NOT_CASE_RECORDS)]


@pytest.mark.parametrize(("template", "method"), SCOPED)
def test_a_user_outside_the_case_gets_404_for_its_records(
        template: str, method: str, request: pytest.FixtureRequest, child, other_team_child
        ) -> None:
    access = _access_for(template)
    assert access is not None, f"{template}: no route of the permission walk matches"
    if access.outsider is not None and 404 not in access.refused:
        pytest.skip("the walk refuses this route by role, not by case")
    path = access.path.format(child=child.pk, person=0,
                              **_placeholders(request, access.path, child))
    # The walk's outsider, or (routes the walk reaches only anonymously, such as actions) a
    # social worker of another team.
    outsider = request.getfixturevalue(access.outsider or "sw_b")
    response = _send(_client(outsider), method, path)
    body = problem_of(response, 404)
    assert body["detail"].startswith(("No ", "Not found")), body


# A user who sees the case but whose role may not do this: (persona, method, path, body).
# The records are the walk's; the bodies are valid, so only the permission refuses.
NOT_PERMITTED = [
    ("bso", "post", "/api/v1/threshold-decisions/",
     lambda r, c: {"child": c.pk, "harm_evidenced": True, "harm_likely": True,
                   "attributable_to_parental_care": True, "rationale": "Bruising."}),
    ("sw", "patch", "/api/v1/policy-rules/visit_start/",
     lambda r, c: {"reason": "x", "working_days": 3}),
    ("chair", "post", "/api/v1/consultations/",
     lambda r, c: {"child": c.pk, "question": "Should we hold a conference?"}),
    ("bso", "post", "/api/v1/plans/",
     lambda r, c: {"child": c.pk, "started_on": "2027-03-24", "category": "neglect",
                   "lead_social_worker": r.getfixturevalue("sw").pk}),
]


@pytest.mark.parametrize(("persona", "method", "path", "body"), NOT_PERMITTED,
                         ids=[f"{p}-{m}-{u}" for p, m, u, _ in NOT_PERMITTED])
def test_a_user_in_the_case_without_the_permission_gets_403(
        persona: str, method: str, path: str, body: Any, request: pytest.FixtureRequest,
        child) -> None:
    child.cp_stage = "plan"  # business support and chairs see children in CP work
    child.save(update_fields=["cp_stage"])
    user = request.getfixturevalue(persona)
    assert _client(user).get(f"/api/v1/children/{child.pk}/").status_code in (200, 404)
    response = getattr(_client(user), method)(path, body(request, child), format="json")
    problem_of(response, 403)


def test_bad_input_names_each_field_in_the_problem(sw, child) -> None:
    response = _client(sw).post("/api/v1/visits/", {"child": child.pk, "child_seen": "maybe"},
                                format="json")
    errors = field_errors(response)
    assert "visited_at" in errors
    assert "child_seen" in errors
    assert problem_of(response)["type"].endswith("/validation")


def test_a_refused_precondition_is_a_problem_with_its_message(sw, child) -> None:
    body = {"child": child.pk, "visited_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "child_seen": False, "access_refused": True}
    response = _client(sw).post("/api/v1/visits/", body, format="json")
    problem = problem_of(response, 400)
    assert "Describe what happened" in problem["detail"]
    assert problem["errors"][0]["message"] == problem["detail"]
    assert problem["instance"] == "/api/v1/visits/"


def test_an_idempotency_key_used_for_another_request_is_refused_not_replayed(
        sw, child) -> None:
    """The key names one write: the same key on another route answers 422, never the first
    route's answer (found by the schema fuzz)."""
    api = APIClient()  # as another system calls: with a token
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=sw).key}")
    key = {"HTTP_IDEMPOTENCY_KEY": "one-write"}
    first = api.post("/api/v1/visits/", {"child": child.pk, "child_seen": True,
                                         "seen_alone": True,
                                         "visited_at": (timezone.now() - timedelta(hours=1))
                                         .isoformat()}, format="json", **key)
    assert first.status_code == 201, first.content
    other = api.post("/api/v1/concerns/", {"child": child.pk}, format="json", **key)
    assert problem_of(other, 422)["detail"].startswith("This Idempotency-Key was used")
