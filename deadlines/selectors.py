"""Reads: the authority's effective policy, and deadlines and notices as a user may see them."""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from cpcases.accounts.models import Authority, User
from cpcases.children.models import Child
from cpcases.children.scoping import visible_child_condition, visible_children_sql
from cpcases.core import compiled
from deadlines.calendar import WorkingDayCalendar, calendar_with_closures
from deadlines.closures import closure_dates
from deadlines.models import (
    AuthorityPolicy,
    Deadline,
    DeadlineStatus,
    Notification,
    NotificationDigest,
    PolicyProfile,
    PolicyRule,
    RuleOverride,
)
from deadlines.policy import (
    NATIONAL,
    PROFILES,
    RULE_FIELDS,
    RULE_IDS,
    RuleSpec,
    Unit,
    national_rule,
)


@dataclass(frozen=True)
class EffectiveRule(RuleSpec):
    """A rule as it applies to one authority: its profile's value or the authority's own."""

    profile_name: str = ""
    overridden: bool = False
    override_reason: str = ""
    version: int = 0  # of the authority's own value (0: none yet); issue 12 §3


# --- policy ------------------------------------------------------------------------------------


def national_profile() -> PolicyProfile:
    """The shipped national default (loaded by migration; the Python data if it is gone)."""
    profile = PolicyProfile.objects.filter(slug=NATIONAL).first()
    if profile is None:
        spec = PROFILES[0]
        return PolicyProfile(slug=spec.slug, name=spec.name, description=spec.description,
                             icpc_delay_role=spec.icpc_delay_role, shipped=True)
    return profile


def _authority_id(authority: Authority | int) -> int:
    return authority if isinstance(authority, int) else authority.pk


def authority_profile(authority: Authority | int) -> PolicyProfile:
    """The profile the authority follows; the national default until one is chosen."""
    return policy_snapshot(_authority_id(authority)).profile


def _read_profile(authority_id: int) -> PolicyProfile:
    choice = (AuthorityPolicy.objects.filter(authority_id=authority_id)
              .select_related("profile").first())
    return choice.profile if choice else national_profile()


def _from_row(row: PolicyRule | RuleOverride, profile: PolicyProfile,
              overridden: bool) -> EffectiveRule:
    return EffectiveRule(rule_id=row.rule_id, **{f: getattr(row, f) for f in RULE_FIELDS},
                         profile_name=profile.name, overridden=overridden,
                         override_reason=getattr(row, "reason", ""),
                         version=getattr(row, "version", 0) if overridden else 0)


def _read_rules(authority_id: int, profile: PolicyProfile) -> dict[str, EffectiveRule]:
    """Every rule of DOMAIN §4 for the authority: profile rules, then its overrides on top."""
    rules = {row.rule_id: _from_row(row, profile, False)
             for row in PolicyRule.objects.filter(profile_id=profile.pk)} if profile.pk else {}
    for row in RuleOverride.objects.filter(authority_id=authority_id):
        rules[row.rule_id] = _from_row(row, profile, True)
    # A rule missing from a hand-made profile falls back to the shipped national default.
    for rule_id in RULE_IDS:
        if rule_id not in rules:
            spec = national_rule(rule_id)
            rules[rule_id] = EffectiveRule(**{f.name: getattr(spec, f.name)
                                              for f in fields(RuleSpec)},
                                           profile_name=profile.name)
    return OrderedDict((rule_id, rules[rule_id]) for rule_id in RULE_IDS)


@dataclass(frozen=True)
class PolicySnapshot:
    """One authority's timescale policy as read at one policy version: the profile it
    follows, its effective rules and its closure days (DOMAIN §3, §4)."""

    profile: PolicyProfile
    rules: dict[str, EffectiveRule]
    closures: frozenset[date]

    @functools.cached_property
    def calendar(self) -> WorkingDayCalendar:
        return calendar_with_closures(self.closures)


