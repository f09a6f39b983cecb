"""Life-event endpoints under /api/v1/ (included by cpcases.api_urls)."""

from django.urls import include, path

from cpcases.core.routers import IdRouter
from lifeevents import api

router = IdRouter()
router.register("missing-episodes", api.MissingEpisodeViewSet, basename="missing-episode")
router.register("child-deaths", api.ChildDeathViewSet, basename="child-death")
router.register("legal-orders", api.LegalOrderViewSet, basename="legal-order")
router.register("complaints", api.ComplaintViewSet, basename="complaint")
router.register("case-transfers", api.CaseTransferViewSet, basename="case-transfer")
router.register("professional-challenges", api.ProfessionalChallengeViewSet,
                basename="professional-challenge")
router.register("letters", api.LetterViewSet, basename="letter")
router.register("plan-ending-notices", api.PlanEndingNoticeViewSet,
                basename="plan-ending-notice")
router.register("agency-view-requests", api.AgencyViewRequestViewSet,
                basename="agency-view-request")
router.register("record-restrictions", api.RecordRestrictionViewSet,
                basename="record-restriction")

urlpatterns = [path("", include((router.urls, "lifeevents-api"), namespace="lifeevents-api"))]
