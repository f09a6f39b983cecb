"""Defensive responses (issue 12 §7): no-store on everything a signed-in user is shown,
404 for malformed ids on every route, 503 with a plain page when the database is down."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_child_pages_and_api_json_are_never_cached(client, sw, child):
    client.force_login(sw)
    for path in (f"/children/{child.pk}/", "/children/", f"/api/v1/children/{child.pk}/",
                 "/api/v1/children/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert _no_store(response), path


def test_api_json_read_with_a_token_is_never_cached(sw, child):
    token = Token.objects.create(user=sw)
    response = Client(HTTP_AUTHORIZATION=f"Token {token.key}").get(
        f"/api/v1/children/{child.pk}/")
    assert response.status_code == 200
    assert _no_store(response)


def _patterns(resolver: URLResolver, prefix: str = "") -> list[str]:
    found = []
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _patterns(entry, pattern)
        elif isinstance(entry, URLPattern):
            found.append(pattern)
    return found


_PARAM = re.compile(r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)")


def _concrete(pattern: str, value: str) -> str | None:
    """A pattern with every parameter replaced by value (None if it has none)."""
    if not _PARAM.search(pattern):
        return None
    path = _PARAM.sub(value, pattern).lstrip("^").rstrip("$").replace("\\.", ".")
    return "/" + path.replace("\\", "")


@pytest.mark.parametrize("bad", ["abc", "1e3", "99999999999999999999", "-1"])
def test_malformed_ids_answer_404_on_every_route(client, sw, child, bad):
    client.force_login(sw)
    failures = []
    for pattern in _patterns(get_resolver()):
        if pattern.startswith("admin/") or "format" in pattern:
            continue
        path = _concrete(pattern, bad)
        if path is None:
            continue
        status = client.get(path).status_code
        if status >= 500 or status == 200:
            failures.append((path, status))
    assert failures == []


def test_a_database_outage_answers_503_with_a_plain_page(sw, child):
    browser = Client(raise_request_exception=False)
    browser.force_login(sw)
    with mock.patch("cpcases.children.selectors.child_for_view",
                    side_effect=OperationalError("connection refused")):
        response = browser.get(f"/children/{child.pk}/")
    assert response.status_code == 503
    assert "the service is unavailable" in response.content.decode()
    assert response["Retry-After"] == "60"


def test_pdfs_and_calendar_files_are_never_cached(request, client, sw, child, settings,
                                                  tmp_path):
    """Files carry child data as much as pages do: a kept PDF, a conference's PDF and its
    .ics invitation."""
    from tests.conferences.factories import walk_conference
    from tests.documents.walk import walk_issued_document

    settings.MEDIA_ROOT = tmp_path
    conference = walk_conference(request, child)
    client.force_login(sw)
    for path in (f"/children/{child.pk}/documents/{walk_issued_document(request, child)}/",
                 f"/conferences/{conference}/calendar.ics"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert _no_store(response), path


def test_a_real_database_outage_answers_503_with_a_plain_page():
    """Not a mock: a process whose database is a closed port, asked by a signed-in browser
    (its session is read from the database)."""
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "c = Client(raise_request_exception=False, HTTP_HOST='localhost');"
        "c.cookies['sessionid'] = 'a' * 32;"
        "r = c.get('/children/');"
        "print(r.status_code, r.get('Retry-After'), r['Content-Type'].split(';')[0]);"
        "print('the service is unavailable' in r.content.decode())")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cpcases.settings.test",
           "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{port}/nothing"}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.stdout.split() == ["503", "60", "text/html", "True"], result.stderr[-2000:]
