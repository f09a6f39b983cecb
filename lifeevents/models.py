"""Life on and off a plan: missing episodes, a child's death, legal orders and looked-after
status, complaints and appeals about a conference, and the letters each of them sends (kept
as sent). 003 "Children … who go Missing", "Death of a Child", "Child Protection Conference
Complaints", "Discontinuing the Child Protection Plan"; 002 §3.2-3.3.

Written only through lifeevents.services.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from cpcases.accounts.models import Authority
from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from cpcases.core.models import TimeStampedModel


@pghistory.track()
class SafeguardingContacts(TimeStampedModel):
    """Who the authority's procedures name outside the management line: the senior child
    protection manager (told when a missing child is not traced, and of a death: 003) and
    the safeguarding partnership's chair (told of a death by the senior manager: 003)."""

    authority = models.OneToOneField(Authority, on_delete=models.CASCADE,
                                     related_name="safeguarding_contacts")
    senior_cp_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="senior child protection manager")
    partnership_chair_name = models.CharField("safeguarding partnership chair", max_length=200,
                                              blank=True)
    partnership_chair_email = models.EmailField(blank=True)
    partnership_address = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "safeguarding contacts"

    def __str__(self) -> str:
        return f"Safeguarding contacts of {self.authority}"


class LetterMethod(models.TextChoices):
    EMAIL = "email", "E-mail"
    POST = "post", "Post"
    HAND = "hand", "By hand"
    PHONE = "phone", "Telephone (letter to follow)"


class ReplyMethod(models.TextChoices):
    """How a reply is sent where the sender chooses: by e-mail or by post."""

    EMAIL = "email", "E-mail"
    POST = "post", "Post"


class LetterKind(models.TextChoices):
    PARTNERSHIP_DEATH = "partnership_death", "Notice of a child's death to the partnership"
    COMPLAINT_RESPONSE = "complaint_response", "Response to a complaint"
    CHAIR_ACKNOWLEDGEMENT = "chair_acknowledgement", "Independent chair's acknowledgement"
    CHAIR_RESPONSE = "chair_response", "Independent chair's response"
    APPEAL_OUTCOME = "appeal_outcome", "Appeal outcome"
    PLAN_ENDED = "plan_ended", "Notice that the plan has ended"
    VIEWS_SOUGHT = "views_sought", "Request for an agency's views before ending the plan"
    CHALLENGE_REPORT = "challenge_report", "Professional challenge reported to the partnership"


