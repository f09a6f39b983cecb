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

    def span(self) -> str:
        """The timescale's length in words ("24 hours", "3 days", "1 working day"): what pages
        say instead of a number of their own."""
        unit = Unit(self.unit).label
        if self.offset == 1:
            unit = unit.removesuffix("s")
        return f"{self.offset} {unit}"

    def describe(self) -> str:
        if self.offset == 0:
            return f"same day as {self.anchor.lower()}" if self.direction == Direction.AFTER \
                else f"on or before {self.anchor.lower()}"
        return f"{self.span()} {Direction(self.direction).label} {self.anchor.lower()}"


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
    # --- the front door (frontdoor app) ---
    # 003 "Making Contact": a decision on a contact within 24 hours of its receipt (clock
    # hours, so across a weekend too).
    _hours("contact_decision", "Decision on a contact", "Contact received", 24,
           "003 Making Contact", responsible_role=_TM),
    # 003 "Making Contact": the referrer acknowledged within 10 working days of the referral.
    RuleSpec("referral_acknowledged", "Referrer acknowledged", "Referral", 10, _WD,
             responsible_role=_TM, source="003 Making Contact"),
    # 003 "Single Assessment": a social worker allocated within 2 working days of the referral.
    RuleSpec("assessment_allocated", "Single assessment allocated", "Referral", 2, _WD,
             responsible_role=_TM, source="003 Single Assessment", reminder_before=1),
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
# The chair and panel are the partnership's, not users here: the team manager tracks them.
    RuleSpec("complaint_chair_acknowledge", "Independent chair acknowledged the complaint",
             "Complaint received by the independent chair", 5, _WD, responsible_role=_TM,
             source="003 Complaints", reminder_before=1),
    RuleSpec("complaint_chair_consider", "Independent chair considered the documents",
             "Complaint received by the independent chair", 15, _WD, responsible_role=_TM,
             source="003 Complaints"),
    RuleSpec("complaint_chair_reply", "Independent chair's written response",
             "Complaint received by the independent chair", 30, _WD, responsible_role=_TM,
             source="003 Complaints", reminder_before=5),
    RuleSpec("appeal_panel", "Appeal panel met", "Written notice of appeal received", 20, _WD,
             responsible_role=_TM, source="003 Complaints", reminder_before=5),
    RuleSpec("appeal_outcome", "Appeal outcome sent", "Appeal panel meeting", 5, _WD,
             responsible_role=_TM, source="003 Complaints", reminder_before=1),
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
        # By name: deadlines.models imports this module (no import circle, issue 15 §7).
        from django.apps import apps

        profile_model = apps.get_model("deadlines", "PolicyProfile")
        rule_model = apps.get_model("deadlines", "PolicyRule")
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


# --- lifecycle: what opens, meets and ends each rule, and who must act ------------------------
#
# Workflow services emit named events (deadlines.lifecycle.emit); the engine applies these
# declarations. A deadline is opened by one event, met by one (met, or missed when late), and
# when the thing it prepares for happens or can no longer happen, ended by others: *missed*
# (never done) or *cancelled* (its anchor was undone), with the reason (DOMAIN §4). Nothing
# about a rule's life is written as a special case in a workflow.


