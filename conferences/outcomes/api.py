"""The conference day through the API (/api/v1/conference-days/), with the same services as
the pages: a refused step answers 400 with the service's message, a step the user may not
take 403 (e.g. a decision by anyone but the conference's chair)."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from conferences.models import Conference
from conferences.outcomes import selectors, services
from conferences.outcomes.models import (
    AgencyView,
    Attendance,
    AttendanceStatus,
    ChildDecision,
    ConferenceDay,
    DecisionOutcome,
    ExceptionalCircumstance,
    ParticipantType,
    ProceedGround,
    ReviewTrigger,
)
from conferences.outcomes.written import writes_out
from conferences.selectors import children_shown
from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency, Role
from cpcases.core.choices import WordChoiceField
from cpcases.core.deprecation import DeprecatedRoutes, deprecated_viewset
from cpcases.core.filters import record_filters
from cpcases.core.kept_lists import KeptListMixin
from cpcases.core.prefetched import (
    KEYS,
    PREFIX,
    PrefetchedListSerializer,
    PrefetchedManyRelatedField,
    PrefetchedRelationsMixin,
    prefetched_keys,
)
from cpcases.core.serializing import DirectModelSerializer
from cpcases.plans.choices import CATEGORY_WORDS
from cpcases.plans.models import PlanEndReason
from cpcases.plans.services import MemberData


class AttendanceSerializer(DirectModelSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "participant_type", "user", "name", "agency", "role", "status",
                  "direct_contact", "report_sent"]
        list_serializer_class = PrefetchedListSerializer  # a list's prefetched(...)


class AttendanceInputSerializer(serializers.Serializer):
    name = serializers.CharField()
    participant_type = serializers.ChoiceField(choices=ParticipantType.choices,
                                               default=ParticipantType.PROFESSIONAL)
    agency = serializers.ChoiceField(choices=Agency.choices, required=False, allow_blank=True,
                                     default="")
    role = serializers.CharField(required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=AttendanceStatus.choices,
                                     default=AttendanceStatus.PRESENT)
    direct_contact = serializers.BooleanField(default=False)
    report_sent = serializers.BooleanField(default=False)
    user = serializers.IntegerField(required=False, allow_null=True, default=None)


class AgencyViewSerializer(DirectModelSerializer):
    class Meta:
        model = AgencyView
        fields = ["agency", "name", "view", "dissents"]


class DecisionSerializer(DirectModelSerializer):
    agency_views = AgencyViewSerializer(many=True, read_only=True)
    review_date = serializers.DateField(source="review_conference.date", read_only=True,
                                        allow_null=True)
    category = WordChoiceField(CATEGORY_WORDS, read_only=True, allow_blank=True)

    class Meta:
        model = ChildDecision
        fields = ["id", "child", "outcome", "category", "reasons", "recommendations",
                  "outline_plan", "contingency", "lead_social_worker", "first_core_group_on",
                  "core_group", "review_conference", "review_date", "review_due",
                  "prebirth_review_applies", "cin_first_meeting_on", "end_reason",
                  "exceptional_circumstance", "plan", "cin_plan", "decided_by", "decided_at",
                  "agency_views"]
        read_only_fields = fields
        list_serializer_class = PrefetchedListSerializer  # a list's prefetched(...)


class ConferenceDayListSerializer(serializers.ListSerializer):
    """A page of conference days. The kept list's rows (`ConferenceDayViewSet`: the children
    an array column, the attendances and decisions plain lists, the start a column) are
    written out by `listed_day`, each field's value as the field represents it (written.py;
    issue 13 §2); any other rows are the serializer's own."""

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        rows = data.all() if isinstance(data, QuerySet) else data
        child = self.child
        if (not isinstance(rows, list)
                or not writes_out(type(child), _DAY_WRITTEN, _DAY_SOURCES)
                or not all(row.__dict__.keys() >= _DAY_COLUMNS for row in rows)):
            return super().to_representation(data)  # type: ignore[no-any-return]
        return [listed_day(row, child) for row in rows]


