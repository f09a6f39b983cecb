"""Living with the plan: child protection plans with their actions and kept versions, core
groups (members, meetings, attendance), and Child in Need plans (step-down, or a conference
that decides no plan). DOMAIN §2 steps 11, 13, 15, 16; 003 "Core Group", "Lead Social Worker
Role", "Discontinuing the Child Protection Plan"; 001 "Core Groups".

Written only through cpcases.plans.services.
"""

from __future__ import annotations

from datetime import date

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone

from cpcases.accounts.models import Authority
from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from cpcases.core.models import TimeStampedModel, VersionedModel


class PlanCategory(models.TextChoices):
    """003: one category only, never several."""

    PHYSICAL = "PHY", "Physical abuse"
    EMOTIONAL = "EMO", "Emotional abuse"
    SEXUAL = "SAB", "Sexual abuse"
    NEGLECT = "NEG", "Neglect"


class PlanEndReason(models.TextChoices):
    """003 "Discontinuing the Child Protection Plan" (DOMAIN §2 step 16)."""

    NO_LONGER_AT_RISK = "no_longer_at_risk", "No longer likely to suffer significant harm"
    TRANSFERRED = "transferred", ("Moved permanently to another authority (after its "
                                  "transfer conference)")
    REACHED_18 = "reached_18", "Reached 18"
    DIED = "died", "Died"
    LEFT_UK = "left_uk", "Left the United Kingdom permanently"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


@pghistory.track()
class ChildProtectionPlan(VersionedModel):
    """One child's plan, from the conference that made it to the review that ended it."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cp_plans")
    # The conference that decided the plan (the conference issue calls plan_start).
    conference = models.ForeignKey("conferences.Conference", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="plans_started")
    started_on = models.DateField(help_text="The date of the conference that made the plan")
    category = models.CharField(max_length=3, choices=PlanCategory.choices)
    lead_social_worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                           related_name="lead_plans")
    # The date of the first core group set by the conference (002 §19, 003).
    first_core_group_on = models.DateField(null=True, blank=True)
    outcomes = models.TextField("outcomes for the child", blank=True,
                                help_text="What needs to change, by how much and by when")
    contingency = models.TextField("contingency plan", blank=True)
    # How many plans the child had before this one (counted when it starts).
    previous_plans = models.PositiveSmallIntegerField(default=0)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=24, choices=PlanEndReason.choices, blank=True)
    end_note = models.TextField(blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    end_conference = models.ForeignKey("conferences.Conference", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="plans_ended")
    # 001: when no Child in Need plan follows, the rationale, which the head of service sees.
    stepdown_rationale = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=models.Q(ended_on__isnull=True),
                                    name="plan_one_current_per_child"),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | ~models.Q(end_reason=""),
                name="plan_ended_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Child protection plan for {self.child} from {self.started_on:%d/%m/%Y}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


@pghistory.track()
class CoreGroupMember(TimeStampedModel):
    """A member of the core group: a user (a partner user then sees the child) or a named
    professional or family member, with their own e-mail and mobile (004)."""

    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.CASCADE,
                             related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="core_group_memberships")
    name = models.CharField(max_length=200)
    agency = models.CharField(max_length=32, choices=Agency.choices)
    role = models.CharField("role", max_length=200, blank=True,
                            help_text="For example, class teacher, health visitor, mother")
    email = models.EmailField(blank=True)
    mobile = models.CharField(max_length=40, blank=True)
    # 001: the plan sets out how often every core group member sees the child.
    contact_frequency = models.CharField("how often they see the child", max_length=200,
                                         blank=True)
    removed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["agency", "name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "user"],
                                    condition=models.Q(user__isnull=False,
                                                       removed_on__isnull=True),
                                    name="core_group_member_user_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_agency_display()})"


def action_overdue(status: str, by_when: date, on: date) -> bool:
    """An action still open after its date (a protection plan's or a child in need plan's;
    also read from the plans list's JSON rows, cpcases.plans.api)."""
    return status == ActionStatus.OPEN and by_when < on


@pghistory.track()
class PlanAction(VersionedModel):
    """Who does what by when (003 "Core Group")."""

    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.CASCADE,
                             related_name="actions")
    who_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    who = models.CharField("who", max_length=200, blank=True,
                           help_text="A person or agency, if not a user of the system")
    what = models.TextField()
    by_when = models.DateField()
    status = models.CharField(max_length=8, choices=ActionStatus.choices,
                              default=ActionStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["by_when", "id"]

    def __str__(self) -> str:
        return f"{self.who_label}: {self.what[:60]}"

    @property
    def who_label(self) -> str:
        return str(self.who_user) if self.who_user_id else self.who

    def is_overdue(self, on: date | None = None) -> bool:
        return action_overdue(self.status, self.by_when, on or timezone.localdate())

    @property
    def overdue(self) -> bool:
        return self.is_overdue()


class Attendance(models.TextChoices):
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Absent"


class Recommendation(models.TextChoices):
    """001: before a review the core group agrees its recommendation to the conference."""

    CONTINUE = "continue", "Continue the child protection plan"
    END_CIN = "end_cin", "End the plan and step down to a Child in Need plan"
    END_NO_CIN = "end_no_cin", "End the plan without a Child in Need plan"


@pghistory.track()
class CoreGroupMeeting(TimeStampedModel):
    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.PROTECT,
                             related_name="meetings")
    held_on = models.DateField()
    is_first = models.BooleanField(default=False)
    minutes = models.TextField(blank=True)
    recommendation = models.CharField(max_length=12, choices=Recommendation.choices,
                                      blank=True)
    recommendation_reasons = models.TextField(blank=True)
    # 003: minutes and plan distributed within 5 days of the meeting.
    distributed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Core group meeting of {self.held_on:%d/%m/%Y}"


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(CoreGroupMeeting, on_delete=models.CASCADE,
                                related_name="attendance")
    member = models.ForeignKey(CoreGroupMember, on_delete=models.PROTECT,
                               related_name="attendance")
    attendance = models.CharField(max_length=10, choices=Attendance.choices)

    class Meta:
        ordering = ["member__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"],
                                               name="meeting_attendance_once")]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_attendance_display()}"


