"""Writes of households and of the people around a child (parents, carers, people with
parental responsibility, other adults) and how each relates to the child. Each checks the
user may edit the child's record and writes in one transaction (pghistory keeps the history).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import Capability
from cpcases.children.models import Child, ChildPerson, Household, Relationship
from cpcases.children.scoping import visible_children
from cpcases.core.errors import NotPermitted, ServiceError

HOUSEHOLD_FIELDS = ("name", "address", "postcode")


def _require_editor(user: User, child: Child) -> None:
    if not user.can(Capability.EDIT_CHILD):
        raise NotPermitted(f"A {user.role_label.lower()} cannot do this.")
    if not visible_children(user).filter(pk=child.pk).exists():
        raise NotPermitted("You do not have access to this child's record.")


def households_visible(user: User) -> QuerySet[Household]:
    """Households with at least one child the user may see. As EXISTS, not a join made
    DISTINCT (issue 13 §2): the database looks at each household's own children instead of
    joining every child in scope and then folding the duplicates away."""
    return Household.objects.filter(Exists(
        visible_children(user).filter(household_id=OuterRef("pk"))))


@transaction.atomic
def household_create(*, actor: User, child: Child, name: str, address: str = "",
                     postcode: str = "") -> Household:
    """A new household, with the child in it (a household is recorded for a child)."""
    _require_editor(actor, child)
    if not name.strip():
        raise ServiceError("Enter the household's name, for example the family name and "
                           "street.")
    household = Household.objects.create(authority_id=child.authority_id, name=name.strip(),
                                         address=address, postcode=postcode.upper().strip())
    child_set_household(actor=actor, child=child, household=household)
    return household


@transaction.atomic
def household_update(*, actor: User, household: Household, data: dict[str, Any]
                     ) -> Household:
    if not households_visible(actor).filter(pk=household.pk).exists() or \
            not actor.can(Capability.EDIT_CHILD):
        raise NotPermitted("You do not have access to this household.")
    for field, value in data.items():
        if field in HOUSEHOLD_FIELDS:
            setattr(household, field, value)
    if not household.name.strip():
        raise ServiceError("Enter the household's name.", field="name")
    household.save()
    return household


@transaction.atomic
def child_set_household(*, actor: User, child: Child, household: Household | None) -> Child:
    """Move the child into a household (or out of one: None). 002 §2.2: all children of a
    household are considered together."""
    _require_editor(actor, child)
    if household is not None and household.authority_id != child.authority_id:
        raise ServiceError("That household belongs to another authority.")
    Child.objects.filter(pk=child.pk).update(household=household, updated_by=actor,
                                             updated_at=timezone.now())
    child.refresh_from_db()
    return child


@transaction.atomic
def child_person_update(*, actor: User, link: ChildPerson, relationship: str,
                        has_parental_responsibility: bool, lives_with_child: bool
                        ) -> ChildPerson:
    """Change how a person relates to the child."""
    _require_editor(actor, link.child)
    if relationship not in Relationship.values:
        raise ServiceError("Choose the relationship to the child.", field="relationship")
    link.relationship = relationship
    link.has_parental_responsibility = has_parental_responsibility
    link.lives_with_child = lives_with_child
    link.save()
    return link


@transaction.atomic
def child_person_remove(*, actor: User, link: ChildPerson) -> None:
    _require_editor(actor, link.child)
    link.delete()
