"""The conference day under the conference itself: /api/v1/conferences/{id}/start/,
…/adjourn/, …/scores/, …/decisions/, …/decision-letter/, …/sign-off/, …/bring-forward/
(issue 15 §5: one resource per conference; docs/api.md "Conferences").

`ConferenceDayActions` is mixed into conferences.api.ConferenceViewSet; the same services as
the day's pages (002 §5, §18, §22-23; 003), so a refused step answers 400 with the
service's message and a step the user may not take 403 (e.g. a decision by anyone but the
conference's chair). Every action answers with the conference after it
(`ConferenceStateSerializer`: the booking and its `day`). The old /api/v1/conference-days/
routes (conferences.outcomes.api) answer for one release, deprecated.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import F, Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from conferences.models import Conference
from conferences.outcomes import selectors, services
from conferences.outcomes.api import (
    AdjournSerializer,
    BringForwardSerializer,
    DecisionInputSerializer,
    DecisionSerializer,
    ScoreAdviceSerializer,
    ScoresSerializer,
    StartSerializer,
    decision_record,
    scores_record,
)
from conferences.outcomes.models import (
    ChildDecision,
    ConferenceDay,
    ConferenceRecord,
    ProceedGround,
)
from conferences.outcomes.written import writes_out
from conferences.selectors import children_shown
from conferences.serializers import LISTED_FIELDS, ConferenceSerializer
from cpcases.accounts.roles import Role
from cpcases.core.api import scoped_get
from cpcases.core.prefetched import (
    KEYS,
    PREFIX,
    PrefetchedManyRelatedField,
    PrefetchedRelationsMixin,
    keys_of,
    prefetched_keys,
)

# --- the conference's state -----------------------------------------------------------------


class QuoracySerializer(serializers.Serializer):
    quorate = serializers.BooleanField()
    message = serializers.CharField()
    agencies_with_contact = serializers.ListField(child=serializers.CharField())


class DayStateSerializer(serializers.Serializer):
    """Where the conference's day stands: started (or adjourned), each child's decision,
    the decision letter and the record's sign-off."""

    started_at = serializers.DateTimeField(allow_null=True)
    quorate_at_start = serializers.BooleanField(allow_null=True)
    proceed_ground = serializers.ChoiceField(
        choices=ProceedGround.choices, allow_blank=True,
        help_text="The exceptional ground it went ahead on when inquorate (002 §5.4); \"\" "
                  "when quorate or not started.")
    adjourned_at = serializers.DateTimeField(allow_null=True)
    reconvened_as = serializers.IntegerField(
        allow_null=True, help_text="The reconvened conference booked when it adjourned.")
    quoracy = QuoracySerializer()
    decisions = DecisionSerializer(many=True)
    undecided_children = serializers.ListField(
        child=serializers.IntegerField(), help_text="Children without a decision yet.")
    decision_letter_issued_at = serializers.DateTimeField(allow_null=True)
    signed_off_at = serializers.DateTimeField(allow_null=True)
    signed_off_by = serializers.IntegerField(allow_null=True)

    def to_representation(self, instance: Conference) -> dict[str, Any]:
        return day_state(instance)


def day_state(instance: Conference) -> dict[str, Any]:
    """`DayStateSerializer`'s answer, without a serializer for each conference of a list
    (issue 13 §2)."""
    columns = instance.__dict__
    if _LISTED_ATTENDED in columns:  # a list's row (`with_day_state`)
        (started_at, quorate_at_start, proceed_ground, adjourned_at, reconvened_as,
         letter_issued_at, signed_off_at, signed_off_by, parts) = [
            columns[name] for name in _LISTED_COLUMNS]
        attendances: Sequence[Any] | None = selectors.attended(parts)
    else:
        day: ConferenceDay | None = _one_to_one(instance, "day")
        record: ConferenceRecord | None = _one_to_one(instance, "record")
        started_at, quorate_at_start, proceed_ground, adjourned_at, reconvened_as = (
            (day.started_at, day.quorate_at_start, day.proceed_ground, day.adjourned_at,
             day.reconvened_as_id) if day else (None, None, "", None, None))
        letter_issued_at, signed_off_at, signed_off_by = (
            (record.decision_letter_issued_at, record.signed_off_at, record.signed_off_by_id)
            if record else (None, None, None))
        attendances = _listed(instance, "attendances")
    decisions = _listed(instance, "child_decisions")
    if decisions is None:
        decisions = list(instance.child_decisions.all())
    decided = {d.child_id for d in decisions}
    return {
        "started_at": _moment(started_at),
        "quorate_at_start": quorate_at_start,
        "proceed_ground": proceed_ground or "",
        "adjourned_at": _moment(adjourned_at),
        "reconvened_as": reconvened_as,
        "quoracy": selectors.quoracy_answer(
            selectors.conference_quoracy(instance, attendances)),
        "decisions": DecisionSerializer(decisions, many=True).data if decisions else [],
        "undecided_children": [pk for pk in _child_ids(instance) if pk not in decided],
        "decision_letter_issued_at": _moment(letter_issued_at),
        "signed_off_at": _moment(signed_off_at),
        "signed_off_by": signed_off_by,
    }


