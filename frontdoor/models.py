"""The front door (MASH / duty and assessment): contacts and their decisions, referrals as
Child in Need episodes, single assessments, the front-door teams, and merges of duplicate
records (003 "Making Contact", "Single Assessment"; DfE CIN census code lists, RETURNS.md §2).

Written only through frontdoor.services, which checks permission and preconditions and sets
the deadlines through the engine (deadlines.services).
"""

from __future__ import annotations

from typing import Any

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from cpcases.accounts.models import Authority, Team
from cpcases.children.models import Child
from cpcases.core.models import TimeStampedModel


class ReferralSource(models.TextChoices):
    """CIN census ReferralSource codes."""

    FAMILY = "1A", "Individual: family member, relative or carer"
    ACQUAINTANCE = "1B", "Individual: acquaintance"
    SELF = "1C", "Individual: self"
    OTHER_INDIVIDUAL = "1D", "Individual: other"
    SCHOOLS = "2A", "Schools"
    EDUCATION = "2B", "Education services"
    GP = "3A", "Health: GP"
    HEALTH_VISITOR = "3B", "Health: health visitor"
    SCHOOL_NURSE = "3C", "Health: school nurse"
    PRIMARY_HEALTH = "3D", "Health: other primary health services"
    A_AND_E = "3E", "Health: A&E"
    OTHER_HEALTH = "3F", "Health: other"
    HOUSING = "4", "Housing"
    LA_SOCIAL_CARE = "5A", "Local authority children's social care"
    INTERNAL = "5B", "Other internal local authority services"
    EXTERNAL_LA = "5C", "External local authority services"
    EARLY_HELP = "5D", "Early help"
    POLICE = "6", "Police"
    LEGAL = "7", "Other legal agency"
    OTHER = "8", "Other"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


class PrimaryNeed(models.TextChoices):
    """CIN census PrimaryNeedCode (required unless the referral is NFA, rule 8610)."""

    N1 = "N1", "Abuse or neglect"
    N2 = "N2", "Child's disability"
    N3 = "N3", "Parental disability or illness"
    N4 = "N4", "Family in acute stress"
    N5 = "N5", "Family dysfunction"
    N6 = "N6", "Socially unacceptable behaviour"
    N7 = "N7", "Low income"
    N8 = "N8", "Absent parenting"
    N9 = "N9", "Cases other than children in need"
    N0 = "N0", "Not stated"


class ClosureReason(models.TextChoices):
    """CIN census ReasonForClosure."""

    RC1 = "RC1", "Adopted"
    RC2 = "RC2", "Died"
    RC3 = "RC3", "Child arrangements order"
    RC4 = "RC4", "Special guardianship order"
    RC5 = "RC5", "Transferred to another local authority"
    RC6 = "RC6", "Transferred to adult social care"
    RC7 = "RC7", "Services ceased for any other reason, including child no longer in need"
    RC8 = "RC8", "Case closed after assessment, no further action"
    RC9 = "RC9", "Case closed after assessment, referred to early help"


_FACTOR_CODES = (
    "1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C", "5A", "5B", "5C",
    "6A", "6B", "6C", "7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A", "13A",
    "14A", "15A", "16A", "17A", "18B", "18C", "19B", "19C", "20", "21", "22A", "23A", "24A",
)

_FACTOR_LABELS = {
    "1A": "Alcohol misuse: child", "1B": "Alcohol misuse: parent", "1C": "Alcohol misuse: "
    "other person", "2A": "Drug misuse: child", "2B": "Drug misuse: parent",
    "2C": "Drug misuse: other person", "3A": "Domestic abuse: child",
    "3B": "Domestic abuse: parent", "3C": "Domestic abuse: other person",
    "4A": "Mental health: child", "4B": "Mental health: parent",
    "4C": "Mental health: other person", "5A": "Learning disability: child",
    "5B": "Learning disability: parent", "5C": "Learning disability: other person",
    "6A": "Physical disability or illness: child", "6B": "Physical disability or illness: "
    "parent", "6C": "Physical disability or illness: other person",
    "7A": "Young carer", "8B": "Privately fostered: overseas, intends to return",
    "8C": "Privately fostered: overseas, intends to stay", "8D": "Privately fostered: UK, "
    "parents intend the child to return", "8E": "Privately fostered: UK, parents intend the "
    "child to stay", "8F": "Privately fostered: other",
    "9A": "Unaccompanied asylum-seeking child", "10A": "Missing", "11A": "Child sexual "
    "exploitation", "12A": "Trafficking", "13A": "Gangs", "14A": "Socially unacceptable "
    "behaviour", "15A": "Self-harm", "16A": "Neglect", "17A": "Emotional abuse",
    "18B": "Physical abuse: by an adult", "18C": "Physical abuse: by another child",
    "19B": "Sexual abuse: by an adult", "19C": "Sexual abuse: by another child",
    "20": "Female genital mutilation", "21": "No factors identified",
    "22A": "Faith or belief based abuse", "23A": "Child criminal exploitation",
    "24A": "Other",
}

AssessmentFactor = models.TextChoices(
    "AssessmentFactor", [(f"F{code}", (code, _FACTOR_LABELS[code])) for code in _FACTOR_CODES])


class Consent(models.TextChoices):
    GIVEN = "given", "Parents consented to the contact and to information being shared"
    NOT_GIVEN = "not_given", "Consent refused: shared because of risk of harm to the child"
    NOT_SOUGHT = "not_sought", "Not sought: asking would place the child at risk"


