"""The returns under /api/v1/returns/ (issue 16): the stored census readiness and one
child's DfE children's social care API record. Scoped as the pages are (the officer: the
authority; a manager: their own service; anyone else 403), paged, every child shown logged
(cpcases.audit.reads)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cpcases.audit.reads import record_children_shown
from cpcases.core.filters import record_filters
from returns import selectors
from returns.dfe.models import ReadinessProblem
from returns.dfe.payload import build_payload
from returns.dfe.readiness import last_run, stored_problems
from returns.periods import PeriodError, census_period, default_census_year

REFUSED = "Only the performance and data officer and managers may run the statutory returns."


def _require(request: Request) -> None:
    if not selectors.may_run_returns(request.user):
        raise PermissionDenied(REFUSED)


class ReadinessProblemSerializer(serializers.ModelSerializer):
    la_child_id = serializers.CharField(source="child.la_child_id", read_only=True,
                                        allow_null=True, default=None)
    year = serializers.IntegerField(source="run.year", read_only=True)
    checked_at = serializers.DateTimeField(source="run.checked_at", read_only=True)

    class Meta:
        model = ReadinessProblem
        fields = ["id", "child", "la_child_id", "rule", "severity", "message", "target_kind",
                  "target_id", "fix_url", "year", "checked_at"]
        read_only_fields = fields


@extend_schema(parameters=[OpenApiParameter(
    "year", int, description="The census year (the year of its 31 March); default: the "
                             "latest ended")])
class ReadinessViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The stored census readiness problems of the children the caller may run returns for
    (empty until the census year has been checked)."""

    serializer_class = ReadinessProblemSerializer
    filter_backends: list[Any] = [DjangoFilterBackend]
    filterset_class = record_filters(ReadinessProblem, scoped_child=False)

    def get_queryset(self) -> QuerySet[ReadinessProblem]:
        if getattr(self, "swagger_fake_view", False):  # the schema is built signed out
            return ReadinessProblem.objects.none()
        _require(self.request)
        raw = self.request.query_params.get("year")
        try:
            year = int(raw) if raw else default_census_year()
            census_period(year)
        except ValueError as exc:
            message = str(exc) if isinstance(exc, PeriodError) else "The year must be a number"
            raise ValidationError({"year": message}) from exc
        run = last_run(self.request.user, year)
        if run is None:
            return ReadinessProblem.objects.none()
        return stored_problems(self.request.user, run).select_related("run")


class DfePayloadViewSet(viewsets.ViewSet):
    """One child's record as the DfE children's social care API would receive it."""

    lookup_url_kwarg = "child_id"

    @extend_schema(responses={200: OpenApiTypes.OBJECT},
                   parameters=[OpenApiParameter("child_id", int, OpenApiParameter.PATH)])
    def retrieve(self, request: Request, child_id: str | None = None) -> Response:
        _require(request)
        try:
            children = selectors.return_children(request.user).filter(pk=child_id)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(REFUSED) from exc
        if not children.exists():
            raise NotFound("No such child among the children you run returns for.")
        payload = build_payload(children, select=False)
        record_children_shown(request=request._request, child_ids={int(str(child_id))},
                              section="api record dfe-payload")
        return Response(payload.records[0].body)
