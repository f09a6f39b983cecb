"""Every read of child data is in the access log (issue 12 §5).

The routes come from the URL resolver (the permission walk's table, which must know every
route) and the OpenAPI schema (which must not name a path the walk does not know). Each GET
route is requested as the insider; if the answer shows the walk's child (their ID or name),
the log must hold an entry naming that user and that child, made by that request. Each
refusal of a record to the outsider must be logged too. A new route cannot forget.
"""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from cpcases.audit.models import AccessAction, AccessEvent
from tests.foundation.test_permission_walk import ACCESS, _client_for, _placeholders

pytestmark = pytest.mark.django_db

READS = sorted(name for name, a in ACCESS.items() if a.method == "get" and a.ok == 200)


def test_every_api_path_in_the_schema_is_walked():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    walked = [a.path for a in ACCESS.values()]

    def is_walked(api_path: str) -> bool:
        pattern = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(api_path)) + "$")
        return any(pattern.match(path) for path in walked)

    assert sorted(p for p in schema["paths"] if not is_walked(p)) == []


def _path(request: pytest.FixtureRequest, name: str, child) -> str:
    from tests.factories import ChildPersonFactory

    link = ChildPersonFactory(child=child, person__authority=child.authority)
    access = ACCESS[name]
    return access.path.format(child=child.pk, person=link.person_id,
                              **_placeholders(request, access.path, child))


@pytest.mark.parametrize("name", READS)
def test_a_route_that_shows_a_child_logs_who_saw_them(name: str, request, child,
                                                      other_team_child):
    access = ACCESS[name]
    path = _path(request, name, child)
    client = _client_for(request, access.insider)
    before = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.get(path)
    assert response.status_code == 200
    body = b"".join(response) if response.streaming else response.content
    text = body.decode(errors="replace")
    if child.la_child_id not in text and child.last_name not in text:
        pytest.skip("this route shows no child's data to the insider")
    insider = request.getfixturevalue(access.insider)
    assert AccessEvent.objects.filter(
        id__gt=before, user=insider, child_id=child.pk,
        action__in=[AccessAction.VIEW, AccessAction.EXPORT, AccessAction.SEARCH]).exists(), (
        f"{name} ({path}) showed the child to {access.insider} without an access-log entry")


RECORD_REFUSALS = sorted(name for name, a in ACCESS.items()
                         if a.method == "get" and a.outsider and 404 in a.refused
                         and "{" in a.path)


@pytest.mark.parametrize("name", RECORD_REFUSALS)
def test_a_refused_record_is_logged(name: str, request, child, other_team_child):
    access = ACCESS[name]
    path = _path(request, name, child)
    before = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = _client_for(request, access.outsider).get(path)
    assert response.status_code in access.refused
    outsider = request.getfixturevalue(access.outsider)
    assert AccessEvent.objects.filter(id__gt=before, user=outsider,
                                      action=AccessAction.REFUSED).exists(), (
        f"{name}: the refusal to {access.outsider} was not logged")
