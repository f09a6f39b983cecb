"""API tokens that expire and die with the user's access (issue 12 §6).

A token older than API_TOKEN_LIFETIME_DAYS is refused (and deleted); an administrator revokes
one by deleting it (admin, Tokens); deactivating a user or changing their password deletes
their tokens and ends their sessions at once (cpcases.accounts.signals).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Model
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Model, Token]:
        user, token = super().authenticate_credentials(key)  # refuses inactive users
        lifetime = timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)
        if token.created + lifetime < timezone.now():
            token.delete()
            raise AuthenticationFailed("This token has expired. Ask for a new one.")
        return user, token


def end_access(user_id: int) -> None:
    """Delete the user's API tokens and every session signed in as them."""
    Token.objects.filter(user_id=user_id).delete()
    # Sessions are signed blobs: the user id is inside. Sessions are few (one per signed-in
    # person) and this runs only on deactivation or a password change.
    doomed = [s.session_key for s in Session.objects.filter(expire_date__gt=timezone.now())
              if str(s.get_decoded().get("_auth_user_id")) == str(user_id)]
    Session.objects.filter(session_key__in=doomed).delete()
