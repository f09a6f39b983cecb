"""Django admin for support staff. Policy changes by administrators go through the policy
pages (with a reason and history); deadlines are read-only here: services write them."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from deadlines.models import (
    AuthorityPolicy,
    ClosureDay,
    Deadline,
    Escalation,
    Notification,
    PolicyProfile,
    PolicyRule,
    RuleOverride,
)


class PolicyRuleInline(admin.TabularInline):
    model = PolicyRule
    extra = 0
    fields = ["rule_id", "name", "offset", "unit", "direction", "responsible_role", "source"]


@admin.register(PolicyProfile)
class PolicyProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "icpc_delay_role", "shipped"]
    inlines = [PolicyRuleInline]


@admin.register(AuthorityPolicy)
class AuthorityPolicyAdmin(admin.ModelAdmin):
    list_display = ["authority", "profile", "updated_at", "updated_by"]


@admin.register(RuleOverride)
class RuleOverrideAdmin(admin.ModelAdmin):
    list_display = ["authority", "rule_id", "offset", "unit", "direction", "updated_by",
                    "updated_at"]
    list_filter = ["authority"]


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    list_display = ["authority", "date", "reason"]
    list_filter = ["authority"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["rule_id", "child", "due_date", "status", "responsible", "next_level",
                    "next_action_at"]
    list_filter = ["status", "rule_id"]
    raw_id_fields = ["child", "responsible"]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["deadline", "level", "due_date", "created_at"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "level", "created_at", "read_at"]