# What a list's row shows of its day and record (None where the conference has none: the
# proceed ground "" then, as of no day), and its attendances' parts in the quoracy, read as
# columns of the page's own query (`with_day_state`), in the order `day_state` takes them.
_LISTED_COLUMNS = {f"listed_day_{name}": value for name, value in (
    ("started_at", F("day__started_at")), ("quorate_at_start", F("day__quorate_at_start")),
    ("proceed_ground", F("day__proceed_ground")), ("adjourned_at", F("day__adjourned_at")),
    ("reconvened_as", F("day__reconvened_as")),
    ("decision_letter_issued_at", F("record__decision_letter_issued_at")),
    ("signed_off_at", F("record__signed_off_at")), ("signed_off_by", F("record__signed_off_by")),
    ("attended", selectors.ATTENDED))}
_LISTED_ATTENDED = "listed_day_attended"


def _listed(instance: Conference, relation: str) -> list[Any] | None:
    """The relation as a list's `prefetched(...)` left it; None when it did not."""
    return getattr(instance, PREFIX + relation, None)


def _child_ids(instance: Conference) -> list[int]:
    keys = keys_of(instance, "children")  # a list's
    if keys is not None:
        return keys
    listed = _listed(instance, "children")
    return [c.pk for c in (instance.children.all() if listed is None else listed)]


def _one_to_one(instance: Conference, name: str) -> Any:
    try:
        return getattr(instance, name)
    except (ConferenceDay.DoesNotExist, ConferenceRecord.DoesNotExist):
        return None


def _moment(value: Any) -> str | None:
    return _MOMENT.to_representation(value) if value else None


# One field for every moment: its format and time zone are read when it represents one.
_MOMENT = serializers.DateTimeField()


class ConferenceListSerializer(serializers.ListSerializer):
    """A page of the conference resource. The kept list's rows (`with_day_state(listing=True)`:
    the day, record, attendances and children as columns) are written out by `listed_row`,
    each field's value as the field represents it (issue 13 §2: DRF's and DirectReadMixin's
    per-field steps cost 30 µs a row); any other rows (a record's, an action's) are the
    serializer's own."""

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        rows = data.all() if isinstance(data, QuerySet) else data
        if not isinstance(rows, list) or not _writes_out(self.child) or not all(
                _LISTED_ATTENDED in row.__dict__ and _CHILD_KEYS in row.__dict__
                for row in rows):
            return super().to_representation(data)  # type: ignore[no-any-return]
        get_day = self.child.get_day
        return [listed_row(row, get_day) for row in rows]


def listed_row(row: Conference, get_day: Any) -> dict[str, Any]:
    """`ConferenceStateSerializer`'s answer for a listed row (`_WRITTEN`: its fields, in their
    order): text, choices and keys as they are (DRF gives a str, int or bool back unchanged),
    the dates and the start time in ISO 8601 (DRF's DateField and TimeField with the ISO
    formats, `_writes_out` checks), the children the keys of the row's array column, the day
    the serializer's own method. Pinned byte for byte against the serializer by
    tests/outcomes/test_direct_read.py."""
    columns = row.__dict__
    date, due = columns["date"], columns["due_date"]
    return {
        "id": columns["id"],
        "kind": columns["kind"],
        "request": columns["request_id"],
        "children": list(columns[_CHILD_KEYS]),
        "date": date.isoformat(),
        "start_time": columns["start_time"].isoformat(),
        "venue": columns["venue"],
        "online_link": columns["online_link"],
        "chair": columns["chair_id"],
        "minute_taker": columns["minute_taker_id"],
        "status": columns["status"],
        "due_date": None if due is None else due.isoformat(),
        "within_timescale": None if due is None else date <= due,
        "delay_authorisation": columns["delay_authorisation_id"],
        "cancellation_reason": columns["cancellation_reason"],
        "day": get_day(row),
    }


