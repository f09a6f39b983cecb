"""The child's record: the child (or unborn baby), household, people around the child,
allocation with history, and who may see a restricted record."""

from __future__ import annotations

from datetime import date

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Lower, Replace, Upper
from django.utils import timezone

from cpcases.accounts.models import Authority, Team
from cpcases.accounts.roles import Agency
from cpcases.children.identifiers import (
    Disability,
    UpnUnknown,
    validate_disabilities,
    validate_nhs_number,
    validate_upn,
)
from cpcases.core.models import TimeStampedModel, VersionedModel

# A postcode compared without spaces, in capitals: the authority search and the duplicate
# check filter on this expression, which the index `child_postcode_key` serves.
POSTCODE_KEY = Replace(Upper("postcode"), models.Value(" "), models.Value(""))


def postcode_key(postcode: str) -> str:
    return "".join(postcode.split()).upper()


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "U", "Not known"


class Ethnicity(models.TextChoices):
    """Children in Need census ethnicity codes."""

    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy/Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Caribbean"
    BAFR = "BAFR", "African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class CpStage(models.TextChoices):
    """Where the child is on the pathway; anything but NONE is an active CP process."""

    NONE = "none", "No active child protection process"
    STRATEGY = "strategy", "Strategy discussion"
    SECTION_47 = "s47", "Section 47 enquiry"
    CONFERENCE = "conference", "Child protection conference"
    PLAN = "plan", "Child protection plan"


@pghistory.track()
class Household(VersionedModel):
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="households")
    name = models.CharField("household name", max_length=200,
                            help_text="For example, the family name and street")
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Child(VersionedModel):
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="children")
    la_child_id = models.CharField("local authority child ID", max_length=32)
    is_unborn = models.BooleanField("unborn child", default=False)
    first_name = models.CharField(max_length=100, blank=True,
                                  help_text="Leave blank for an unborn child: shown as Baby")
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_delivery_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    gender = models.CharField(max_length=100, blank=True)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices,
                                 default=Ethnicity.NOBT)
    disability = models.CharField(max_length=300, blank=True,
                                  help_text="Leave blank if the child has no known disability")
    first_language = models.CharField(max_length=100, default="English")
    interpreter_needed = models.BooleanField(default=False)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="children")
    legal_status = models.CharField(max_length=100, blank=True)
    cp_stage = models.CharField("child protection stage", max_length=16,
                                choices=CpStage.choices, default=CpStage.NONE)
    is_restricted = models.BooleanField(
        "restricted record", default=False,
        help_text="Only the named users may see a restricted record.")
    # Identifiers and characteristics of the CIN census and Annex A (RETURNS.md §2).
    nhs_number = models.CharField("NHS number", max_length=10, blank=True,
                                  validators=[validate_nhs_number],
                                  help_text="10 digits, for example 943 476 5919")
    upn = models.CharField("unique pupil number (UPN)", max_length=13, blank=True,
                           validators=[validate_upn])
    former_upn = models.CharField("former unique pupil number", max_length=13, blank=True,
                                  validators=[validate_upn])
    upn_unknown_reason = models.CharField("reason the UPN is not known", max_length=3,
                                          choices=UpnUnknown.choices, blank=True)
    date_of_death = models.DateField(null=True, blank=True)
    disabilities = ArrayField(models.CharField(max_length=4, choices=Disability.choices),
                              default=list, blank=True, validators=[validate_disabilities],
                              verbose_name="disabilities (census codes)")
    # A duplicate record merged into another (frontdoor.services.child_merge): kept, with
    # what it held, but out of every list and search.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_records")
    # "first last" in lower case for the authority-wide fuzzy search (pg_trgm, GIN index).
    search_name = models.GeneratedField(
        expression=Lower(models.functions.Concat("first_name", models.Value(" "),
                                                 "last_name")),
        output_field=models.CharField(max_length=201), db_persist=True)

    class Meta:
        verbose_name_plural = "children"
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "la_child_id"],
                                    name="child_unique_la_id"),
            models.CheckConstraint(
                condition=(models.Q(is_unborn=False)
                           | models.Q(expected_delivery_date__isnull=False)),
                name="child_unborn_has_edd"),
            models.CheckConstraint(
                condition=models.Q(is_unborn=True) | models.Q(date_of_birth__isnull=False),
                name="child_born_has_dob"),
        ]
        indexes = [models.Index(fields=["authority", "last_name"]),
                   models.Index(fields=["date_of_birth"]),
                   models.Index(fields=["nhs_number"], name="child_nhs_number"),
                   models.Index(fields=["upn"], name="child_upn"),
                   models.Index(fields=["postcode"], name="child_postcode"),
                   # Search by postcode whatever its case and spacing ("b1 1aa", "B11AA").
                   models.Index(POSTCODE_KEY, name="child_postcode_key"),
                   GinIndex(fields=["search_name"], opclasses=["gin_trgm_ops"],
                            name="child_search_name_trgm"),
                   # Search by name or child ID (children.selectors.search_filter): the
                   # trigrams of the very expressions its icontains and iexact compare, so
                   # PostgreSQL finds the matches without reading every child (issue 13 §2).
                   GinIndex(*(OpClass(Upper(name), name="gin_trgm_ops")
                              for name in ("first_name", "last_name", "la_child_id")),
                            name="child_name_id_trgm")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        first = self.first_name or ("Baby" if self.is_unborn else "")
        return f"{first} {self.last_name}".strip()

    def age_on(self, on: date | None = None) -> int | None:
        if self.is_unborn or not self.date_of_birth:
            return None
        on = on or timezone.localdate()
        dob = self.date_of_birth
        return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))

    @property
    def age(self) -> int | None:
        return self.age_on()

    @property
    def current_allocation(self) -> Allocation | None:
        # A list's prefetch (`selectors.child_list`) already holds it: no query per child.
        prefetched = getattr(self, "current_allocations", None)
        if prefetched is not None:
            return max(prefetched, key=lambda a: a.started_on, default=None)
        return self.allocations.filter(ended_on__isnull=True).order_by("-started_on").first()


