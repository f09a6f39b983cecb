"""A bounded schema fuzz of the whole API (issue 12 §7): every operation in the OpenAPI
schema, with inputs generated from it by schemathesis, as two users of different teams.
No answer may be a server error; every answer's status must be documented and its body and
content type must match the schema (4xx: problem details, cpcases.core.api).

Bounded so it runs in well under two minutes on two cores: FUZZ_EXAMPLES examples per
operation (deterministic: derandomized), each sent as both users.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import AllocationFactory, ChildFactory
from tests.foundation.test_api_refusal_rule import _access_for
from tests.foundation.test_permission_walk import _placeholders

FUZZ_EXAMPLES = 4
# Issue 15 §4: a server error, an undocumented status, a body or a content type that does not
# match the schema each fail the test.
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance,
          content_type_conformance]

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_schema(settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    raw = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = get_wsgi_application()
    # As Django's test client does: keep the test's database connection across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schema
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _real_ids(request: pytest.FixtureRequest, child: object, template: str,
              built: dict[str, int]) -> tuple[dict[str, str], str | None]:
    """Path parameters naming real records of the walk's child (the permission walk builds
    them, each kind once), and the persona who may see them; ({}, None) where the walk has
    no such route."""
    access = _access_for(template)
    if access is None:
        return {}, None
    for key in re.findall(r"\{(\w+)\}", access.path):
        if key not in built and key not in ("child", "person"):
            # Each kind on a child of its own, allocated as the walk's child is (a death and
            # a legal order cannot both be recorded for one child).
            own = ChildFactory(authority=child.authority, cp_stage=child.cp_stage)
            AllocationFactory(child=own, team=child.allocations.first().team,
                              social_worker=request.getfixturevalue("sw"))
            built.update(_placeholders(request, "{" + key + "}", own))
    path = access.path.format(child=child.pk, person=0,  # type: ignore[attr-defined]
                              **built)
    values = {}
    for name, value in zip(template.split("/"), path.split("/"), strict=False):
        if name.startswith("{") and name.endswith("}"):
            values[name[1:-1]] = value
    return values, access.insider


def test_the_whole_api_answers_no_server_error_and_matches_its_schema(
        api_schema, request, sw, sw_b, child, other_team_child):
    """Each operation is fuzzed on the records of a real case (path parameters naming the
    walk's records of team A's child): as the social worker of the case (and the route's
    insider, if another role) and as a social worker of another team."""
    tokens: dict[object, dict[str, str]] = {}

    def headers_of(user: object) -> dict[str, str]:
        if user not in tokens:
            tokens[user] = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
        return tokens[user]

    failures: list[str] = []
    built: dict[str, int] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 150  # the whole API, not a corner of it

    for operation in operations:
        real, insider = _real_ids(request, child, operation.path, built)
        users = [sw, sw_b]
        if insider and insider not in ("sw", "sw_b"):
            users.append(request.getfixturevalue(insider))

        @hypothesis_settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True,
                             database=None, phases=[Phase.explicit, Phase.generate],
                             suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def fuzz(case: schemathesis.Case) -> None:  # run at once: the loop's values hold
            if real and case.path_parameters:  # noqa: B023
                case.path_parameters = {**case.path_parameters, **real}  # noqa: B023
            for user in users:  # noqa: B023
                try:
                    case.call_and_validate(headers=headers_of(user), checks=CHECKS)
                except (Exception, BaseExceptionGroup) as exc:  # collect all, report all
                    failures.append(f"{case.method} {case.formatted_path}: {exc!s}"[:1500])

        fuzz()
    assert not failures, "\n\n".join(dict.fromkeys(failures))
