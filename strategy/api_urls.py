"""Strategy discussions, S47 enquiries, threshold decisions and consultations under /api/v1/
(included by cpcases.api_urls)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from strategy.api import (
    ConcernViewSet,
    ConsultationViewSet,
    EnquiryViewSet,
    StrategyDiscussionViewSet,
    ThresholdViewSet,
)

router = SimpleRouter()
router.register("strategy-discussions", StrategyDiscussionViewSet, basename="discussion")
router.register("s47-enquiries", EnquiryViewSet, basename="enquiry")
router.register("threshold-decisions", ThresholdViewSet, basename="threshold")
router.register("concerns", ConcernViewSet, basename="concern")
router.register("consultations", ConsultationViewSet, basename="consultation")

urlpatterns = [path("", include((router.urls, "strategy-api"), namespace="strategy-api"))]