def _read_snapshot(authority_id: int) -> PolicySnapshot:
    profile = _read_profile(authority_id)
    return PolicySnapshot(profile, _read_rules(authority_id, profile),
                          closure_dates(authority_id))


# Issue 13 §2: every page showing a deadline read the policy (about five queries) on each
# request. A process keeps each authority's snapshot with the policy version it was read at;
# triggers on every policy table (migration 0017, ENABLE ALWAYS) move the version in the
# writing transaction, whatever wrote (forms, QuerySet.update(), bulk loads, the admin, other
# processes), so the next read anywhere sees a change: one indexed single-row read instead.
# The version comes from a sequence, so a rolled-back change never hands its number to another.
_SNAPSHOTS: dict[int, tuple[int, PolicySnapshot]] = {}


# The policy's current version (a statement may read it as a scalar subquery with its rows:
# `policy_version_read`).
POLICY_VERSION_SQL = "SELECT version FROM deadlines_policy_version WHERE id = 1"


def policy_version() -> int | None:
    """The policy's current version (None while its row is missing: then nothing is cached)."""
    with connection.cursor() as cursor:
        cursor.execute(POLICY_VERSION_SQL)
        row = cursor.fetchone()
    return row[0] if row else None


# Inside `policy_read_once`: the snapshots read so far in the block, by authority.
_READ_ONCE: ContextVar[dict[int, PolicySnapshot] | None] = ContextVar("policy_read_once",
                                                                      default=None)


@contextmanager
def policy_read_once() -> Iterator[None]:
    """Within the block each authority's policy is read once (its version asked once): a
    page that reads it in several places (My work: its deadlines' names and calendar, and
    whether the user may authorise a delay) sees one policy, for one query (issue 13 §2)."""
    token = _READ_ONCE.set({})
    try:
        yield
    finally:
        _READ_ONCE.reset(token)


def policy_version_read(authority_id: int, version: int | None) -> None:
    """Inside `policy_read_once`: the policy version a statement of the page read with its
    rows (My work's), so that the authority's snapshot cached at that version serves the
    page without asking the version again. Nothing is noted outside the block, nor for a
    version the cache does not hold (then `policy_snapshot` reads as ever)."""
    read = _READ_ONCE.get()
    if read is None or version is None or authority_id in read:
        return
    cached = _SNAPSHOTS.get(authority_id)
    if cached is not None and cached[0] == version:
        read[authority_id] = cached[1]


def policy_snapshot(authority_id: int) -> PolicySnapshot:
    """The authority's policy, from this process's cache while the policy version is the one
    it was read at (one query), otherwise read afresh. Read-only: callers copy to change."""
    read = _READ_ONCE.get()
    if read is not None and authority_id in read:
        return read[authority_id]
    version = policy_version()
    cached = _SNAPSHOTS.get(authority_id)
    if version is not None and cached is not None and cached[0] == version:
        snapshot = cached[1]
    else:
        snapshot = _read_snapshot(authority_id)
        if version is not None:
            _SNAPSHOTS[authority_id] = (version, snapshot)
    if read is not None:
        read[authority_id] = snapshot
    return snapshot


def held_policy_snapshot(authority_id: int) -> tuple[int | None, PolicySnapshot] | None:
    """The authority's policy as this process holds it, without asking its version (no
    query): (the version it was read at, the snapshot), or None if none is held. For a
    statement that reads POLICY_VERSION_SQL with its own rows and, if that differs, asks
    `policy_snapshot` and runs again (issue 13 §2: the performance figures, whose
    statement is built from the rules). The version is None when the snapshot is already
    the one this `policy_read_once` block reads: nothing to compare."""
    read = _READ_ONCE.get()
    if read is not None and authority_id in read:
        return None, read[authority_id]
    return _SNAPSHOTS.get(authority_id)


