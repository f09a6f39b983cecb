"""Conference requests, bookings and delay authorisations through the API.

The same services as the pages, so the workflow cannot be bypassed: a refused step answers
400 with the service's message, a step the role may not take 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from conferences import selectors, services
from conferences.models import (
    Conference,
    ConferenceKind,
    ConferenceRequest,
    DelayAuthorisation,
    RequestedChild,
)
from conferences.outcomes import selectors as outcome_selectors
from conferences.outcomes.day_api import (
    ConferenceDayActions,
    ConferenceStateSerializer,
    with_day_state,
)
from conferences.outcomes.outputs_api import ConferenceOutputsActions
from conferences.serializers import ConferenceSerializer
from cpcases.accounts.models import User
from cpcases.children.scoping import visible_children
from cpcases.core.filters import record_filters
from cpcases.core.kept_lists import KeptListMixin


class RequestedChildSerializer(serializers.ModelSerializer):
    child_id = serializers.IntegerField(source="child.pk")
    la_child_id = serializers.CharField(source="child.la_child_id")
    name = serializers.CharField(source="child.display_name")

    class Meta:
        model = RequestedChild
        fields = ["child_id", "la_child_id", "name", "had_plan_before", "threshold_decision"]


class RequestListSerializer(serializers.ListSerializer):
    """A page of requests: their ICPC due dates worked out together, not one by one."""

    def to_representation(self, data: Any) -> list[Any]:
        requests = list(data.all() if isinstance(data, QuerySet) else data)
        self.child.context["icpc_due_dates"] = selectors.icpc_due_dates(requests)
        return super().to_representation(requests)


class ConferenceRequestSerializer(serializers.ModelSerializer):
    children = RequestedChildSerializer(source="requested_children", many=True,
                                        read_only=True)
    icpc_due_date = serializers.SerializerMethodField()
    conferences = ConferenceSerializer(many=True, read_only=True)

    class Meta:
        model = ConferenceRequest
        fields = ["id", "kind", "status", "reason", "children", "social_worker",
                  "submitted_at", "approved_by", "approved_at", "approval_note",
                  "returned_by", "returned_at", "return_reason",
                  "second_conference_agreed_by", "second_conference_agreed_at",
                  "cancelled_at", "cancellation_reason", "icpc_due_date", "conferences",
                  "transfer_agreed_on", "originating_authority"]
        list_serializer_class = RequestListSerializer

    def get_icpc_due_date(self, obj: ConferenceRequest) -> str | None:
        listed = self.context.get("icpc_due_dates", {})
        due = listed[obj.pk] if obj.pk in listed else selectors.icpc_due_date(obj)
        return due.isoformat() if due else None


class RequestCreateSerializer(serializers.Serializer):
    children = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    reason = serializers.CharField()
    had_plan_before = serializers.ListField(child=serializers.IntegerField(), required=False,
                                            default=list)
    kind = serializers.ChoiceField(choices=ConferenceKind.choices,
                                   default=ConferenceKind.INITIAL)
    transfer_agreed_on = serializers.DateField(required=False, allow_null=True, default=None)
    originating_authority = serializers.CharField(required=False, allow_blank=True,
                                                  default="")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class BookingSerializer(serializers.Serializer):
    date = serializers.DateField()
    start_time = serializers.TimeField()
    venue = serializers.CharField(required=False, allow_blank=True, default="")
    online_link = serializers.URLField(required=False, allow_blank=True, default="")
    chair = serializers.IntegerField()
    minute_taker = serializers.IntegerField()
    # Needed when the date makes preparation deadlines impossible (they are recorded missed).
    impossible_reason = serializers.CharField(required=False, allow_blank=True, default="")


class DelayAuthorisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = DelayAuthorisation
        fields = ["id", "request", "latest_date", "children_details", "danger_statement_1",
                  "danger_statement_2", "danger_statement_3", "rationale", "status",
                  "requested_by", "decided_by", "decided_at", "decision_note"]
        read_only_fields = fields


class DelayRequestSerializer(serializers.Serializer):
    request = serializers.IntegerField()
    latest_date = serializers.DateField()
    danger_statements = serializers.ListField(child=serializers.CharField(), min_length=1)
    rationale = serializers.CharField()


def _users(user: User, data: dict[str, Any]) -> dict[str, Any]:
    people = User.objects.filter(authority_id=user.authority_id)
    chair = people.filter(pk=data["chair"]).first()
    minute_taker = people.filter(pk=data["minute_taker"]).first()
    missing = {field: f"Choose a {what} of this authority."
               for field, what, found in (("chair", "chair", chair),
                                          ("minute_taker", "minute-taker", minute_taker))
               if found is None}
    if missing:
        raise ValidationError(missing)
    return {"on": data["date"], "start_time": data["start_time"], "venue": data["venue"],
            "online_link": data["online_link"], "chair": chair, "minute_taker": minute_taker}


# ?child= (only children you may see) and the natural parents (issue 15 §3; core.filters).
ConferenceRequestFilter = record_filters(ConferenceRequest, child="requested_children__child",
                                         many=("child",), fields=["status", "kind"])


class ConferenceRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                               viewsets.GenericViewSet):
    """ICPC requests the user may see: draft → submitted → approved (or returned) → booked."""

    serializer_class = ConferenceRequestSerializer
    filterset_class = ConferenceRequestFilter

    def get_queryset(self) -> QuerySet[ConferenceRequest]:
        return selectors.requests_visible(user=self.request.user)

    def _respond(self, obj: ConferenceRequest, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.requests_visible(user=self.request.user).filter(pk=obj.pk).first()
        return Response(ConferenceRequestSerializer(fresh or obj).data, status=code)

    @extend_schema(request=RequestCreateSerializer, responses=ConferenceRequestSerializer)
    def create(self, request: Request) -> Response:
        """A social worker drafts a request."""
        data = RequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = data.validated_data["children"]
        children = list(visible_children(request.user).filter(pk__in=ids))
        if len(children) != len(set(ids)):
            raise NotFound("No such child.")
        created = services.conference_request_create(
            user=request.user, children=children, reason=data.validated_data["reason"],
            had_plan_before=data.validated_data["had_plan_before"],
            kind=data.validated_data["kind"],
            transfer_agreed_on=data.validated_data["transfer_agreed_on"],
            originating_authority=data.validated_data["originating_authority"])
        return self._respond(created, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ConferenceRequestSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        obj = self.get_object()
        return self._respond(services.conference_request_submit(
            user=request.user, request=obj))

    @extend_schema(request=NoteSerializer, responses=ConferenceRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        obj = self.get_object()
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(services.conference_request_approve(
            user=request.user, request=obj, note=data.validated_data["note"]))

    @extend_schema(request=ReasonSerializer, responses=ConferenceRequestSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_request(self, request: Request, pk: str) -> Response:
        obj = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(services.conference_request_return(
            user=request.user, request=obj, reason=data.validated_data["reason"]))

    @extend_schema(request=NoteSerializer, responses=ConferenceRequestSerializer)
    @action(detail=True, methods=["post"], url_path="agree-second", url_name="agree-second")
    def agree_second(self, request: Request, pk: str) -> Response:
        obj = self.get_object()
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(services.conference_request_agree_second(
            user=request.user, request=obj, note=data.validated_data["note"]))

    # 201: a conference is created (issue 15 §4: the schema documents the status answered).
    @extend_schema(request=BookingSerializer, responses={201: ConferenceSerializer})
    @action(detail=True, methods=["post"])
    def book(self, request: Request, pk: str) -> Response:
        """Business support books an approved request."""
        obj = self.get_object()
        data = BookingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = _users(request.user, data.validated_data)
        reason = data.validated_data["impossible_reason"]
        conference = services.conference_book(user=request.user, request=obj,
                                              impossible_reason=reason,
                                              **fields)
        return Response(ConferenceSerializer(conference).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses=ConferenceRequestSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        obj = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(services.conference_request_cancel(
            user=request.user, request=obj, reason=data.validated_data["reason"]))


ConferenceFilter = record_filters(Conference, child="children", many=("child",),
                                  fields=["status", "date"], request="request")


class ConferenceViewSet(KeptListMixin,  # a plain list's SQL kept (issue 13 §2)
                        ConferenceOutputsActions,  # the record and outputs (issue 15 §3)
                        ConferenceDayActions,
                        mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """Conferences you may see, each one resource: its booking (reschedule, cancel), in `day`
    the conference day (start, attendance, decisions, decision letter, sign-off), and its
    record and outputs (record, distributions, decision summaries, amendment requests)."""

    serializer_class = ConferenceStateSerializer
    filterset_class = ConferenceFilter

    def get_queryset(self) -> QuerySet[Conference]:
        if getattr(self, "swagger_fake_view", False):  # the schema is built signed out
            return Conference.objects.none()
        scope = outcome_selectors.conference_resource_scope(user=self.request.user)
        if self.action == "list":
            # The list shows the chair, minute-taker and request by id only (issue 13 §2:
            # 150 rows not loaded a page); a record's actions hand them to the services.
            return with_day_state(scope, listing=True)
        return with_day_state(scope.select_related("chair", "minute_taker", "request"))

    @extend_schema(request=BookingSerializer, responses=ConferenceStateSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str) -> Response:
        conference = self.get_object()
        data = BookingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = _users(request.user, data.validated_data)
        moved = services.conference_reschedule(
            user=request.user, conference=conference, **fields)
        return Response(self.get_serializer(self.get_queryset().get(pk=moved.pk)).data)

    @extend_schema(request=ReasonSerializer, responses=ConferenceStateSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel the conference and its request: it is no longer needed (000)."""
        conference = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if conference.request is None:
            raise ValidationError({"detail": "This conference has no request."})
        services.conference_request_cancel(
            user=request.user, request=conference.request,
            reason=data.validated_data["reason"])
        return Response(self.get_serializer(self.get_queryset().get(pk=conference.pk)).data)


class DelayDecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


DelayAuthorisationFilter = record_filters(
    DelayAuthorisation, child="request__requested_children__child", many=("child",),
    fields=["status"], request="request")


class DelayAuthorisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                                viewsets.GenericViewSet):
    """Requests to hold an ICPC beyond the timescale and their decisions (000)."""

    serializer_class = DelayAuthorisationSerializer
    filterset_class = DelayAuthorisationFilter

    def get_queryset(self) -> QuerySet[DelayAuthorisation]:
        return selectors.delays_visible(user=self.request.user)

    @extend_schema(request=DelayRequestSerializer, responses=DelayAuthorisationSerializer)
    def create(self, request: Request) -> Response:
        data = DelayRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = selectors.request_for(user=request.user, pk=data.validated_data["request"])
        if obj is None:
            raise NotFound("No such conference request.")
        created = services.delay_authorisation_request(
            user=request.user, request=obj, latest_date=data.validated_data["latest_date"],
            danger_statements=data.validated_data["danger_statements"],
            rationale=data.validated_data["rationale"])
        return Response(DelayAuthorisationSerializer(created).data,
                        status=status.HTTP_201_CREATED)

    def _decide(self, request: Request, authorise: bool) -> Response:
        obj = self.get_object()
        data = DelayDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = services.delay_authorisation_decide(
            user=request.user, authorisation=obj, authorise=authorise,
            note=data.validated_data["note"])
        return Response(DelayAuthorisationSerializer(decided).data)

    @extend_schema(request=DelayDecisionSerializer, responses=DelayAuthorisationSerializer)
    @action(detail=True, methods=["post"])
    def authorise(self, request: Request, pk: str) -> Response:
        return self._decide(request, True)

    @extend_schema(request=DelayDecisionSerializer, responses=DelayAuthorisationSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str) -> Response:
        return self._decide(request, False)

