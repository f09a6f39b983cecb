from django.urls import include, path

from returns import views

app_name = "returns"

urlpatterns = [
    path("", views.index, name="index"),
    path("cin-census/", views.cin_census, name="cin_census"),
    path("annex-a/", views.annex_a, name="annex_a"),
    path("readiness/", views.readiness, name="readiness"),
    path("child/<int:pk>/", views.child_checks, name="child"),
    path("", include("returns.dfe.urls")),  # the DfE API page, readiness refresh
]