def clear_policy_cache() -> None:
    """Forget the cached snapshots (memory only: answers never depend on the cache)."""
    _SNAPSHOTS.clear()


def effective_rules(authority: Authority | int) -> dict[str, EffectiveRule]:
    """Every rule of DOMAIN §4 for the authority: profile rules, then its overrides on top
    (a fresh dict: the caller may change it)."""
    return OrderedDict(policy_snapshot(_authority_id(authority)).rules)


def effective_rule(authority: Authority | int, rule_id: str) -> EffectiveRule:
    """The rule `rule_id` as the authority applies it (KeyError for an unknown id)."""
    if rule_id not in RULE_IDS:
        raise KeyError(f"Unknown timescale rule {rule_id!r}")
    return policy_snapshot(_authority_id(authority)).rules[rule_id]


def icpc_delay_role(authority: Authority | int) -> str:
    """Who may authorise an ICPC beyond 15 working days (000: head of service; 002 §3.5 and
    003: team manager)."""
    return authority_profile(authority).icpc_delay_role


@dataclass(frozen=True)
class PolicyChange:
    at: Any
    who: str
    what: str
    reason: str


def _event_model(model: type) -> Any:
    return apps.get_model(model._meta.app_label, f"{model.__name__}Event")


def _names(ids: set[Any]) -> dict[int, str]:
    return {u.pk: str(u) for u in User.objects.filter(pk__in=ids - {None})}


def override_history(authority: Authority, rule_id: str | None = None) -> list[PolicyChange]:
    """Who changed which override, when and why (pghistory events), newest first."""
    events = _event_model(RuleOverride).objects.filter(authority_id=authority.pk)
    if rule_id:
        events = events.filter(rule_id=rule_id)
    events = list(events.order_by("-pgh_created_at", "-pgh_id")[:100])
    names = _names({e.updated_by_id for e in events})
    changes = []
    for e in events:
        what = (f"{e.rule_id}: back to the profile's value" if e.pgh_label == "delete"
                else f"{e.rule_id}: {e.offset} {Unit(e.unit).label} {e.direction}")
        changes.append(PolicyChange(at=e.pgh_created_at, who=names.get(e.updated_by_id, ""),
                                    what=what, reason=e.reason))
    return changes


def profile_history(authority: Authority) -> list[PolicyChange]:
    """Which profile the authority chose, when and by whom, newest first."""
    events = list(_event_model(AuthorityPolicy).objects.filter(authority_id=authority.pk)
                  .select_related("profile").order_by("-pgh_created_at", "-pgh_id")[:50])
    names = _names({e.updated_by_id for e in events})
    return [PolicyChange(at=e.pgh_created_at, who=names.get(e.updated_by_id, ""),
                         what=f"profile {e.profile.name}", reason="") for e in events]


def users_by_id(ids: set[int]) -> dict[int, User]:
    return {u.pk: u for u in User.objects.filter(pk__in=ids)}


# --- deadlines ----------------------------------------------------------------------------------


def deadlines_visible(*, user: User, rules: bool = False) -> QuerySet[Deadline]:
    """Every deadline of a child the user may see (cpcases.children.scoping): its child's id
    among the scope's ids (`visible_child_condition`: for a team's user, two tests of the
    row, decision 94). Through `visible_children` the scope was nested in a subquery of the
    child table, which PostgreSQL merge-joined to the child table again for every list and
    count (issue 13 §2). `rules`: `child_id IN (<the scope asked of every child's row>)`,
    for the deadline lists (visible_children_sql, decision 88)."""
    if rules:
        scope = visible_children_sql(user, rules=True)
        if scope is None:
            return Deadline.objects.none()
        # The SQL is the ORM's own (scoping), its values passed as parameters.
        found = Deadline.objects.filter(child_id__in=RawSQL(*scope))  # noqa: S611
    else:
        condition = visible_child_condition(user)
        if condition is None:
            return Deadline.objects.none()
        found = Deadline.objects.filter(condition)
    return found.select_related("child", "responsible")


