"""/api/v1/performance/ (included by cpcases.api_urls)."""

from django.urls import include, path

from returns.performance.api import PerformanceView

urlpatterns = [
    path("", include(([path("performance/", PerformanceView.as_view(), name="figures")],
                      "performance-api"), namespace="performance-api")),
]
