"""The conference day and after (issue 5 items 5-11): attendance and quoracy, the chair's
start or adjournment, each child's decision with agency views and safety scores, the decision
letter, the decisions summary, the conference record with its sign-off, distribution and
amendment requests, review bookings brought forward, and non-attendance letters.

Written only through conferences.outcomes.services.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models

from conferences.models import Conference
from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from cpcases.core.models import TimeStampedModel, VersionedModel
from cpcases.plans.models import PlanCategory, PlanEndReason


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Absent"


class ParticipantType(models.TextChoices):
    PROFESSIONAL = "professional", "Professional"
    FAMILY = "family", "Parent, carer or family member"
    CHILD = "child", "Child or young person"
    SUPPORTER = "supporter", "Supporter, advocate or interpreter"


class ProceedGround(models.TextChoices):
    """002 §5.4, 003: when the chair may proceed although the conference is inquorate."""

    CSC_AND_ONE = "csc_and_one", "Children's social care and one other agency are present"
    FEW_AGENCIES = "few_agencies", "The child is not in contact with 3 agencies"
    LOCAL_DIFFICULTIES = "local_difficulties", ("There are local difficulties with agency "
                                                "attendance (reported to the senior child "
                                                "protection manager and the partnership)")
    DELAY_HARMFUL = "delay_harmful", ("Enough information is available and a delay would "
                                      "harm the child")


@pghistory.track()
class ConferenceDay(VersionedModel):
    """What happened on the day: start, quoracy, observer, adjournment or proceeding."""

    conference = models.OneToOneField(Conference, on_delete=models.CASCADE, related_name="day")
    # 002 §4.5: at most one professional observer, with the chair's and family's consent.
    observer_name = models.CharField(max_length=200, blank=True)
    observer_role = models.CharField(max_length=200, blank=True)
    observer_chair_consent = models.BooleanField(default=False)
    observer_family_consent = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    quorate_at_start = models.BooleanField(null=True, blank=True)
    # Inquorate and proceeding (002 §5.4): the ground and the chair's reasons; an early
    # review follows (002 §5.5).
    proceed_ground = models.CharField(max_length=24, choices=ProceedGround.choices, blank=True)
    proceed_reason = models.TextField(blank=True)
    # Inquorate and adjourned (003): the interim plan and the reconvened conference.
    adjourned_at = models.DateTimeField(null=True, blank=True)
    adjourned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    interim_plan = models.TextField(blank=True)
    reconvened_as = models.ForeignKey(Conference, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="reconvenes")

    def __str__(self) -> str:
        return f"Day of {self.conference}"

    @property
    def started(self) -> bool:
        return self.started_at is not None

    @property
    def early_review(self) -> bool:
        return bool(self.proceed_ground)


@pghistory.track()
class Attendance(VersionedModel):
    """One invited person and whether they came (002 §22.4, 003: invited, attended,
    apologies). Professionals' direct contact with the family decides quoracy (002 §5.2)."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE,
                                   related_name="attendances")
    participant_type = models.CharField(max_length=16, choices=ParticipantType.choices,
                                        default=ParticipantType.PROFESSIONAL)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="conference_attendances")
    name = models.CharField(max_length=200)
    agency = models.CharField(max_length=32, choices=Agency.choices, blank=True)
    role = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=AttendanceStatus.choices,
                              default=AttendanceStatus.PRESENT)
    direct_contact = models.BooleanField(
        "the agency has had direct contact with the child and family", default=False)
    report_sent = models.BooleanField("a written report was sent", default=False)
    # The invitation this row was prefilled from (conferences.models.Invitation), if any.
    invitation_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["participant_type", "agency", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"

    @property
    def is_professional(self) -> bool:
        return self.participant_type == ParticipantType.PROFESSIONAL


class DecisionOutcome(models.TextChoices):
    PLAN = "plan", "Child protection plan"
    CIN = "cin", "No plan: Child in Need plan"
    NONE = "none", "No plan and no further child protection action"
    CONTINUE = "continue", "The child protection plan continues"
    END = "end", "The child protection plan ends"


REVIEW_OUTCOMES = (DecisionOutcome.CONTINUE, DecisionOutcome.END)
INITIAL_OUTCOMES = (DecisionOutcome.PLAN, DecisionOutcome.CIN, DecisionOutcome.NONE)


class ExceptionalCircumstance(models.TextChoices):
    """003: a plan should not end at the first review except where all risks are shown
    eliminated: the perpetrator has a significant custodial sentence, or has died."""

    CUSTODIAL = "custodial", ("The perpetrator is serving a significant custodial sentence "
                              "that removes the risk")
    DECEASED = "deceased", "The perpetrator has died"


@pghistory.track()
class ChildDecision(VersionedModel):
    """The conference's decision for one child (002 §18.4, 003: separately for each child)."""

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT,
                                   related_name="child_decisions")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="conference_decisions")
    outcome = models.CharField(max_length=16, choices=DecisionOutcome.choices)
    category = models.CharField(max_length=3, choices=PlanCategory.choices, blank=True)
    reasons = models.TextField("reasons for the decision")
    recommendations = models.TextField(blank=True)
    outline_plan = models.TextField(blank=True)
    contingency = models.TextField("contingency plan", blank=True)
    lead_social_worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    first_core_group_on = models.DateField(null=True, blank=True)
    core_group = models.JSONField(default=list, blank=True,
                                  help_text="Names and agencies of the core group members")
    # The review conference booked on the decision, and the date the policy requires.
    review_conference = models.ForeignKey(Conference, null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    review_due = models.DateField(null=True, blank=True)
    # 002 §7.13: for an unborn child the first review is within 1 month of the birth.
    prebirth_review_applies = models.BooleanField(default=False)
    cin_first_meeting_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=24, choices=PlanEndReason.choices, blank=True)
    exceptional_circumstance = models.CharField(max_length=16,
                                                choices=ExceptionalCircumstance.choices,
                                                blank=True)
    transfer_conference_on = models.DateField(null=True, blank=True)
    start_cin_plan = models.BooleanField(default=False)
    stepdown_rationale = models.TextField(blank=True)
    plan = models.ForeignKey("plans.ChildProtectionPlan", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    cin_plan = models.ForeignKey("plans.CinPlan", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["conference", "child__date_of_birth", "child_id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "child"],
                                    name="child_decision_once_per_conference"),
            # 003: one category only, and only with a plan.
            models.CheckConstraint(
                condition=~models.Q(outcome="plan") | ~models.Q(category=""),
                name="child_decision_plan_has_category"),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} for {self.child}"

    @property
    def makes_plan(self) -> bool:
        return self.outcome in (DecisionOutcome.PLAN, DecisionOutcome.CONTINUE)


class AgencyView(models.Model):
    """Each agency's view; dissent is recorded in the minutes (002 §17.3, §20.2)."""

    decision = models.ForeignKey(ChildDecision, on_delete=models.CASCADE,
                                 related_name="agency_views")
    agency = models.CharField(max_length=32, choices=Agency.choices)
    name = models.CharField(max_length=200, blank=True)
    view = models.TextField()
    dissents = models.BooleanField(default=False)

    class Meta:
        ordering = ["agency", "id"]

    def __str__(self) -> str:
        return f"{self.get_agency_display()}{' (dissent)' if self.dissents else ''}"


class SafetyScore(models.Model):
    """001: each participant's view of the child's safety, 0 (certain of harm) to 10."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE,
                                   related_name="safety_scores")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    participant = models.CharField(max_length=200)
    agency = models.CharField(max_length=32, choices=Agency.choices, blank=True)
    score = models.PositiveSmallIntegerField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conference", "child", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(score__lte=10),
                                              name="safety_score_0_to_10")]

    def __str__(self) -> str:
        return f"{self.participant}: {self.score}"


class ManagementEscalation(models.Model):
    """001: most or all scored 0: the chair escalates to social work management."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["conference", "child"],
                                               name="escalation_once_per_child")]

    def __str__(self) -> str:
        return f"Escalation for {self.child} at {self.conference}"


