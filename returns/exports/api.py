"""Export jobs through the API (issue 16 point 5): POST starts one (202 with the job and
its status URL), GET lists the caller's own (paged) or shows one with its progress,
`download/` gives the file (409 while it runs or after it failed, 410 once expired). Bad
parameters are refused 400 naming the field (point 7)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cpcases.core.api import problem
from cpcases.core.errors import NotPermitted
from returns.exports import selectors, services
from returns.exports.models import ExportJob
from returns.exports.views import describe, status_text
from returns.periods import PeriodError
from returns.selectors import may_run_returns


class ExportJobSerializer(serializers.ModelSerializer):
    description = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    percent = serializers.IntegerField(read_only=True)
    status_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = ["id", "kind", "parameters", "description", "status", "done", "total",
                  "percent", "text", "error", "filename", "size", "children_count",
                  "created_at", "started_at", "finished_at", "expires_at", "status_url",
                  "download_url"]
        read_only_fields = fields

    def get_description(self, job: ExportJob) -> str:
        return describe(job)

    def get_text(self, job: ExportJob) -> str:
        return status_text(job)

    def _url(self, job: ExportJob, suffix: str = "") -> str:
        path = f"/api/v1/return-exports/{job.pk}/{suffix}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_status_url(self, job: ExportJob) -> str:
        return self._url(job)

    def get_download_url(self, job: ExportJob) -> str:
        return self._url(job, "download/") if job.status == "done" else ""


class ExportStartSerializer(serializers.Serializer):
    """The kind, and its parameters: `year` for the census; `list`, `end` (default today),
    `months` (6 or 12, default 12) and `format` (xlsx or csv, default xlsx) for Annex A."""

    kind = serializers.CharField(help_text="cin_census or annex_a")
    year = serializers.IntegerField(required=False, help_text="Census year (31 March)")
    list = serializers.IntegerField(required=False, help_text="Annex A list: 1, 3-7")
    end = serializers.DateField(required=False, help_text="Last day of the period")
    months = serializers.IntegerField(required=False, help_text="6 or 12")
    format = serializers.CharField(required=False, help_text="xlsx or csv")


class ExportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    """The caller's own export jobs."""

    serializer_class = ExportJobSerializer

    def get_queryset(self) -> QuerySet[ExportJob]:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema
            return ExportJob.objects.none()
        if not may_run_returns(self.request.user):
            raise PermissionDenied("Only the performance and data officer and managers may "
                                   "export the statutory returns.")
        return selectors.my_jobs(self.request.user)

    @extend_schema(request=ExportStartSerializer,
                   responses={202: ExportJobSerializer, 400: OpenApiTypes.OBJECT,
                              403: OpenApiTypes.OBJECT})
    def create(self, request: Request) -> Response:
        data = ExportStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = dict(data.validated_data)
        kind = values.pop("kind")
        try:
            job = services.export_start(user=request.user, kind=kind, parameters=values,
                                        request=request._request)
        except NotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc
        except PeriodError as exc:
            raise ValidationError({exc.field: [str(exc)]}) from exc
        body = ExportJobSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED,
                        headers={"Location": body["status_url"]})

    # The file as its kind made it: the census XML, an Annex A list (.xlsx or .csv) or the
    # DfE payload (JSON).
    @extend_schema(responses={
        (200, "application/xml"): OpenApiTypes.BINARY,
        (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
            OpenApiTypes.BINARY,
        (200, "text/csv"): OpenApiTypes.BINARY,
        (200, "application/json"): OpenApiTypes.BINARY,
        409: OpenApiResponse(OpenApiTypes.OBJECT, description="Still running, or failed: "
                             "problem details with `job_status` and `percent`"),
        410: OpenApiResponse(OpenApiTypes.OBJECT, description="Expired: the file is gone "
                             "(problem details with `job_status`)")})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str) -> Any:
        job = self.get_object()
        try:
            services.export_download(job=job, user=request.user, request=request._request)
        except NotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc
        except services.ExportExpired as exc:  # problem details, `status` kept (issue 15 §2)
            return problem(request, status.HTTP_410_GONE, str(exc), job_status=job.status)
        except services.ExportNotReady as exc:
            return problem(request, status.HTTP_409_CONFLICT, str(exc),
                           job_status=job.status, percent=job.percent)
        response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename,
                                content_type=job.content_type)
        response["Cache-Control"] = "no-store"
        return response



