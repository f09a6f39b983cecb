"""Strategy discussions, Section 47 enquiries, threshold decisions and consultations through
the API: scoped exactly as the pages are, and every write through the same service (the
workflow cannot be bypassed: refusals are 403, failed preconditions 400 with the message)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency, Role
from cpcases.children.scoping import visible_children
from cpcases.core.api import visible_child
from cpcases.core.filters import record_filters
from strategy import selectors, services
from strategy.models import (
    Attendance,
    Concern,
    ConsultationRequest,
    DiscussionAction,
    DiscussionChild,
    DiscussionFormat,
    NextStep,
    Participant,
    ParticipantRole,
    S47Outcome,
    Section47Enquiry,
    StrategyDiscussion,
    ThresholdDecision,
    Urgency,
)

T = TypeVar("T")


def _user_in_authority(request: Request, user_id: int | None, field: str,
                       role: str | None = None) -> User | None:
    """A user of the caller's authority (of `role`, if given); else 400 naming `field`."""
    if user_id is None:
        return None
    qs = User.objects.filter(pk=user_id, authority_id=request.user.authority_id)
    if role:
        qs = qs.filter(role=role)
    found = qs.first()
    if found is None:
        raise ValidationError({field: [f"There is no such user (id {user_id})."]})
    return found


# --- strategy discussions -------------------------------------------------------------------


class ParticipantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Participant
        fields = ["name", "agency", "role", "job_title", "attendance", "user"]
        read_only_fields = fields


class ActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DiscussionAction
        fields = ["who", "what", "by_when"]


class DiscussionChildSerializer(serializers.ModelSerializer):
    class Meta:
        model = DiscussionChild
        fields = ["child", "s47_initiated", "next_step"]


class StrategyDiscussionSerializer(serializers.ModelSerializer):
    children = serializers.SerializerMethodField()
    participants = ParticipantSerializer(many=True, read_only=True)
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = StrategyDiscussion
        fields = ["id", "household", "concern_identified_at", "urgency", "format", "held_at",
                  "late_reason", "minimum_not_met_reason", "information_shared",
                  "criminal_investigation", "shareable_with_family", "children",
                  "participants", "actions", "created_at"]

    @extend_schema(responses=DiscussionChildSerializer(many=True))
    def get_children(self, obj: StrategyDiscussion) -> list[dict[str, Any]]:
        prefetched = getattr(obj, "visible_children", None)  # a list's prefetch
        if prefetched is None:
            prefetched = selectors.discussion_children(user=self.context["request"].user,
                                                       discussion=obj)
        return DiscussionChildSerializer(prefetched, many=True).data


