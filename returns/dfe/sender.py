"""Sending the payload to the DfE children's social care API (RETURNS.md §5): HTTP POST of
JSON to `{DFE_API_URL}/children_social_care_data/{la_code}/children` with an OAuth2 bearer
token from the client-credentials grant.

Off by default: it runs only when DFE_API_TOKEN_URL, DFE_API_CLIENT_ID,
DFE_API_CLIENT_SECRET and DFE_API_URL are all set in the environment (DFE_API_SCOPE,
DFE_API_BATCH_SIZE and DFE_API_ATTEMPTS are optional). Children go in batches; a batch the
API refuses with a server error, a rate limit or a dropped connection is tried again after
a growing pause (2, 4, 8 s...); a refused token is fetched again once. A child is marked as
sent (DfeChildSent, with its record's hash) only when the API accepted their batch, so a
failed send is sent again next time. Every child sent is in the access log ("export").
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cpcases.accounts.models import Authority, User
from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.children.models import Child
from returns.dfe.models import DfeBatch, DfeBatchStatus, DfeChildSent, DfeMode
from returns.dfe.payload import ChildRecord, Progress, build_payload, dumps

ENVIRONMENT = {"token_url": "DFE_API_TOKEN_URL", "client_id": "DFE_API_CLIENT_ID",
               "client_secret": "DFE_API_CLIENT_SECRET", "api_url": "DFE_API_URL"}
RETRY_STATUSES = {429, 500, 502, 503, 504}


class NotConfigured(Exception):
    """Sending is off, or half set up; the message says which settings."""


class SendError(Exception):
    """The API did not accept a batch; the message says why."""


@dataclass(frozen=True)
class SenderConfig:
    token_url: str
    client_id: str
    client_secret: str
    api_url: str
    scope: str = ""
    batch_size: int = 100
    attempts: int = 4
    backoff_seconds: float = 2.0
    timeout_seconds: float = 30.0

    def __post_init__(self) -> None:
        for name in ("token_url", "api_url"):
            if urllib.parse.urlsplit(getattr(self, name)).scheme not in ("https", "http"):
                raise NotConfigured(f"{ENVIRONMENT[name]} must be an https:// address")


def config_from_env(environ: Mapping[str, str] | None = None) -> SenderConfig:
    """The sender's settings from the environment; NotConfigured when sending is off."""
    environ = os.environ if environ is None else environ
    values = {key: environ.get(name, "").strip() for key, name in ENVIRONMENT.items()}
    missing = [ENVIRONMENT[k] for k, v in values.items() if not v]
    if len(missing) == len(ENVIRONMENT):
        raise NotConfigured("Sending to the DfE children's social care API is off: set "
                            + ", ".join(ENVIRONMENT.values()) + " to turn it on.")
    if missing:
        raise NotConfigured("Sending to the DfE children's social care API is not fully set "
                            "up: " + ", ".join(missing) + " not set.")
    try:
        batch_size = int(environ.get("DFE_API_BATCH_SIZE", "100"))
        attempts = int(environ.get("DFE_API_ATTEMPTS", "4"))
    except ValueError as exc:
        raise NotConfigured("DFE_API_BATCH_SIZE and DFE_API_ATTEMPTS must be whole "
                            "numbers") from exc
    if batch_size < 1 or attempts < 1:
        raise NotConfigured("DFE_API_BATCH_SIZE and DFE_API_ATTEMPTS must be 1 or more")
    return SenderConfig(**values, scope=environ.get("DFE_API_SCOPE", "").strip(),
                        batch_size=batch_size, attempts=attempts)


class _Retry(Exception):
    pass