class Letter(models.Model):
    """A letter or e-mail as sent: the text is kept exactly, never regenerated."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="life_letters")
    kind = models.CharField(max_length=32, choices=LetterKind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    about = GenericForeignKey("content_type", "object_id")
    recipient_name = models.CharField(max_length=200)
    recipient_email = models.EmailField(blank=True)
    recipient_address = models.TextField(blank=True)
    method = models.CharField(max_length=8, choices=LetterMethod.choices)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="letter_about"),
                   models.Index(fields=["child", "sent_at"], name="letter_child")]
        # Kept as sent: PostgreSQL refuses to change or delete a letter.
        triggers = [pgtrigger.Protect(name="letter_kept_as_sent",
                                      operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_name}"


# --- missing episodes (003 "Children … who go Missing or are Absent") -------------------------


class MissingKind(models.TextChoices):
    MISSING = "missing", "Missing"
    ABSENT = "absent", "Absent from school, education or day care"


@pghistory.track()
class MissingEpisode(TimeStampedModel):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="missing_episodes")
    kind = models.CharField(max_length=8, choices=MissingKind.choices,
                            default=MissingKind.MISSING)
    last_seen_at = models.DateTimeField("when last seen")
    last_seen_by = models.CharField("last seen by", max_length=200)
    reported_at = models.DateTimeField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    circumstances = models.TextField(blank=True)
    lead_social_worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    found_at = models.DateTimeField(null=True, blank=True)
    found_note = models.TextField("where and how found", blank=True)
    interview_offered_at = models.DateTimeField("return interview offered", null=True,
                                                blank=True)
    interview_accepted = models.BooleanField(null=True, blank=True)
    interview_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=models.Q(found_at__isnull=True),
                                    name="missing_one_open_episode_per_child"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.last_seen_at:%d/%m/%Y %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.found_at is None


# --- a child's death (003 "Death of a Child Subject to a Child Protection Plan") ---------------


class ReviewDecision(models.TextChoices):
    RAPID_REVIEW = "rapid_review", "Rapid review to be held"
    SERIOUS_CASE_REVIEW = "serious_case_review", "Serious case review to be held"
    NOT_NEEDED = "not_needed", "No review needed"


@pghistory.track()
class ChildDeath(TimeStampedModel):
    child = models.OneToOneField(Child, on_delete=models.PROTECT, related_name="death")
    died_on = models.DateField("date of death")
    circumstances = models.TextField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", help_text="The manager reporting it")
    reported_at = models.DateTimeField()
    senior_cp_manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    deadlines_stopped = models.PositiveIntegerField(default=0)
    partnership_notified_at = models.DateTimeField(null=True, blank=True)
    partnership_notified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                                blank=True, on_delete=models.PROTECT,
                                                related_name="+")
    review_decision = models.CharField(max_length=24, choices=ReviewDecision.choices,
                                       blank=True)
    review_reasons = models.TextField(blank=True)
    review_decided_at = models.DateTimeField(null=True, blank=True)
    review_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Death of {self.child} on {self.died_on:%d/%m/%Y}"


# --- legal orders and looked-after status (002 §3.2-3.3) ---------------------------------------


class OrderKind(models.TextChoices):
    EPO = "epo", "Emergency protection order"
    POLICE_PROTECTION = "police_protection", "Police protection"
    CAO = "cao", "Child assessment order"
    INTERIM_CARE = "interim_care", "Interim care order"
    CARE = "care", "Care order"
    SECTION_20 = "section_20", "Accommodated under section 20"


# Orders under which the child is looked after by the authority (Children Act 1989 s22).
LOOKED_AFTER_KINDS = (OrderKind.INTERIM_CARE, OrderKind.CARE, OrderKind.SECTION_20)
# 002 §3.2: the ICPC before these expire where legal action is planned.
SHORT_ORDER_KINDS = (OrderKind.EPO, OrderKind.POLICE_PROTECTION)


@pghistory.track()
class LegalOrder(TimeStampedModel):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="legal_orders")
    kind = models.CharField(max_length=20, choices=OrderKind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField("expires or ends on", null=True, blank=True)
    legal_action_planned = models.BooleanField("further legal action planned", default=False)
    assessments_concluded_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField("actually ended on", null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.starts_on:%d/%m/%Y}"

    @property
    def is_looked_after(self) -> bool:
        return self.kind in LOOKED_AFTER_KINDS

    def in_force_on(self, day: object) -> bool:
        end = self.ended_on or self.ends_on
        return self.starts_on <= day and (end is None or day <= end)  # type: ignore[operator]


# --- complaints and appeals about a conference (003 "Complaints") -----------------------------


class ComplaintAbout(models.TextChoices):
    PROCESS = "process", "The process of the conference"
    CATEGORY = "category", "The category of concern"
    DECISION = "decision", "The decision about a child protection plan"


class ComplaintStage(models.TextChoices):
    RECEIVED = "received", "Received: response due"
    WITH_CHAIR = "with_chair", "With the independent chair"
    APPEAL = "appeal", "Appeal panel"
    CLOSED = "closed", "Closed"


@pghistory.track()
class Complaint(TimeStampedModel):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="complaints")
    conference = models.ForeignKey("conferences.Conference", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="complaints")
    complainant_name = models.CharField(max_length=200)
    complainant_relationship = models.CharField("relationship to the child", max_length=200)
    complainant_email = models.EmailField(blank=True)
    complainant_address = models.TextField(blank=True)
    reply_by = models.CharField("how to reply", max_length=8, choices=ReplyMethod.choices,
                                default=ReplyMethod.POST)
    about = models.CharField(max_length=16, choices=ComplaintAbout.choices)
    details = models.TextField()
    received_on = models.DateField()
    stage = models.CharField(max_length=16, choices=ComplaintStage.choices,
                             default=ComplaintStage.RECEIVED)
    responded_on = models.DateField(null=True, blank=True)
    chair_received_on = models.DateField(null=True, blank=True)
    chair_acknowledged_on = models.DateField(null=True, blank=True)
    chair_considered_on = models.DateField(null=True, blank=True)
    chair_replied_on = models.DateField(null=True, blank=True)
    appeal_received_on = models.DateField(null=True, blank=True)
    panel_met_on = models.DateField(null=True, blank=True)
    appeal_outcome_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"Complaint from {self.complainant_name} received {self.received_on:%d/%m/%Y}"


# --- ending a plan: notices to the ICPC's invitees (003 "Discontinuing") ---------------------


@pghistory.track()
class PlanEndingNotice(TimeStampedModel):
    """The notices sent when a plan ended: one letter per ICPC invitee (Letter rows)."""

    plan = models.OneToOneField("plans.ChildProtectionPlan", on_delete=models.PROTECT,
                                related_name="ending_notice")
    icpc = models.ForeignKey("conferences.Conference", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")

    def __str__(self) -> str:
        return f"Plan ending notices for plan {self.plan_id}"


# --- case transfer (issue 11 point 1; 003 "Discontinuing" for transfer out) -------------------


class TransferKind(models.TextChoices):
    WORKER = "worker", "Change of social worker or team"
    OUT = "out", "Transfer out to another authority"


@pghistory.track()
class CaseTransfer(TimeStampedModel):
    """A recorded transfer: who, when, why, with the handover note. Within the authority the
    open deadlines, tasks and core group place move to the new holder; out of it, our plan
    ends after the receiving authority's transfer-in conference (census RC5)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="transfers")
    kind = models.CharField(max_length=8, choices=TransferKind.choices)
    transferred_on = models.DateField()
    reason = models.TextField()
    handover_note = models.TextField(blank=True)
    from_team = models.ForeignKey("accounts.Team", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    to_team = models.ForeignKey("accounts.Team", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    from_worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    to_worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    deadlines_moved = models.PositiveIntegerField(default=0)
    actions_moved = models.PositiveIntegerField(default=0)
    # Transfer out: the receiving authority's details and its conference.
    receiving_authority = models.CharField(max_length=200, blank=True)
    receiving_contact = models.CharField(max_length=200, blank=True)
    receiving_email = models.EmailField(blank=True)
    receiving_address = models.TextField(blank=True)
    their_conference_on = models.DateField("their transfer-in conference", null=True,
                                           blank=True)

    class Meta:
        ordering = ["-transferred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.child} on {self.transferred_on:%d/%m/%Y}"


# --- professional challenge (003 "Professional Challenge") ------------------------------------


CHALLENGE_STAGES = {
    1: "Practitioner to the person who made the decision",
    2: "Managers, named professionals or designated safeguarding leads",
    3: "Inter-agency meeting",
    4: "Heads of service",
    5: "Chair of the safeguarding partnership",
}


@pghistory.track()
class ProfessionalChallenge(TimeStampedModel):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="challenges")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    agency = models.CharField(max_length=32, blank=True)
    about = models.TextField("the decision or practice challenged")
    with_whom = models.CharField("challenge made to", max_length=200)
    raised_on = models.DateField()
    stage = models.PositiveSmallIntegerField(default=1)
    outcome = models.TextField(blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    reported_to_partnership_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_on", "-id"]

    def __str__(self) -> str:
        return f"Professional challenge of {self.raised_on:%d/%m/%Y} (stage {self.stage})"

    @property
    def stage_label(self) -> str:
        return CHALLENGE_STAGES.get(self.stage, "")


class ChallengeStage(models.Model):
    """One stage of a challenge, with its own clock (`challenge_stage`, variant = stage)."""

    challenge = models.ForeignKey(ProfessionalChallenge, on_delete=models.CASCADE,
                                  related_name="stages")
    stage = models.PositiveSmallIntegerField()
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["stage"]
        constraints = [models.UniqueConstraint(fields=["challenge", "stage"],
                                               name="challenge_stage_once")]

    def __str__(self) -> str:
        return f"Stage {self.stage} from {self.started_on:%d/%m/%Y}"


# --- views of absent agencies before ending (003 "Discontinuing the Child Protection Plan") ---


@pghistory.track()
class PlanEndViews(TimeStampedModel):
    """The review that ended the plan asked the agencies invited to it that were not there
    for their views in writing (003); `plan_end_views` runs until the last one is in."""

    plan = models.OneToOneField("plans.ChildProtectionPlan", on_delete=models.PROTECT,
                                related_name="end_views")
    # The review conference (the chair holds the deadline through it).
    conference = models.ForeignKey("conferences.Conference", on_delete=models.PROTECT,
                                   related_name="+")
    sought_at = models.DateTimeField()
    sought_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    completed_at = models.DateTimeField("every view in", null=True, blank=True)

    def __str__(self) -> str:
        return f"Views sought before ending plan {self.plan_id}"


@pghistory.track()
class AgencyViewRequest(TimeStampedModel):
    """One absent agency's invitee asked for their view, by the means they were invited."""

    views = models.ForeignKey(PlanEndViews, on_delete=models.CASCADE, related_name="requests")
    invitation = models.ForeignKey("conferences.Invitation", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    agency = models.CharField(max_length=32, blank=True)
    letter = models.ForeignKey(Letter, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    view = models.TextField("their view", blank=True)
    received_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["agency", "name", "id"]

    def __str__(self) -> str:
        return f"View of {self.name}"

    @property
    def agency_label(self) -> str:
        """The agency in words ("Health"), as the invitation named it."""
        return Agency(self.agency).label if self.agency in Agency.values else self.agency

    @property
    def is_in(self) -> bool:
        return self.received_on is not None


# --- restricted records (issue 11 point 8) -----------------------------------------------------


@pghistory.track()
class RecordRestriction(TimeStampedModel):
    """A manager marked the child's record restricted: why, and (cpcases.children
    RestrictedAccess) who may see it. Anyone else with a case reason opens it through
    break-glass, and the marking manager is told. Lifting it is kept on the same row."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="restrictions")
    reason = models.TextField()
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    marked_at = models.DateTimeField()
    # Who may see it, as marked (ids and names; the access itself is RestrictedAccess):
    # kept here so that pghistory records every change of the list.
    named = models.JSONField("people who may see it", default=list)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-marked_at", "-id"]
        constraints = [models.UniqueConstraint(
            fields=["child"], condition=models.Q(lifted_at__isnull=True),
            name="restriction_one_current_per_child")]

    def __str__(self) -> str:
        return f"Restriction of {self.child_id} from {self.marked_at:%d/%m/%Y}"
