"""Deadlines and the timescale policy through the API, scoped exactly as the pages are."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cpcases.accounts.roles import Capability
from cpcases.core.errors import NotPermitted, ServiceError
from deadlines import selectors, services
from deadlines.models import Deadline, DeadlineStatus
from deadlines.policy import RULE_IDS, Direction, Unit


class DeadlineSerializer(serializers.ModelSerializer):
    responsible = serializers.StringRelatedField()
    delay_authorised_by = serializers.StringRelatedField()
    subject_type = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = ["id", "child", "rule_id", "subject_type", "object_id", "anchor_date",
                  "anchor_at", "due_date", "due_at", "responsible", "status", "met_at",
                  "cancelled_at", "cancelled_reason", "delay_authorised_by",
                  "delay_authorised_at", "delay_reason"]

    def get_subject_type(self, obj: Deadline) -> str | None:
        return obj.content_type.model if obj.content_type_id else None


class DeadlineFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DeadlineStatus.choices)
    rule_id = django_filters.ChoiceFilter(choices=[(r, r) for r in RULE_IDS])

    class Meta:
        model = Deadline
        fields = ["child", "status", "rule_id"]


class DeadlineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Deadlines of the children the signed-in user may see."""

    serializer_class = DeadlineSerializer
    filterset_class = DeadlineFilter
    ordering_fields = ["due_date", "status"]

    def get_queryset(self) -> QuerySet[Deadline]:
        return selectors.deadlines_visible(user=self.request.user).select_related(
            "content_type", "delay_authorised_by").order_by("due_date", "id")


class RuleSerializer(serializers.Serializer):
    rule_id = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    anchor = serializers.CharField(read_only=True)
    offset = serializers.IntegerField(min_value=0)
    unit = serializers.ChoiceField(choices=Unit.choices)
    direction = serializers.ChoiceField(choices=Direction.choices)
    responsible_role = serializers.CharField(read_only=True)
    source = serializers.CharField(max_length=200)
    reminder_before = serializers.IntegerField(min_value=0)
    service_manager_after = serializers.IntegerField(min_value=0)
    head_of_service_after = serializers.IntegerField(min_value=0)
    variants = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    profile_name = serializers.CharField(read_only=True)
    overridden = serializers.BooleanField(read_only=True)
    override_reason = serializers.CharField(read_only=True)


class RuleOverrideSerializer(serializers.Serializer):
    offset = serializers.IntegerField(min_value=0, required=False)
    unit = serializers.ChoiceField(choices=Unit.choices, required=False)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    source = serializers.CharField(max_length=200, required=False)
    reminder_before = serializers.IntegerField(min_value=0, required=False)
    service_manager_after = serializers.IntegerField(min_value=0, required=False)
    head_of_service_after = serializers.IntegerField(min_value=0, required=False)
    variants = serializers.DictField(
        child=serializers.IntegerField(min_value=0), required=False,
        help_text="Named alternatives, e.g. the strategy discussion's urgency values")
    reason = serializers.CharField(help_text="Why the authority changes this rule")


class PolicyRuleViewSet(viewsets.ViewSet):
    """The timescale rules in force in the user's authority. Administrators may override one
    (PATCH, with a reason); everyone else reads."""

    lookup_field = "rule_id"
    lookup_value_regex = "[a-z0-9_]+"
    serializer_class = RuleSerializer

    @extend_schema(responses=RuleSerializer(many=True))
    def list(self, request: Request) -> Response:
        rules = selectors.effective_rules(request.user.authority_id).values()
        return Response(RuleSerializer(rules, many=True).data)

    @extend_schema(responses=RuleSerializer)
    def retrieve(self, request: Request, rule_id: str) -> Response:
        if rule_id not in RULE_IDS:
            raise NotFound("No such rule.")
        return Response(RuleSerializer(
            selectors.effective_rule(request.user.authority_id, rule_id)).data)

    @extend_schema(request=RuleOverrideSerializer, responses=RuleSerializer)
    def partial_update(self, request: Request, rule_id: str, **kwargs: Any) -> Response:
        if not request.user.can(Capability.MANAGE_POLICY):
            raise PermissionDenied("Only administrators may change the policy.")
        if rule_id not in RULE_IDS:
            raise NotFound("No such rule.")
        serializer = RuleOverrideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("reason")
        try:
            services.policy_override_rule(authority=request.user.authority, rule_id=rule_id,
                                          user=request.user, reason=reason, **data)
        except NotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc
        except ServiceError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(RuleSerializer(
            selectors.effective_rule(request.user.authority_id, rule_id)).data)
