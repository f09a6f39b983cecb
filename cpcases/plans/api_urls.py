"""Plans, core group meetings and Child in Need plans under /api/v1/ (included by
cpcases.api_urls)."""

from django.urls import include, path

from cpcases.core.routers import IdRouter
from cpcases.plans.api import (
    CinPlanViewSet,
    CoreGroupMeetingViewSet,
    PlanActionViewSet,
    PlanViewSet,
)

router = IdRouter()
router.register("plans", PlanViewSet, basename="plan")
router.register("core-group-meetings", CoreGroupMeetingViewSet, basename="core-group-meeting")
router.register("child-in-need-plans", CinPlanViewSet, basename="cin-plan")
router.register("plan-actions", PlanActionViewSet, basename="plan-action")

urlpatterns = [path("", include((router.urls, "plans-api"), namespace="plans-api"))]
