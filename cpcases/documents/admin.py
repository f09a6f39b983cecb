"""Administrators see what was issued (read-only: the rows are append-only in PostgreSQL)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from cpcases.documents.models import IssuedDocument
from cpcases.outbox.admin import _administrator


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(admin.ModelAdmin):
    list_display = ["issued_at", "title", "issued_to", "issued_by", "sha256", "size"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in IssuedDocument._meta.fields]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
