from django.contrib import admin

from frontdoor.models import Assessment, ChildMerge, Contact, FrontDoorTeam, Referral

# Administrators mark which teams run the front door; the case records are read here only
# (they are written through frontdoor.services, which sets their clocks).
admin.site.register(FrontDoorTeam)


@admin.register(Contact, Referral, Assessment, ChildMerge)
class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
