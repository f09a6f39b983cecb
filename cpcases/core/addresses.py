"""A route's address reversed once per process (issue 13 §2): `reverse()` walks the URL
patterns on every call, and every page's frame and My work ask the same few addresses."""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse


def reversed_once(name: str) -> str:
    """`reverse(name)` of a route taking no arguments, kept for each script prefix and
    URLconf (both can change per request: the answer is theirs)."""
    return _reversed(name, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=64)
def _reversed(name: str, script_prefix: str, urlconf: object) -> str:
    return reverse(name)