def deadlines_for_child(*, child: Child) -> QuerySet[Deadline]:
    """A child's deadlines: the caller has already checked the user may see the child."""
    return (Deadline.objects.filter(child=child)
            .select_related("responsible", "delay_authorised_by")
            .order_by("status", "due_date", "id"))


def child_deadlines(*, child: Child) -> list[Deadline]:
    """deadlines_for_child's rows, its SQL compiled once per process (issue 13 §2: the ORM
    compiled it on every view of the tab); the child's id is the one parameter."""
    query = compiled.cached("deadlines_for_child", lambda: compiled.compile_once(
        deadlines_for_child(child=Child(pk=compiled.ROW_ID)), {"child": compiled.ROW_ID}))
    return query.instances({"child": child.pk})  # type: ignore[return-value]


def my_open_deadlines(*, user: User) -> QuerySet[Deadline]:
    return (deadlines_visible(user=user)
            .filter(responsible=user, status=DeadlineStatus.OPEN)
            .order_by("due_date", "due_at", "id"))


def team_open_deadlines(*, user: User) -> QuerySet[Deadline]:
    """A manager's view: the open deadlines of every child in their scope (team or service)."""
    return deadlines_visible(user=user).filter(status=DeadlineStatus.OPEN).order_by(
        "due_date", "due_at", "id")


# --- notifications ------------------------------------------------------------------------------


@dataclass
class Entry:
    """One line of the notifications page: a digest (its notices inside) or a notice made
    outside any digest."""

    kind: str  # "digest" or "notice"
    pk: int
    created_at: Any
    read_at: Any
    title: str
    items: list[Notification]


def _entries(user: User) -> QuerySet[Any]:
    digests = NotificationDigest.objects.filter(recipient=user).values_list(
        "id", "created_at", models.Value("digest", output_field=models.CharField()))
    loose = Notification.objects.filter(recipient=user, digest__isnull=True).values_list(
        "id", "created_at", models.Value("notice", output_field=models.CharField()))
    return digests.union(loose, all=True).order_by("-created_at", "-id")


class EntryPage:
    """Pages through the user's digests and loose notices, newest first, as one list."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.union = _entries(user)

    def count(self) -> int:
        return self.union.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Entry]:
        keys = list(self.union[window])
        digest_ids = [pk for pk, _, kind in keys if kind == "digest"]
        notice_ids = [pk for pk, _, kind in keys if kind == "notice"]
        items = Notification.objects.select_related(
            "deadline", "deadline__child", "deadline__content_type").order_by("id")
        digests = {d.pk: d for d in NotificationDigest.objects.filter(
            pk__in=digest_ids, recipient=self.user).prefetch_related(
            models.Prefetch("items", queryset=items))}
        notices = {n.pk: n for n in items.filter(pk__in=notice_ids, recipient=self.user)}
        entries = []
        for pk, _, kind in keys:
            if kind == "digest" and pk in digests:
                d = digests[pk]
                entries.append(Entry("digest", pk, d.created_at, d.read_at,
                                     d.title or "Deadline notices", list(d.items.all())))
            elif kind == "notice" and pk in notices:
                n = notices[pk]
                entries.append(Entry("notice", pk, n.created_at, n.read_at, n.text, [n]))
        return entries


def notifications_for(*, user: User) -> EntryPage:
    """The user's notifications page: one entry per digest (one per sweep), newest first."""
    return EntryPage(user)


def unread_count(user: Any) -> int:
    """Unread entries: digests, and notices made outside a digest (one query)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    digests = NotificationDigest.objects.filter(recipient=user, read_at__isnull=True
                                                ).values_list("id")
    loose = Notification.objects.filter(recipient=user, read_at__isnull=True,
                                        digest__isnull=True).values_list("id")
    return digests.union(loose, all=True).count()
