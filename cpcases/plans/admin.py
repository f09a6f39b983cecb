"""Read-only admin views for administrators: plans are changed only through the services."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from cpcases.plans.models import ChildProtectionPlan, CinPlan, CoreGroupMeeting


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ChildProtectionPlan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("child", "category", "started_on", "ended_on", "lead_social_worker")
    list_filter = ("category", "end_reason")


@admin.register(CoreGroupMeeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("plan", "held_on", "is_first", "distributed_on")


@admin.register(CinPlan)
class CinPlanAdmin(ReadOnlyAdmin):
    list_display = ("child", "started_on", "planned_end_on", "ended_on")
