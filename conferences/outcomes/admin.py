"""Read-only admin for administrators: the day is written only through
conferences.outcomes.services."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from conferences.outcomes.models import (
    Attendance,
    ChildDecision,
    ConferenceDay,
    ConferenceRecord,
    NonAttendanceLetter,
    ReviewChange,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ConferenceDay)
class ConferenceDayAdmin(ReadOnly):
    list_display = ["conference", "started_at", "quorate_at_start", "proceed_ground",
                    "adjourned_at"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnly):
    list_display = ["conference", "name", "agency", "status", "direct_contact", "report_sent"]
    list_filter = ["status", "agency"]


@admin.register(ChildDecision)
class ChildDecisionAdmin(ReadOnly):
    list_display = ["conference", "child", "outcome", "category", "decided_by", "decided_at"]
    list_filter = ["outcome", "category"]


@admin.register(ConferenceRecord)
class ConferenceRecordAdmin(ReadOnly):
    list_display = ["conference", "signed_off_at", "decision_letter_issued_at",
                    "sent_to_professionals_on", "sent_to_family_on"]


@admin.register(ReviewChange)
class ReviewChangeAdmin(ReadOnly):
    list_display = ["conference", "from_date", "to_date", "trigger", "changed_by"]


@admin.register(NonAttendanceLetter)
class NonAttendanceLetterAdmin(ReadOnly):
    list_display = ["attendance", "issued_at", "issued_by"]
