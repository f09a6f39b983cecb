"""Visits and the chronology under /api/v1/ (included by cpcases.api_urls)."""

from django.urls import include, path

from cpcases.chronology.api import ChronologyCsvView, ChronologyView, VisitViewSet
from cpcases.core.routers import IdRouter

router = IdRouter()
router.register("visits", VisitViewSet, basename="visit")

urlpatterns = [path("", include(([
    *router.urls,
    path("chronology/<int:child_id>/", ChronologyView.as_view(), name="chronology"),
    path("chronology/<int:child_id>/csv/", ChronologyCsvView.as_view(),
         name="chronology-csv"),
], "chronology-api"), namespace="chronology-api"))]
