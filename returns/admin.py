from django.contrib import admin
from django.http import HttpRequest

from returns.models import ReturnExport


@admin.register(ReturnExport)
class ReturnExportAdmin(admin.ModelAdmin):
    """Read only: the record of who exported what."""

    list_display = ("created_at", "kind", "filename", "user", "children_count", "scope")
    list_filter = ("kind",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
