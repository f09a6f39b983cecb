"""What other workflows do when something happens to the child's record itself.

The child's record knows nothing of conferences or plans; they register here (from their
AppConfig.ready()) and the record's services call them inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable

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
