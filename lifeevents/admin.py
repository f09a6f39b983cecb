from django.contrib import admin

from lifeevents.models import SafeguardingContacts


@admin.register(SafeguardingContacts)
class SafeguardingContactsAdmin(admin.ModelAdmin):
    """Administrators name the senior child protection manager and the partnership's chair.
    The case records themselves are changed only through the pages and the API."""

    list_display = ("authority", "senior_cp_manager", "partnership_chair_name")
    raw_id_fields = ("senior_cp_manager",)
