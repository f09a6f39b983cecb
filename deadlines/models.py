"""The deadline engine's data: closure days (the working-day calendar's authority part),
the timescale policy, deadlines, escalations and notifications."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from cpcases.accounts.models import Authority
from cpcases.accounts.roles import Role
from deadlines.policy import RULE_IDS, Direction, Event, Holder, Level, Unit


class ClosureDay(models.Model):
    """A day the authority is closed besides bank holidays (e.g. 24 December). DOMAIN §3."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE,
                                  related_name="closure_days")
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["authority", "date"],
                                               name="closure_day_unique")]

    def __str__(self) -> str:
        return f"{self.authority.slug} closed {self.date:%d %B %Y}"


# --- policy: profiles, the authority's choice, and its per-rule overrides (DOMAIN §4) --------


class PolicyProfile(models.Model):
    """A named set of timescale rules: the national default or an authority's variant."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Who may authorise an ICPC beyond 15 working days (000: head of service; 002 §3.5, 003:
    # team manager).
    icpc_delay_role = models.CharField(max_length=32, choices=Role.choices,
                                       default=Role.HEAD_OF_SERVICE)
    shipped = models.BooleanField(default=False, help_text="Loaded from deadlines.policy")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RuleFields(models.Model):
    """The fields of one timescale rule (deadlines.policy.RuleSpec)."""

    rule_id = models.CharField(max_length=64, choices=[(r, r) for r in RULE_IDS])
    name = models.CharField(max_length=200)
    anchor = models.CharField(max_length=200)
    offset = models.PositiveIntegerField()
    unit = models.CharField(max_length=16, choices=Unit.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices,
                                 default=Direction.AFTER)
    responsible_role = models.CharField(max_length=32, choices=Role.choices,
                                        default=Role.SOCIAL_WORKER)
    source = models.CharField(max_length=200, blank=True)
    reminder_before = models.PositiveIntegerField(
        default=2, help_text="Working days before the due date (hours for hour rules); 0: none")
    service_manager_after = models.PositiveIntegerField(
        default=3, help_text="Working days after the due date; 0: not escalated")
    head_of_service_after = models.PositiveIntegerField(
        default=5, help_text="Working days after the due date; 0: not escalated")
    variants = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class PolicyRule(RuleFields):
    profile = models.ForeignKey(PolicyProfile, on_delete=models.CASCADE, related_name="rules")

    class Meta:
        ordering = ["profile", "rule_id"]
        constraints = [models.UniqueConstraint(fields=["profile", "rule_id"],
                                               name="policy_rule_unique")]

    def __str__(self) -> str:
        return f"{self.profile}: {self.rule_id}"


@pghistory.track()
class AuthorityPolicy(models.Model):
    """Which profile an authority follows."""

    authority = models.OneToOneField(Authority, on_delete=models.CASCADE,
                                     related_name="deadline_policy")
    profile = models.ForeignKey(PolicyProfile, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name_plural = "authority policies"

    def __str__(self) -> str:
        return f"{self.authority}: {self.profile}"


@pghistory.track()
class RuleOverride(RuleFields):
    """An authority's own value for one rule, replacing its profile's; history by pghistory."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE,
                                  related_name="rule_overrides")
    reason = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
    # The version an edit was read at (cpcases.core.concurrency.edits, issue 12 §3).
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["rule_id"]
        constraints = [models.UniqueConstraint(fields=["authority", "rule_id"],
                                               name="rule_override_unique")]

    def __str__(self) -> str:
        return f"{self.authority}: {self.rule_id} (override)"


# --- deadlines, escalations and notifications -------------------------------------------------