class RecordSection(models.TextChoices):
    """003 "Conference Record": the narrative items the minute-taker writes."""

    PURPOSE = "purpose", "Purpose of the conference"
    FACTS = "facts", "Essential facts"
    OPINIONS = "opinions", "Opinions of conference members"
    CHILD_VIEWS = "child_views", "Views of the child"
    PARENT_VIEWS = "parent_views", "Views of parents and carers"
    DISCUSSION = "discussion", "Summary of the discussion"


@pghistory.track()
class ConferenceRecord(VersionedModel):
    """The record of the conference (002 §22, 003), its sign-off and distribution."""

    conference = models.OneToOneField(Conference, on_delete=models.CASCADE,
                                      related_name="record")
    purpose = models.TextField(blank=True)
    facts = models.TextField(blank=True)
    opinions = models.TextField(blank=True)
    child_views = models.TextField(blank=True)
    parent_views = models.TextField(blank=True)
    discussion = models.TextField(blank=True)
    # 003: confidential material may be left out of the parents' copy.
    confidential_sections = models.JSONField(default=list, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    decision_letter_issued_at = models.DateTimeField(null=True, blank=True)
    summary_issued_at = models.DateTimeField(null=True, blank=True)
    sent_to_professionals_on = models.DateField(null=True, blank=True)
    sent_to_family_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Record of {self.conference}"

    def section_items(self, *, parents_copy: bool = False) -> list[tuple[str, str, str]]:
        """(key, heading, text) in order; the parents' copy leaves out confidential ones."""
        hidden = set(self.confidential_sections) if parents_copy else set()
        return [(key, label, getattr(self, key)) for key, label in RecordSection.choices
                if key not in hidden]


class Audience(models.TextChoices):
    PROFESSIONALS = "professionals", "Professionals"
    FAMILY = "family", "Family"


class Distribution(models.Model):
    """Who the signed record was sent to, and when (002 §22.5, §22.9)."""

    record = models.ForeignKey(ConferenceRecord, on_delete=models.CASCADE,
                               related_name="distributions")
    audience = models.CharField(max_length=16, choices=Audience.choices)
    recipients = models.TextField()
    sent_on = models.DateField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_audience_display()} on {self.sent_on:%d/%m/%Y}"


