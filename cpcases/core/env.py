"""The one reader of environment variables.

Every setting that comes from the environment is read here, so that a bad value stops the
process at start-up with a message that names the variable, instead of failing later.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _read(name: str, default: T | None, parse: Callable[[str], T], expected: str) -> T:
    raw = os.environ.get(name)
    if raw is None:
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} must be set ({expected}).")
        return default
    try:
        return parse(raw.strip())
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(
            f"Environment variable {name}={raw!r} is not valid: expected {expected}."
        ) from exc


def _parse_bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(raw)


def _parse_url(raw: str) -> str:
    if "://" not in raw:
        raise ValueError(raw)
    return raw


def _parse_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _parse_positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError(raw)
    return value


def env_str(name: str, default: str | None = None) -> str:
    return _read(name, default, str, "a string")


def env_bool(name: str, default: bool | None = None) -> bool:
    return _read(name, default, _parse_bool, "true or false")


def env_int(name: str, default: int | None = None) -> int:
    return _read(name, default, _parse_positive_int, "a whole number above 0")


def _parse_seconds_or_forever(raw: str) -> int | None:
    if raw.lower() in ("none", "forever"):
        return None
    value = int(raw)
    if value < 0:
        raise ValueError(raw)
    return value


def env_seconds_or_forever(name: str, default: int | None) -> int | None:
    """A number of seconds (0 and up), or `none` for no limit (Django's CONN_MAX_AGE)."""
    if os.environ.get(name) is None:  # _read takes a default of None as "required"
        return default
    return _read(name, None, _parse_seconds_or_forever, "a whole number of seconds or none")


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    return _read(name, default, _parse_list, "a comma-separated list")


def env_url(name: str, default: str | None = None) -> str:
    return _read(name, default, _parse_url, "a URL such as scheme://host/path")


def env_optional_url(name: str) -> str | None:
    """A URL that may be absent (then the caller decides what to do)."""
    if os.environ.get(name, "").strip() == "":
        return None
    return env_url(name)