def listed_day(row: Conference, serializer: ConferenceDaySerializer) -> dict[str, Any]:
    """`ConferenceDaySerializer`'s answer for a listed row (`_DAY_WRITTEN`'s fields, in their
    order): text, choices and keys as they are, the date and start time in ISO 8601, the
    children the keys of the row's array column, the attendances and decisions by their own
    serializers (none: an empty list), the quoracy and start by the serializer's methods."""
    columns = row.__dict__
    attendances, decisions = columns[_ATTENDANCES], columns[_DECISIONS]
    fields = serializer.fields
    return {
        "id": columns["id"],
        "kind": columns["kind"],
        "date": columns["date"].isoformat(),
        "start_time": columns["start_time"].isoformat(),
        "status": columns["status"],
        "chair": columns["chair_id"],
        "minute_taker": columns["minute_taker_id"],
        "children": list(columns[_CHILD_KEYS]),
        "attendances": fields["attendances"].to_representation(attendances)
        if attendances else [],
        "quoracy": serializer.get_quoracy(row),
        "started_at": serializer.get_started_at(row),
        "decisions": fields["decisions"].to_representation(decisions) if decisions else [],
    }


class ConferenceDaySerializer(PrefetchedRelationsMixin, DirectModelSerializer):
    attendances = AttendanceSerializer(many=True, read_only=True)
    quoracy = serializers.SerializerMethodField()
    started_at = serializers.SerializerMethodField()
    decisions = DecisionSerializer(source="child_decisions", many=True, read_only=True)

    class Meta:
        model = Conference
        fields = ["id", "kind", "date", "start_time", "status", "chair", "minute_taker",
                  "children", "attendances", "quoracy", "started_at", "decisions"]
        read_only_fields = fields
        list_serializer_class = ConferenceDayListSerializer

    def get_quoracy(self, obj: Conference) -> dict[str, Any]:
        return selectors.quoracy_answer(selectors.conference_quoracy(
            obj, getattr(obj, PREFIX + "attendances", None)))

    def get_started_at(self, obj: Conference) -> str | None:
        if hasattr(obj, "day_started_at"):  # the list's annotation (get_queryset)
            started = obj.day_started_at
        else:
            day = selectors.day_for(obj)
            started = day.started_at if day else None
        return started.isoformat() if started else None


class StartSerializer(serializers.Serializer):
    proceed_ground = serializers.ChoiceField(choices=ProceedGround.choices, required=False,
                                             allow_blank=True, default="")
    proceed_reason = serializers.CharField(required=False, allow_blank=True, default="")


class AdjournSerializer(serializers.Serializer):
    new_date = serializers.DateField()
    interim_plan = serializers.CharField()
    start_time = serializers.TimeField(required=False, allow_null=True, default=None)


class ScoreItemSerializer(serializers.Serializer):
    participant = serializers.CharField()
    score = serializers.IntegerField()
    agency = serializers.ChoiceField(choices=Agency.choices, required=False, allow_blank=True,
                                     default="")


class ScoresSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    scores = ScoreItemSerializer(many=True)


class AgencyViewInputSerializer(serializers.Serializer):
    agency = serializers.ChoiceField(choices=Agency.choices)
    view = serializers.CharField()
    name = serializers.CharField(required=False, allow_blank=True, default="")
    dissents = serializers.BooleanField(default=False)


class MemberSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, default="")
    agency = serializers.ChoiceField(choices=Agency.choices, default=Agency.OTHER)
    role = serializers.CharField(required=False, allow_blank=True, default="")
    user = serializers.IntegerField(required=False, allow_null=True, default=None)


class DecisionInputSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices)
    reasons = serializers.CharField()
    # Issue 15 §5: a word (`neglect`); the old code (`NEG`) is accepted until 1.3.0.
    category = WordChoiceField(CATEGORY_WORDS, required=False, allow_blank=True, default="")
    recommendations = serializers.CharField(required=False, allow_blank=True, default="")
    outline_plan = serializers.CharField(required=False, allow_blank=True, default="")
    contingency = serializers.CharField(required=False, allow_blank=True, default="")
    lead_social_worker = serializers.IntegerField(required=False, allow_null=True,
                                                  default=None)
    core_group = MemberSerializer(many=True, required=False, default=list)
    first_core_group_on = serializers.DateField(required=False, allow_null=True, default=None)
    review_on = serializers.DateField(required=False, allow_null=True, default=None)
    cin_first_meeting_on = serializers.DateField(required=False, allow_null=True, default=None)
    end_reason = serializers.ChoiceField(choices=PlanEndReason.choices, required=False,
                                         allow_blank=True, default="")
    exceptional_circumstance = serializers.ChoiceField(
        choices=ExceptionalCircumstance.choices, required=False, allow_blank=True, default="")
    transfer_conference_on = serializers.DateField(required=False, allow_null=True,
                                                   default=None)
    start_cin_plan = serializers.BooleanField(default=False)
    stepdown_rationale = serializers.CharField(required=False, allow_blank=True, default="")
    agency_views = AgencyViewInputSerializer(many=True, required=False, default=list)


class ScoreAdviceSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    zeros = serializers.IntegerField()
    above_five = serializers.IntegerField()
    escalate = serializers.BooleanField(help_text="Most or all scored 0: managers are told.")
    consider_cin = serializers.BooleanField()


class BringForwardSerializer(serializers.Serializer):
    on = serializers.DateField()
    trigger = serializers.ChoiceField(choices=ReviewTrigger.choices)
    reason = serializers.CharField()


def _user(authority_id: int, pk: int | None, field: str = "user") -> User | None:
    """The active user `pk` of the authority, or a 400 naming `field`."""
    if pk is None:
        return None
    found = User.objects.filter(authority_id=authority_id, pk=pk, is_active=True).first()
    if found is None:
        raise ValidationError({field: f"There is no user {pk} in this authority."})
    return found


def child_of(conference: Conference, pk: int) -> Any:
    """A child of the conference, or a 400 on `child`."""
    child = conference.children.filter(pk=pk).first()
    if child is None:
        raise ValidationError({"child": "That child is not a subject of this conference."})
    return child


def scores_record(request: Request, conference: Conference) -> Any:
    """One child's safety scores from the request body, through the page's service (001)."""
    data = ScoresSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    child = child_of(conference, data.validated_data["child"])
    return services.safety_scores_record(
        conference=conference, child=child, user=request.user,
        scores=[services.ScoreData(**s) for s in data.validated_data["scores"]])


def decision_record(request: Request, conference: Conference) -> ChildDecision:
    """One child's decision from the request body, through the page's service (002 §18.4);
    a person named who is not of the authority is a 400 on their field."""
    data = DecisionInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    values = dict(data.validated_data)
    child = child_of(conference, values.pop("child"))
    values["lead_social_worker"] = _user(conference.authority_id,
                                         values.pop("lead_social_worker"),
                                         "lead_social_worker")
    values["core_group"] = [
        MemberData(name=m["name"], agency=m["agency"], role=m["role"],
                   user=_user(conference.authority_id, m["user"], f"core_group.{i}.user"))
        for i, m in enumerate(values.pop("core_group"))]
    values["agency_views"] = [services.AgencyViewData(**v) for v in values.pop("agency_views")]
    return services.child_decision_record(conference=conference, child=child,
                                          user=request.user,
                                          data=services.DecisionData(**values))


ConferenceDayFilter = record_filters(Conference, child="children", many=("child",),
                                     fields=["status", "date", "kind"], conference="pk")


# The fields `listed_day` writes, in order, with the field classes it writes them as, and
# the columns of a kept list's row it reads beside the conference's own.
_DAY_WRITTEN = (
    ("id", serializers.BigIntegerField), ("kind", serializers.ChoiceField),
    ("date", serializers.DateField), ("start_time", serializers.TimeField),
    ("status", serializers.ChoiceField), ("chair", serializers.PrimaryKeyRelatedField),
    ("minute_taker", serializers.PrimaryKeyRelatedField),
    ("children", PrefetchedManyRelatedField), ("attendances", PrefetchedListSerializer),
    ("quoracy", serializers.SerializerMethodField),
    ("started_at", serializers.SerializerMethodField),
    ("decisions", PrefetchedListSerializer))
_DAY_SOURCES = {"decisions": "child_decisions"}
_CHILD_KEYS, _ATTENDANCES, _DECISIONS = (
    KEYS + "children", PREFIX + "attendances", PREFIX + "child_decisions")
_DAY_COLUMNS = frozenset((_CHILD_KEYS, _ATTENDANCES, _DECISIONS, "day_started_at"))

# The conference's own columns `ConferenceDaySerializer` reads.
_DAY_LISTED_FIELDS = ("id", "kind", "date", "start_time", "status", "chair", "minute_taker")

DAY_ACTIONS = ("list", "retrieve", "attendance", "start", "adjourn", "scores", "decisions",
               "decision_letter", "sign_off", "bring_forward")


