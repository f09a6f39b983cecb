"""The API: /api/v1/ (session and token authentication), the OpenAPI schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cpcases.children.api import ChildViewSet, PersonViewSet
from cpcases.core.routers import IdDefaultRouter

router = IdDefaultRouter()
router.register("children", ChildViewSet, basename="child")
router.register("people", PersonViewSet, basename="person")

urlpatterns = [
    path("v1/", include((router.urls, "api"), namespace="api")),
    path("v1/", include("deadlines.api_urls")),
    path("v1/", include("strategy.api_urls")),
    path("v1/", include("conferences.api_urls")),
    path("v1/", include("conferences.outcomes.api_urls")),
    path("v1/", include("cpcases.chronology.api_urls")),
    path("v1/", include("cpcases.plans.api_urls")),
    path("v1/", include("frontdoor.api_urls")),
    path("v1/", include("lifeevents.api_urls")),
    path("v1/", include("returns.performance.api_urls")),
    path("v1/", include("returns.dfe.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
