"""Read-only admin for administrators: the workflow writes only through conferences.services."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from conferences.models import Conference, ConferenceRequest, DelayAuthorisation


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ConferenceRequest)
class ConferenceRequestAdmin(ReadOnly):
    list_display = ["id", "kind", "status", "social_worker", "created_at"]
    list_filter = ["status", "kind"]


@admin.register(Conference)
class ConferenceAdmin(ReadOnly):
    list_display = ["id", "kind", "date", "start_time", "chair", "status"]
    list_filter = ["status", "kind"]


@admin.register(DelayAuthorisation)
class DelayAuthorisationAdmin(ReadOnly):
    list_display = ["id", "request", "latest_date", "status", "decided_by"]
    list_filter = ["status"]
