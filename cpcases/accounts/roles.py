"""Roles and what each may do. Object scoping (which children) is in cpcases.children.scoping."""

from __future__ import annotations

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    TEAM_MANAGER = "team_manager", "Team manager"
    SERVICE_MANAGER = "service_manager", "Service manager"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"
    CP_CHAIR = "cp_chair", "Child protection chair (IRO)"
    BUSINESS_SUPPORT = "business_support", "Business support"
    PARTNER = "partner", "Partner agency professional"
    ADMINISTRATOR = "administrator", "Administrator"
    PERFORMANCE_OFFICER = "performance_officer", "Performance and data officer"


class Agency(models.TextChoices):
    CHILDRENS_SOCIAL_CARE = "csc", "Children's social care"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    MIDWIFERY = "midwifery", "Midwifery"
    EDUCATION = "education", "Education"
    PROBATION = "probation", "Probation"
    HOUSING = "housing", "Housing"
    OTHER = "other", "Other agency"


class Capability(StrEnum):
    VIEW_CHILD = "view_child"
    CREATE_CHILD = "create_child"
    EDIT_CHILD = "edit_child"
    ALLOCATE = "allocate"
    VIEW_AUDIT = "view_audit"
    VIEW_TEAM_DEADLINES = "view_team_deadlines"
    MANAGE_POLICY = "manage_policy"
    AUTHORISE_DELAY = "authorise_delay"
    # Statutory returns (CIN census, Ofsted Annex A): returns.selectors.return_children
    # scopes them (the whole authority for the officer, their own service for managers).
    RUN_RETURNS = "run_returns"
    # Performance figures (issue 16 point 6): returns.performance.selectors scopes them (the
    # authority for the officer, the service or team a manager manages).
    VIEW_PERFORMANCE = "view_performance"


_MANAGER = {Capability.VIEW_CHILD, Capability.CREATE_CHILD, Capability.EDIT_CHILD,
            Capability.ALLOCATE, Capability.VIEW_AUDIT, Capability.VIEW_TEAM_DEADLINES,
            Capability.AUTHORISE_DELAY}

CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.SOCIAL_WORKER: frozenset({Capability.VIEW_CHILD, Capability.CREATE_CHILD,
                                   Capability.EDIT_CHILD}),
    Role.TEAM_MANAGER: frozenset(_MANAGER | {Capability.VIEW_PERFORMANCE}),
    Role.SERVICE_MANAGER: frozenset(_MANAGER | {Capability.RUN_RETURNS,
                                                Capability.VIEW_PERFORMANCE}),
    Role.HEAD_OF_SERVICE: frozenset(_MANAGER | {Capability.RUN_RETURNS,
                                                Capability.VIEW_PERFORMANCE}),
    Role.CP_CHAIR: frozenset({Capability.VIEW_CHILD}),
    Role.BUSINESS_SUPPORT: frozenset({Capability.VIEW_CHILD}),
    Role.PARTNER: frozenset({Capability.VIEW_CHILD}),
    Role.ADMINISTRATOR: frozenset({Capability.MANAGE_POLICY, Capability.VIEW_AUDIT}),
    Role.PERFORMANCE_OFFICER: frozenset({Capability.RUN_RETURNS, Capability.VIEW_PERFORMANCE}),
}

MANAGEMENT_LADDER = (Role.TEAM_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
