"""A datetime read directly (cpcases.core.serializing `_iso`) is written as DRF's
DateTimeField writes it: in the current time zone, ISO 8601, UTC as "Z", for summer and
winter times, any zone the value comes in, microseconds or none; anything else (a naive
datetime, a field with its own format or zone) is left to DRF."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework import serializers

from cpcases.core import serializing

VALUES = [dt.datetime(2026, 12, 5, 1, 2, 3, tzinfo=dt.UTC),
          dt.datetime(2026, 7, 5, 23, 30, tzinfo=dt.UTC),
          dt.datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=dt.UTC),  # the clocks go forward
          dt.datetime(2026, 10, 25, 1, 30, tzinfo=ZoneInfo("Europe/London"), fold=1),
          dt.datetime(2026, 6, 1, 9, tzinfo=ZoneInfo("America/New_York")),
          dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))]


@pytest.mark.parametrize("zone", ["Europe/London", "UTC", "Asia/Kolkata"])
def test_an_aware_datetime_is_written_as_drf_writes_it(zone):
    field = serializers.DateTimeField()
    assert serializing._iso_in_current_zone(field)
    with timezone.override(zone):
        for value in VALUES:
            assert serializing._iso(value, field) == field.to_representation(value), value


def test_fields_of_their_own_are_left_to_drf():
    assert not serializing._iso_in_current_zone(serializers.DateTimeField(format="%Y"))
    assert not serializing._iso_in_current_zone(
        serializers.DateTimeField(default_timezone=dt.UTC))
    assert not serializing._iso_in_current_zone(serializers.DateField())

    class Own(serializers.DateTimeField):
        def to_representation(self, value):
            return "own"

    assert not serializing._iso_in_current_zone(Own())
