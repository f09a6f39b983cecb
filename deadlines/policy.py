"""The timescale rules of DOMAIN §4 as data, and the profiles that ship with the product.

A rule says: from an anchor (an event), the deadline falls `offset` `unit`s after (or before)
it; who is responsible; and when to escalate (a reminder before the due date, a breach notice
on the due date passing, then the service manager and the head of service after further
working days). The national default profile is DOMAIN §4's first column; the example
profiles take the "varies" column of the procedures they come from. Profiles are loaded into
the database by `load_shipped_profiles()` (a data migration runs it, so every database has
them); an authority picks one and may override any rule (deadlines.models).

Rule ids are stable: code, API and tests use them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from django.db import models

from cpcases.accounts.roles import Role


class Unit(models.TextChoices):
    WORKING_DAYS = "working_days", "working days"
    CALENDAR_DAYS = "days", "days"
    WEEKS = "weeks", "weeks"
    MONTHS = "months", "months"
    HOURS = "hours", "hours"


class Direction(models.TextChoices):
    AFTER = "after", "after"
    BEFORE = "before", "before"


class Level(models.TextChoices):
    """The escalation ladder, in order (DOMAIN §4, last paragraph)."""

    REMINDER = "reminder", "Reminder"
    BREACH = "breach", "Breach"
    SERVICE_MANAGER = "service_manager", "Escalated to service manager"
    HEAD_OF_SERVICE = "head_of_service", "Escalated to head of service"


LADDER: tuple[str, ...] = tuple(Level.values)

# Escalation defaults: a reminder 2 working days (hour rules: 4 hours) before the due date;
# the breach notice when the due date passes; the service manager 3 and the head of service
# 5 working days after the due date.
REMINDER_BEFORE = 2
REMINDER_HOURS_BEFORE = 4
SERVICE_MANAGER_AFTER = 3
HEAD_OF_SERVICE_AFTER = 5

NATIONAL = "national"


@dataclass(frozen=True)
class RuleSpec:
    """One timescale rule. `reminder_before` counts working days (hours for hour rules);
    a value of 0 means no reminder. `service_manager_after` and `head_of_service_after`
    count working days after the due date; 0 means that step is not taken."""

    rule_id: str
    name: str
    anchor: str
    offset: int
    unit: str
    direction: str = Direction.AFTER
    responsible_role: str = Role.SOCIAL_WORKER
    source: str = ""
    reminder_before: int = REMINDER_BEFORE
    service_manager_after: int = SERVICE_MANAGER_AFTER
    head_of_service_after: int = HEAD_OF_SERVICE_AFTER
    # Named alternative offsets chosen by the caller (same unit): strategy discussion urgency.
    variants: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        if self.offset == 0:
            return f"same day as {self.anchor.lower()}" if self.direction == Direction.AFTER \
                else f"on or before {self.anchor.lower()}"
        unit = Unit(self.unit).label
        if self.offset == 1:
            unit = unit.removesuffix("s")
        return f"{self.offset} {unit} {Direction(self.direction).label} {self.anchor.lower()}"


def _hours(rule_id: str, name: str, anchor: str, offset: int, source: str,
           **kwargs: Any) -> RuleSpec:
    return RuleSpec(rule_id, name, anchor, offset, Unit.HOURS, source=source,
                    reminder_before=kwargs.pop("reminder_before", REMINDER_HOURS_BEFORE),
                    **kwargs)


_SW, _TM, _BS, _CHAIR = Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.BUSINESS_SUPPORT, Role.CP_CHAIR
_WD, _DAYS, _WEEKS, _MONTHS = Unit.WORKING_DAYS, Unit.CALENDAR_DAYS, Unit.WEEKS, Unit.MONTHS
_BEFORE = Direction.BEFORE

# DOMAIN §4, first column: the national default profile.
NATIONAL_RULES: tuple[RuleSpec, ...] = (
    RuleSpec("strategy_discussion", "Strategy discussion held", "Concern identified", 3, _WD,
             source="000", reminder_before=1,
             variants={"immediate_protection": 1, "child_protection_concerns": 3,
                       "complex": 5}),
    RuleSpec("assessment", "Single assessment completed", "Referral", 45, _WD, source="003",
             reminder_before=5),
    RuleSpec("icpc_request", "ICPC requested", "Strategy discussion initiating S47", 0, _DAYS,
             responsible_role=_TM, source="000, 004", reminder_before=0),
    _hours("icpc_date_offered", "ICPC date offered", "ICPC request", 24, "000",
           responsible_role=_BS),
    _hours("invitation_list", "Invitation list completed", "Date offered", 48, "000"),
    RuleSpec("attendee_details", "Attendee details given", "ICPC date", 1, _WEEKS,
             direction=_BEFORE, source="004"),
    RuleSpec("icpc", "Initial child protection conference held",
             "Strategy discussion initiating S47", 15, _WD, responsible_role=_TM,
             source="000, 002 §2.6, 003", reminder_before=3),
    RuleSpec("icpc_cancellation", "Business support told the ICPC is not needed",
             "ICPC request", 5, _WD, responsible_role=_TM, source="000"),
    RuleSpec("transfer_conference", "Transfer-in conference held",
             "Agreement between authorities / notified of move", 15, _WD,
             responsible_role=_TM, source="003", reminder_before=3),
    # 003 "Transfer-in conferences": the originating authority's report at least 5 working
    # days before. DOMAIN §4 has no id for it; this one follows the table's naming.
    RuleSpec("originating_report", "Originating authority's report received",
             "Transfer-in conference date", 5, _WD, direction=_BEFORE, responsible_role=_TM,
             source="003"),
    RuleSpec("prebirth_conference", "Pre-birth conference held", "Expected date of delivery",
             3, _MONTHS, direction=_BEFORE, responsible_role=_TM, source="003",
             reminder_before=5),
    _hours("report_countersigned", "Report countersigned by team manager", "Conference start",
           48, "002 §15.1", direction=_BEFORE, responsible_role=_TM),
    RuleSpec("report_to_family", "Report shared with parents and child", "Conference date", 3,
             _WD, direction=_BEFORE, source="002 §15.4"),
    RuleSpec("report_to_chair", "Report shared with the chair", "Conference date", 3, _WD,
             direction=_BEFORE, source="002 §15.7, 003, 004"),
    _hours("agency_report_to_chair", "Agency reports to the chair", "Conference start", 24,
           "002 §16.8", direction=_BEFORE),
    RuleSpec("exclusion_request", "Exclusion request made to the chair", "Conference date", 3,
             _WD, direction=_BEFORE, source="002 §12.1, 003"),
    _hours("consultation_chair_assigned", "Chair identified for consultation",
           "Consultation request", 24, "000", responsible_role=_BS),
    _hours("consultation_recorded", "Consultation recorded by the chair", "Consultation held",
           48, "000", responsible_role=_CHAIR),
    RuleSpec("decision_letter", "Decision letter sent to parents and child", "Conference date",
             2, _WD, responsible_role=_CHAIR, source="002 §23.2, 003", reminder_before=1),
    RuleSpec("record_to_professionals", "Conference record sent to professionals",
             "Conference date", 10, _WD, responsible_role=_BS, source="002 §22.5"),
    RuleSpec("record_to_family", "Conference record sent to family", "Conference date", 15,
             _WD, responsible_role=_BS, source="002 §22.5, §22.9"),
    RuleSpec("record_amendment_window", "Amendments to the record requested",
             "Record received", 1, _WEEKS, responsible_role=_CHAIR, source="002 §22.6",
             reminder_before=0, service_manager_after=0, head_of_service_after=0),
    RuleSpec("core_group_first", "First core group held", "ICPC (plan made)", 10, _WD,
             source="003", reminder_before=3),
    RuleSpec("core_group_next", "Next core group held", "Previous core group", 1, _MONTHS,
             source="003", reminder_before=3),
    RuleSpec("plan_distributed", "Detailed plan distributed", "Core group meeting", 5, _DAYS,
             source="003"),
    RuleSpec("first_review", "First review conference held", "ICPC (plan made)", 3, _MONTHS,
             responsible_role=_TM, source="003", reminder_before=10),
    RuleSpec("next_review", "Next review conference held", "Previous review (plan continues)",
             6, _MONTHS, responsible_role=_TM, source="003", reminder_before=10),
    RuleSpec("prebirth_first_review", "First review after birth", "Date of birth", 1, _MONTHS,
             responsible_role=_TM, source="002 §7.13", reminder_before=5),
    RuleSpec("inquorate_reconvene", "Inquorate conference reconvened", "Inquorate conference",
             1, _MONTHS, responsible_role=_CHAIR, source="003", reminder_before=5),
    RuleSpec("child_seen", "Child seen by lead social worker",
             "Last time child seen by lead social worker", 10, _WD, source="003"),
    RuleSpec("bedroom_seen", "Child's sleeping place seen",
             "Last time child's sleeping place seen", 6, _WEEKS, source="003",
             reminder_before=5),
    RuleSpec("stepdown_meeting", "Step-down multi-agency meeting held", "Plan ended", 10,
             _DAYS, source="003"),
    RuleSpec("stepdown_review", "Step-down review held", "Plan ended", 3, _MONTHS,
             source="003", reminder_before=5),
    RuleSpec("resource_disparity", "Resource disparity resolved", "Conference date", 3, _DAYS,
             responsible_role=Role.SERVICE_MANAGER, source="002 §19.3", reminder_before=1),
    RuleSpec("complaint_response", "Complaint responded to", "Complaint received", 10, _WD,
             responsible_role=_TM, source="003 Complaints"),
    RuleSpec("eighteenth_birthday_review", "Review held before 18th birthday",
             "18th birthday", 0, _DAYS, direction=_BEFORE, responsible_role=_TM, source="003",
             reminder_before=20),
)

# --- life on and off a plan (issue 11: lifeevents) ------------------------------------------
# Appended as one block; each rule cites its source. Where a procedure says a thing must
# happen but leaves the time to the authority ("the authority's policy sets"), the default
# here is the common practice named in the comment, and an authority may override it.
_SENIOR = Role.HEAD_OF_SERVICE  # the senior child protection manager (lifeevents.models)
LIFE_EVENT_RULES: tuple[RuleSpec, ...] = (
    # 003 "Children … who go Missing": if the child cannot be traced the senior child
    # protection manager is told. The time before that is the authority's; 24 hours is the
    # usual trigger in missing-from-home protocols. Escalation goes to the senior manager
    # (the deadline's responsible person), so no reminder and no management ladder.
    _hours("missing_escalation", "Missing child traced (or senior manager told)",
           "Child reported missing", 24, "003 Children who go Missing (time set locally)",
           responsible_role=_SENIOR, reminder_before=0, service_manager_after=0,
           head_of_service_after=0),
    # Statutory guidance on children who run away or go missing (DfE 2014): a return
    # interview offered within 72 hours of the child being found.
    _hours("return_interview", "Return interview offered", "Child found", 72,
           "003 Children who go Missing; DfE missing children guidance (72 hours)",
           reminder_before=24),
    # 003 "Death of a Child Subject to a Child Protection Plan": the senior child protection
    # manager notifies the safeguarding partnership's chair (no time given: next working day).
    RuleSpec("death_partnership_notification", "Safeguarding partnership chair told of death",
             "Child's death reported", 1, _WD, responsible_role=_SENIOR,
             source="003 Death of a Child (time set locally)", reminder_before=0),
    # 003 ibid.: a serious case review considered; Working Together 2018 §4.22: a rapid
    # review within 15 working days of the notification.
    RuleSpec("serious_case_review_consideration", "Rapid review / serious case review decided",
             "Child's death reported", 15, _WD, responsible_role=_SENIOR,
             source="003 Death of a Child; Working Together 2018 (rapid review)",
             reminder_before=3),
    # 002 §3.2: the ICPC before an emergency protection order or police protection expires
    # where further legal action is planned.
    RuleSpec("icpc_before_order_expiry", "ICPC held before the order expires",
             "Emergency protection order or police protection ends", 0, _DAYS,
             direction=_BEFORE, responsible_role=_TM, source="002 §3.2", reminder_before=2),
    # 002 §3.3: immediately on conclusion of a child assessment order's assessments.
    RuleSpec("icpc_after_cao", "ICPC held after the assessment order's assessments",
             "Child assessment order assessments concluded", 0, _DAYS, responsible_role=_TM,
             source="002 §3.3", reminder_before=0),
    # 003 "Child Protection Conference Complaints": the independent chair acknowledges within
    # 5, considers within 15 and replies within 30 working days of receipt; an appeal panel
    # meets within 20 working days of the written notice; the outcome 5 working days after.
    RuleSpec("complaint_chair_acknowledge", "Independent chair acknowledged the complaint",
             "Complaint received by the independent chair", 5, _WD, responsible_role=_CHAIR,
             source="003 Complaints", reminder_before=1),
    RuleSpec("complaint_chair_consider", "Independent chair considered the documents",
             "Complaint received by the independent chair", 15, _WD, responsible_role=_CHAIR,
             source="003 Complaints"),
    RuleSpec("complaint_chair_reply", "Independent chair's written response",
             "Complaint received by the independent chair", 30, _WD, responsible_role=_CHAIR,
             source="003 Complaints", reminder_before=5),
    RuleSpec("appeal_panel", "Appeal panel met", "Written notice of appeal received", 20, _WD,
             responsible_role=_CHAIR, source="003 Complaints", reminder_before=5),
    RuleSpec("appeal_outcome", "Appeal outcome sent", "Appeal panel meeting", 5, _WD,
             responsible_role=_CHAIR, source="003 Complaints", reminder_before=1),
    # 003 "Discontinuing the Child Protection Plan": the views of agencies not at the
    # conference sought in writing within 10 working days (responses within 10 more).
    RuleSpec("plan_end_views", "Views of absent agencies sought", "Review conference", 10,
             _WD, responsible_role=_CHAIR, source="003 Discontinuing the plan"),
    # 003 ibid.: after the first review at 3 months (stepdown_review) the child's plan is
    # reviewed at least every 6 months.
    RuleSpec("cin_review_next", "Child in Need plan reviewed", "Previous Child in Need review",
             6, _MONTHS, source="003 Discontinuing the plan", reminder_before=10),
    # 003 "Professional Challenge": five stages, each resolved "within a time frame which
    # clearly protects the child". Defaults (working days per stage) follow the common LSCB
    # escalation protocols; the authority sets its own.
    RuleSpec("challenge_stage", "Professional challenge stage resolved", "Stage started", 5,
             _WD, responsible_role=_TM, source="003 Professional Challenge (time set locally)",
             reminder_before=1, variants={"1": 2, "2": 5, "3": 10, "4": 10, "5": 20}),
    # 003 "Transfer-in conferences": the receiving authority's conference within 15 working
    # days of notification of the move; our plan ends only after it (transfer out).
    RuleSpec("transfer_out_conference", "Receiving authority's transfer-in conference",
             "Receiving authority notified of the move", 15, _WD, responsible_role=_TM,
             source="003 Discontinuing the plan", reminder_before=3),
)
NATIONAL_RULES = NATIONAL_RULES + LIFE_EVENT_RULES

RULE_IDS: tuple[str, ...] = tuple(r.rule_id for r in NATIONAL_RULES)


@dataclass(frozen=True)
class ProfileSpec:
    slug: str
    name: str
    description: str
    # Who may authorise an ICPC beyond 15 working days (DOMAIN §2.7).
    icpc_delay_role: str
    # rule_id → fields that differ from the national default
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def rules(self) -> tuple[RuleSpec, ...]:
        return tuple(replace(r, **self.changes.get(r.rule_id, {})) for r in NATIONAL_RULES)


PROFILES: tuple[ProfileSpec, ...] = (
    ProfileSpec(NATIONAL, "National default",
                "The first column of the timescale rules: statutory guidance and the "
                "procedures' common ground.", Role.HEAD_OF_SERVICE),
    ProfileSpec("bexley-000", "Bexley (000)",
                "London Borough of Bexley: reports to the family 48 hours before; only the "
                "Head of Service (PSQA) may approve an ICPC beyond 15 working days.",
                Role.HEAD_OF_SERVICE,
                {"report_to_family": {"offset": 48, "unit": Unit.HOURS, "source": "000",
                                      "reminder_before": 24}}),
    ProfileSpec("birmingham-001", "Birmingham (001)",
                "Birmingham Children's Trust: the national timescales.",
                Role.HEAD_OF_SERVICE),
    ProfileSpec("wirral-002", "Wirral (002)",
                "Wirral: invitation details within 5 working days of the decision; the team "
                "manager authorises ICPC delays with reasons (002 §3.5).",
                Role.TEAM_MANAGER,
                {"invitation_list": {"offset": 5, "unit": Unit.WORKING_DAYS,
                                     "anchor": "Decision to convene", "source": "002 §2.6",
                                     "reminder_before": REMINDER_BEFORE}}),
    ProfileSpec("darlington-003", "Darlington (003)",
                "Darlington: reports to the family 2 working days before; records to "
                "professionals in 20 working days; reviews at 91 and 182 days; the team "
                "manager authorises ICPC delays.",
                Role.TEAM_MANAGER,
                {"report_to_family": {"offset": 2, "source": "003", "reminder_before": 1},
                 "record_to_professionals": {"offset": 20, "source": "003"},
                 "record_amendment_window": {"offset": 10, "unit": Unit.WORKING_DAYS,
                                             "source": "003"},
                 "first_review": {"offset": 91, "unit": Unit.CALENDAR_DAYS},
                 "next_review": {"offset": 182, "unit": Unit.CALENDAR_DAYS}}),
    ProfileSpec("dudley-004", "Dudley (004)",
                "Dudley: ICPC requested by day 3 of the S47 enquiry; reports to the family 5 "
                "working days before; the first core group straight after the ICPC.",
                Role.HEAD_OF_SERVICE,
                {"icpc_request": {"offset": 3, "unit": Unit.WORKING_DAYS,
                                  "anchor": "S47 enquiry started", "source": "004",
                                  "reminder_before": 1},
                 "report_to_family": {"offset": 5, "source": "004"},
                 "core_group_first": {"offset": 0, "unit": Unit.CALENDAR_DAYS,
                                      "source": "004", "reminder_before": 0}}),
)

RULE_FIELDS = ("name", "anchor", "offset", "unit", "direction", "responsible_role", "source",
               "reminder_before", "service_manager_after", "head_of_service_after", "variants")


def national_rule(rule_id: str) -> RuleSpec:
    for rule in NATIONAL_RULES:
        if rule.rule_id == rule_id:
            return rule
    raise KeyError(rule_id)


def load_shipped_profiles(profile_model: Any = None, rule_model: Any = None) -> int:
    """Create or refresh the shipped profiles and their rules (idempotent).

    The models may be passed in (a migration's historical models). Returns rules written.
    Authorities' own overrides are separate rows and are never touched.
    """
    if profile_model is None or rule_model is None:
        from deadlines.models import PolicyProfile, PolicyRule

        profile_model, rule_model = PolicyProfile, PolicyRule
    written = 0
    for spec in PROFILES:
        profile, _ = profile_model.objects.update_or_create(
            slug=spec.slug, defaults={"name": spec.name, "description": spec.description,
                                      "icpc_delay_role": spec.icpc_delay_role,
                                      "shipped": True})
        for rule in spec.rules():
            rule_model.objects.update_or_create(
                profile=profile, rule_id=rule.rule_id,
                defaults={f: getattr(rule, f) for f in RULE_FIELDS})
            written += 1
    return written
