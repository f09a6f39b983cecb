"""What other workflows do when something happens to the child's record itself.

The child's record knows nothing of conferences or plans; they register here (from their
AppConfig.ready()) and the record's services call them inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cpcases.accounts.models import User
from cpcases.children.models import Child

BirthHook = Callable[[Child, User], object]
_birth_recorded: list[BirthHook] = []


def on_birth_recorded(hook: BirthHook) -> None:
    """`hook(child, user)` runs when an unborn child's birth is recorded (002 §7.13)."""
    if hook not in _birth_recorded:
        _birth_recorded.append(hook)


def birth_recorded(child: Child, user: User) -> None:
    for hook in _birth_recorded:
        hook(child, user)


# Likely duplicates of a child being created or edited (same NHS number; same date of birth
# and a similar name; same address). The front door registers its finder, the one the contact
# page uses; each result has `child`, `reasons` and `in_scope`.
DuplicateFinder = Callable[..., list[Any]]
_duplicate_finders: list[DuplicateFinder] = []

DUPLICATE_FIELDS = ("first_name", "last_name", "date_of_birth", "nhs_number", "postcode",
                    "address")
# The fields of each test: an edit checks only the tests whose fields it changes.
DUPLICATE_TESTS = (("nhs_number",), ("first_name", "last_name", "date_of_birth"),
                   ("address", "postcode"))


def register_duplicate_finder(finder: DuplicateFinder) -> None:
    """`finder(user=..., first_name=..., last_name=..., date_of_birth=..., nhs_number=...,
    postcode=..., address=..., exclude_pk=...)` returns the likely duplicates."""
    if finder not in _duplicate_finders:
        _duplicate_finders.append(finder)


def likely_duplicates(user: User, data: dict[str, Any], exclude_pk: int | None = None,
                      changed: set[str] | None = None) -> list[Any]:
    """Every registered finder's likely duplicates of the child described by `data`. Given
    the fields an edit `changed`, only the tests on those fields are run (a sibling at the
    same address is not found again when the child's NHS number is corrected)."""
    wanted = {f for test in DUPLICATE_TESTS if changed is None or set(test) & changed
              for f in test}
    fields = {k: (data.get(k) if k in wanted else None) or
              ("" if k != "date_of_birth" else None) for k in DUPLICATE_FIELDS}
    if not any(fields.values()):
        return []
    found: list[Any] = []
    for finder in _duplicate_finders:
        found += finder(user=user, exclude_pk=exclude_pk, **fields)
    return found
