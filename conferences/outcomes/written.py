"""The conference lists' rows written out as their serializers write them (issue 13 §2).

A kept list's rows carry everything they show as columns (conferences.outcomes.day_api
`with_day_state`, outcomes.api `ConferenceDayViewSet`); DRF's walk of each field, or
DirectReadMixin's steps, cost about 20-30 µs a row to put those values into a dict. A list
serializer writes them out instead, each value as its field represents it, only where the
serializer's fields are exactly those it knows (`writes_out`); the tests pin the two answers
byte for byte (tests/outcomes/test_direct_read.py).
"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.fields import ISO_8601, Field
from rest_framework.settings import api_settings

from cpcases.core.serializing import writes_plain_value

Written = tuple[tuple[str, type[Field]], ...]

_KNOWN: dict[type, bool] = {}


def writes_out(cls: type[serializers.Serializer], written: Written,
               sources: dict[str, str] | None = None) -> bool:
    """Whether a list may write `cls`'s answer out: its readable fields are exactly
    `written`'s (names, order and classes: a field added, removed or changed falls back to
    the serializer), each read from its own name (or its name in `sources`) with DRF's
    default format and written as the other lists' writers write a value
    (`serializing.writes_plain_value`: no key field of its own, choices' keys text, big
    integers not as text, times ISO 8601 in the current zone), and dates and times of day
    are written in ISO 8601. Worked out once per class (the settings are the process's)."""
    known = _KNOWN.get(cls)
    if known is None:
        fields = list(cls()._readable_fields)
        known = _KNOWN[cls] = (
            [(f.field_name, type(f)) for f in fields] == list(written)
            and all(f.source == (sources or {}).get(f.field_name, f.field_name)
                    and not hasattr(f, "format") and writes_plain_value(f)
                    for f in fields if not isinstance(f, serializers.SerializerMethodField))
            and str(api_settings.DATE_FORMAT).lower() == ISO_8601
            and str(api_settings.TIME_FORMAT).lower() == ISO_8601)
    return known