class DeadlineStatus(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"
    DELAY_AUTHORISED = "delay_authorised", "Delay authorised"


# The sweep's bookkeeping changes often and says nothing about the case: not in the history.
@pghistory.track(exclude=["next_action_at", "next_level", "updated_at"])
class Deadline(models.Model):
    """One statutory timescale for one child, computed from a rule of the authority's policy.

    Written only through deadlines.services, which computes the due date.
    """

    # Issue 13 §4: every write to this table (the sweep advances thousands of rows a minute)
    # writes every index, so a column has an index only when a query needs it
    # (decisions §35): the foreign keys below are covered by the composite indexes in Meta
    # or never filtered on (authorities and users are deactivated, never deleted).
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+",
                                  db_index=False)
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE,
                              related_name="deadlines", db_index=False)
    rule_id = models.CharField(max_length=64)
    # The record the deadline is about (a strategy discussion, a conference…), if any.
    content_type = models.ForeignKey(ContentType, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     db_index=False)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    variant = models.CharField(max_length=64, blank=True)
    # The anchor is a date, or a date and time for hour rules.
    anchor_date = models.DateField()
    anchor_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField()  # indexed with the id (Meta: deadline_due)
    due_at = models.DateTimeField(null=True, blank=True,
                                  help_text="Hour rules only: the moment it falls due")
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="deadlines",
                                    db_index=False)
    # The role that must act (deadlines.policy.LIFECYCLES); for a queue (business support,
    # partner agencies) `responsible` is empty and anyone in that role may pick it up.
    holder = models.CharField(max_length=32, choices=Holder.choices, blank=True)
    # The team the deadline belongs to (the child's allocated team when it was set or moved).
    responsible_team = models.ForeignKey("accounts.Team", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+", db_index=False)
    status = models.CharField(max_length=20, choices=DeadlineStatus.choices,
                              default=DeadlineStatus.OPEN)
    met_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)
    # The event that ended it (missed or cancelled) when the engine closed it.
    ended_by_event = models.CharField(max_length=40, choices=Event.choices, blank=True)
    delay_authorised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+",
                                            db_index=False)
    delay_authorised_at = models.DateTimeField(null=True, blank=True)
    delay_reason = models.TextField(blank=True)
    # The sweep's work list: when the next notice is due and which one it is.
    next_action_at = models.DateTimeField(null=True, blank=True)
    next_level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", db_index=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            # One live deadline per (child, rule, subject); closed ones are history.
            models.UniqueConstraint(
                fields=["child", "rule_id", "content_type", "object_id"],
                condition=models.Q(status="open"), nulls_distinct=False,
                name="deadline_one_open_per_subject"),
            models.CheckConstraint(
                condition=~models.Q(status="met") | models.Q(met_at__isnull=False),
                name="deadline_met_has_met_at"),
        ]
        # No index holds next_action_at or next_level (the sweep's queue is SweepQueue,
        # below), and pages keep room (fillfactor, migration 0016): the sweep's advance is a
        # HOT update, which writes no index entry (issue 13 §4, decisions §43).
        indexes = [
            models.Index(fields=["responsible", "status", "due_date"],
                         name="deadline_responsible"),
            models.Index(fields=["child", "status"], name="deadline_child_status"),
            models.Index(fields=["content_type", "object_id"], name="deadline_subject"),
            # The performance figures' timeliness: a rule's closed deadlines due in a period
            # (returns.performance.selectors). Open deadlines, which the sweep writes, are
            # not in it; a deadline enters it when it closes, an update that already writes
            # the indexes holding its status (issue 13 §2).
            models.Index(fields=["rule_id", "due_date"], name="deadline_closed_rule_due",
                         # Written as ORs, not IN: PostgreSQL prints an IN's array back
                         # differently after a dump and reload (the schema snapshot).
                         condition=(models.Q(status="met") | models.Q(status="missed")
                                    | models.Q(status="delay_authorised"))),
            # The open deadlines in the team page's order (deadlines.filters.SORTS "due"):
            # its page walks this in order and stops at its rows, where it sorted the team's
            # every open deadline for 50 (deadlines.teampage, issue 13 §2). Open only, as the
            # page shows by default: closed ones never slow the walk. The sweep's advance
            # writes none of these columns (still a HOT update).
            models.Index(fields=["due_date", "due_at", "id"], name="deadline_open_due",
                         condition=models.Q(status="open")),
            # Every deadline in the API's order (due date, then id; it was the due date
            # alone): a manager's or worker's list walks it to its page in the same way
            # (deadlines.api). Any query of a due range reads it as it read the due date's.
            models.Index(fields=["due_date", "id"], name="deadline_due"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} for child {self.child_id} due {self.due_date}"

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        if self.status != DeadlineStatus.OPEN:
            return False
        if self.due_at is not None:
            return timezone.now() > self.due_at
        return timezone.localdate() > self.due_date


class SweepQueue(models.Model):
    """The sweep's work list: each open deadline with a notice to come, by when (DOMAIN §4).

    A narrow copy of Deadline.next_action_at kept by triggers on the deadline table
    (migration 0016, enabled ALWAYS so a bulk load in replica mode keeps it too): never
    written by the application. The sweep reads it in (next_action_at, deadline) order,
    resuming after the last row it claimed; advancing a deadline rewrites this small row and
    its two index entries instead of a wide row's every index (issue 13 §4, decisions §43).
    """

    deadline = models.OneToOneField(Deadline, primary_key=True, on_delete=models.CASCADE,
                                    related_name="+")
    next_action_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["next_action_at", "deadline"],
                                name="deadline_sweep_queue")]

    def __str__(self) -> str:
        return f"deadline {self.deadline_id} at {self.next_action_at}"