class AmendmentRequest(models.Model):
    """A request to amend the record, in writing, within the window from receipt (002 §22.6:
    one week; 003: 10 working days)."""

    record = models.ForeignKey(ConferenceRecord, on_delete=models.CASCADE,
                               related_name="amendment_requests")
    requested_by = models.CharField(max_length=200)
    received_on = models.DateField("date the record was received")
    requested_on = models.DateField("date the amendment was requested")
    text = models.TextField("amendment requested")
    within_window = models.BooleanField()
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["requested_on", "id"]

    def __str__(self) -> str:
        return f"Amendment from {self.requested_by}"


class ReviewTrigger(models.TextChoices):
    """003: when a review is brought forward (DOMAIN §2 step 15)."""

    NEW_INCIDENT = "new_incident", "A new substantiated incident"
    PLAN_DIFFICULTY = "plan_difficulty", "Difficulty carrying out the plan"
    BIRTH = "birth", "A birth into the household"
    RISKY_PERSON = "risky_person", "A person posing a risk has joined the household"
    SIGNIFICANT_CHANGE = "significant_change", "A significant change in circumstances"
    RETURN_HOME = "return_home", "A looked-after child's return home is being considered"
    PLAN_NOT_NEEDED = "plan_not_needed", "The core group believes the plan is no longer needed"
    EIGHTEENTH_BIRTHDAY = "eighteenth", "The child's 18th birthday"


class ReviewChange(models.Model):
    """A review conference brought forward, with the trigger and reasons."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE,
                                   related_name="review_changes")
    from_date = models.DateField()
    to_date = models.DateField()
    trigger = models.CharField(max_length=24, choices=ReviewTrigger.choices)
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Review moved from {self.from_date} to {self.to_date}"


class NonAttendanceLetter(models.Model):
    """001: the chair writes to each professional who neither attended nor sent a report."""

    attendance = models.OneToOneField(Attendance, on_delete=models.CASCADE,
                                      related_name="non_attendance_letter")
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"Non-attendance letter to {self.attendance.name}"


@pghistory.track()
class ResourceDisparity(TimeStampedModel):
    """002 §19.3: a disparity between the minimum the chair specified and the resources to be
    committed, recorded at the conference; the district (service) manager resolves it within
    3 days (`resource_disparity`); 002 §19.4: the service manager is told at once."""

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT,
                                   related_name="resource_disparities")
    child = models.ForeignKey(Child, on_delete=models.PROTECT,
                              related_name="resource_disparities")
    minimum_required = models.TextField("what the chair specified as the minimum")
    resources_offered = models.TextField("resources to be committed")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField()
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"Resource disparity for {self.child} at {self.conference}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None
