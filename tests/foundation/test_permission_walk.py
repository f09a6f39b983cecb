"""Every route has an access test: a user outside the case (or not signed in) is refused.

The walk lists every URL the project serves. A new route without an entry in ACCESS fails
`test_every_route_has_an_access_rule`, so nobody can add a page or endpoint without saying
who may reach it and proving that someone outside the case cannot.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cpcases.audit.models import AccessAction, AccessEvent

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Access:
    """How to reach a route, who may, and what someone outside gets.

    path: with {child} for a child the insider sees and the outsider does not.
    insider: persona fixture name that gets `ok`; outsider: persona refused (None: anonymous).
    """

    path: str
    insider: str = "sw"
    outsider: str | None = "sw_b"
    ok: int = 200
    refused: tuple[int, ...] = (404,)


ANON = (302,)  # pages send anonymous users to sign in
API_ANON = (401, 403)

ACCESS: dict[str, Access] = {
    "home": Access("/", ok=302, outsider=None, refused=ANON),
    "accounts:login": Access("/sign-in/", insider="sw", ok=302, outsider=None, refused=(200,)),
    "accounts:logout": Access("/sign-out/", ok=405, outsider=None, refused=(405,)),
    "accounts:session_extend": Access("/session/extend/", ok=405, outsider=None,
                                      refused=(*ANON, 405)),
    "children:caseload": Access("/children/", outsider=None, refused=ANON),
    "children:search": Access("/children/search/", outsider=None, refused=ANON),
    "children:create": Access("/children/new/", outsider="chair", refused=(403,)),
    "children:detail": Access("/children/{child}/"),
    "children:edit": Access("/children/{child}/edit/"),
    "children:people": Access("/children/{child}/people/"),
    "children:person_add": Access("/children/{child}/people/add/"),
    "children:allocation": Access("/children/{child}/allocation/"),
    "children:allocate": Access("/children/{child}/allocation/change/", insider="tm",
                                outsider="tm_b"),
    "children:audit": Access("/children/{child}/audit/", insider="tm", outsider="tm_b"),
    "api:api-root": Access("/api/v1/", outsider=None, refused=API_ANON),
    "api:child-list": Access("/api/v1/children/", outsider=None, refused=API_ANON),
    "api:child-detail": Access("/api/v1/children/{child}/"),
    "api:person-list": Access("/api/v1/people/", outsider=None, refused=API_ANON),
    "api:person-detail": Access("/api/v1/people/{person}/"),
    "schema": Access("/api/schema/", outsider=None, refused=API_ANON),
    "api-docs": Access("/api/docs/", outsider=None, refused=API_ANON),
}

# Django's admin is for administrators only (is_staff); it has its own login.
EXCLUDED_PREFIXES = ("admin/",)


def _walk(patterns: list, prefix: str = "", namespace: str | None = None
          ) -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), full_ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
            yield name, prefix + str(pattern.pattern)


def all_routes() -> dict[str, str]:
    return {name: route for name, route in _walk(get_resolver().url_patterns)
            if not route.startswith(EXCLUDED_PREFIXES)}


def test_every_route_has_an_access_rule() -> None:
    missing = sorted(set(all_routes()) - set(ACCESS))
    assert not missing, f"Routes without an access test: {missing}. Add them to ACCESS."


def _client_for(request: pytest.FixtureRequest, persona: str | None) -> Client:
    client = Client()
    if persona:
        client.force_login(request.getfixturevalue(persona))
    return client


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_route_admits_the_insider_and_refuses_the_outsider(
        name: str, request: pytest.FixtureRequest, child, other_team_child) -> None:
    from tests.factories import ChildPersonFactory

    access = ACCESS[name]
    link = ChildPersonFactory(child=child, person__authority=child.authority)
    path = access.path.format(child=child.pk, person=link.person_id)

    insider = _client_for(request, access.insider).get(path)
    assert insider.status_code == access.ok, f"{name}: insider got {insider.status_code}"

    outsider = _client_for(request, access.outsider).get(path)
    assert outsider.status_code in access.refused, (
        f"{name}: outsider {access.outsider or 'anonymous'} got {outsider.status_code}")


@pytest.mark.parametrize("name", sorted(n for n, a in ACCESS.items() if "{child}" in a.path))
def test_refusal_to_open_a_child_is_logged(name: str, request: pytest.FixtureRequest,
                                           child) -> None:
    access = ACCESS[name]
    _client_for(request, access.outsider).get(access.path.format(child=child.pk, person=0))
    assert AccessEvent.objects.filter(child_id=child.pk, action=AccessAction.REFUSED).exists()


def test_admin_site_is_refused_to_everyone_but_administrators(client, sw, admin_user) -> None:
    client.force_login(sw)
    assert client.get("/admin/").status_code == 302
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200
