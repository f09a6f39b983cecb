"""Database and Redis settings for dev and test: the configured servers, or embedded ones."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from cpcases.core import devservices
from cpcases.core.env import env_optional_url


def database_config(url: str) -> dict[str, Any]:
    """Django's DATABASES entry for a postgresql:// URL (TCP or ?host=/socket/dir)."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"DATABASE_URL must be a postgresql:// URL (PostgreSQL is the only engine); "
            f"got scheme {parsed.scheme!r}."
        )
    query = parse_qs(parsed.query)
    host = query.get("host", [parsed.hostname or ""])[0]
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")) or "postgres",
        "USER": unquote(parsed.username or "postgres"),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": host,
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "ATOMIC_REQUESTS": False,
        # Issue 13 §2: no JIT compilation. The scoped queries' row estimates pass PostgreSQL's
        # jit_above_cost although they run in milliseconds, and compiling them cost 60 ms
        # of a 70 ms query (the conferences list). Decisions §45.
        # Issue 13 §2, decision 95: a prepared statement's plan is its generic one from its
        # first run (cpcases.core.compiled.prepared_cursor), not after five planned afresh.
        "OPTIONS": {"options": "-c jit=off -c plan_cache_mode=force_generic_plan"},
    }


def database_url(*, embedded_allowed: bool) -> str:
    url = env_optional_url("DATABASE_URL")
    if url:
        return url
    if not embedded_allowed:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DATABASE_URL must be set in production.")
    return devservices.embedded_postgres_url()


def redis_url(*, embedded_allowed: bool) -> str:
    url = env_optional_url("REDIS_URL")
    if url:
        return url
    if not embedded_allowed:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("REDIS_URL must be set in production.")
    return devservices.embedded_redis_url()
