"""Strategy discussions, Section 47 enquiries, threshold decisions and consultations with a CP
chair (DOMAIN §2 steps 2-5; procedures 000, 003, 004).

Written only through strategy.services, which checks permission and preconditions and sets
the deadlines through the engine (deadlines.services).
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models

from cpcases.accounts.models import Authority
from cpcases.accounts.roles import Agency
from cpcases.children.models import Child, Household
from cpcases.core.models import TimeStampedModel


class Urgency(models.TextChoices):
    """000: the strategy discussion's timescale from the point concern is identified. The
    values are the variant names of the `strategy_discussion` rule (deadlines.policy)."""

    IMMEDIATE_PROTECTION = "immediate_protection", "Immediate protection needed"
    CP_CONCERNS = "child_protection_concerns", "Child protection concerns"
    COMPLEX = "complex", "Complex case"


class DiscussionFormat(models.TextChoices):
    # 000: "a strategy discussion can take the form of a multi-agency meeting or phone calls"
    MEETING = "meeting", "Meeting"
    PHONE_CALLS = "phone_calls", "Phone calls"


class NextStep(models.TextChoices):
    """For a child for whom no Section 47 enquiry is initiated, or one not substantiated
    (003 "Outcomes of a Section 47": consider Child in Need or early help)."""

    NO_FURTHER_ACTION = "nfa", "No further action"
    CHILD_IN_NEED = "cin", "Child in need"
    EARLY_HELP = "early_help", "Early help"
    # A later discussion about a child whose enquiry is already under way (000: more than
    # one discussion may be held, e.g. when new information arrives).
    CONTINUE_S47 = "continue_s47", "Continue the Section 47 enquiry already under way"


class ParticipantRole(models.TextChoices):
    """The part someone plays at the discussion; the minimum (003) needs the first two plus
    health and police."""

    SOCIAL_WORKER = "social_worker", "Local authority social worker"
    MANAGER = "manager", "Social work manager"
    PROFESSIONAL = "professional", "Agency professional"
    REFERRER = "referrer", "Referrer"
    OTHER = "other", "Other"


class Attendance(models.TextChoices):
    PRESENT = "present", "Present"
    CONTRIBUTED = "contributed", "Contributed (did not attend)"


@pghistory.track()
class StrategyDiscussion(TimeStampedModel):
    """One strategy discussion or meeting about one or more children of a household."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="strategy_discussions")
    concern_identified_at = models.DateTimeField("concern identified at")
    urgency = models.CharField(max_length=32, choices=Urgency.choices)
    format = models.CharField(max_length=16, choices=DiscussionFormat.choices)
    held_at = models.DateTimeField("held at")
    # 000: "any delay should be explained and recorded"
    late_reason = models.TextField("reason it was held late", blank=True)
    # 003: the minimum is the LA social worker, their manager, health and police
    minimum_not_met_reason = models.TextField("reason the minimum attendance was not met",
                                              blank=True)
    information_shared = models.TextField()
    criminal_investigation = models.TextField(
        "conduct and timing of any criminal investigation", blank=True)
    shareable_with_family = models.TextField("what may be shared with the family", blank=True)
    children = models.ManyToManyField(Child, through="DiscussionChild",
                                      related_name="strategy_discussions")

    class Meta:
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return f"Strategy discussion {self.held_at:%d/%m/%Y %H:%M}"


@pghistory.track()
class DiscussionChild(models.Model):
    """A child considered at the discussion (002 §2.2: all children in the household) and
    whether a Section 47 enquiry was initiated for them."""

    discussion = models.ForeignKey(StrategyDiscussion, on_delete=models.CASCADE,
                                   related_name="child_outcomes")
    child = models.ForeignKey(Child, on_delete=models.PROTECT,
                              related_name="discussion_outcomes")
    s47_initiated = models.BooleanField("Section 47 enquiry initiated")
    next_step = models.CharField(max_length=16, choices=NextStep.choices, blank=True)

    class Meta:
        ordering = ["child__last_name", "child__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["discussion", "child"],
                                    name="discussion_child_unique"),
            models.CheckConstraint(
                condition=models.Q(s47_initiated=True, next_step="")
                | (models.Q(s47_initiated=False) & ~models.Q(next_step="")),
                name="discussion_child_next_step_unless_s47"),
        ]

    def __str__(self) -> str:
        return f"{self.child} at {self.discussion}"


