from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from cpcases.core.help import help_page

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="children:caseload", permanent=False),
         name="home"),
    path("", include("cpcases.accounts.urls")),
    path("help/", help_page, name="help"),
    path("children/", include("cpcases.children.urls")),
    path("deadlines/", include("deadlines.urls")),
    path("strategy/", include("strategy.urls")),
    path("conferences/", include("conferences.urls")),
    path("conferences/", include("conferences.outcomes.urls")),
    path("chronology/", include("cpcases.chronology.urls")),
    path("plans/", include("cpcases.plans.urls")),
    path("api/", include("cpcases.api_urls")),
    path("admin/", admin.site.urls),
]
