"""GET /api/v1/performance/: the figures of a period, the same numbers as the page (issue 16
point 6), scoped the same way (selectors.performance_children)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from returns.performance import selectors
from returns.performance.periods import performance_period
from returns.performance.report import (
    figure_data,
    performance_results,
)
from returns.periods import PeriodError


class NumberSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.IntegerField()
    url = serializers.CharField(help_text="The page listing the children this number counts")


class LineSerializer(serializers.Serializer):
    label = serializers.CharField()
    key = serializers.CharField(help_text="The month (YYYY-MM), the team's id, 'none' (not "
                                          "allocated) or empty (the whole period)")
    total = NumberSerializer()
    parts = NumberSerializer(many=True)
    percent = serializers.IntegerField(allow_null=True)


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField(source="figure.key")
    title = serializers.CharField(source="figure.title")
    rate = serializers.BooleanField(source="figure.rate",
                                    help_text="The first part counted out of the total")
    summary = serializers.CharField()
    total = LineSerializer()
    months = LineSerializer(many=True)
    teams = LineSerializer(many=True)


class PerformanceSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    scope = serializers.CharField()
    figures = FigureSerializer(many=True)


class PerformanceView(APIView):
    """The performance figures for a period of whole months (default: the return year so
    far), by month and by the team that holds each child now."""

    @extend_schema(
        operation_id="performance_figures",
        parameters=[OpenApiParameter("from_month", OpenApiTypes.STR,
                                     description="Start month, e.g. 2026-04"),
                    OpenApiParameter("to_month", OpenApiTypes.STR,
                                     description="End month, e.g. 2026-12")],
        responses=PerformanceSerializer)
    def get(self, request: Request) -> Response:
        if not selectors.may_view_performance(request.user):
            raise PermissionDenied("Only managers and the performance and data officer may "
                                   "see the performance figures.")
        try:
            period = performance_period(request.query_params.get("from_month"),
                                        request.query_params.get("to_month"))
        except PeriodError as exc:
            raise serializers.ValidationError({exc.field: [str(exc)]}) from exc
        # The answer written from the counts (`figure_data`), as PerformanceSerializer
        # writes the page's reports (issue 13 §2; tests pin the two equal).
        results, names = performance_results(request.user, period)
        return Response({"start": period.start.isoformat(), "end": period.end.isoformat(),
                         "scope": str(selectors.scope_label(request.user, names)),
                         "figures": [figure_data(result, period, names)
                                     for result in results]})


