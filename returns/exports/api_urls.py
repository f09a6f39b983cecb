"""Export job endpoints under /api/v1/ (included by cpcases.api_urls)."""

from django.urls import include, path

from cpcases.core.routers import IdRouter
from returns.exports import api

router = IdRouter()
router.register("return-exports", api.ExportJobViewSet, basename="return-export")

urlpatterns = [path("", include((router.urls, "return-exports-api"),
                                namespace="return-exports-api"))]