@pghistory.track()
class Participant(models.Model):
    discussion = models.ForeignKey(StrategyDiscussion, on_delete=models.CASCADE,
                                   related_name="participants")
    name = models.CharField(max_length=200)
    agency = models.CharField(max_length=32, choices=Agency.choices)
    role = models.CharField(max_length=16, choices=ParticipantRole.choices)
    job_title = models.CharField(max_length=200, blank=True)
    attendance = models.CharField(max_length=16, choices=Attendance.choices,
                                  default=Attendance.PRESENT)
    # A user of the system (e.g. a partner professional, who then sees the children).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="strategy_participations")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_agency_display()})"


@pghistory.track()
class DiscussionAction(models.Model):
    """003: who does what by when."""

    discussion = models.ForeignKey(StrategyDiscussion, on_delete=models.CASCADE,
                                   related_name="actions")
    who = models.CharField(max_length=200)
    what = models.TextField()
    by_when = models.DateField()

    class Meta:
        ordering = ["by_when", "id"]

    def __str__(self) -> str:
        return f"{self.who}: {self.what[:40]} by {self.by_when:%d/%m/%Y}"


class S47Outcome(models.TextChoices):
    OPEN = "", "Under way"
    NOT_SUBSTANTIATED = "not_substantiated", "Not substantiated"
    # 003: "substantiated: likely to suffer significant harm → convene an ICPC"
    SUBSTANTIATED = "substantiated", "Substantiated: convene an initial conference"


@pghistory.track()
class Section47Enquiry(TimeStampedModel):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="s47_enquiries")
    initiated_by = models.ForeignKey(StrategyDiscussion, on_delete=models.PROTECT,
                                     related_name="enquiries")
    started_on = models.DateField()
    outcome = models.CharField(max_length=20, choices=S47Outcome.choices, blank=True,
                               default=S47Outcome.OPEN)
    next_step = models.CharField(max_length=16, choices=NextStep.choices, blank=True)
    outcome_date = models.DateField(null=True, blank=True)
    outcome_reasons = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    # A later enquiry (after this one's conference) replaces it as the child's current one.
    superseded_by = models.OneToOneField("self", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="supersedes")

    class Meta:
        verbose_name = "Section 47 enquiry"
        verbose_name_plural = "Section 47 enquiries"
        ordering = ["-started_on", "-id"]
        constraints = [
            # One enquiry under way per child.
            models.UniqueConstraint(fields=["child"], condition=models.Q(outcome=""),
                                    name="s47_one_open_per_child"),
        ]

    def __str__(self) -> str:
        return f"Section 47 enquiry started {self.started_on:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.outcome == S47Outcome.OPEN


