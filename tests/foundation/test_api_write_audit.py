"""API writes and replays are reads too (issue 12 §5): the answer to a POST or PATCH shows the
record made or changed, so it is logged naming the user and the children; a request sent
again under the same `Idempotency-Key` is logged as showing them again, and only while the
credential that sent it is still valid (an expired, revoked or deactivated one gets 401)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.children.models import Household

pytestmark = pytest.mark.django_db

HOUSEHOLDS = "/api/v1/households/"


@pytest.fixture
def token(sw) -> Token:
    return Token.objects.create(user=sw)


def _api(token: Token) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


def _entries_since(before: int, **kwargs) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(id__gt=before, **kwargs))


def _last_id() -> int:
    return AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _create(api: APIClient, child, key: str = "k-1"):
    return api.post(HOUSEHOLDS, {"child": child.pk, "name": "Example, 1 High Street"},
                    format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_record_made_through_the_api_is_logged_as_shown_to_its_maker(sw, child, token):
    before = _last_id()
    response = _create(_api(token), child)
    assert response.status_code == 201, response.content
    (entry,) = _entries_since(before, user=sw, child_id=child.pk)
    assert entry.action == AccessAction.VIEW
    assert entry.section == "frontdoor-api:household-list"


def test_a_record_changed_through_the_api_is_logged_as_shown_to_its_changer(sw, child,
                                                                            token):
    api = _api(token)
    made = _create(api, child).json()
    before = _last_id()
    changed = api.patch(f"{HOUSEHOLDS}{made['id']}/", {"name": "Example, 2 High Street",
                                                       "version": made["version"]},
                        format="json")
    assert changed.status_code == 200, changed.content
    assert _entries_since(before, user=sw, child_id=child.pk, action=AccessAction.VIEW)


def test_a_replayed_answer_is_logged_as_showing_the_children_again(sw, child, token):
    api = _api(token)
    first = _create(api, child)
    before = _last_id()
    again = _create(api, child)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    (entry,) = _entries_since(before, user=sw, child_id=child.pk)
    assert entry.section == "replayed frontdoor-api:household-list"
    assert Household.objects.filter(name="Example, 1 High Street").count() == 1


def _revoke(token: Token) -> None:
    token.delete()  # an administrator revokes a token by deleting it


def _deactivate(token: Token) -> None:
    token.user.is_active = False
    token.user.save()


def _expire(token: Token) -> None:
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - dt.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS + 1))


@pytest.mark.parametrize("end", [_revoke, _deactivate, _expire],
                         ids=["revoked", "user deactivated", "expired"])
def test_a_credential_no_longer_valid_is_refused_not_replayed(sw, child, token, end):
    api = _api(token)
    assert _create(api, child).status_code == 201
    end(token)
    before = _last_id()
    again = _create(api, child)
    assert again.status_code == 401
    assert "Idempotent-Replayed" not in again
    assert "Example" not in again.content.decode()
    assert not _entries_since(before, child_id=child.pk)
    assert Household.objects.filter(name="Example, 1 High Street").count() == 1
