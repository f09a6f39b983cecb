"""Writes to the child's record. Each checks permission and preconditions, writes in one
transaction (the pghistory triggers record who changed what), and refuses lost updates."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from cpcases.accounts.models import Team, User
from cpcases.accounts.roles import Capability, Role
from cpcases.children.hooks import birth_recorded
from cpcases.children.models import Allocation, Child, ChildPerson, Household, Person
from cpcases.children.scoping import visible_children
from cpcases.core.concurrency import save_if_unchanged
from cpcases.core.errors import NotPermitted, RuleError, ServiceError
from returns import entry

CHILD_EDITABLE_FIELDS = (
    "first_name", "last_name", "is_unborn", "date_of_birth", "expected_delivery_date", "sex",
    "gender", "ethnicity", "disability", "first_language", "interpreter_needed", "address",
    "postcode", "legal_status",
    # Census identifiers and characteristics (RETURNS.md §2)
    "nhs_number", "upn", "former_upn", "upn_unknown_reason", "date_of_death", "disabilities",
)


def _require(user: User, capability: Capability) -> None:
    if not user.can(capability):
        raise NotPermitted(f"A {user.role_label.lower()} cannot do this.")


def _require_visible(user: User, child: Child) -> None:
    if not visible_children(user).filter(pk=child.pk).exists():
        raise NotPermitted("You do not have access to this child's record.")


def _check_birth_details(data: dict[str, Any]) -> None:
    if data.get("is_unborn"):
        if not data.get("expected_delivery_date"):
            raise ServiceError("Enter the expected date of delivery for an unborn child.")
    elif not data.get("date_of_birth"):
        raise ServiceError("Enter the child's date of birth.")
    dob = data.get("date_of_birth")
    if dob and dob > timezone.localdate():
        raise ServiceError("Date of birth must be today or in the past.")


@transaction.atomic
def child_create(*, user: User, la_child_id: str, team: Team | None = None,
                 social_worker: User | None = None, household: Household | None = None,
                 census_checks: bool = True, **data: Any) -> Child:
    """A new child record. The census rules on the child's own details are checked
    (returns.entry) unless `census_checks` is False: a child the front door records from a
    contact, with what the referrer knew, is checked on the child's record and the
    readiness page instead (decisions §31)."""
    _require(user, Capability.CREATE_CHILD)
    _check_birth_details(data)
    if Child.objects.filter(authority_id=user.authority_id, la_child_id=la_child_id).exists():
        raise RuleError(f"A child with ID {la_child_id} already exists.", field="la_child_id",
                        rule="8510", reference=entry.REFERENCE)
    team = team or user.team
    if team is None or team.service.authority_id != user.authority_id:
        raise ServiceError("Choose the team the child is allocated to.")
    with entry.census_checks(None, "child") as checked:  # 1570, 1580, 8525, 8770, ...
        child = Child.objects.create(
            authority_id=user.authority_id, la_child_id=la_child_id, household=household,
            created_by=user, updated_by=user,
            **{k: v for k, v in data.items() if k in CHILD_EDITABLE_FIELDS})
        checked.child_id = child.pk if census_checks else None
    if social_worker is None and user.role == Role.SOCIAL_WORKER:
        social_worker = user
    Allocation.objects.create(child=child, team=team, social_worker=social_worker,
                              started_on=timezone.localdate(), reason="New record",
                              created_by=user)
    return child


@transaction.atomic
def child_update(*, user: User, child: Child, expected_version: int,
                 data: dict[str, Any]) -> Child:
    """Save the edit unless someone else saved since `expected_version` (EditConflict)."""
    _require(user, Capability.EDIT_CHILD)
    _require_visible(user, child)
    _check_birth_details({**{f: getattr(child, f) for f in CHILD_EDITABLE_FIELDS}, **data})
    fields = {k: v for k, v in data.items() if k in CHILD_EDITABLE_FIELDS}
    was_unborn = child.is_unborn
    with entry.census_checks(child, "child"):  # 8606, 8750, 8915, 8920, ... (returns.entry)
        save_if_unchanged(child, expected_version=expected_version, fields=fields,
                          updated_by=user, updated_at=timezone.now())
    if was_unborn and not child.is_unborn and child.date_of_birth:
        birth_recorded(child, user)  # e.g. the pre-birth plan's first review (002 §7.13)
    return child


@transaction.atomic
def child_allocate(*, user: User, child: Child, team: Team, social_worker: User | None,
                   reason: str, on: date | None = None) -> Allocation:
    """End the current allocation and start a new one; the history is the list of both."""
    _require(user, Capability.ALLOCATE)
    _require_visible(user, child)
    if team.service.authority_id != child.authority_id:
        raise ServiceError("Choose a team in this authority.", field="team")
    if social_worker is not None and social_worker.team_id != team.pk:
        raise ServiceError(f"{social_worker} is not a member of {team}.",
                           field="social_worker")
    on = on or timezone.localdate()
    current = (Allocation.objects.select_for_update()
               .filter(child=child, ended_on__isnull=True).first())
    if current and current.team_id == team.pk and current.social_worker_id == (
            social_worker.pk if social_worker else None):
        raise ServiceError("The child is already allocated to that team and social worker.",
                           field="social_worker")
    if current:
        current.ended_on = on
        current.save(update_fields=["ended_on", "updated_at"])
    allocation = Allocation.objects.create(child=child, team=team, social_worker=social_worker,
                                           started_on=on, reason=reason, created_by=user)
    # The child's open deadlines go to the new holders of their roles, both told (issue 9).
    from deadlines.services import deadlines_reassign_for

    deadlines_reassign_for(child=child, actor=user,
                           reason=f"Child reallocated: {reason}" if reason.strip()
                           else "Child reallocated")
    return allocation


@transaction.atomic
def person_add_to_child(*, user: User, child: Child, relationship: str,
                        has_parental_responsibility: bool, lives_with_child: bool,
                        person: Person | None = None, **person_data: Any) -> ChildPerson:
    """Link an existing person, or create one, as someone around the child."""
    _require(user, Capability.EDIT_CHILD)
    _require_visible(user, child)
    if person is None:
        person = Person.objects.create(authority_id=child.authority_id, created_by=user,
                                       updated_by=user, **person_data)
    elif person.authority_id != child.authority_id:
        raise ServiceError("That person belongs to another authority.")
    if ChildPerson.objects.filter(child=child, person=person).exists():
        raise ServiceError(f"{person} is already recorded for {child}.")
    return ChildPerson.objects.create(
        child=child, person=person, relationship=relationship,
        has_parental_responsibility=has_parental_responsibility,
        lives_with_child=lives_with_child, created_by=user)


@transaction.atomic
def person_update(*, user: User, person: Person, expected_version: int,
                  data: dict[str, Any]) -> Person:
    _require(user, Capability.EDIT_CHILD)
    children = Child.objects.filter(people_links__person=person)
    if not visible_children(user).filter(pk__in=children).exists():
        raise NotPermitted("You do not have access to this person's record.")
    save_if_unchanged(person, expected_version=expected_version, fields=data,
                      updated_by=user, updated_at=timezone.now())
    return person
