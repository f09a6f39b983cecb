"""Disagreements about resources under /api/v1/resource-disparities/ (002 §19.3): the chair
records, the service manager resolves; same rules as the pages."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from conferences.outcomes import disparity, selectors
from conferences.outcomes.models import ResourceDisparity
from cpcases.core.filters import record_filters


class ResourceDisparitySerializer(serializers.ModelSerializer):
    class Meta:
        model = ResourceDisparity
        fields = ["id", "conference", "child", "minimum_required", "resources_offered",
                  "recorded_by", "recorded_at", "resolution", "resolved_by", "resolved_at"]
        read_only_fields = fields


class DisparityCreateSerializer(serializers.Serializer):
    conference = serializers.IntegerField()
    child = serializers.IntegerField()
    minimum_required = serializers.CharField()
    resources_offered = serializers.CharField()


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField()


class ResourceDisparityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                               viewsets.GenericViewSet):
    serializer_class = ResourceDisparitySerializer
    filterset_class = record_filters(ResourceDisparity, conference="conference")

    def get_queryset(self) -> QuerySet[ResourceDisparity]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return ResourceDisparity.objects.none()
        return disparity.disparities_visible(user=self.request.user).order_by("-recorded_at",
                                                                               "-id")

    @extend_schema(request=DisparityCreateSerializer, responses=ResourceDisparitySerializer)
    def create(self, request: Request) -> Response:
        data = DisparityCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conference = selectors.conference_for(user=request.user,
                                              pk=data.validated_data["conference"])
        if conference is None:
            raise NotFound("No conference found.")
        child = conference.children.filter(pk=data.validated_data["child"]).first()
        if child is None:
            raise NotFound("No such child at this conference.")
        found = disparity.resource_disparity_record(
            user=request.user, conference=conference, child=child,
            minimum_required=data.validated_data["minimum_required"],
            resources_offered=data.validated_data["resources_offered"])
        return Response(ResourceDisparitySerializer(found).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=ResolveSerializer, responses=ResourceDisparitySerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        data = ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resolved = disparity.resource_disparity_resolve(
            user=request.user, disparity=found, resolution=data.validated_data["resolution"])
        return Response(ResourceDisparitySerializer(resolved).data)