class PlanVersion(models.Model):
    """A kept snapshot of the plan as a conference or core group left it (numbered)."""

    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.CASCADE,
                             related_name="versions")
    number = models.PositiveIntegerField()
    reason = models.CharField(max_length=300)
    meeting = models.ForeignKey(CoreGroupMeeting, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="versions")
    category = models.CharField(max_length=3, choices=PlanCategory.choices)
    outcomes = models.TextField(blank=True)
    contingency = models.TextField(blank=True)
    # [{"who": ..., "what": ..., "by_when": "YYYY-MM-DD", "status": ...}, ...]
    actions = models.JSONField(default=list)
    # [{"name": ..., "agency": ..., "role": ..., "contact_frequency": ...}, ...]
    members = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"],
                                               name="plan_version_number_unique")]

    def __str__(self) -> str:
        return f"Version {self.number} of {self.plan}"


# --- Child in Need plans ------------------------------------------------------------------------


@pghistory.track()
class CinPlan(TimeStampedModel):
    """A Child in Need plan: after a child protection plan ends (step-down: 001, 003), or when
    a conference decides no plan but the child needs help (002 §19.8)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cin_plans")
    from_plan = models.ForeignKey(ChildProtectionPlan, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="stepdown_cin_plans")
    conference = models.ForeignKey("conferences.Conference", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="cin_plans")
    started_on = models.DateField()
    # For step-down, at least the authority's `stepdown_review` timescale (001: 3 months).
    planned_end_on = models.DateField(null=True, blank=True)
    first_meeting_on = models.DateField(null=True, blank=True)
    lead_professional = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    summary = models.TextField("what the plan is for", blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=models.Q(ended_on__isnull=True),
                                    name="cin_plan_one_current_per_child"),
        ]

    def __str__(self) -> str:
        return f"Child in Need plan for {self.child} from {self.started_on:%d/%m/%Y}"

    @property
    def is_stepdown(self) -> bool:
        return self.from_plan_id is not None


class CinMeetingKind(models.TextChoices):
    MEETING = "meeting", "Child in Need meeting"
    REVIEW = "review", "Child in Need review"


@pghistory.track()
class CinMeeting(TimeStampedModel):
    cin_plan = models.ForeignKey(CinPlan, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    kind = models.CharField(max_length=8, choices=CinMeetingKind.choices,
                            default=CinMeetingKind.MEETING)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.held_on:%d/%m/%Y}"


@pghistory.track()
class CinAction(TimeStampedModel):
    cin_plan = models.ForeignKey(CinPlan, on_delete=models.CASCADE, related_name="actions")
    who = models.CharField(max_length=200)
    what = models.TextField()
    by_when = models.DateField()
    status = models.CharField(max_length=8, choices=ActionStatus.choices,
                              default=ActionStatus.OPEN)

    class Meta:
        ordering = ["by_when", "id"]

    def __str__(self) -> str:
        return f"{self.who}: {self.what[:60]}"

    @property
    def overdue(self) -> bool:
        return action_overdue(self.status, self.by_when, timezone.localdate())