@pghistory.track()
class ThresholdDecision(models.Model):
    """The team manager's decision that the threshold to convene an ICPC is (not) met
    (002 §2.3), on the Significant Harm Checklist, optionally a threshold discussion with the
    duty IRO who records its outcome (004)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT,
                              related_name="threshold_decisions")
    enquiry = models.ForeignKey(Section47Enquiry, on_delete=models.PROTECT,
                                related_name="threshold_decisions")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    # 004, Significant Harm Checklist steps 1-3.
    harm_evidenced = models.BooleanField(
        "Can the concerns be evidenced to have an impact (significant harm) on the child?")
    attributable_to_parental_care = models.BooleanField(
        "Are the concerns attributable to parental care?")
    harm_likely = models.BooleanField("Can it be evidenced that significant harm is likely?")
    rationale = models.TextField()
    decided_at = models.DateTimeField()
    iro = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                            on_delete=models.PROTECT, related_name="threshold_discussions",
                            verbose_name="duty IRO")
    iro_outcome = models.TextField("outcome recorded by the IRO", blank=True)
    iro_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"Threshold {'met' if self.met else 'not met'} for {self.child}"

    @property
    def met(self) -> bool:
        """004: YES to all of steps 1-3: threshold met; NO to any: not met."""
        return self.harm_evidenced and self.attributable_to_parental_care and self.harm_likely


class ConsultationStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for a chair"
    ASSIGNED = "assigned", "Chair assigned"
    RECORDED = "recorded", "Recorded"


@pghistory.track()
class ConsultationRequest(TimeStampedModel):
    """A consultation with a CP chair, requested through business support (000)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="consultations")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="consultation_requests")
    # 000: "all consultation must include the social worker and a manager from the team"
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")
    requested_at = models.DateTimeField()
    question = models.TextField("what the consultation is about")
    # 000: "where possible, before requesting consultation, a strategy meeting/discussion
    # must have been convened": allowed without, but flagged.
    without_strategy_discussion = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=ConsultationStatus.choices,
                              default=ConsultationStatus.REQUESTED)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="consultations_chaired")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(null=True, blank=True)
    # The chair's record (000: a case note of type "CP chair consultation").
    held_at = models.DateTimeField(null=True, blank=True)
    social_worker_took_part = models.BooleanField(default=False)
    manager_took_part = models.BooleanField(default=False)
    danger_statements_developed = models.BooleanField(
        "Danger statements have been developed with the family", default=False)
    mapping_shared_with_family = models.BooleanField(
        "The assessment (mapping) has been developed and shared with the family", default=False)
    network_safety_plan = models.BooleanField(
        "The network has been engaged to develop a safety plan", default=False)
    recommendation = models.TextField(blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Consultation requested {self.requested_at:%d/%m/%Y}"


class NoteType(models.TextChoices):
    CP_CHAIR_CONSULTATION = "cp_chair_consultation", "CP chair consultation"
    THRESHOLD_DISCUSSION = "threshold_discussion", "Threshold discussion"


@pghistory.track()
class CaseNote(models.Model):
    """A note on the child's file of one of the types the procedures name (000: "CP chair
    consultation"; 004: the IRO's record of a threshold discussion)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="case_notes")
    note_type = models.CharField(max_length=32, choices=NoteType.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    written_at = models.DateTimeField()
    text = models.TextField()
    consultation = models.OneToOneField(ConsultationRequest, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="case_note")
    threshold_decision = models.OneToOneField(ThresholdDecision, null=True, blank=True,
                                              on_delete=models.PROTECT,
                                              related_name="case_note")

    class Meta:
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_note_type_display()} on {self.written_at:%d/%m/%Y}"


@pghistory.track()
class Concern(TimeStampedModel):
    """A "concern identified" record: the moment a child protection concern about a child is
    known (DOMAIN §2 step 2). It opens the `strategy_discussion` clock with its urgency (000:
    1/3/5 working days from the point concern is identified); the first strategy discussion
    about the child after it meets it. The front door (contacts and referrals) creates these
    through strategy.services.concern_record, naming itself as the origin."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="concerns")
    identified_at = models.DateTimeField("concern identified at")
    urgency = models.CharField(max_length=32, choices=Urgency.choices)
    summary = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="concerns_recorded")
    # Where the concern came from (a contact, a referral…), if recorded in the system.
    origin_type = models.ForeignKey("contenttypes.ContentType", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    origin_id = models.PositiveBigIntegerField(null=True, blank=True)
    origin = GenericForeignKey("origin_type", "origin_id")
    # The strategy discussion that met it (null while still to be held).
    discussion = models.ForeignKey(StrategyDiscussion, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="concerns")

    class Meta:
        ordering = ["-identified_at", "-id"]
        indexes = [models.Index(fields=["child", "discussion"], name="concern_child_open")]

    def __str__(self) -> str:
        return f"Concern identified {self.identified_at:%d/%m/%Y %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.discussion_id is None
