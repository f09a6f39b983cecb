"""The access log, read-only: audit rows cannot be changed through the app."""

from django.contrib import admin
from django.http import HttpRequest

from cpcases.audit.models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "child_id", "action", "section", "path", "ip_address"]
    list_filter = ["action", "section"]
    search_fields = ["child_id", "path"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
