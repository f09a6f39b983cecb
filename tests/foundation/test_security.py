"""Sign-in and sessions (Foundation §10): throttling that cannot lock a real user out,
inactivity timeout, CSRF, secure headers and a CSP without unsafe-inline."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.test import Client

from cpcases.accounts.middleware import LAST_ACTIVITY, activity_resolution
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, username: str, password: str, ip: str) -> int:
    return client.post("/sign-in/", {"username": username, "password": password},
                       REMOTE_ADDR=ip).status_code


def test_repeated_wrong_passwords_lock_out_that_device_only(settings, sw) -> None:
    attacker, colleague = Client(), Client()
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _sign_in(attacker, "sw", "wrong-password", "203.0.113.9")
            clock.shift(settings.SIGN_IN_SLOWDOWN_MAX_SECONDS)  # past each slow-down
        # The attacker is now refused even with the right password…
        assert _sign_in(attacker, "sw", PASSWORD, "203.0.113.9") == 429
        # …but the real social worker at their own desk still signs in.
        assert _sign_in(colleague, "sw", PASSWORD, "10.0.0.5") == 302


def test_wrong_password_shows_a_clear_message(client, sw) -> None:
    response = client.post("/sign-in/", {"username": "sw", "password": "nope"})
    assert "Enter a correct username and password" in response.content.decode()


def test_user_is_signed_out_after_the_inactivity_limit(client, settings, sw, child) -> None:
    client.force_login(sw)
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - settings.SESSION_INACTIVITY_SECONDS - 5
    session.save()
    response = client.get("/children/")
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")
    assert client.get("/children/").status_code == 302  # really signed out


def test_activity_within_the_limit_keeps_the_session(client, settings, sw) -> None:
    client.force_login(sw)
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - settings.SESSION_INACTIVITY_SECONDS + 60
    session.save()
    assert client.post("/session/extend/").status_code == 200
    assert client.get("/children/").status_code == 200


def test_reading_pages_in_quick_succession_writes_the_session_once_and_still_times_out(
        client, settings, sw) -> None:
    """The last activity is stored at most every `activity_resolution()` seconds, so a page
    read does not write the session row each time (issue 13 §2); the timeout still holds."""
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SESSION_ACTIVITY_RESOLUTION_SECONDS = 60
    assert activity_resolution() == 60
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False) as clock:
        client.force_login(sw)
        client.get("/children/")
        stored = client.session[LAST_ACTIVITY]
        clock.shift(activity_resolution() - 1)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/children/").status_code == 200
        assert not [q for q in queries if 'UPDATE "django_session"' in q["sql"]]
        assert client.session[LAST_ACTIVITY] == stored
        clock.shift(1)
        client.get("/children/")
        assert client.session[LAST_ACTIVITY] == stored + activity_resolution()
        assert Session.objects.count() == 1
        clock.shift(settings.SESSION_INACTIVITY_SECONDS + 1)
        response = client.get("/children/")
        assert response.status_code == 302
        assert response.url.startswith("/sign-in/")


def test_pages_carry_the_inactivity_warning(client, sw) -> None:
    client.force_login(sw)
    page = client.get("/children/").content.decode()
    assert "You will be signed out soon" in page
    assert "Stay signed in" in page


def test_csrf_is_enforced_on_forms(sw, child) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(sw)
    assert client.post(f"/children/{child.pk}/edit/", {}).status_code == 403


def test_content_security_policy_forbids_inline_script_and_style(client) -> None:
    response = client.get("/sign-in/")
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy


def test_every_inline_script_carries_the_nonce(client, sw) -> None:
    client.force_login(sw)
    response = client.get("/children/")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    page = response.content.decode()
    inline_scripts = [part for part in page.split("<script")[1:] if "src=" not in
                      part.split(">")[0]]
    assert inline_scripts
    assert all(f'nonce="{nonce}"' in part.split(">")[0] for part in inline_scripts)


def test_secure_headers_are_sent(client) -> None:
    headers = client.get("/sign-in/").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_sign_out_needs_a_post_and_ends_the_session(client, sw) -> None:
    client.force_login(sw)
    assert client.get("/sign-out/").status_code == 405
    assert client.post("/sign-out/").status_code == 302
    assert client.get("/children/").status_code == 302
