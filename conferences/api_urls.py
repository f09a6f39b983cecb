"""Conference requests, bookings and delay authorisations under /api/v1/ (included by
cpcases.api_urls)."""

from django.urls import include, path

from conferences.api import (
    ConferenceRequestViewSet,
    ConferenceViewSet,
    DelayAuthorisationViewSet,
)
from conferences.preparation_api import (
    ConferenceReportViewSet,
    ExclusionRequestViewSet,
    InvitationViewSet,
)
from cpcases.core.routers import IdRouter

router = IdRouter()
router.register("conference-requests", ConferenceRequestViewSet, basename="conference-request")
router.register("conferences", ConferenceViewSet, basename="conference")
router.register("delay-authorisations", DelayAuthorisationViewSet,
                basename="delay-authorisation")
# Before the conference (issue 5, part 5a).
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("conference-reports", ConferenceReportViewSet, basename="conference-report")
router.register("exclusion-requests", ExclusionRequestViewSet, basename="exclusion-request")

urlpatterns = [path("", include((router.urls, "conferences-api"),
                                namespace="conferences-api"))]