@deprecated_viewset(DAY_ACTIONS)
class ConferenceDayViewSet(KeptListMixin, DeprecatedRoutes, mixins.ListModelMixin,
                           mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Deprecated (1.2.0; gone in 1.3.0): the conference day moved under the conference,
    /api/v1/conferences/{id}/… (conferences.outcomes.day_api; attendance with the outputs).
    Each answer names its successor in `Link` and carries `Deprecation` and `Sunset`."""

    serializer_class = ConferenceDaySerializer
    filterset_class = ConferenceDayFilter
    # /conference-days/12/start/ → /conferences/12/start/
    moved_from, moved_to = "/conference-days/", "/conferences/"

    def get_queryset(self) -> QuerySet[Conference]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Conference.objects.none()
        user = self.request.user
        if user.role == Role.PARTNER:
            return Conference.objects.none()
        decisions = ChildDecision.objects.select_related("review_conference").prefetch_related(
            "agency_views")
        queryset = selectors.conferences_visible(user=user)
        if self.action == "list":
            # A list shows the chair, minute-taker and children by id only (issue 13 §2: no
            # rows loaded for them; the children's an array column of the page's query) and
            # reads its attendances and decisions as plain lists (cpcases.core.prefetched); a
            # record's actions hand the conference to the services.
            # The conference's own columns it shows, and its children for the read audit
            # (no query of its own).
            attended, any_attended = selectors.prefetched_if_any("attendances")
            decided, any_decided = selectors.prefetched_if_any("child_decisions", decisions)
            queryset = queryset.select_related(None).prefetch_related(None).only(
                *_DAY_LISTED_FIELDS).prefetch_related(attended, decided).annotate(
                **prefetched_keys(Conference, "children"), **children_shown(),
                **any_attended, **any_decided)
        else:
            queryset = queryset.prefetch_related(
                "attendances", "children", Prefetch("child_decisions", queryset=decisions))
        # Everything the serializer shows, in a fixed number of queries for the whole page.
        return (queryset
            .annotate(day_started_at=Subquery(ConferenceDay.objects.filter(
                conference=OuterRef("pk")).values("started_at")[:1]))
            .order_by("-date", "-id"))

    def _respond(self, conference: Conference) -> Response:
        return Response(ConferenceDaySerializer(self.get_queryset().get(pk=conference.pk)).data)


    @extend_schema(request=AttendanceInputSerializer, responses={201: AttendanceSerializer})
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str) -> Response:
        conference = self.get_object()
        data = AttendanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["user"] = _user(conference.authority_id, values.pop("user"))
        row = services.attendance_add(
            conference=conference, user=request.user,
            data=services.AttendanceData(**values))
        return Response(AttendanceSerializer(row).data, status=201)

    @extend_schema(request=StartSerializer, responses=ConferenceDaySerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        conference = self.get_object()
        data = StartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.conference_start(conference=conference, user=request.user,
                                  **data.validated_data)
        return self._respond(conference)

    @extend_schema(request=AdjournSerializer, responses=ConferenceDaySerializer)
    @action(detail=True, methods=["post"])
    def adjourn(self, request: Request, pk: str) -> Response:
        conference = self.get_object()
        data = AdjournSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.conference_adjourn(conference=conference, user=request.user,
                                    **data.validated_data)
        return self._respond(conference)

    @extend_schema(request=ScoresSerializer, responses=ScoreAdviceSerializer)
    @action(detail=True, methods=["post"])
    def scores(self, request: Request, pk: str) -> Response:
        advice = scores_record(request, self.get_object())
        return Response(ScoreAdviceSerializer(advice).data)

    @extend_schema(request=DecisionInputSerializer, responses=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def decisions(self, request: Request, pk: str) -> Response:
        decision = decision_record(request, self.get_object())
        return Response(DecisionSerializer(decision).data, status=201)

    @extend_schema(request=None, responses=ConferenceDaySerializer)
    @action(detail=True, methods=["post"], url_path="decision-letter",
            url_name="decision-letter")
    def decision_letter(self, request: Request, pk: str) -> Response:
        conference = self.get_object()
        services.decision_letter_issue(conference=conference, user=request.user)
        return self._respond(conference)

    @extend_schema(request=None, responses=ConferenceDaySerializer)
    @action(detail=True, methods=["post"], url_path="sign-off", url_name="sign-off")
    def sign_off(self, request: Request, pk: str) -> Response:
        conference = self.get_object()
        services.record_sign_off(conference=conference, user=request.user)
        return self._respond(conference)

    @extend_schema(request=BringForwardSerializer, responses=ConferenceDaySerializer)
    @action(detail=True, methods=["post"], url_path="bring-forward", url_name="bring-forward")
    def bring_forward(self, request: Request, pk: str) -> Response:
        conference = self.get_object()
        data = BringForwardSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.review_bring_forward(review=conference, user=request.user,
                                      **data.validated_data)
        return self._respond(conference)
