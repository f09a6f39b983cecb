"""The conference day under /api/v1/conference-days/ (included by cpcases.api_urls)."""

from django.urls import include, path

from conferences.outcomes.api import ConferenceDayViewSet
from conferences.outcomes.disparity_api import ResourceDisparityViewSet
from cpcases.core.routers import IdRouter

router = IdRouter()
router.register("conference-days", ConferenceDayViewSet, basename="conference-day")
router.register("resource-disparities", ResourceDisparityViewSet,
                basename="resource-disparity")

urlpatterns = [path("", include((router.urls, "conference-outcomes-api"),
                                namespace="conference-outcomes-api"))]