class Escalation(models.Model):
    """A notice sent (or being sent) for one level of one deadline: at most one each.

    The sweep inserts this row before it sends; the unique constraint makes a second sweep's
    insert a no-op, so a notice is never sent twice.
    """

    # Indexed by the unique constraint (deadline first): no index of its own.
    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="escalations",
                                 db_index=False)
    level = models.CharField(max_length=20, choices=Level.choices)
    # The due date the notice was about: when the anchor moves (a rescheduled conference),
    # the new due date gets its own ladder; for one due date each level is sent once.
    due_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["deadline", "level", "due_date"],
                                               name="escalation_once_per_level")]

    def __str__(self) -> str:
        return f"{self.level} for deadline {self.deadline_id}"


# A notice that is not a step of the ladder: the deadline moved to or from the recipient.
REASSIGNED = "reassigned"
NOTIFICATION_KINDS = [*Level.choices, (REASSIGNED, "Reassigned")]
class NotificationDigest(models.Model):
    """What one person is told at once: every notice of one sweep (or one event) for them,
    read in-app as one entry and sent as one e-mail (issue 9 point 8)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notification_digests")
    title = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # When its e-mail was handed over (deadlines.notifications.send_emails); null: not yet.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="digest_unread"),
                   models.Index(fields=["emailed_at"], condition=models.Q(emailed_at=None),
                                name="digest_not_emailed")]

    def __str__(self) -> str:
        return f"{self.title} to {self.recipient_id}"


class Notification(models.Model):
    """One notice about one deadline to one user, an item of a digest."""

    # Indexed by notification_unread (recipient first): no index of its own.
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="deadline_notifications", db_index=False)
    digest = models.ForeignKey(NotificationDigest, null=True, blank=True,
                               on_delete=models.CASCADE, related_name="items")
    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE,
                                 related_name="notifications")
    level = models.CharField(max_length=20, choices=NOTIFICATION_KINDS)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.level} to {self.recipient_id}"


class DeadlineReassignment(models.Model):
    """An open deadline moved from one holder to another because the allocation, the lead
    social worker, the chair or the team changed (deadlines.services.deadlines_reassign_for).
    Append-only: the row history of Deadline has the change too; this keeps the reason."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE,
                                 related_name="reassignments")
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    from_team = models.ForeignKey("accounts.Team", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    to_team = models.ForeignKey("accounts.Team", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Deadline {self.deadline_id} moved {self.from_user_id} → {self.to_user_id}"


class ClosureDayChange(models.Model):
    """Who added or removed an authority's closure day, when and why (the page of closure
    days keeps this history; ClosureDay itself holds only the current days)."""

    class Action(models.TextChoices):
        ADDED = "added", "Added"
        REMOVED = "removed", "Removed"

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    action = models.CharField(max_length=8, choices=Action.choices)
    reason = models.TextField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    recomputed = models.PositiveIntegerField(default=0,
                                             help_text="Open deadlines recomputed")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.authority_id}: {self.date} {self.action}"
