"""Demo data for the conference day pages (called by seed_demo; idempotent).

- Okoro (team A): the initial conference that made Grace's and Daniel's plans, held 6 working
  days ago (the plans demo's date), chaired by chair.chris and minuted by bso.bola: quorate
  attendance (the police sent apologies and a report; housing neither came nor wrote, and has
  had a non-attendance letter), safety scores, each child's decision, the decision letter
  issued, the record signed off and sent to professionals; the review conference is booked
  three months on with its deadlines running.
  Where the plans demo has already started a child's plan, the decision points at that plan
  (no second plan is started); otherwise the decision starts it.
"""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from conferences.models import Conference, ConferenceKind
from conferences.outcomes import services
from conferences.outcomes.models import (
    AttendanceStatus,
    ChildDecision,
    ParticipantType,
)
from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from cpcases.plans.models import ChildProtectionPlan, PlanCategory
from cpcases.plans.services import MemberData, current_plan
from deadlines.services import calendar_for

REASONS = ("Neglect of the children's basic needs is continuing: missed health appointments, "
           "poor home conditions and hunger reported by school. The risk of significant harm "
           "continues (003).")
OUTLINE = ("Grace and Daniel have regular meals, clean clothes and a safe, warm home; their "
           "health appointments are kept.")
CONTINGENCY = ("If the plan is not followed or the children are harmed, a strategy discussion "
               "is held the same day and legal advice is sought.")


def _attendance(conference: Conference, bso: User, police: User | None, sw: User) -> None:
    rows = [
        (sw.full_name, Agency.CHILDRENS_SOCIAL_CARE, "Social worker", AttendanceStatus.PRESENT,
         True, True, None, ParticipantType.PROFESSIONAL),
        ("Nurse K Adeyemi", Agency.HEALTH, "School nurse", AttendanceStatus.PRESENT, True,
         True, None, ParticipantType.PROFESSIONAL),
        ("Ms J Whitfield", Agency.EDUCATION, "Designated safeguarding lead",
         AttendanceStatus.PRESENT, True, True, None, ParticipantType.PROFESSIONAL),
        ("DC Pat Morgan", Agency.POLICE, "Public protection unit", AttendanceStatus.APOLOGIES,
         False, True, police, ParticipantType.PROFESSIONAL),
        ("Mr R Patel", Agency.HOUSING, "Housing officer", AttendanceStatus.ABSENT, True, False,
         None, ParticipantType.PROFESSIONAL),
        ("Blessing Okoro", "", "Mother", AttendanceStatus.PRESENT, False, False, None,
         ParticipantType.FAMILY),
        ("Samuel Okoro", "", "Father", AttendanceStatus.APOLOGIES, False, False, None,
         ParticipantType.FAMILY),
    ]
    for name, agency, role, status, contact, report, user, kind in rows:
        services.attendance_add(conference=conference, user=bso, data=services.AttendanceData(
            name=name, agency=agency, role=role, status=status, direct_contact=contact,
            report_sent=report, user=user, participant_type=kind))


def _decide(conference: Conference, child: Child, chair: User, sw: User) -> ChildDecision:
    views = [services.AgencyViewData(Agency.HEALTH, "Supports a plan under neglect."),
             services.AgencyViewData(Agency.EDUCATION, "Supports a plan under neglect."),
             services.AgencyViewData(Agency.CHILDRENS_SOCIAL_CARE, "Recommends a plan.")]
    plan = current_plan(child)
    if plan is not None:
        return services.child_decision_link_plan(conference=conference, child=child,
                                                 user=chair, plan=plan, reasons=REASONS,
                                                 agency_views=views)
    calendar = calendar_for(conference.authority_id)
    return services.child_decision_record(
        conference=conference, child=child, user=chair, data=services.DecisionData(
            outcome="plan", category=PlanCategory.NEGLECT, reasons=REASONS,
            recommendations="Parenting support; GP registration; school attendance reported "
                            "weekly.",
            outline_plan=OUTLINE, contingency=CONTINGENCY, lead_social_worker=sw,
            first_core_group_on=calendar.add_working_days(conference.date, 8),
            core_group=[MemberData(name="Nurse K Adeyemi", agency=Agency.HEALTH),
                        MemberData(name="Ms J Whitfield", agency=Agency.EDUCATION)],
            agency_views=views))


@transaction.atomic
def seed_outcomes_demo(stdout: TextIO) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=[
        "chair.chris", "bso.bola", "sw.sam", "police.pat"])}
    chair, bso, sw = users.get("chair.chris"), users.get("bso.bola"), users.get("sw.sam")
    if chair is None or bso is None or sw is None:
        stdout.write("Conference outcomes demo: the demo users are missing; run seed_demo "
                     "first.\n")
        return
    children = list(Child.objects.filter(authority=chair.authority, last_name="Okoro",
                                         is_restricted=False).order_by("date_of_birth"))
    if not children:
        stdout.write("Conference outcomes demo: no Okoro children.\n")
        return
    if ChildDecision.objects.filter(child__in=children).exists():
        stdout.write("Conference outcomes demo: the Okoro conference is already recorded.\n")
        return
    existing = ChildProtectionPlan.objects.filter(child__in=children,
                                                  ended_on__isnull=True).first()
    calendar = calendar_for(chair.authority)
    on = existing.started_on if existing else calendar.add_working_days(
        timezone.localdate(), -6)
    conference = Conference.objects.create(
        authority=chair.authority, kind=ConferenceKind.INITIAL, date=on,
        start_time=dt.time(10), venue="Room 3, Civic Centre, Anytown", chair=chair,
        minute_taker=bso, created_by=bso, updated_by=bso)
    conference.children.set(children)
    _attendance(conference, bso, users.get("police.pat"), sw)
    services.conference_start(conference=conference, user=chair)
    for child in children:
        services.safety_scores_record(
            conference=conference, child=child, user=chair,
            scores=[services.ScoreData(sw.full_name, 2, Agency.CHILDRENS_SOCIAL_CARE),
                    services.ScoreData("Nurse K Adeyemi", 3, Agency.HEALTH),
                    services.ScoreData("Ms J Whitfield", 2, Agency.EDUCATION),
                    services.ScoreData("Blessing Okoro", 7)])
    decisions = [_decide(conference, child, chair, sw) for child in children]
    services.record_update(conference=conference, user=bso, sections={
        "purpose": "To decide whether Grace and Daniel are at continuing risk of significant "
                   "harm and need child protection plans.",
        "facts": "School reported hunger and unwashed uniform; two missed dental "
                 "appointments; the home was cold and without food at the last visit.",
        "opinions": "Health and school consider the neglect long-standing.",
        "child_views": "Grace wants to stay at home and would like help with meals.",
        "parent_views": "Blessing accepts help is needed; Samuel sent his apologies.",
        "discussion": "The conference discussed the impact of neglect and the family's "
                      "strengths."}, confidential_sections=["opinions"])
    services.decision_letter_issue(conference=conference, user=bso)
    services.decisions_summary_issue(conference=conference, user=bso)
    services.non_attendance_letters_issue(conference=conference, user=chair)
    services.record_sign_off(conference=conference, user=chair)
    review = decisions[0].review_conference
    stdout.write(f"Conference outcomes demo: Okoro conference of {on:%-d %B %Y} recorded; "
                 f"review booked for {review.date:%-d %B %Y}.\n")
