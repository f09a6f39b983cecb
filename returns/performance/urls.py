from django.urls import path

from returns.performance import views

app_name = "performance"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:key>/", views.figure, name="figure"),
]