# The fields `listed_row` writes, in order, with the field classes it writes them as.
_WRITTEN = (
    ("id", serializers.BigIntegerField), ("kind", serializers.ChoiceField),
    ("request", serializers.PrimaryKeyRelatedField),
    ("children", PrefetchedManyRelatedField), ("date", serializers.DateField),
    ("start_time", serializers.TimeField), ("venue", serializers.CharField),
    ("online_link", serializers.URLField), ("chair", serializers.PrimaryKeyRelatedField),
    ("minute_taker", serializers.PrimaryKeyRelatedField), ("status", serializers.ChoiceField),
    ("due_date", serializers.DateField), ("within_timescale", serializers.BooleanField),
    ("delay_authorisation", serializers.PrimaryKeyRelatedField),
    ("cancellation_reason", serializers.CharField),
    ("day", serializers.SerializerMethodField))
_CHILD_KEYS = KEYS + "children"


def _writes_out(serializer: serializers.Serializer) -> bool:
    """Whether `listed_row` writes the serializer's answer (written.writes_out)."""
    return writes_out(type(serializer), _WRITTEN)


class ConferenceStateSerializer(PrefetchedRelationsMixin, ConferenceSerializer):
    """The conference resource: its booking and its day. `day` is null for a partner
    professional (the day's decisions reach them in the record and the decision letter)."""

    day = serializers.SerializerMethodField()

    class Meta(ConferenceSerializer.Meta):
        fields = [*ConferenceSerializer.Meta.fields, "day"]
        list_serializer_class = ConferenceListSerializer

    @extend_schema_field(DayStateSerializer(allow_null=True))
    def get_day(self, obj: Conference) -> dict[str, Any] | None:
        partner = self.__dict__.get("_partner")
        if partner is None:  # asked once a serializer, not once a row (the user is lazy)
            request = self.context.get("request")
            partner = self.__dict__["_partner"] = request is not None and getattr(
                request.user, "role", None) == Role.PARTNER
        return None if partner else day_state(obj)


def with_day_state(queryset: QuerySet[Conference], *, listing: bool = False
                   ) -> QuerySet[Conference]:
    """Everything `ConferenceStateSerializer` shows, in a fixed number of queries a page.
    A `listing` reads only the children's ids, all a list shows of them (an array column of
    the page's own query), and keeps the attendances and decisions as plain lists
    (cpcases.core.prefetched; issue 13 §2); a record's actions hand the conference to the
    services, so it is loaded whole."""
    decisions = ChildDecision.objects.select_related("review_conference").prefetch_related(
        "agency_views")
    if listing:
        # The day, record and attendances as the few columns the list shows of them (no
        # row of the day's or record's texts, no attendance rows: a held conference has a
        # dozen); the children for the read audit (no query of its own).
        decided, any_decided = selectors.prefetched_if_any("child_decisions", decisions)
        return queryset.only(*LISTED_FIELDS).prefetch_related(decided).annotate(
            **prefetched_keys(Conference, "children"), **_LISTED_COLUMNS,
            **children_shown(), **any_decided)
    return queryset.select_related("day", "record").prefetch_related(
        "attendances", "children", Prefetch("child_decisions", queryset=decisions))


# --- the actions ----------------------------------------------------------------------------


DecisionCreatedSerializer = inline_serializer("DecisionCreated", {
    "decision": DecisionSerializer(),
    "conference": ConferenceStateSerializer(),
})


