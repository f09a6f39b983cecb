"""The returns under /api/v1/returns/ (included by cpcases.api_urls)."""

from django.urls import include, path

from cpcases.core.routers import IdRouter
from returns.dfe import api

router = IdRouter()
router.register("returns/readiness", api.ReadinessViewSet, basename="readiness")
router.register("returns/dfe-payload", api.DfePayloadViewSet, basename="dfe-payload")

urlpatterns = [path("", include((router.urls, "returns-api"), namespace="returns-api"))]