class Event(models.TextChoices):
    """The events of the pathway that open, meet or end deadlines (DOMAIN §2)."""

    CONCERN_RECORDED = "concern_recorded", "a concern about the child was recorded"
    STRATEGY_DISCUSSION_HELD = "strategy_discussion_held", "a strategy discussion was held"
    S47_INITIATED = "s47_initiated", "a Section 47 enquiry was initiated"
    S47_CONCLUDED = "s47_concluded", "the Section 47 enquiry concluded"
    S47_NOT_SUBSTANTIATED = "s47_not_substantiated", "the enquiry was not substantiated"
    ICPC_REQUESTED = "icpc_requested", "the manager requested the conference"
    ICPC_REQUEST_CANCELLED = "icpc_request_cancelled", "the conference request was cancelled"
    TRANSFER_NOTIFIED = "transfer_notified", "a transfer-in was agreed or notified"
    PREBIRTH_REQUESTED = "prebirth_requested", "a pre-birth conference was requested"
    CONFERENCE_BOOKED = "conference_booked", "the conference was booked"
    INVITATION_LIST_COMPLETED = "invitation_list_completed", "the invitation list was completed"
    ATTENDEE_DETAILS_GIVEN = "attendee_details_given", "the attendee details were given"
    REPORT_COUNTERSIGNED = "report_countersigned", "the report was countersigned"
    REPORT_SHARED_WITH_FAMILY = "report_shared_with_family", "the report was shared with the family"
    REPORT_SHARED_WITH_CHAIR = "report_shared_with_chair", "the report was shared with the chair"
    AGENCY_REPORT_RECEIVED = "agency_report_received", "an agency report reached the chair"
    ORIGINATING_REPORT_RECEIVED = "originating_report_received", \
        "the originating authority's report arrived"
    EXCLUSION_REQUESTED = "exclusion_requested", "an exclusion request was made"
    CONFERENCE_STARTED = "conference_started", "the conference started"
    CONFERENCE_CANCELLED = "conference_cancelled", "the conference was cancelled"
    CONFERENCE_ADJOURNED = "conference_adjourned", "the conference was adjourned"
    CHILD_REMOVED_FROM_CONFERENCE = "child_removed_from_conference", \
        "the child was removed from the conference"
    CHILD_DECIDED = "child_decided", "the conference decided for the child"
    PLAN_STARTED = "plan_started", "a child protection plan started"
    DECISION_LETTER_SENT = "decision_letter_sent", "the decision letter was sent"
    RECORD_TO_PROFESSIONALS = "record_to_professionals", \
        "the record was sent to professionals"
    RECORD_TO_FAMILY = "record_to_family", "the record was sent to the family"
    RECORD_RECEIVED = "record_received", "the family received the record"
    AMENDMENT_REQUESTED = "amendment_requested", "an amendment to the record was requested"
    CORE_GROUP_HELD = "core_group_held", "a core group met"
    PLAN_DISTRIBUTED = "plan_distributed", "the detailed plan was distributed"
    REVIEW_BOOKED = "review_booked", "a review conference was due to be booked"
    INQUORATE = "inquorate", "the conference was inquorate"
    CHILD_BORN = "child_born", "the baby was born"
    CHILD_SEEN = "child_seen", "the child was seen"
    BEDROOM_SEEN = "bedroom_seen", "the child's sleeping place was seen"
    PLAN_ENDED = "plan_ended", "the child protection plan ended"
    STEPDOWN_MEETING_HELD = "stepdown_meeting_held", "the step-down meeting was held"
    STEPDOWN_REVIEW_HELD = "stepdown_review_held", "the step-down review was held"
    CONSULTATION_REQUESTED = "consultation_requested", "a consultation was requested"
    CONSULTATION_CHAIR_ASSIGNED = "consultation_chair_assigned", "a chair was assigned"
    CONSULTATION_HELD = "consultation_held", "the chair held the consultation"
    CONSULTATION_RECORDED = "consultation_recorded", "the chair recorded the consultation"
    RESOURCE_DISAGREEMENT = "resource_disagreement", \
        "the conference recorded a disagreement about resources"
    RESOURCE_DISPARITY_RESOLVED = "resource_disparity_resolved", \
        "the service manager resolved the resource disparity"
    COMPLAINT_RECEIVED = "complaint_received", "a complaint was received"
    COMPLAINT_RESPONDED = "complaint_responded", "the complaint was responded to"
    CHILD_TURNS_18 = "child_turns_18", "the child turned 18"
    CHILD_MOVED_AWAY = "child_moved_away", "the child moved to another authority"
    CHILD_CLOSED = "child_closed", "the child's case was closed"
    # --- the front door (frontdoor app; 003 "Making Contact", "Single Assessment") ---
    CONTACT_RECEIVED = "contact_received", "a contact was received"
    CONTACT_DECIDED = "contact_decided", "the front door decided the contact"
    REFERRAL_RECEIVED = "referral_received", "a referral was accepted"
    REFERRER_ACKNOWLEDGED = "referrer_acknowledged", "the referrer was acknowledged"
    ASSESSMENT_ALLOCATED = "assessment_allocated", "the single assessment was allocated"
    ASSESSMENT_COMPLETED = "assessment_completed", "the single assessment was completed"
    REFERRAL_CLOSED = "referral_closed", "the referral (Child in Need episode) closed"
    # Life on and off a plan (issue 11, lifeevents)
    CHILD_MISSING = "child_missing", "the child was reported missing"
    CHILD_FOUND = "child_found", "the missing child was found"
    RETURN_INTERVIEW_OFFERED = "return_interview_offered", "a return interview was offered"
    CHILD_DIED = "child_died", "the child's death was reported"
    PARTNERSHIP_NOTIFIED = "partnership_notified", \
        "the safeguarding partnership's chair was told"
    DEATH_REVIEW_DECIDED = "death_review_decided", "the review of the death was decided"
    ORDER_EXPIRY_SET = "order_expiry_set", \
        "an emergency protection order or police protection was made with legal action planned"
    CAO_ASSESSMENTS_CONCLUDED = "cao_assessments_concluded", \
        "the child assessment order's assessments concluded"
    COMPLAINT_TO_CHAIR = "complaint_to_chair", "the complaint went to the independent chair"
    COMPLAINT_ACKNOWLEDGED = "complaint_acknowledged", "the independent chair acknowledged it"
    COMPLAINT_CONSIDERED = "complaint_considered", "the independent chair considered it"
    COMPLAINT_CHAIR_REPLIED = "complaint_chair_replied", "the independent chair replied"
    APPEAL_RECEIVED = "appeal_received", "an appeal was received"
    APPEAL_PANEL_MET = "appeal_panel_met", "the appeal panel met"
    APPEAL_OUTCOME_SENT = "appeal_outcome_sent", "the appeal outcome was sent"
    COMPLAINT_CLOSED = "complaint_closed", "the complaint was closed"
    PLAN_END_PROPOSED = "plan_end_proposed", "ending the plan was proposed at a review"
    AGENCY_VIEWS_SOUGHT = "agency_views_sought", "absent agencies' views were sought"
    CIN_REVIEW_HELD = "cin_review_held", "the Child in Need plan was reviewed"
    CIN_PLAN_ENDED = "cin_plan_ended", "the Child in Need plan ended"
    CHALLENGE_STAGE_STARTED = "challenge_stage_started", "a challenge stage started"
    CHALLENGE_STAGE_RESOLVED = "challenge_stage_resolved", "a challenge stage ended"
    TRANSFER_OUT_NOTIFIED = "transfer_out_notified", \
        "the receiving authority was told of the move"
    TRANSFER_OUT_CONFERENCE_HELD = "transfer_out_conference_held", \
        "the receiving authority held its transfer-in conference"