class ConferenceDayActions:
    """The day's actions on /api/v1/conferences/{id}/… (mixed into ConferenceViewSet, whose
    `get_object` scopes the conference and whose serializer is ConferenceStateSerializer)."""

    get_object: Any
    get_queryset: Any
    get_serializer: Any
    paginate_queryset: Any
    get_paginated_response: Any

    def _state(self, conference: Conference) -> dict[str, Any]:
        """The conference as it is now, after the action."""
        return self.get_serializer(self.get_queryset().get(pk=conference.pk)).data

    @extend_schema(request=StartSerializer, responses=ConferenceStateSerializer,
                   summary="Start the conference (the chair; 002 §5)")
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        conference = self.get_object()
        data = StartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.conference_start(conference=conference, user=request.user,
                                  **data.validated_data)
        return Response(self._state(conference))

    @extend_schema(request=AdjournSerializer, responses=ConferenceStateSerializer,
                   summary="Adjourn an inquorate conference and book it again (002 §5.3)")
    @action(detail=True, methods=["post"])
    def adjourn(self, request: Request, pk: str) -> Response:
        conference = self.get_object()
        data = AdjournSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.conference_adjourn(conference=conference, user=request.user,
                                    **data.validated_data)
        return Response(self._state(conference))

    @extend_schema(request=ScoresSerializer, responses=ScoreAdviceSerializer,
                   summary="Record one child's safety scores (001)")
    @action(detail=True, methods=["post"])
    def scores(self, request: Request, pk: str) -> Response:
        advice = scores_record(request, self.get_object())
        return Response(ScoreAdviceSerializer(advice).data)

    @extend_schema(methods=["GET"], request=None, responses=DecisionSerializer(many=True),
                   summary="The decisions recorded so far, one per child")
    @extend_schema(methods=["POST"], request=DecisionInputSerializer,
                   responses={201: OpenApiResponse(DecisionCreatedSerializer,
                                                   "The decision and the conference after it.")},
                   summary="Record one child's decision (the chair; 002 §18.4)")
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def decisions(self, request: Request, pk: str) -> Response:
        """GET lists the conference's decisions; POST records one child's decision."""
        conference = self.get_object()
        if request.method == "GET":
            if request.user.role == Role.PARTNER:  # as `day`: null for a partner
                raise PermissionDenied("A partner professional sees the decisions summary only.")
            page = self.paginate_queryset(
                ChildDecision.objects.filter(conference=conference)
                .select_related("review_conference").prefetch_related("agency_views")
                .order_by("decided_at", "id"))
            return self.get_paginated_response(DecisionSerializer(page, many=True).data)
        decision = decision_record(request, conference)
        return Response({"decision": DecisionSerializer(decision).data,
                         "conference": self._state(conference)},
                        status=status.HTTP_201_CREATED,
                        headers={"Location": f"{request.path}{decision.pk}/"})

    @extend_schema(request=None, responses=DecisionSerializer,
                   parameters=[OpenApiParameter("decision_id", OpenApiTypes.INT,
                                                OpenApiParameter.PATH)],
                   summary="One decision of the conference")
    @action(detail=True, methods=["get"], url_path=r"decisions/(?P<decision_id>[0-9]{1,18})",
            url_name="decision", filter_backends=[])
    def decision(self, request: Request, pk: str, decision_id: str) -> Response:
        conference = self.get_object()
        if request.user.role == Role.PARTNER:
            raise PermissionDenied("A partner professional sees the decisions summary only.")
        decision = scoped_get(
            ChildDecision.objects.filter(conference=conference)
            .select_related("review_conference").prefetch_related("agency_views"),
            decision_id, what="decision")
        return Response(DecisionSerializer(decision).data)

    @extend_schema(request=None, responses=ConferenceStateSerializer,
                   summary="Issue the decision letter (002 §23.2)")
    @action(detail=True, methods=["post"], url_path="decision-letter",
            url_name="decision-letter")
    def decision_letter(self, request: Request, pk: str) -> Response:
        conference = self.get_object()
        services.decision_letter_issue(conference=conference, user=request.user)
        return Response(self._state(conference))

    @extend_schema(request=None, responses=ConferenceStateSerializer,
                   summary="Sign off the record (the chair; 002 §22.5)")
    @action(detail=True, methods=["post"], url_path="sign-off", url_name="sign-off")
    def sign_off(self, request: Request, pk: str) -> Response:
        conference = self.get_object()
        services.record_sign_off(conference=conference, user=request.user)
        return Response(self._state(conference))

    @extend_schema(request=BringForwardSerializer, responses=ConferenceStateSerializer,
                   summary="Bring a booked review forward (003)")
    @action(detail=True, methods=["post"], url_path="bring-forward", url_name="bring-forward")
    def bring_forward(self, request: Request, pk: str) -> Response:
        conference = self.get_object()
        data = BringForwardSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.review_bring_forward(review=conference, user=request.user,
                                      **data.validated_data)
        return Response(self._state(conference))
