"""Strategy discussions, S47 enquiries, threshold decisions and consultations under /api/v1/
(included by cpcases.api_urls)."""

from django.urls import include, path

from cpcases.core.routers import IdRouter
from strategy.api import (
    ConcernViewSet,
    ConsultationViewSet,
    EnquiryViewSet,
    StrategyDiscussionViewSet,
    ThresholdViewSet,
)

router = IdRouter()
router.register("strategy-discussions", StrategyDiscussionViewSet, basename="discussion")
router.register("s47-enquiries", EnquiryViewSet, basename="enquiry")
router.register("threshold-decisions", ThresholdViewSet, basename="threshold")
router.register("concerns", ConcernViewSet, basename="concern")
router.register("consultations", ConsultationViewSet, basename="consultation")

urlpatterns = [path("", include((router.urls, "strategy-api"), namespace="strategy-api"))]