class End(models.TextChoices):
    """How an open deadline ends when the event it prepares for can no longer be met."""

    MISSED = "missed", "missed (never done)"
    CANCELLED = "cancelled", "cancelled (its anchor was undone)"


class Holder(models.TextChoices):
    """The role that must act on a deadline, resolved to whoever holds it for this child or
    conference now (deadlines.holders)."""

    ALLOCATED_SOCIAL_WORKER = "allocated_social_worker", "Allocated social worker"
    LEAD_SOCIAL_WORKER = "lead_social_worker", "Lead social worker"
    TEAM_MANAGER = "team_manager", "Team manager"
    SERVICE_MANAGER = "service_manager", "Service manager"
    # A queue: nobody in particular; anyone in business support may pick it up.
    BUSINESS_SUPPORT = "business_support", "Business support (team queue)"
    CHAIR = "chair", "The assigned chair"
    # A queue: the agencies invited to the conference.
    PARTNER_AGENCY = "partner_agency", "Partner agencies"
    # Named by the authority (lifeevents.SafeguardingContacts), not by the case: the caller
    # passes the person (holders.resolve has nobody, so `responsible` stands). 003.
    SENIOR_CP_MANAGER = "senior_cp_manager", "Senior child protection manager"


QUEUE_HOLDERS = frozenset({Holder.BUSINESS_SUPPORT, Holder.PARTNER_AGENCY})