class ContactDecision(models.TextChoices):
    """003 "Making Contact": what the front door decides within 24 hours."""

    NO_FURTHER_ACTION = "nfa", "No further action"
    INFORMATION_ADVICE = "information_advice", "Information and advice"
    EARLY_HELP = "early_help", "Early help"
    REFERRAL = "referral", "Referral to children's social care"
    STRATEGY_DISCUSSION = "strategy_discussion", "Immediate strategy discussion"


class AssessmentOutcome(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    CIN_PLAN = "cin_plan", "Child in need plan"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    EARLY_HELP = "early_help", "Early help"
    STEP_DOWN = "step_down", "Step down to universal services"


class FrontDoorTeam(models.Model):
    """A team that runs the front door (MASH or duty and assessment): its members decide
    contacts, and new children met at the front door are allocated to it."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="front_door")
    kind = models.CharField(max_length=16, default="mash",
                            choices=[("mash", "Multi-agency safeguarding hub (MASH)"),
                                     ("duty", "Duty and assessment")])

    def __str__(self) -> str:
        return str(self.team)


@pghistory.track()
class Contact(TimeStampedModel):
    """A contact about one or more children: who, when, what the concern is, and consent."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="contacts",
                             help_text="The front-door team deciding it")
    received_at = models.DateTimeField("received at")
    source = models.CharField(max_length=2, choices=ReferralSource.choices)
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_contact = models.CharField("referrer's phone or e-mail", max_length=200,
                                        blank=True)
    concern = models.TextField("what the concern is")
    consent = models.CharField(max_length=16, choices=Consent.choices)
    children = models.ManyToManyField(Child, related_name="contacts", through="ContactChild")
    decision = models.CharField(max_length=24, choices=ContactDecision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    urgency = models.CharField(max_length=32, blank=True,
                               help_text="For an immediate strategy discussion")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["team", "decided_at"], name="contact_queue")]

    def __str__(self) -> str:
        return f"Contact received {self.received_at:%d/%m/%Y %H:%M}"

    def decidable_by(self, user: Any) -> bool:
        """003 "Making Contact": the decision is the team manager's. The front-door team's
        own manager decides, or a manager above them in that team's service."""
        if not getattr(user, "is_authenticated", False) or \
                user.authority_id != self.authority_id:
            return False
        return user.manages_team(self.team)

    def grants_concern_record(self, user: Any, child: Child) -> bool:
        """The contact itself lets whoever decides it record the concern it raised about any
        child it names, even one held by another team (decisions: "a contact grants the
        concern"). Read by `strategy.services.concern_record`; nothing else is widened."""
        return (self.decision == ContactDecision.STRATEGY_DISCUSSION
                and self.decidable_by(user)
                and self.child_links.filter(child_id=child.pk).exists())


@pghistory.track()
class ContactChild(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="contact_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "child"],
                                               name="contact_child_unique")]

    def __str__(self) -> str:
        return f"{self.child_id} in contact {self.contact_id}"


@pghistory.track()
class Referral(TimeStampedModel):
    """A referral to children's social care: one Child in Need episode (CIN census
    CINdetails) from the referral date to its closure."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="referrals")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="referrals")
    referral_date = models.DateField()
    source = models.CharField(max_length=2, choices=ReferralSource.choices)
    primary_need = models.CharField("primary need", max_length=2, choices=PrimaryNeed.choices,
                                    blank=True)
    no_further_action = models.BooleanField("referral no further action", default=False)
    acknowledged_at = models.DateTimeField("referrer acknowledged at", null=True, blank=True)
    closure_date = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=3, choices=ClosureReason.choices, blank=True)

    class Meta:
        ordering = ["-referral_date", "-id"]
        constraints = [models.CheckConstraint(
            condition=models.Q(closure_date__isnull=True, closure_reason="")
            | (models.Q(closure_date__isnull=False) & ~models.Q(closure_reason="")),
            name="referral_closure_date_and_reason")]  # census rules 8805/8810

    def __str__(self) -> str:
        return f"Referral of {self.referral_date:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.closure_date is None


@pghistory.track()
class Assessment(TimeStampedModel):
    """A single assessment within a referral (003 "Single Assessment")."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT,
                                 related_name="assessments")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="assessments")
    social_worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                      related_name="assessments")
    allocated_at = models.DateTimeField()
    started_on = models.DateField()
    factors = ArrayField(models.CharField(max_length=4, choices=AssessmentFactor.choices),
                         default=list, blank=True)
    summary = models.TextField(blank=True)
    outcome = models.CharField(max_length=24, choices=AssessmentOutcome.choices, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    authorised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    authorised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]

    def __str__(self) -> str:
        return f"Single assessment started {self.started_on:%d/%m/%Y}"

    @property
    def factor_labels(self) -> list[str]:
        labels = dict(AssessmentFactor.choices)
        return [f"{code}: {labels.get(code, code)}" for code in self.factors]


class ChildMerge(models.Model):
    """A duplicate record merged into the one kept: who, when, why, and what it replaced
    (the duplicate's fields and every moved row), so the merge can be read back."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    kept = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges_merged")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()
    replaced = models.JSONField(help_text="The duplicate's fields before the merge")
    moved = models.JSONField(help_text="model label → ids of rows moved to the kept record")
    deadlines_cancelled = models.JSONField(default=list)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.merged_id} merged into {self.kept_id}"


@pghistory.track()
class NewInformation(TimeStampedModel):
    """New information on an open case that raises a concern (000: another strategy
    discussion may be held when new information arrives)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="new_information")
    received_at = models.DateTimeField()
    summary = models.TextField()
    urgency = models.CharField(max_length=32)

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "new information"
