"""Conference requests, bookings and delay authorisations under /api/v1/ (included by
cpcases.api_urls)."""

from django.urls import include, path

from conferences.api import (
    ConferenceRequestViewSet,
    ConferenceViewSet,
    DelayAuthorisationViewSet,
)
from conferences.preparation.api_urls import ROUTES as PREPARATION_ROUTES
from cpcases.core.routers import IdRouter

router = IdRouter()
router.register("conference-requests", ConferenceRequestViewSet, basename="conference-request")
router.register("conferences", ConferenceViewSet, basename="conference")
router.register("delay-authorisations", DelayAuthorisationViewSet,
                basename="delay-authorisation")
# Before the conference (issue 5, part 5a): conferences.preparation, same namespace.
for prefix, viewset, basename in PREPARATION_ROUTES:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [path("", include((router.urls, "conferences-api"),
                                namespace="conferences-api"))]
