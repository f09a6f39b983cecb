"""Included by returns/urls.py (namespace "returns")."""

from django.urls import path

from returns.dfe import views

urlpatterns = [
    path("dfe/", views.dfe, name="dfe"),
    path("readiness/refresh/", views.readiness_refresh, name="readiness_refresh"),
]
