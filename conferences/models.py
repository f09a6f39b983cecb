"""Child protection conferences: the request for one (ICPC request), its booking, delay
authorisations beyond the ICPC timescale, and the conference itself.

This issue builds the request-and-booking part (000, 004; 002 §11.2 for the chair's
independence). The conference record (invitees, attendance, reports, decisions) is added by
the conferences issue on the same `Conference` model.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from cpcases.accounts.models import Authority
from cpcases.accounts.roles import Agency
from cpcases.children.models import Child, Household, Person
from cpcases.core.models import TimeStampedModel, VersionedModel


class ConferenceKind(models.TextChoices):
    INITIAL = "initial", "Initial child protection conference"
    PRE_BIRTH = "pre_birth", "Pre-birth conference"
    TRANSFER_IN = "transfer_in", "Transfer-in conference"
    REVIEW = "review", "Review child protection conference"


class RequestStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Awaiting approval"
    RETURNED = "returned", "Returned for changes"
    APPROVED = "approved", "Approved, awaiting booking"
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"


OPEN_REQUEST_STATUSES = (RequestStatus.DRAFT, RequestStatus.SUBMITTED, RequestStatus.RETURNED,
                         RequestStatus.APPROVED, RequestStatus.BOOKED)


@pghistory.track()
class ConferenceRequest(VersionedModel):
    """A request for a conference for one or more children of a household.

    000: the social work manager requests the ICPC on the day of the strategy discussion;
    004: the team manager decides threshold with the Significant Harm Checklist and notifies
    business support. Here the social worker drafts, the team manager approves (or returns
    it with reasons) and business support books.
    """

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=ConferenceKind.choices,
                            default=ConferenceKind.INITIAL)
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="conference_requests")
    children = models.ManyToManyField(Child, through="RequestedChild",
                                      related_name="conference_requests")
    reason = models.TextField("reason for the conference")
    status = models.CharField(max_length=16, choices=RequestStatus.choices,
                              default=RequestStatus.DRAFT, db_index=True)
    social_worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                      related_name="conference_requests")
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The team manager's decision (000 "Bottom lines": the manager decides; 004).
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_note = models.TextField(blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    # 000: cases returning to conference for a second time need the service manager's
    # agreement.
    second_conference_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+")
    second_conference_agreed_at = models.DateTimeField(null=True, blank=True)
    second_conference_note = models.TextField(blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.TextField(blank=True)
    # Transfer-in (003 "Transfer Child Protection Conference"): the conference is due 15
    # working days from the agreement between the authorities / notification of the move.
    transfer_agreed_on = models.DateField(
        "date of the agreement between the authorities or notification of the move",
        null=True, blank=True)
    originating_authority = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["authority", "status"], name="confreq_auth_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} request {self.pk}"

    @property
    def needs_second_conference_agreement(self) -> bool:
        return any(rc.had_plan_before for rc in self.requested_children.all())

    @property
    def second_conference_agreed(self) -> bool:
        return self.second_conference_agreed_at is not None

    @property
    def child_names(self) -> str:
        return ", ".join(rc.child.display_name for rc in self.requested_children.all())


class RequestedChild(models.Model):
    """One child of a request, with what the approval recorded for them."""

    request = models.ForeignKey(ConferenceRequest, on_delete=models.CASCADE,
                                related_name="requested_children")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    had_plan_before = models.BooleanField(
        "has had a child protection plan before", default=False,
        help_text="A second conference needs the service manager's agreement (000)")
    # The threshold decision the team manager's approval rests on (002 §2.3; 004).
    threshold_decision = models.ForeignKey("strategy.ThresholdDecision", null=True,
                                           blank=True, on_delete=models.PROTECT,
                                           related_name="+")

    class Meta:
        ordering = ["child__last_name", "child__first_name"]
        constraints = [models.UniqueConstraint(fields=["request", "child"],
                                               name="requested_child_unique")]

    def __str__(self) -> str:
        return f"{self.child} on request {self.request_id}"


class ConferenceStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    HELD = "held", "Held"


@pghistory.track()
class Conference(TimeStampedModel):
    """A conference for one or more children: when, where, who chairs, who minutes."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=ConferenceKind.choices,
                            default=ConferenceKind.INITIAL)
    request = models.ForeignKey(ConferenceRequest, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="conferences")
    children = models.ManyToManyField(Child, related_name="conferences")
    date = models.DateField(db_index=True)
    start_time = models.TimeField()
    venue = models.CharField(max_length=300, blank=True)
    online_link = models.URLField(max_length=500, blank=True)
    # 002 §11.2: the chair has no operational or line-management responsibility for the case.
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="chaired_conferences")
    # 002 §22.3, 003: a dedicated minute-taker.
    minute_taker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="minuted_conferences")
    status = models.CharField(max_length=16, choices=ConferenceStatus.choices,
                              default=ConferenceStatus.BOOKED, db_index=True)
    # The date the statutory timescale required (shown: within or outside timescale).
    due_date = models.DateField(null=True, blank=True)
    delay_authorisation = models.ForeignKey("DelayAuthorisation", null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.TextField(blank=True)
    # 000: the social worker completes the invitation list (meets `invitation_list` and
    # `attendee_details`, 004).
    invitation_list_completed_at = models.DateTimeField(null=True, blank=True)
    invitation_list_completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+")

    class Meta:
        ordering = ["date", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(venue="") | ~models.Q(online_link=""),
                name="conference_has_venue_or_link"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date:%d/%m/%Y}"

    @property
    def within_timescale(self) -> bool | None:
        if self.due_date is None:
            return None
        return self.date <= self.due_date

    @property
    def where(self) -> str:
        return self.venue or self.online_link


class DelayStatus(models.TextChoices):
    REQUESTED = "requested", "Awaiting authorisation"
    AUTHORISED = "authorised", "Authorised"
    REFUSED = "refused", "Refused"


@pghistory.track()
class DelayAuthorisation(TimeStampedModel):
    """Written authorisation to hold an ICPC beyond the timescale (000: by the Head of
    Service, giving each child's identifier and age, at most 3 danger statements and a brief
    rationale; 002 §3.5, 003: by the team manager with reasons). Who may authorise comes from
    the authority's policy (deadlines.services.may_authorise_delay)."""

    request = models.ForeignKey(ConferenceRequest, on_delete=models.CASCADE,
                                related_name="delay_authorisations")
    # The latest date the conference may be held under this authorisation.
    latest_date = models.DateField("hold the conference by")
    # Snapshot of each child's ID and age when requested (000).
    children_details = models.JSONField(default=list)
    danger_statement_1 = models.TextField()
    danger_statement_2 = models.TextField(blank=True)
    danger_statement_3 = models.TextField(blank=True)
    rationale = models.TextField()
    status = models.CharField(max_length=16, choices=DelayStatus.choices,
                              default=DelayStatus.REQUESTED, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Delay to {self.latest_date:%d/%m/%Y} ({self.get_status_display()})"

    @property
    def danger_statements(self) -> list[str]:
        return [s for s in (self.danger_statement_1, self.danger_statement_2,
                            self.danger_statement_3) if s.strip()]


# --- before the conference: invitations, reports, exclusion requests (issue 5, part 5a) -------


class InviteeKind(models.TextChoices):
    FAMILY = "family", "Family member"
    CHILD = "child", "Child"
    PROFESSIONAL = "professional", "Professional"
    OBSERVER = "observer", "Observer"


class InvitedHow(models.TextChoices):
    LETTER = "letter", "Letter"
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"


class InvitationResponse(models.TextChoices):
    AWAITING = "awaiting", "Awaiting reply"
    ATTENDING = "attending", "Attending"
    APOLOGIES = "apologies", "Apologies"
    NOT_ATTENDING = "not_attending", "Not attending"


@pghistory.track()
class Invitation(VersionedModel):
    """One person invited to one conference: a family member (everyone with parental
    responsibility, including absent parents: 003), the child (by the authority's age
    guidance: 002 §13.5, 003), a professional (their own e-mail and mobile: 004) or the one
    professional observer (002 §4.5)."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE,
                                   related_name="invitations")
    kind = models.CharField(max_length=16, choices=InviteeKind.choices)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="conference_invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="conference_invitations")
    # The child invited to their own conference.
    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="conference_invitations")
    name = models.CharField(max_length=200)
    agency = models.CharField(max_length=32, choices=Agency.choices, blank=True)
    role = models.CharField("role or relationship", max_length=200, blank=True)
    email = models.EmailField(blank=True)
    mobile = models.CharField(max_length=40, blank=True)
    has_parental_responsibility = models.BooleanField(default=False)
    how_invited = models.CharField(max_length=16, choices=InvitedHow.choices, blank=True)
    invited_at = models.DateTimeField("invitation sent", null=True, blank=True)
    response = models.CharField(max_length=16, choices=InvitationResponse.choices,
                                default=InvitationResponse.AWAITING)
    response_note = models.TextField(blank=True)
    # 002 §13.2: every child aged 10 or over is offered advocacy.
    advocacy_offered = models.BooleanField(default=False)
    advocacy_accepted = models.BooleanField(null=True, blank=True)
    # 002 §4.5: an observer only with the chair's and the family's consent.
    observer_chair_consent = models.BooleanField(default=False)
    observer_family_consent = models.BooleanField(default=False)
    # Why a child below the age guidance is invited (the chair's decision: 002 §13.10).
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "person"],
                                    condition=models.Q(person__isnull=False),
                                    name="invitation_person_once"),
            models.UniqueConstraint(fields=["conference", "user"],
                                    condition=models.Q(user__isnull=False),
                                    name="invitation_user_once"),
            models.UniqueConstraint(fields=["conference", "child"],
                                    condition=models.Q(child__isnull=False),
                                    name="invitation_child_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def sent(self) -> bool:
        return self.invited_at is not None


class ReportKind(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker's report"
    AGENCY = "agency", "Agency report"
    ORIGINATING = "originating", "Originating authority's report"


def report_upload_to(instance: ConferenceReport, filename: str) -> str:
    """Never the uploader's file name in the path: a random name under the conference."""
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()
    return f"conference-reports/{instance.conference_id}/{uuid.uuid4().hex}{suffix}"


@pghistory.track()
class ConferenceReport(TimeStampedModel):
    """A report to the conference (002 §15, §16; 003 transfer-in): the uploaded document
    itself (PDF or Word), who wrote it, when it arrived, and for the social worker's report
    the team manager's countersignature (002 §15.1)."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE,
                                   related_name="reports")
    kind = models.CharField(max_length=16, choices=ReportKind.choices)
    agency = models.CharField(max_length=32, choices=Agency.choices,
                              default=Agency.CHILDRENS_SOCIAL_CARE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(max_length=200, blank=True)
    # The invited professional who sent it (002 §16.9; non-attendance letters: 001).
    invitation = models.ForeignKey(Invitation, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="reports")
    file = models.FileField(upload_to=report_upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    # 002 §15.1: the social worker's report includes a chronology of significant events.
    includes_chronology = models.BooleanField(default=False)
    submitted_at = models.DateTimeField()
    countersigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    countersigned_at = models.DateTimeField(null=True, blank=True)
    countersign_comments = models.TextField(blank=True)
    # A redacted copy of another report, for a person excluded from the conference
    # (002 §12.8).
    redacted_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="redacted_versions")

    class Meta:
        ordering = ["kind", "submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.original_name})"

    @property
    def is_redacted(self) -> bool:
        return self.redacted_from_id is not None

    @property
    def countersigned(self) -> bool:
        return self.countersigned_at is not None


class ShareRecipient(models.TextChoices):
    FAMILY = "family", "Family member"
    CHILD = "child", "Child"
    CHAIR = "chair", "Chair"
    PROFESSIONAL = "professional", "Professional"


class ShareHow(models.TextChoices):
    EMAIL = "email", "E-mail"
    POST = "post", "Post"
    IN_PERSON = "in_person", "In person"
    SECURE_EMAIL = "secure_email", "Secure e-mail"
    IN_SYSTEM = "in_system", "In this system"


@pghistory.track()
class ReportSharing(TimeStampedModel):
    """What was shared with whom and when (002 §15.4, §15.7, §16.7-16.8; 003 record: reports
    and whether shared with parents)."""

    report = models.ForeignKey(ConferenceReport, on_delete=models.CASCADE,
                               related_name="sharings")
    recipient = models.CharField(max_length=16, choices=ShareRecipient.choices)
    invitation = models.ForeignKey(Invitation, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="reports_shared")
    name = models.CharField("shared with", max_length=200)
    how = models.CharField(max_length=16, choices=ShareHow.choices)
    shared_at = models.DateTimeField()
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    redacted = models.BooleanField("redacted version", default=False)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["shared_at", "id"]

    def __str__(self) -> str:
        return f"{self.report} shared with {self.name}"


class ExclusionGround(models.TextChoices):
    """002 §12.3 and 003 "Exclusion of Family Members from a Conference"."""

    WELFARE = "welfare", "Their presence might seriously prejudice the child's welfare"
    VIOLENCE = "violence", "Violence or threats of violence"
    OPPRESSIVE = "oppressive", "Racist, discriminatory or oppressive behaviour"
    UNFIT_STATE = "unfit_state", ("Likely to be in an unfit state: drugs, alcohol or acute "
                                  "mental health difficulty")
    CHILD_ASKS = "child_asks", "The child asks that they are not present while the child is"
    PREVENTS_CONTRIBUTION = "prevents_contribution", ("Their presence would prevent a "
                                                      "participant from contributing properly")
    CONFIDENTIAL = "confidential", ("Confidential information must be shared: legal advice or "
                                    "a criminal investigation")
    FAMILY_CONFLICT = "family_conflict", ("Conflict between family members: separate "
                                          "attendance, e.g. domestic abuse")


class ExclusionDecision(models.TextChoices):
    EXCLUDED = "excluded", "Excluded from the whole conference"
    PARTLY = "partly", "Excluded from part of the conference"
    NOT_EXCLUDED = "not_excluded", "Not excluded"


@pghistory.track()
class ExclusionRequest(TimeStampedModel):
    """A request to exclude a family member from all or part of one conference (002 §12,
    003): who asks, the grounds and evidence, at least 3 working days before
    (`exclusion_request`); the chair's final decision in writing. Never carried to another
    conference (002 §12.4)."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE,
                                   related_name="exclusion_requests")
    invitation = models.ForeignKey(Invitation, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="exclusion_requests")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="conference_exclusions")
    name = models.CharField("person to exclude", max_length=200)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requesting_agency = models.CharField(max_length=32, choices=Agency.choices)
    grounds = ArrayField(models.CharField(max_length=32, choices=ExclusionGround.choices))
    evidence = models.TextField()
    requested_at = models.DateTimeField()
    # After the `exclusion_request` cut-off: allowed, but flagged for the chair.
    late = models.BooleanField(default=False)
    decision = models.CharField(max_length=16, choices=ExclusionDecision.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reasons = models.TextField("written reasons", blank=True)
    excluded_part = models.TextField("the part of the conference excluded from", blank=True)
    # 002 §12.8: the excluded person gets the (redacted) report and a way to give views.
    views_arrangement = models.TextField("how their views will be given", blank=True)
    redacted_report = models.ForeignKey(ConferenceReport, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    report_provided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"Request to exclude {self.name}"

    @property
    def decided(self) -> bool:
        return bool(self.decision)

    @property
    def excludes(self) -> bool:
        return self.decision in (ExclusionDecision.EXCLUDED, ExclusionDecision.PARTLY)

    def get_grounds_display(self) -> list[str]:
        return [ExclusionGround(g).label for g in self.grounds]
