"""What every demo seeder shares (make demo)."""

from __future__ import annotations

from functools import cache

DEMO_PASSWORD = "Demo-pass-2026!"  # noqa: S105 - demo sign-ins are printed in the README


def demo_password_hash() -> str:
    """DEMO_PASSWORD hashed with the preferred hasher, once per process: every demo sign-in
    has the same password, and each hash costs PBKDF2's iterations (~0.3 s; with ~15 demo
    users that was a quarter of seed_demo on a fresh `make run`, issue 13 §5)."""
    from django.contrib.auth.hashers import get_hasher

    return _hashed(get_hasher().algorithm)


@cache
def _hashed(algorithm: str) -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(DEMO_PASSWORD, hasher=algorithm)