_E = Event

# Events after which nothing of the child's case here is left to do: every rule ends with
# them, cancelled (the anchor, this authority's work with the child, is undone).
CASE_ENDS: dict[str, str] = {_E.CHILD_MOVED_AWAY: End.CANCELLED,
                             _E.CHILD_CLOSED: End.CANCELLED}

# The conference a preparation deadline prepares for: held (missed if not done by then),
# adjourned (the sitting happened without it: missed), cancelled or the child taken off it
# (cancelled).
_PREPARES_CONFERENCE: dict[str, str] = {
    _E.CONFERENCE_STARTED: End.MISSED, _E.CONFERENCE_ADJOURNED: End.MISSED,
    _E.CONFERENCE_CANCELLED: End.CANCELLED, _E.CHILD_REMOVED_FROM_CONFERENCE: End.CANCELLED}
# Deadlines that run while the child is on a plan end with it.
_WHILE_ON_PLAN: dict[str, str] = {_E.PLAN_ENDED: End.CANCELLED}
# Deadlines leading to a conference end when it is no longer needed.
_LEADS_TO_CONFERENCE: dict[str, str] = {_E.S47_NOT_SUBSTANTIATED: End.CANCELLED,
                                        _E.ICPC_REQUEST_CANCELLED: End.CANCELLED}


@dataclass(frozen=True)
class Lifecycle:
    """One rule's life: the event that opens it, the event that meets it, the events that
    end it (event → how), and the role that must act. `ended_by` always includes CASE_ENDS."""

    opened_by: str
    met_by: str
    holder: str
    ended_by: dict[str, str] = field(default_factory=dict)
    # Further events that meet it, for a deadline the workflow anchored elsewhere (emitted
    # with `scope`, so they meet only the deadline about that record).
    also_met_by: tuple[str, ...] = ()

    def ends(self) -> dict[str, str]:
        return {**CASE_ENDS, **self.ended_by}

    def meets(self) -> tuple[str, ...]:
        return (self.met_by, *self.also_met_by)


_SW_, _LEAD, _TM_ = Holder.ALLOCATED_SOCIAL_WORKER, Holder.LEAD_SOCIAL_WORKER, \
    Holder.TEAM_MANAGER
_BSQ, _CH, _PA = Holder.BUSINESS_SUPPORT, Holder.CHAIR, Holder.PARTNER_AGENCY