class Client:
    """One conversation with the API: the token, kept until shortly before it expires."""

    def __init__(self, config: SenderConfig, *, la_code: str,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.url = (f"{config.api_url.rstrip('/')}/children_social_care_data/"
                    f"{urllib.parse.quote(la_code)}/children")
        self.sleep = sleep
        self._token: str | None = None
        self._expires = 0.0

    def _open(self, request: urllib.request.Request) -> bytes:
        with urllib.request.urlopen(  # noqa: S310 - http(s) only (SenderConfig)
                request, timeout=self.config.timeout_seconds) as answer:
            return answer.read()

    def token(self) -> str:
        if self._token and time.monotonic() < self._expires:
            return self._token
        form = {"grant_type": "client_credentials", "client_id": self.config.client_id,
                "client_secret": self.config.client_secret}
        if self.config.scope:
            form["scope"] = self.config.scope
        request = urllib.request.Request(  # noqa: S310 - http(s) only (SenderConfig)
            self.config.token_url, data=urllib.parse.urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Accept": "application/json"}, method="POST")
        try:
            answer = json.loads(self._open(request))
        except urllib.error.HTTPError as exc:
            if exc.code in RETRY_STATUSES:
                raise _Retry(f"the token service answered {exc.code}") from exc
            raise SendError(f"The token service refused the client id and secret "
                            f"({exc.code})") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise _Retry(f"the token service could not be reached ({exc})") from exc
        except ValueError as exc:
            raise SendError("The token service did not answer with JSON") from exc
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not token:
            raise SendError("The token service's answer had no access token")
        self._token = str(token)
        lifetime = float(answer.get("expires_in") or 3600)
        self._expires = time.monotonic() + max(lifetime - 60, lifetime / 2)
        return self._token

    def post(self, records: list[dict[str, Any]]) -> int:
        """POST one batch; the number of attempts it took. SendError when it fails for good
        (after `attempts` tries for a failure worth trying again)."""
        body = dumps(records)
        last = ""
        for attempt in range(1, self.config.attempts + 1):
            if attempt > 1:
                self.sleep(self.config.backoff_seconds * 2 ** (attempt - 2))
            try:
                request = urllib.request.Request(  # noqa: S310 - http(s) only
                    self.url, data=body, method="POST",
                    headers={"Content-Type": "application/json",
                             "Authorization": f"Bearer {self.token()}"})
                self._open(request)
                return attempt
            except _Retry as exc:
                last = str(exc)
            except urllib.error.HTTPError as exc:
                detail = exc.read()[:300].decode(errors="replace")
                if exc.code == 401:  # the token expired early: fetch another, try again
                    self._token = None
                    last = "the API refused the token (401)"
                elif exc.code in RETRY_STATUSES:
                    last = f"the API answered {exc.code}"
                else:
                    raise SendError(f"The API refused the batch ({exc.code}): {detail}"
                                    ) from exc
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                last = f"the API could not be reached ({exc})"
        raise SendError(f"Gave up after {self.config.attempts} attempts: {last}")


def _mark_sent(batch: DfeBatch, chunk: list[ChildRecord], attempts: int,
               user: User | None) -> None:
    now = timezone.now()
    with transaction.atomic():
        DfeChildSent.objects.bulk_create(
            [DfeChildSent(child_id=r.child_id, payload_hash=r.payload_hash, sent_at=now,
                          batch=batch) for r in chunk],
            update_conflicts=True, unique_fields=["child"],
            update_fields=["payload_hash", "sent_at", "batch"])
        AccessEvent.objects.bulk_create(
            AccessEvent(user=user, child_id=r.child_id, action=AccessAction.EXPORT,
                        path="DfE children's social care API", section="dfe_send",
                        detail={"dfe_batch": batch.pk}) for r in chunk)
        batch.sent_count += len(chunk)
        batch.requests.append({"children": len(chunk), "attempts": attempts, "ok": True})
        batch.save(update_fields=["sent_count", "requests"])


def send(*, authority: Authority, config: SenderConfig, mode: str = DfeMode.CHANGED,
         user: User | None = None, today: dt.date | None = None,
         progress: Progress | None = None,
         sleep: Callable[[float], None] = time.sleep) -> DfeBatch:
    """Send the authority's payload (every child, or those changed since last accepted);
    the DfeBatch says what happened."""
    children = Child.objects.filter(authority=authority, merged_into__isnull=True)
    payload = build_payload(children, mode=mode, today=today, progress=progress)
    records = payload.records
    batch = DfeBatch.objects.create(authority=authority, user=user, mode=mode,
                                    children_count=len(records))
    client = Client(config, la_code=getattr(settings, "RETURNS_LA_CODE", "000"), sleep=sleep)
    for first in range(0, len(records), config.batch_size):
        chunk = records[first:first + config.batch_size]
        try:
            attempts = client.post([r.body for r in chunk])
        except SendError as exc:
            batch.error = str(exc)
            batch.requests.append({"children": len(chunk), "attempts": config.attempts,
                                   "ok": False})
            break
        _mark_sent(batch, chunk, attempts, user)
    batch.status = (DfeBatchStatus.SENT if batch.sent_count == len(records)
                    else DfeBatchStatus.PARTLY_SENT if batch.sent_count
                    else DfeBatchStatus.FAILED)
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "finished_at", "error", "requests"])
    return batch
