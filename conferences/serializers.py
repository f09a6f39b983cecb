"""The conference's booking fields, shared by the conference resource (conferences.api, with
its day: conferences.outcomes.day_api) and the requests that show their conferences."""

from __future__ import annotations

from rest_framework import serializers

from conferences.models import Conference
from cpcases.core.serializing import DirectModelSerializer


class ConferenceSerializer(DirectModelSerializer):
    chair = serializers.PrimaryKeyRelatedField(read_only=True)
    minute_taker = serializers.PrimaryKeyRelatedField(read_only=True)
    within_timescale = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = Conference
        fields = ["id", "kind", "request", "children", "date", "start_time", "venue",
                  "online_link", "chair", "minute_taker", "status", "due_date",
                  "within_timescale", "delay_authorisation", "cancellation_reason"]


# The conference's own columns `ConferenceSerializer` reads, derived from its fields so that a
# field added there is read too (`within_timescale` is of the date and due date; `children` a
# list's array column): a list reads only these (issue 13 §2).
LISTED_FIELDS = tuple(name for name in ConferenceSerializer.Meta.fields
                      if name not in ("children", "within_timescale"))
