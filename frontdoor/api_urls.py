"""The front door under /api/v1/ (included by cpcases.api_urls)."""

from django.urls import include, path

from cpcases.core.routers import IdRouter
from frontdoor import api

router = IdRouter()
router.register("contacts", api.ContactViewSet, basename="contact")
router.register("referrals", api.ReferralViewSet, basename="referral")
router.register("assessments", api.AssessmentViewSet, basename="assessment")
router.register("new-information", api.NewInformationViewSet, basename="new-information")
router.register("child-search", api.ChildSearchViewSet, basename="child-search")
router.register("duplicates", api.DuplicateViewSet, basename="duplicate")
router.register("break-glass", api.BreakGlassViewSet, basename="break-glass")
router.register("merges", api.MergeViewSet, basename="merge")
router.register("households", api.HouseholdViewSet, basename="household")
router.register("child-people", api.ChildPersonViewSet, basename="child-person")

urlpatterns = [path("", include((router.urls, "frontdoor-api"), namespace="frontdoor-api"))]
