"""Administrators manage the organisation and its users here (Django admin, staff only)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from cpcases.accounts.models import Authority, Service, Team, User


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "child_invitation_age"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "authority"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "service"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "team", "service", "agency", "is_active"]
    list_filter = ["role", "team", "agency", "is_active"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("Role and organisation", {"fields": ["full_name", "role", "authority", "service",
                                              "team", "agency", "job_title", "mobile"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        ("Role and organisation", {"fields": ["full_name", "email", "role", "authority",
                                              "service", "team", "agency"]}),
    ]
