"""Administrators see the outbox: what is waiting, sent, or failing and why (issue 12 §1).
Messages are not edited or deleted here; a failing one can be tried again at once."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from cpcases.accounts.roles import Role
from cpcases.outbox.models import OutboxMessage, OutboxStatus
from cpcases.outbox.services import dispatch


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "status", "kind", "subject", "recipients", "attempts",
                    "sent_at", "next_attempt_at", "short_error"]
    list_filter = ["status", "kind"]
    search_fields = ["subject", "message_id", "to"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    exclude = ["attachments"]

    @admin.display(description="To")
    def recipients(self, obj: OutboxMessage) -> str:
        return ", ".join(obj.to)

    @admin.display(description="Last error")
    def short_error(self, obj: OutboxMessage) -> str:
        return obj.last_error[:120]

    @admin.action(description="Try sending the selected messages again now")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        ids = list(queryset.exclude(status=OutboxStatus.SENT).values_list("pk", flat=True))
        OutboxMessage.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now())
        dispatch(ids)
        self.message_user(request, f"{len(ids)} messages queued to send again.",
                          messages.SUCCESS)

    # Administrators by role (the demo's admin.ada has no per-model permissions).
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


def _administrator(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff
                and (user.is_superuser or getattr(user, "role", "") == Role.ADMINISTRATOR))
