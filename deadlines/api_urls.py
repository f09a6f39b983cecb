"""Deadlines and policy rules under /api/v1/ (included by cpcases.api_urls)."""

from django.urls import include, path

from cpcases.core.routers import IdRouter
from deadlines.api import DeadlineViewSet, MyWorkView, PolicyRuleViewSet

router = IdRouter()
router.register("deadlines", DeadlineViewSet, basename="deadline")
router.register("policy-rules", PolicyRuleViewSet, basename="policy-rule")

urlpatterns = [
    path("", include(([*router.urls, path("my-work/", MyWorkView.as_view(), name="my-work")],
                      "deadlines-api"), namespace="deadlines-api")),
]