LIFECYCLES: dict[str, Lifecycle] = {
    # 000: from the point concern is identified; the discussion meets it. A concern may be
    # closed with no discussion only with the case.
    "strategy_discussion": Lifecycle(_E.CONCERN_RECORDED, _E.STRATEGY_DISCUSSION_HELD, _SW_),
    # 003: from the referral, met by the assessment's completion (frontdoor). A child with no
    # referral recorded gets one anchored on the S47 start (strategy.services), which the
    # enquiry's outcome meets: S47_CONCLUDED is emitted scoped to that enquiry, so it never
    # meets a referral's clock.
    "assessment": Lifecycle(_E.REFERRAL_RECEIVED, _E.ASSESSMENT_COMPLETED, _SW_,
                            {_E.REFERRAL_CLOSED: End.CANCELLED},
                            also_met_by=(_E.S47_CONCLUDED,)),
    # --- the front door (frontdoor app) ---
    # 003 "Making Contact": the decision within 24 hours; the front-door team's manager.
    "contact_decision": Lifecycle(_E.CONTACT_RECEIVED, _E.CONTACT_DECIDED, _TM_),
    "referral_acknowledged": Lifecycle(_E.REFERRAL_RECEIVED, _E.REFERRER_ACKNOWLEDGED, _TM_,
                                       {_E.REFERRAL_CLOSED: End.CANCELLED}),
    "assessment_allocated": Lifecycle(_E.REFERRAL_RECEIVED, _E.ASSESSMENT_ALLOCATED, _TM_,
                                      {_E.REFERRAL_CLOSED: End.CANCELLED}),
    # 000: the manager requests the date on the day of the strategy discussion (before the
    # outcome); an enquiry not substantiated means no conference to request.
    "icpc_request": Lifecycle(_E.S47_INITIATED, _E.ICPC_REQUESTED, _TM_,
                              {_E.S47_NOT_SUBSTANTIATED: End.CANCELLED}),
    "icpc_date_offered": Lifecycle(_E.ICPC_REQUESTED, _E.CONFERENCE_BOOKED, _BSQ,
                                   {_E.ICPC_REQUEST_CANCELLED: End.CANCELLED}),
    "invitation_list": Lifecycle(_E.CONFERENCE_BOOKED, _E.INVITATION_LIST_COMPLETED, _SW_,
                                 _PREPARES_CONFERENCE),
    "attendee_details": Lifecycle(_E.CONFERENCE_BOOKED, _E.ATTENDEE_DETAILS_GIVEN, _SW_,
                                  _PREPARES_CONFERENCE),
    "icpc": Lifecycle(_E.S47_INITIATED, _E.CONFERENCE_STARTED, _TM_, _LEADS_TO_CONFERENCE),
    # 000: business support told within 5 working days when the conference is no longer
    # needed: opened by the outcome that makes it unnecessary, met by the cancellation.
    "icpc_cancellation": Lifecycle(_E.S47_NOT_SUBSTANTIATED, _E.ICPC_REQUEST_CANCELLED, _TM_,
                                   {_E.CONFERENCE_STARTED: End.MISSED}),
    "transfer_conference": Lifecycle(_E.TRANSFER_NOTIFIED, _E.CONFERENCE_STARTED, _TM_,
                                     {_E.ICPC_REQUEST_CANCELLED: End.CANCELLED}),
    "originating_report": Lifecycle(_E.CONFERENCE_BOOKED, _E.ORIGINATING_REPORT_RECEIVED,
                                    _TM_, _PREPARES_CONFERENCE),
    "prebirth_conference": Lifecycle(_E.PREBIRTH_REQUESTED, _E.CONFERENCE_STARTED, _TM_,
                                     {_E.ICPC_REQUEST_CANCELLED: End.CANCELLED,
                                      _E.CHILD_BORN: End.MISSED}),
    "report_countersigned": Lifecycle(_E.CONFERENCE_BOOKED, _E.REPORT_COUNTERSIGNED, _TM_,
                                      _PREPARES_CONFERENCE),
    "report_to_family": Lifecycle(_E.CONFERENCE_BOOKED, _E.REPORT_SHARED_WITH_FAMILY, _LEAD,
                                  _PREPARES_CONFERENCE),
    "report_to_chair": Lifecycle(_E.CONFERENCE_BOOKED, _E.REPORT_SHARED_WITH_CHAIR, _LEAD,
                                 _PREPARES_CONFERENCE),
    "agency_report_to_chair": Lifecycle(_E.CONFERENCE_BOOKED, _E.AGENCY_REPORT_RECEIVED, _PA,
                                        _PREPARES_CONFERENCE),
    "exclusion_request": Lifecycle(_E.EXCLUSION_REQUESTED, _E.EXCLUSION_REQUESTED, _SW_,
                                   _PREPARES_CONFERENCE),
    "consultation_chair_assigned": Lifecycle(_E.CONSULTATION_REQUESTED,
                                             _E.CONSULTATION_CHAIR_ASSIGNED, _BSQ),
    "consultation_recorded": Lifecycle(_E.CONSULTATION_HELD, _E.CONSULTATION_RECORDED, _CH),
    "decision_letter": Lifecycle(_E.CHILD_DECIDED, _E.DECISION_LETTER_SENT, _CH),
    "record_to_professionals": Lifecycle(_E.CHILD_DECIDED, _E.RECORD_TO_PROFESSIONALS, _BSQ),
    "record_to_family": Lifecycle(_E.CHILD_DECIDED, _E.RECORD_TO_FAMILY, _BSQ),
    "record_amendment_window": Lifecycle(_E.RECORD_RECEIVED, _E.AMENDMENT_REQUESTED, _CH,
                                         {_E.CONFERENCE_STARTED: End.CANCELLED}),
    "core_group_first": Lifecycle(_E.PLAN_STARTED, _E.CORE_GROUP_HELD, _LEAD, _WHILE_ON_PLAN),
    "core_group_next": Lifecycle(_E.CORE_GROUP_HELD, _E.CORE_GROUP_HELD, _LEAD,
                                 _WHILE_ON_PLAN),
    "plan_distributed": Lifecycle(_E.CORE_GROUP_HELD, _E.PLAN_DISTRIBUTED, _LEAD,
                                  _WHILE_ON_PLAN),
    "first_review": Lifecycle(_E.PLAN_STARTED, _E.CONFERENCE_STARTED, _TM_, _WHILE_ON_PLAN),
    "next_review": Lifecycle(_E.REVIEW_BOOKED, _E.CONFERENCE_STARTED, _TM_, _WHILE_ON_PLAN),
    "prebirth_first_review": Lifecycle(_E.CHILD_BORN, _E.CONFERENCE_STARTED, _TM_,
                                       _WHILE_ON_PLAN),
    "inquorate_reconvene": Lifecycle(_E.INQUORATE, _E.CONFERENCE_STARTED, _CH,
                                     {_E.CONFERENCE_CANCELLED: End.CANCELLED}),
    "child_seen": Lifecycle(_E.PLAN_STARTED, _E.CHILD_SEEN, _LEAD, _WHILE_ON_PLAN),
    "bedroom_seen": Lifecycle(_E.PLAN_STARTED, _E.BEDROOM_SEEN, _LEAD, _WHILE_ON_PLAN),
    "stepdown_meeting": Lifecycle(_E.PLAN_ENDED, _E.STEPDOWN_MEETING_HELD, _SW_,
                                  {_E.PLAN_STARTED: End.CANCELLED}),
    "stepdown_review": Lifecycle(_E.PLAN_ENDED, _E.STEPDOWN_REVIEW_HELD, _SW_,
                                 {_E.PLAN_STARTED: End.CANCELLED}),
    # 002 §19.3: the service manager resolves a disagreement about resources within 3 days.
    "resource_disparity": Lifecycle(_E.RESOURCE_DISAGREEMENT, _E.RESOURCE_DISPARITY_RESOLVED,
                                    Holder.SERVICE_MANAGER),
    "complaint_response": Lifecycle(_E.COMPLAINT_RECEIVED, _E.COMPLAINT_RESPONDED, _TM_),
    "eighteenth_birthday_review": Lifecycle(_E.PLAN_STARTED, _E.CONFERENCE_STARTED, _TM_,
                                            {**_WHILE_ON_PLAN,
                                             _E.CHILD_TURNS_18: End.MISSED}),
}

