"""Restricted-record access is granted by administrators (the named users of a sealed record)."""

from django.contrib import admin

from cpcases.children.models import RestrictedAccess


@admin.register(RestrictedAccess)
class RestrictedAccessAdmin(admin.ModelAdmin):
    list_display = ["child", "user", "created_at"]
    raw_id_fields = ["child", "user"]
