"""Reads: visits, the visiting clocks, core group membership, and the merged chronology."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db.models import F, QuerySet

from cpcases.accounts.models import User
from cpcases.accounts.roles import Role
from cpcases.children.models import Child, InvolvementKind, PartnerInvolvement
from cpcases.children.scoping import of_visible_children
from cpcases.chronology.models import Visit
from cpcases.chronology.providers import ChronologyItem, merged_items
from cpcases.core.child_rows import child_rows
from deadlines.models import Deadline, DeadlineStatus


def is_core_group_partner(user: User, child: Child) -> bool:
    return PartnerInvolvement.objects.filter(
        child=child, user=user, kind=InvolvementKind.CORE_GROUP,
        ended_on__isnull=True).exists()


def core_group_users(child: Child) -> list[User]:
    """The child's core group members who use the system: partners named through
    PartnerInvolvement, and the members of the plan's core group where cpcases.plans
    records them."""
    ids = set(PartnerInvolvement.objects.filter(
        child=child, kind=InvolvementKind.CORE_GROUP, ended_on__isnull=True)
        .values_list("user_id", flat=True))
    ids |= _plan_core_group_user_ids(child)
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("full_name"))


def _plan_core_group_user_ids(child: Child) -> set[int]:
    """Members of the current plan's core group (cpcases.plans), if that app is installed."""
    try:
        member = apps.get_model("plans", "CoreGroupMember")
    except LookupError:
        return set()
    return set(member.objects.filter(
        plan__child=child, plan__ended_on__isnull=True, removed_on__isnull=True,
        user__isnull=False).values_list("user_id", flat=True))


def visits_for_child(*, child: Child) -> QuerySet[Visit]:
    return Visit.objects.filter(child=child).select_related("visited_by")


def visits_visible(*, user: User) -> QuerySet[Visit]:
    """Visits to the children the user may see; partners do not see the social work record
    of visits (they see each visit's headline in the chronology)."""
    if user.role == Role.PARTNER:
        return Visit.objects.none()
    return of_visible_children(Visit.objects.all(), user).select_related("visited_by", "child")


@dataclass(frozen=True)
class VisitClock:
    """When the child (or their bedroom) was last seen, and the next due date."""

    rule_id: str
    label: str
    last_seen: Visit | None
    deadline: Deadline | None


_CLOCKS = (("child_seen", "Child last seen"), ("bedroom_seen", "Bedroom last seen"))


def _visits_shown(child_id: int) -> QuerySet[Visit]:
    return Visit.objects.filter(child=child_id).annotate(
        by_full_name=F("visited_by__full_name"), by_username=F("visited_by__username"))


def visits_shown(*, child: Child) -> list[Visit]:
    """The Visits tab's list: visits_for_child's rows, newest first, each with `by_name`
    (str() of the visitor) in place of the visitor's row. Issue 13 §2: its SQL is built once
    per process (cpcases.core.child_rows)."""
    visits = list(child_rows("chronology.visits_shown", _visits_shown, child.pk))
    for visit in visits:
        visit.by_name = visit.by_full_name or visit.by_username  # type: ignore[attr-defined]
    return visits


def _open_clock_deadlines(child_id: int) -> QuerySet[Deadline]:
    return Deadline.objects.filter(
        child=child_id, rule_id__in=[rule_id for rule_id, _ in _CLOCKS],
        status=DeadlineStatus.OPEN).order_by("-anchor_date", "-id")


def visit_clocks(*, child: Child, visits: list[Visit] | None = None) -> list[VisitClock]:
    """`visits`: all the child's visits, newest first (visits_for_child), when the caller
    has them already. Issue 13 §2: the clocks are read from that list and one query of the
    open deadlines (its SQL built once per process), not four queries."""
    if visits is None:
        visits = list(visits_for_child(child=child))
    latest: dict[str, Deadline] = {}
    for deadline in child_rows("chronology.visit_clock_deadlines", _open_clock_deadlines,
                               child.pk):
        latest.setdefault(deadline.rule_id, deadline)
    # The rule ids are also the Visit fields that say what was seen.
    return [VisitClock(rule_id, label, next((v for v in visits if getattr(v, rule_id)), None),
                       latest.get(rule_id)) for rule_id, label in _CLOCKS]


def chronology(*, child: Child, agency: str = "", event_type: str = ""
               ) -> list[ChronologyItem]:
    """The merged chronology of a child the caller has already reached through
    child_for_view (audit-logged, scoped)."""
    return merged_items(child, agency=agency, event_type=event_type)