# Life on and off a plan (issue 11, lifeevents): one block, sources cited in LIFE_EVENT_RULES.
_SCPM = Holder.SENIOR_CP_MANAGER
_COMPLAINT_CLOSES = {_E.COMPLAINT_CLOSED: End.CANCELLED}
_DIES = {_E.CHILD_DIED: End.CANCELLED}
LIFECYCLES.update({
    "missing_escalation": Lifecycle(_E.CHILD_MISSING, _E.CHILD_FOUND, _SCPM, _DIES),
    "return_interview": Lifecycle(_E.CHILD_FOUND, _E.RETURN_INTERVIEW_OFFERED, _LEAD, _DIES),
    "death_partnership_notification": Lifecycle(_E.CHILD_DIED, _E.PARTNERSHIP_NOTIFIED,
                                                _SCPM),
    "serious_case_review_consideration": Lifecycle(_E.CHILD_DIED, _E.DEATH_REVIEW_DECIDED,
                                                   _SCPM),
    "icpc_before_order_expiry": Lifecycle(_E.ORDER_EXPIRY_SET, _E.CONFERENCE_STARTED, _TM_,
                                          {**_LEADS_TO_CONFERENCE, **_DIES}),
    "icpc_after_cao": Lifecycle(_E.CAO_ASSESSMENTS_CONCLUDED, _E.CONFERENCE_STARTED, _TM_,
                                {**_LEADS_TO_CONFERENCE, **_DIES}),
    "complaint_chair_acknowledge": Lifecycle(_E.COMPLAINT_TO_CHAIR,
                                             _E.COMPLAINT_ACKNOWLEDGED, _TM_,
                                             _COMPLAINT_CLOSES),
    "complaint_chair_consider": Lifecycle(_E.COMPLAINT_TO_CHAIR, _E.COMPLAINT_CONSIDERED,
                                          _TM_, _COMPLAINT_CLOSES),
    "complaint_chair_reply": Lifecycle(_E.COMPLAINT_TO_CHAIR, _E.COMPLAINT_CHAIR_REPLIED,
                                       _TM_, _COMPLAINT_CLOSES),
    "appeal_panel": Lifecycle(_E.APPEAL_RECEIVED, _E.APPEAL_PANEL_MET, _TM_,
                              _COMPLAINT_CLOSES),
    "appeal_outcome": Lifecycle(_E.APPEAL_PANEL_MET, _E.APPEAL_OUTCOME_SENT, _TM_,
                                _COMPLAINT_CLOSES),
    # Opened when the review decides to end the plan (the requests go out then), met when
    # the last absent agency's view is recorded; it outlives the plan it asks about.
    "plan_end_views": Lifecycle(_E.PLAN_END_PROPOSED, _E.AGENCY_VIEWS_SOUGHT, _CH, _DIES),
    "cin_review_next": Lifecycle(_E.CIN_REVIEW_HELD, _E.CIN_REVIEW_HELD, _SW_,
                                 {_E.CIN_PLAN_ENDED: End.CANCELLED, **_DIES}),
    "challenge_stage": Lifecycle(_E.CHALLENGE_STAGE_STARTED, _E.CHALLENGE_STAGE_RESOLVED,
                                 _TM_),
    "transfer_out_conference": Lifecycle(_E.TRANSFER_OUT_NOTIFIED,
                                         _E.TRANSFER_OUT_CONFERENCE_HELD, _TM_, _DIES),
})


def lifecycle(rule_id: str) -> Lifecycle:
    return LIFECYCLES[rule_id]


def rules_opened_by(event: str) -> list[str]:
    return [r for r, lc in LIFECYCLES.items() if lc.opened_by == event]


def rules_met_by(event: str) -> list[str]:
    return [r for r, lc in LIFECYCLES.items() if event in lc.meets()]


def rules_ended_by(event: str) -> dict[str, str]:
    return {r: lc.ends()[event] for r, lc in LIFECYCLES.items() if event in lc.ends()}
