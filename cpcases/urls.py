from django.contrib import admin
from django.urls import include, path

from cpcases.core.help import help_page
from cpcases.core.resolving import resolved_once
from cpcases.health.views import healthz
from deadlines.views import home

# Each path's resolution kept per process (issue 13 §2; cpcases.core.resolving).
urlpatterns = resolved_once([
    # "My work" is every role's home page (issue 9).
    path("", home, name="home"),
    path("", include("cpcases.accounts.urls")),
    path("help/", help_page, name="help"),
    path("children/", include("cpcases.children.urls")),
    path("children/", include("cpcases.documents.urls")),
    path("deadlines/", include("deadlines.urls")),
    path("strategy/", include("strategy.urls")),
    path("conferences/", include("conferences.urls")),
    path("conferences/", include("conferences.outcomes.urls")),
    path("chronology/", include("cpcases.chronology.urls")),
    path("plans/", include("cpcases.plans.urls")),
    path("front-door/", include("frontdoor.urls")),
    path("life/", include("lifeevents.urls")),
    path("returns/", include("returns.urls")),
    path("performance/", include("returns.performance.urls")),
    path("api/", include("cpcases.api_urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
])

handler500 = "cpcases.core.errors_views.server_error"
handler404 = "cpcases.core.errors_views.not_found"
handler403 = "cpcases.core.errors_views.forbidden"
