"""The organisation: authority → services → teams → users, each user with one role."""

from __future__ import annotations

import pghistory
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from cpcases.accounts.roles import CAPABILITIES, Agency, Capability, Role


@pghistory.track()
class Authority(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    # The age from which children are usually invited to their conference (002 §13.5: 10;
    # 003: 12). Kept here because it is the authority's practice guidance, not a timescale.
    child_invitation_age = models.PositiveSmallIntegerField(default=10)

    class Meta:
        verbose_name_plural = "authorities"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Service(models.Model):
    """A group of teams under one service manager and head of service."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["authority", "name"],
                                               name="service_unique_name")]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Team(models.Model):
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["service", "name"],
                                               name="team_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def authority(self) -> Authority:
        return self.service.authority


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who signs in. Family members and children are never users (DOMAIN §1)."""

    full_name = models.CharField(max_length=200)
    role = models.CharField(max_length=32, choices=Role.choices)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="users")
    # Social workers and team managers belong to a team; service managers and heads of
    # service to a service; chairs, business support and partners to neither.
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="members")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="members")
    agency = models.CharField(max_length=32, choices=Agency.choices,
                              default=Agency.CHILDRENS_SOCIAL_CARE)
    job_title = models.CharField(max_length=200, blank=True)
    mobile = models.CharField(max_length=40, blank=True)

    objects = UserManager()

    REQUIRED_FIELDS = ["email", "full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    def can(self, capability: Capability) -> bool:
        return self.is_active and capability in CAPABILITIES.get(self.role, frozenset())

    @property
    def effective_service_id(self) -> int | None:
        if self.service_id:
            return self.service_id
        return self.team.service_id if self.team_id else None

    def manages_team(self, team: Team) -> bool:
        """The team's own team manager, or a service manager or head of service over it."""
        if self.role == Role.TEAM_MANAGER:
            return self.team_id == team.pk
        if self.role in (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE):
            return self.effective_service_id == team.service_id
        return False

    def line_manager(self) -> User | None:
        """The next person up the management ladder (DOMAIN §4 escalation)."""
        if self.role == Role.SOCIAL_WORKER and self.team_id:
            return User.objects.filter(role=Role.TEAM_MANAGER, team_id=self.team_id,
                                       is_active=True).first()
        service_id = self.effective_service_id
        if self.role == Role.TEAM_MANAGER and service_id:
            return User.objects.filter(role=Role.SERVICE_MANAGER, service_id=service_id,
                                       is_active=True).first()
        if self.role == Role.SERVICE_MANAGER and service_id:
            return User.objects.filter(role=Role.HEAD_OF_SERVICE, service_id=service_id,
                                       is_active=True).first()
        return None
