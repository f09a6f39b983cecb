"""The census rules at the point of entry (issue 16 point 2; RETURNS.md §3 and its "other
entry checks").

The rules are written once, in returns.rules, over the census as returns.census builds it.
A service that writes data a rule reads wraps its write in `census_checks(child, screen)`:

    with entry.census_checks(child, "referral"):
        ... the write ...

Before the write the child's census for the year so far (1 April to today, as the child's
"Census checks" tab shows it) is built and checked; after it, again. A failure the write
made, and only such a failure (a problem already on the record does not stop unrelated work;
it is on the readiness page), is answered:
- an error rule ("E"): `RuleError` in plain words, beside the field the screen names for the
  rule, with the rule number; the service's transaction rolls back, nothing is saved;
- a query rule ("Q"): `WarningsToConfirm` unless the user has confirmed it
  (cpcases.core.confirm); nothing is saved until they do.

Both builds are a fixed number of queries for one child, whatever the caseload.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from cpcases.children.models import Child
from cpcases.core import confirm
from cpcases.core.errors import EntryWarning, RuleError
from returns import census, rules
from returns.periods import year_so_far

P = ParamSpec("P")
T = TypeVar("T")

REFERENCE = ("Children in need census: business and technical specification and "
             "validation rules (Department for Education)")

# Rules no screen can break: they are about the return as a whole or data cpcases derives,
# so they are checked on the readiness page only (decisions §31).
NOT_AT_ENTRY = {
    "2883",  # authority-wide count of plans against initial conferences
    "8715", "8720", "8930",  # dates inside the census period: the return selects by period
    "8730",  # NumberOfPreviousCPP: counted from the child's history
    "8870",  # InitialCPCtarget: the working-day engine's due date, never a weekend
}

# Rules checked on some screens only: the primary need is known once the assessment is
# done, so a referral is refused without one only when it is closed (rule 8610).
# Likewise an S47 may start before the referral's assessment: the query is asked when the
# referral closes with none (rule 2991). On its screen such a rule is answered even when the
# record already broke it before the write (the closure is what makes it final).
ONLY_ON: dict[str, set[str]] = {"8610": {"referral_close"}, "2991": {"referral_close"}}

# For each screen, the form field a rule's message goes beside (others: the screen's first).
SCREENS: dict[str, dict[str, str]] = {
    "child": {"8500": "la_child_id", "1570": "la_child_id", "1580": "la_child_id",
              "8510": "la_child_id", "8750": "sex", "4180": "sex",
              "8525": "date_of_birth", "8530": "expected_delivery_date",
              "8790": "disabilities", "8770": "upn", "8606": "date_of_birth",
              "8915": "date_of_death", "8920": "date_of_death", "*": "date_of_birth"},
    "referral": {"8610": "primary_need", "*": "referral_date"},
    "referral_close": {"8805": "reason", "8810": "closure_date", "8569": "no_further_action",
                       "8831": "no_further_action", "8832": "no_further_action",
                       "2990": "reason", "*": "closure_date"},
    "assessment": {"*": "started_on"},
    "strategy": {"*": "held_date"},
    "s47_outcome": {"*": "outcome"},
    "conference": {"*": "date"},
    "plan": {"8905": "category", "8910": "category", "*": "started_on"},
    "plan_end": {"*": "ended_on"},
    "cin_plan": {"*": "started_on"},
    "cin_plan_end": {"*": "ended_on"},
    "death": {"8915": "died_on", "8920": "died_on", "*": "died_on"},
}


def child_failures(child_id: int) -> list[rules.Failure]:
    """The census rules the child's record breaks in the year so far."""
    built = census.build_census(Child.objects.filter(pk=child_id), year_so_far(),
                                select=False)
    # An episode the census makes up for a child with no referral on record (from its S47s
    # and plans) has no closure anyone entered: the entry checks look at referrals only.
    for c in built.children:
        c.episodes = [ep for ep in c.episodes if ep.pk is not None]
    return [f for f in rules.check_census(built) if f.rule not in NOT_AT_ENTRY]


def _key(f: rules.Failure) -> tuple[str, str, int | None]:
    return f.rule, f.target[0], f.target[1]


def new_failures(before: list[rules.Failure], after: list[rules.Failure],
                 screen: str = "") -> list[rules.Failure]:
    seen = {_key(f) for f in before}
    return [f for f in after if _key(f) not in seen or screen in ONLY_ON.get(f.rule, ())]


def answer(failures: list[rules.Failure], screen: str) -> None:
    """Refuse on the first error; ask for confirmation of the queries."""
    fields = SCREENS.get(screen, {})
    failures = [f for f in failures if screen in ONLY_ON.get(f.rule, {screen})]
    # The rules this screen names a field for first: they are about what was typed here.
    failures.sort(key=lambda f: f.rule not in fields)
    for f in failures:
        if f.severity == "E":
            raise RuleError(f.message, field=fields.get(f.rule, fields.get("*")),
                            rule=f.rule, reference=REFERENCE)
    confirm.raise_unconfirmed([
        EntryWarning(f.message, field=fields.get(f.rule, fields.get("*")), rule=f.rule)
        for f in failures if f.severity == "Q"])


class Checked:
    """What a `census_checks` block checks: a block that creates the child names it here."""

    def __init__(self, child_id: int | None) -> None:
        self.child_id = child_id


@contextmanager
def census_checks(child: Child | int | None, screen: str) -> Iterator[Checked]:
    """Check what the write inside makes against the census rules (module docstring).
    Use inside the service's transaction, so that a refusal undoes the write. For a child
    created inside the block, pass None and set `.child_id` on what the block yields."""
    checked = Checked(child.pk if isinstance(child, Child) else child)
    if _outer.get():  # inside another service's checks: that one answers for the whole write
        yield checked
        return
    before = child_failures(checked.child_id) if checked.child_id else []
    token = _outer.set(True)
    try:
        yield checked
    finally:
        _outer.reset(token)
    if checked.child_id:
        answer(new_failures(before, child_failures(checked.child_id), screen), screen)


_outer: ContextVar[bool] = ContextVar("census_checks_outer", default=False)


def checks(screen: str, child_of: Callable[[dict[str, Any]], Child | int | None]
           ) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """`census_checks` around a whole service (put it under `@transaction.atomic`);
    `child_of` finds the child in the service's keyword arguments."""
    def decorate(fn: Callable[P, T]) -> Callable[P, T]:
        @wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            with census_checks(child_of(kwargs), screen):
                return fn(*args, **kwargs)
        return wrapper
    return decorate
