"""The real sender (issue 16 point 4): OAuth2 client credentials, then the payload POSTed in
batches, tried again after a failure, children marked as sent only when the API accepted
them. Against a local HTTP server started here, no mocks."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command

from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.children.models import Child
from returns.dfe.models import DfeBatch, DfeBatchStatus, DfeChildSent, DfeMode
from returns.dfe.sender import NotConfigured, SenderConfig, config_from_env, send

pytestmark = pytest.mark.django_db

CLIENT_ID, SECRET, TOKEN = "cpcases-test", "s3cret-value", "token-abc"


@dataclass
class FakeDfe:
    """The DfE token service and API, as far as the sender needs: records what it got and
    answers 503 to the first `failures` payload requests."""

    failures: int = 0
    refuse_with: int | None = None
    tokens_issued: int = 0
    token_forms: list[dict[str, list[str]]] = field(default_factory=list)
    posts: list[tuple[str, str, list[dict]]] = field(default_factory=list)
    attempts: int = 0
    url: str = ""


@pytest.fixture
def dfe() -> Iterator[FakeDfe]:
    state = FakeDfe()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path == "/oauth/token":
                form = urllib.parse.parse_qs(body.decode())
                state.token_forms.append(form)
                if form != {"grant_type": ["client_credentials"], "client_id": [CLIENT_ID],
                            "client_secret": [SECRET]}:
                    return self._answer(401, {"error": "invalid_client"})
                state.tokens_issued += 1
                return self._answer(200, {"access_token": TOKEN, "token_type": "Bearer",
                                          "expires_in": 3600})
            state.attempts += 1
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._answer(401, {"error": "no token"})
            if state.refuse_with:
                return self._answer(state.refuse_with, {"error": "bad payload"})
            if state.failures:
                state.failures -= 1
                return self._answer(503, {"error": "busy"})
            state.posts.append((self.path, self.headers["Content-Type"], json.loads(body)))
            return self._answer(202, {"accepted": True})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _config(dfe: FakeDfe, **extra: object) -> SenderConfig:
    return SenderConfig(token_url=f"{dfe.url}/oauth/token", client_id=CLIENT_ID,
                        client_secret=SECRET, api_url=f"{dfe.url}/api", batch_size=3,
                        attempts=3, backoff_seconds=0.01, **extra)


def test_sends_every_child_in_batches_with_a_client_credentials_token(org, demo, dfe
                                                                      ) -> None:
    batch = send(authority=org.authority, config=_config(dfe), mode=DfeMode.FULL)
    assert dfe.token_forms[0]["grant_type"] == ["client_credentials"]
    assert dfe.tokens_issued == 1  # kept for the second batch
    assert [(path, kind, len(body)) for path, kind, body in dfe.posts] == [
        ("/api/children_social_care_data/000/children", "application/json", 3),
        ("/api/children_social_care_data/000/children", "application/json", 1)]
    sent = sorted(r["la_child_id"] for _, _, body in dfe.posts for r in body)
    assert sent == ["RET2501", "RET2502", "RET2503", "RET2504"]
    assert "social_care_episodes" in dfe.posts[0][2][0]
    assert (batch.status, batch.sent_count, batch.children_count) == (
        DfeBatchStatus.SENT, 4, 4)
    assert DfeChildSent.objects.count() == 4
    assert AccessEvent.objects.filter(action=AccessAction.EXPORT,
                                      section="dfe_send").count() == 4


def test_a_failing_then_succeeding_api_is_tried_again_and_the_children_marked_sent(
        org, demo, dfe) -> None:
    dfe.failures = 2
    batch = send(authority=org.authority, config=_config(dfe), mode=DfeMode.FULL)
    assert batch.status == DfeBatchStatus.SENT
    assert batch.requests[0] == {"children": 3, "attempts": 3, "ok": True}
    assert dfe.attempts == 4
    assert DfeChildSent.objects.count() == 4


def test_children_are_marked_sent_only_when_the_api_accepted_them(org, demo, dfe) -> None:
    dfe.failures = 10  # never recovers
    batch = send(authority=org.authority, config=_config(dfe), mode=DfeMode.FULL)
    assert batch.status == DfeBatchStatus.FAILED
    assert "Gave up after 3 attempts: the API answered 503" in batch.error
    assert not DfeChildSent.objects.exists()
    # Next time everybody is still "changed", and goes.
    dfe.failures = 0
    again = send(authority=org.authority, config=_config(dfe), mode=DfeMode.CHANGED)
    assert (again.status, again.sent_count) == (DfeBatchStatus.SENT, 4)


def test_after_a_send_only_changed_children_go(org, demo, dfe) -> None:
    send(authority=org.authority, config=_config(dfe), mode=DfeMode.FULL)
    Child.objects.filter(la_child_id="RET2504").update(postcode="AN2 2BB")
    dfe.posts.clear()
    batch = send(authority=org.authority, config=_config(dfe), mode=DfeMode.CHANGED)
    assert [r["la_child_id"] for _, _, body in dfe.posts for r in body] == ["RET2504"]
    assert batch.sent_count == 1
    assert DfeBatch.objects.count() == 2


def test_a_payload_the_api_refuses_is_not_tried_again(org, demo, dfe) -> None:
    dfe.refuse_with = 400
    batch = send(authority=org.authority, config=_config(dfe), mode=DfeMode.FULL)
    assert batch.status == DfeBatchStatus.FAILED
    assert batch.error.startswith("The API refused the batch (400)")
    assert dfe.attempts == 1


def test_wrong_client_secret_is_reported(org, demo, dfe) -> None:
    config = SenderConfig(token_url=f"{dfe.url}/oauth/token", client_id=CLIENT_ID,
                          client_secret="wrong", api_url=f"{dfe.url}/api")
    batch = send(authority=org.authority, config=config, mode=DfeMode.FULL)
    assert batch.status == DfeBatchStatus.FAILED
    assert "refused the client id and secret (401)" in batch.error
    assert not dfe.posts


def test_sending_is_off_by_default_and_the_command_says_so(org, demo, monkeypatch) -> None:
    for name in ("DFE_API_TOKEN_URL", "DFE_API_CLIENT_ID", "DFE_API_CLIENT_SECRET",
                 "DFE_API_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(CommandError, match="Sending to the DfE children's social care API "
                                           "is off: set DFE_API_TOKEN_URL"):
        call_command("dfe_send")
    assert not DfeBatch.objects.exists()


def test_half_set_up_sending_names_what_is_missing() -> None:
    with pytest.raises(NotConfigured, match="DFE_API_CLIENT_SECRET, DFE_API_URL not set"):
        config_from_env({"DFE_API_TOKEN_URL": "https://t", "DFE_API_CLIENT_ID": "x"})
    with pytest.raises(NotConfigured, match="must be an https:// address"):
        config_from_env({"DFE_API_TOKEN_URL": "file:///etc/passwd", "DFE_API_CLIENT_ID": "x",
                         "DFE_API_CLIENT_SECRET": "y", "DFE_API_URL": "https://api"})


def test_the_command_sends_with_the_settings_from_the_environment(org, demo, dfe,
                                                                  monkeypatch) -> None:
    monkeypatch.setenv("DFE_API_TOKEN_URL", f"{dfe.url}/oauth/token")
    monkeypatch.setenv("DFE_API_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("DFE_API_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("DFE_API_URL", f"{dfe.url}/api")
    import io

    out = io.StringIO()
    call_command("dfe_send", stdout=out)
    assert "Sent 4 of 4 children." in out.getvalue()
    out = io.StringIO()
    call_command("dfe_send", stdout=out)
    assert "Sent 0 of 0 children." in out.getvalue()