@extend_schema_serializer(deprecate_fields=["outcome"])
class OutcomeInSerializer(serializers.Serializer):
    """One child's outcome of the discussion (000, 003 "Outcomes of a Section 47"): a Section
    47 enquiry initiated, or else the next step. `outcome` (API 1.1: "s47" or a next step)
    is still accepted in release 1.2 and goes in 1.3 (docs/api-changelog.md 1.2.0)."""

    child = serializers.IntegerField()
    s47_enquiry = serializers.BooleanField(
        required=False, allow_null=True, default=None,
        help_text="true: a Section 47 enquiry is initiated for the child (no next_step)")
    next_step = serializers.ChoiceField(
        choices=NextStep.choices, required=False, allow_blank=True, default="",
        help_text="With s47_enquiry false: what happens next for the child")
    outcome = serializers.ChoiceField(
        choices=[services.S47, *NextStep.values], required=False, allow_blank=True,
        default="", help_text='Deprecated (goes in 1.3): "s47" or a next step. Send '
                              's47_enquiry and next_step instead.')

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The one outcome the service takes: S47 or a NextStep."""
        old, s47, step = attrs.get("outcome"), attrs.get("s47_enquiry"), attrs.get("next_step")
        if old:
            if s47 is not None or step:
                raise ValidationError({"outcome": [
                    "Send s47_enquiry and next_step, or the old outcome, not both."]})
            return {"child": attrs["child"], "outcome": old}
        if s47:
            if step:
                raise ValidationError({"next_step": [
                    "A child for whom a Section 47 enquiry is initiated has no next step."]})
            return {"child": attrs["child"], "outcome": services.S47}
        if not step:
            raise ValidationError({"next_step": [
                "Say whether a Section 47 enquiry is initiated (s47_enquiry) or choose the "
                "next step."]})
        return {"child": attrs["child"], "outcome": step}


class ParticipantInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    agency = serializers.ChoiceField(choices=Agency.choices)
    role = serializers.ChoiceField(choices=ParticipantRole.choices)
    job_title = serializers.CharField(max_length=200, required=False, default="")
    attendance = serializers.ChoiceField(choices=Attendance.choices, default="present")
    user = serializers.IntegerField(required=False, allow_null=True, default=None)


class ActionInSerializer(serializers.Serializer):
    who = serializers.CharField(max_length=200)
    what = serializers.CharField()
    by_when = serializers.DateField()


class StrategyDiscussionCreateSerializer(serializers.Serializer):
    concern_identified_at = serializers.DateTimeField()
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    format = serializers.ChoiceField(choices=DiscussionFormat.choices)
    held_at = serializers.DateTimeField()
    outcomes = OutcomeInSerializer(many=True, help_text="One per child discussed")
    participants = ParticipantInSerializer(many=True)
    actions = ActionInSerializer(many=True, required=False, default=list)
    information_shared = serializers.CharField()
    criminal_investigation = serializers.CharField(required=False, default="")
    shareable_with_family = serializers.CharField(required=False, default="")
    late_reason = serializers.CharField(required=False, default="")
    minimum_not_met_reason = serializers.CharField(required=False, default="")


class StrategyDiscussionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                                viewsets.GenericViewSet):
    """Strategy discussions about children the user may see; a partner professional sees
    only those they took part in."""

    serializer_class = StrategyDiscussionSerializer
    filterset_class = record_filters(StrategyDiscussion, child="children", many=("child",),
                                     household="household", fields=["urgency", "format"])

    def get_queryset(self) -> QuerySet[StrategyDiscussion]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return StrategyDiscussion.objects.none()
        return selectors.discussions_visible(user=self.request.user).prefetch_related(
            "participants", "actions",
            selectors.visible_discussion_children(user=self.request.user))

    @extend_schema(request=StrategyDiscussionCreateSerializer,
                   responses=StrategyDiscussionSerializer)
    def create(self, request: Request) -> Response:
        data = StrategyDiscussionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        outcomes = v.pop("outcomes")
        children = [visible_child(request.user, o["child"]) for o in outcomes]
        participants = [services.ParticipantData(
            name=p["name"], agency=p["agency"], role=p["role"], job_title=p["job_title"],
            attendance=p["attendance"],
            user=_user_in_authority(request, p["user"], f"participants.{i}.user"))
            for i, p in enumerate(v.pop("participants"))]
        actions = [services.ActionData(**a) for a in v.pop("actions")]
        discussion = services.strategy_discussion_record(
            user=request.user,
            children=children, participants=participants, actions=actions,
            outcomes={o["child"]: o["outcome"] for o in outcomes}, **v)
        return Response(StrategyDiscussionSerializer(discussion,
                                                     context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


# --- Section 47 enquiries -------------------------------------------------------------------


class EnquirySerializer(serializers.ModelSerializer):
    decided_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Section47Enquiry
        fields = ["id", "child", "initiated_by", "started_on", "outcome", "next_step",
                  "outcome_date", "outcome_reasons", "decided_by", "superseded_by"]


class EnquiryOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[S47Outcome.NOT_SUBSTANTIATED,
                                               S47Outcome.SUBSTANTIATED])
    outcome_date = serializers.DateField()
    next_step = serializers.ChoiceField(
        choices=[NextStep.NO_FURTHER_ACTION, NextStep.CHILD_IN_NEED, NextStep.EARLY_HELP],
        required=False, default="")
    reasons = serializers.CharField(required=False, default="")


class EnquiryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    serializer_class = EnquirySerializer
    filterset_class = record_filters(Section47Enquiry, discussion="initiated_by",
                                     fields=["outcome"])

    def get_queryset(self) -> QuerySet[Section47Enquiry]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Section47Enquiry.objects.none()
        return selectors.enquiries_visible(user=self.request.user).order_by("-started_on",
                                                                            "-id")

    @extend_schema(request=EnquiryOutcomeSerializer, responses=EnquirySerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request: Request, pk: str) -> Response:
        enquiry = self.get_object()
        data = EnquiryOutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enquiry = services.s47_record_outcome(user=request.user, enquiry=enquiry,
                                              **data.validated_data)
        return Response(EnquirySerializer(enquiry).data)


# --- threshold decisions --------------------------------------------------------------------


class ThresholdSerializer(serializers.ModelSerializer):
    met = serializers.BooleanField(read_only=True)
    decided_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = ThresholdDecision
        fields = ["id", "child", "enquiry", "decided_by", "harm_evidenced",
                  "attributable_to_parental_care", "harm_likely", "met", "rationale",
                  "decided_at", "iro", "iro_outcome", "iro_recorded_at"]


class ThresholdCreateSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    harm_evidenced = serializers.BooleanField()
    attributable_to_parental_care = serializers.BooleanField()
    harm_likely = serializers.BooleanField()
    rationale = serializers.CharField()
    iro = serializers.IntegerField(required=False, allow_null=True, default=None,
                                   help_text="The duty IRO of a threshold discussion (004)")


class IroOutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField()


class ThresholdViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    """Threshold decisions; only the child's team manager (or above) records one."""

    serializer_class = ThresholdSerializer
    filterset_class = record_filters(ThresholdDecision, enquiry="enquiry")

    def get_queryset(self) -> QuerySet[ThresholdDecision]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return ThresholdDecision.objects.none()
        return selectors.thresholds_visible(user=self.request.user).order_by("-decided_at")

    @extend_schema(request=ThresholdCreateSerializer, responses=ThresholdSerializer)
    def create(self, request: Request) -> Response:
        data = ThresholdCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        child = visible_child(request.user, v.pop("child"))
        iro = _user_in_authority(request, v.pop("iro"), "iro", Role.CP_CHAIR)
        decision = services.threshold_decide(user=request.user, child=child, iro=iro,
                                             **v)
        return Response(ThresholdSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=IroOutcomeSerializer, responses=ThresholdSerializer)
    @action(detail=True, methods=["post"], url_path="iro-outcome")
    def iro_outcome(self, request: Request, pk: str) -> Response:
        decision = self.get_object()
        data = IroOutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.threshold_iro_record(user=request.user, decision=decision,
                                                 outcome=data.validated_data["outcome"])
        return Response(ThresholdSerializer(decision).data)