class RestrictedAccess(TimeStampedModel):
    """The named users who may see a restricted ("sealed") child record."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="restricted_access")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="restricted_access")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["child", "user"],
                                               name="restricted_access_unique")]


class BreakGlassAccess(models.Model):
    """A user opened a record outside their scope, giving a reason (break-glass). The record
    stays open to them for the rest of that day; the holding team's manager is told. A
    restricted record only for someone with a case reason, and the manager who restricted it
    is told. Written only by frontdoor.services.break_glass_open."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="break_glass")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="break_glass")
    reason = models.TextField()
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_on = models.DateField()
    holding_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["user", "opened_on"], name="break_glass_user_day")]

    def __str__(self) -> str:
        return f"{self.user_id} opened {self.child_id} on {self.opened_on}"


class Relationship(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    STEP_PARENT = "step_parent", "Step-parent"
    CARER = "carer", "Carer"
    GRANDPARENT = "grandparent", "Grandparent"
    PARTNER_OF_PARENT = "partner_of_parent", "Partner of parent"
    OTHER_ADULT = "other_adult", "Other adult in the household"
    OTHER = "other", "Other"


@pghistory.track()
class Person(VersionedModel):
    """An adult around the child: parent, carer, holder of parental responsibility…"""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="people")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    first_language = models.CharField(max_length=100, default="English")
    interpreter_needed = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "people"
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


@pghistory.track()
class ChildPerson(VersionedModel):
    """How one person relates to one child."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="people_links")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="child_links")
    relationship = models.CharField(max_length=32, choices=Relationship.choices)
    has_parental_responsibility = models.BooleanField(default=False)
    lives_with_child = models.BooleanField(default=True)

    class Meta:
        ordering = ["relationship"]
        constraints = [models.UniqueConstraint(fields=["child", "person"],
                                               name="child_person_unique")]


@pghistory.track()
class Allocation(TimeStampedModel):
    """Which team, and which social worker, hold the child; history kept by end dates."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="allocations")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="allocations")
    social_worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="allocations")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            # One current allocation per child.
            models.UniqueConstraint(fields=["child"], condition=models.Q(ended_on__isnull=True),
                                    name="allocation_one_current"),
        ]
        indexes = [
            # A team's children (every scope of a team's or service's user): read from the
            # index alone, not each allocation's row (issue 13 §2).
            models.Index(fields=["team", "child"], condition=models.Q(ended_on__isnull=True),
                         name="allocation_current_by_team"),
        ]


class TeamChild(models.Model):
    """A child in a team's scope by allocation: currently allocated to the team, not
    restricted, not merged into another record (cpcases.children.scoping). Kept by database
    triggers on the allocations and the children (migration 0007), never written by the
    application; every write path, the ORM's, bulk or raw SQL, keeps it as the base rows are.

    Why (issue 13 §2): a team's or service's list asked each of its children's rows whether
    it was restricted or merged, 1,500 look-ups on every page of a large team's lists (about
    1 ms of PostgreSQL per list); here the answer is kept with the team, read from an index."""

    child = models.OneToOneField(Child, primary_key=True, on_delete=models.DO_NOTHING,
                                 db_constraint=False, related_name="+")
    # Indexed with the authority and the child (Meta.indexes), not alone.
    team = models.ForeignKey(Team, on_delete=models.DO_NOTHING, db_constraint=False,
                             db_index=False, related_name="+")
    authority_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["team", "authority_id", "child"],
                                name="teamchild_by_team")]

    def __str__(self) -> str:
        return f"child {self.child_id} in team {self.team_id}"


class InvolvementKind(models.TextChoices):
    STRATEGY = "strategy", "Strategy discussion"
    CONFERENCE = "conference", "Conference"
    CORE_GROUP = "core_group", "Core group"


class PartnerInvolvement(TimeStampedModel):
    """The scoping hook for partner professionals (and for anyone else named on a case).

    Later workflows (strategy discussions, conferences, core groups) add a row when they
    name a professional; the professional then sees that child and nothing else.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="involvements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="involvements")
    kind = models.CharField(max_length=16, choices=InvolvementKind.choices)
    agency = models.CharField(max_length=32, choices=Agency.choices, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["child", "user", "kind", "object_id"],
                                               name="involvement_unique")]
