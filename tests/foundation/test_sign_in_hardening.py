"""Sign-in that cannot be turned against colleagues (issue 12 §6): one client-address
function behind trusted proxies, lockout per (username, address), the inactivity timeout on
every session request, API tokens that expire and die with access, and an authenticator-app
code for everyone when production requires it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from cpcases.accounts.middleware import LAST_ACTIVITY
from cpcases.accounts.roles import Role
from cpcases.audit.models import AccessEvent
from cpcases.core.client import client_address
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"
REFUSED = (401, 403)  # DRF answers 403 when session authentication is listed first


def _request(remote: str, forwarded: str = "") -> object:
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_a_forwarded_address_is_ignored_unless_a_trusted_proxy_sent_it(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(_request("198.51.100.7", "1.2.3.4")) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_client_cannot_choose_its_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    # The client wrote 1.2.3.4 itself; the proxy appended the address it really came from.
    assert client_address(_request(PROXY, "1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    assert client_address(_request(PROXY, "203.0.113.9, 10.0.0.7")) == "203.0.113.9"
    assert client_address(_request("198.51.100.7", "1.2.3.4")) == "198.51.100.7"
    assert client_address(_request(PROXY, "not-an-address")) == PROXY


def _sign_in(client: Client, username: str, password: str, user_address: str) -> int:
    return client.post("/sign-in/", {"username": username, "password": password},
                       REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=user_address).status_code


def test_wrong_passwords_behind_the_proxy_lock_out_only_the_guesser(settings, sw):
    settings.TRUSTED_PROXIES = [PROXY]
    attacker, colleague = Client(), Client()
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _sign_in(attacker, "sw", "wrong-password", "203.0.113.9")
            clock.shift(settings.SIGN_IN_SLOWDOWN_MAX_SECONDS)  # past every slow-down
        response = attacker.post("/sign-in/", {"username": "sw", "password": PASSWORD},
                                 REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
        assert response.status_code == 429
        assert "Too many sign-in attempts" in response.content.decode()
        # Everyone reaches the app through the same proxy; the colleague still signs in.
        assert _sign_in(colleague, "sw", PASSWORD, "198.51.100.7") == 302


def test_each_wrong_password_doubles_the_wait_before_the_next_try(settings, sw):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.AXES_FAILURE_LIMIT = 10
    attacker = Client()
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False) as clock:
        assert _sign_in(attacker, "sw", "wrong-password", "203.0.113.9") == 200
        # Straight away, even the right password is refused, unchecked and uncounted.
        response = attacker.post("/sign-in/", {"username": "sw", "password": PASSWORD},
                                 REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
        assert response.status_code == 429
        assert response["Retry-After"] == "1"
        page = response.content.decode()
        assert "Wait 1 second, then enter your password again" in page
        assert 'href="#id_password"' in page
        assert 'value="sw"' in page
        clock.shift(1)
        assert _sign_in(attacker, "sw", "wrong-password", "203.0.113.9") == 200
        clock.shift(1)
        assert _sign_in(attacker, "sw", "wrong-password", "203.0.113.9") == 429  # 2 s now
        clock.shift(1)
        assert _sign_in(attacker, "sw", "wrong-password", "203.0.113.9") == 200
        for wait in (4, 8):
            clock.shift(wait - 1)
            assert _sign_in(attacker, "sw", PASSWORD, "203.0.113.9") == 429
            clock.shift(1)
            assert _sign_in(attacker, "sw", "wrong-password", "203.0.113.9") == 200
        clock.shift(15)
        assert _sign_in(attacker, "sw", PASSWORD, "203.0.113.9") == 429  # waits 16 s
        clock.shift(1)
        assert _sign_in(attacker, "sw", PASSWORD, "203.0.113.9") == 302


def test_a_guesser_elsewhere_does_not_slow_down_the_real_user(settings, sw):
    settings.TRUSTED_PROXIES = [PROXY]
    attacker, colleague = Client(), Client()
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        _sign_in(attacker, "sw", "wrong-password", "203.0.113.9")
        assert _sign_in(attacker, "sw", "wrong-password", "203.0.113.9") == 429
        assert _sign_in(colleague, "sw", PASSWORD, "198.51.100.7") == 302


def test_the_audit_trail_records_the_address_the_lockout_uses(settings, client, sw, child):
    settings.TRUSTED_PROXIES = [PROXY]
    client.force_login(sw)
    client.get(f"/children/{child.pk}/", REMOTE_ADDR=PROXY,
               HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert AccessEvent.objects.filter(child_id=child.pk).latest("id").ip_address == (
        "198.51.100.7")


def _stale(client: Client, settings) -> None:
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - settings.SESSION_INACTIVITY_SECONDS - 5
    session.save()


def test_an_authorization_header_does_not_keep_a_stale_session_alive(client, settings, sw,
                                                                     child):
    client.force_login(sw)
    _stale(client, settings)
    response = client.get(f"/children/{child.pk}/", HTTP_AUTHORIZATION="Bearer x")
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")
    assert client.get("/api/v1/children/").status_code in (401, 403)


def _token_client(token: Token) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def test_an_api_token_expires(settings, sw, child):
    token = Token.objects.create(user=sw)
    assert _token_client(token).get("/api/v1/children/").status_code == 200
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - dt.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS, hours=1))
    response = _token_client(token).get("/api/v1/children/")
    assert response.status_code in REFUSED
    assert "expired" in response.json()["detail"]


def test_a_revoked_token_is_refused(sw, child):
    token = Token.objects.create(user=sw)
    Token.objects.filter(pk=token.pk).delete()  # admin, Tokens: delete
    assert _token_client(token).get("/api/v1/children/").status_code in REFUSED


def test_deactivating_a_user_ends_their_sessions_and_tokens_at_once(
        client, sw, child, django_capture_on_commit_callbacks):
    token = Token.objects.create(user=sw)
    client.force_login(sw)
    assert Session.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        sw.is_active = False
        sw.save()
    assert Session.objects.count() == 0
    assert not Token.objects.filter(user=sw).exists()
    assert client.get("/children/").status_code == 302
    assert _token_client(token).get("/api/v1/children/").status_code in REFUSED


def test_a_new_password_ends_the_old_sessions_and_tokens(
        client, sw, child, django_capture_on_commit_callbacks):
    Token.objects.create(user=sw)
    client.force_login(sw)
    with django_capture_on_commit_callbacks(execute=True):
        sw.set_password("a-brand-new-passphrase-2026")
        sw.save()
    assert not Token.objects.filter(user=sw).exists()
    assert client.get("/children/").status_code == 302


# --- multi-factor sign-in, as production requires it -----------------------------------------
@pytest.fixture
def mfa_required(settings):
    settings.MFA_REQUIRED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code then the right one, at once


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.usefixtures("mfa_required")
def test_first_sign_in_sets_up_an_authenticator_app_before_any_child_is_shown(sw, child):
    browser = Client()
    response = browser.post("/sign-in/", {"username": "sw", "password": PASSWORD,
                                          "next": f"/children/{child.pk}/"}, follow=True)
    assert response.request["PATH_INFO"] == "/sign-in/set-up-app/"
    assert "Set up an authenticator app" in response.content.decode()
    assert child.last_name not in response.content.decode()
    assert browser.get("/api/v1/children/").status_code == 403

    device = TOTPDevice.objects.get(user=sw, confirmed=False)
    wrong = browser.post("/sign-in/set-up-app/", {"token": "000000"})
    assert "That code is not right" in wrong.content.decode()
    done = browser.post("/sign-in/set-up-app/", {"token": _code(device),
                                                 "next": f"/children/{child.pk}/"})
    assert done.url == f"/children/{child.pk}/"
    assert browser.get(f"/children/{child.pk}/").status_code == 200


@pytest.mark.usefixtures("mfa_required")
def test_later_sign_ins_ask_for_a_code_from_the_app(sw, child):
    device = TOTPDevice.objects.create(user=sw, name="phone", confirmed=True)
    browser = Client()
    response = browser.post("/sign-in/", {"username": "sw", "password": PASSWORD},
                            follow=True)
    assert response.request["PATH_INFO"] == "/sign-in/code/"
    assert browser.get("/children/").status_code == 302
    browser.post("/sign-in/code/", {"token": _code(device)})
    assert browser.get("/children/").status_code == 200


@pytest.mark.usefixtures("mfa_required")
@pytest.mark.parametrize("role", list(Role))
def test_every_role_signs_in_with_a_code_from_an_app(role, org):
    from tests.factories import UserFactory

    UserFactory(username="someone", role=role, authority=org.authority,
                is_staff=role == Role.ADMINISTRATOR)
    browser = Client()
    response = browser.post("/sign-in/", {"username": "someone", "password": PASSWORD},
                            follow=True)
    assert response.request["PATH_INFO"] == "/sign-in/set-up-app/"
    assert browser.get("/").status_code == 302
    assert browser.get("/api/v1/").status_code == 403


def test_production_requires_multi_factor_sign_in():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "cpcases.settings.production",
                   "DJANGO_SECRET_KEY": "x" * 60, "DJANGO_ALLOWED_HOSTS": "example.org"}
    environment.pop("MFA_REQUIRED", None)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import "
         "settings; print(settings.MFA_REQUIRED)"],
        env=environment, capture_output=True, text=True, check=False)
    assert result.stdout.strip() == "True", result.stderr