# --- consultations --------------------------------------------------------------------------


class ConsultationSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsultationRequest
        fields = ["id", "child", "requested_by", "manager", "requested_at", "question",
                  "without_strategy_discussion", "status", "chair", "assigned_by",
                  "assigned_at", "held_at", "social_worker_took_part", "manager_took_part",
                  "danger_statements_developed", "mapping_shared_with_family",
                  "network_safety_plan", "recommendation", "recorded_at"]


class ConsultationCreateSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    question = serializers.CharField()
    manager = serializers.IntegerField(
        required=False, allow_null=True, default=None,
        help_text="The manager who will take part (000: the social worker and a manager "
                  "from the team); none: the requester's team manager")


class AssignSerializer(serializers.Serializer):
    chair = serializers.IntegerField()


class RecordSerializer(serializers.Serializer):
    held_at = serializers.DateTimeField()
    social_worker_took_part = serializers.BooleanField()
    manager_took_part = serializers.BooleanField()
    danger_statements_developed = serializers.BooleanField()
    mapping_shared_with_family = serializers.BooleanField()
    network_safety_plan = serializers.BooleanField()
    recommendation = serializers.CharField()
    note = serializers.CharField(required=False, default="")


class HeldSerializer(serializers.Serializer):
    held_at = serializers.DateTimeField()


class ConsultationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """Consultations with a CP chair: requested through business support, who assign the
    chair; the chair records it (000). Chairs see only those assigned to them."""

    serializer_class = ConsultationSerializer
    filterset_class = record_filters(ConsultationRequest, fields=["status"])

    def get_queryset(self) -> QuerySet[ConsultationRequest]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return ConsultationRequest.objects.none()
        return selectors.consultations_visible(user=self.request.user).order_by(
            "-requested_at")

    @extend_schema(request=ConsultationCreateSerializer, responses=ConsultationSerializer)
    def create(self, request: Request) -> Response:
        data = ConsultationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        child = visible_child(request.user, data.validated_data["child"])
        manager = _user_in_authority(request, data.validated_data["manager"], "manager")
        consultation = services.consultation_request(user=request.user, child=child,
                                                     question=data.validated_data["question"],
                                                     manager=manager)
        return Response(ConsultationSerializer(consultation).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=AssignSerializer, responses=ConsultationSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        consultation = self.get_object()
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        chair = _user_in_authority(request, data.validated_data["chair"], "chair")
        consultation = services.consultation_assign_chair(user=request.user,
                                                          consultation=consultation, chair=chair)
        return Response(ConsultationSerializer(consultation).data)

    @extend_schema(request=RecordSerializer, responses=ConsultationSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request: Request, pk: str) -> Response:
        consultation = self.get_object()
        data = RecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consultation = services.consultation_record(
            user=request.user,
            consultation=consultation, **data.validated_data)
        return Response(ConsultationSerializer(consultation).data)

    @extend_schema(request=HeldSerializer, responses=ConsultationSerializer)
    @action(detail=True, methods=["post"])
    def held(self, request: Request, pk: str) -> Response:
        """The chair marks the consultation held: 48 hours to record it (000)."""
        consultation = self.get_object()
        data = HeldSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consultation = services.consultation_mark_held(
            user=request.user,
            consultation=consultation, **data.validated_data)
        return Response(ConsultationSerializer(consultation).data)


# --- concerns ---------------------------------------------------------------------------------


class ConcernSerializer(serializers.ModelSerializer):
    class Meta:
        model = Concern
        fields = ["id", "child", "identified_at", "urgency", "summary", "recorded_by",
                  "discussion", "created_at"]
        read_only_fields = fields


class ConcernCreateSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    identified_at = serializers.DateTimeField()
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    summary = serializers.CharField()


class ConcernViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    """"Concern identified" records: each opens the strategy discussion's clock (000: 1/3/5
    working days by urgency), met by the next discussion about the child."""

    serializer_class = ConcernSerializer
    filterset_class = record_filters(Concern, discussion="discussion", fields=["urgency"])

    def get_queryset(self) -> QuerySet[Concern]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Concern.objects.none()
        return Concern.objects.filter(
            child__in=visible_children(self.request.user)).order_by("-identified_at", "-id")

    @extend_schema(request=ConcernCreateSerializer, responses=ConcernSerializer)
    def create(self, request: Request) -> Response:
        data = ConcernCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        child = visible_child(request.user, data.validated_data["child"])
        concern = services.concern_record(actor=request.user, child=child,
                                          identified_at=data.validated_data["identified_at"],
                                          urgency=data.validated_data["urgency"],
                                          summary=data.validated_data["summary"])
        return Response(ConcernSerializer(concern).data, status=status.HTTP_201_CREATED)
