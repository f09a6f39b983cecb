"""Building blocks for the conference day tests: a conference, its attendance, a quorate
start and decisions, through the app's own services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from conferences.models import Conference, ConferenceKind
from conferences.outcomes import services
from conferences.outcomes.models import AttendanceStatus, ChildDecision, ParticipantType
from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from cpcases.plans.services import MemberData


def make_conference(*, children: Sequence[Child], on: dt.date, chair: User,
                    minute_taker: User, kind: str = ConferenceKind.INITIAL) -> Conference:
    conference = Conference.objects.create(
        authority_id=children[0].authority_id, kind=kind, date=on, start_time=dt.time(10),
        venue="Room 2, Civic Centre", chair=chair, minute_taker=minute_taker)
    conference.children.set(children)
    return conference


def attend(conference: Conference, user: User, name: str, agency: str, *,
           status: str = AttendanceStatus.PRESENT, direct_contact: bool = True,
           report_sent: bool = False, participant_type: str = ParticipantType.PROFESSIONAL,
           attendee: User | None = None) -> object:
    return services.attendance_add(conference=conference, user=user, data=services.AttendanceData(
        name=name, agency=agency, status=status, direct_contact=direct_contact,
        report_sent=report_sent, participant_type=participant_type, user=attendee))


def quorate_attendance(conference: Conference, user: User) -> None:
    """Children's social care, health and school, both with direct contact; a parent."""
    attend(conference, user, "Sam Social", Agency.CHILDRENS_SOCIAL_CARE)
    attend(conference, user, "Hana Health", Agency.HEALTH)
    attend(conference, user, "Ed School", Agency.EDUCATION)
    attend(conference, user, "Grace Okafor", "", participant_type=ParticipantType.FAMILY,
           direct_contact=False)


def started(conference: Conference, *, minute_taker: User, chair: User) -> Conference:
    quorate_attendance(conference, minute_taker)
    services.conference_start(conference=conference, user=chair)
    conference.refresh_from_db()
    return conference


def plan_data(lead: User, *, category: str = "NEG", first_core_group_on: dt.date | None = None,
              **extra: object) -> services.DecisionData:
    return services.DecisionData(
        outcome="plan", category=category, reasons="Continuing risk of significant harm.",
        recommendations="Parenting assessment; school attendance monitored.",
        outline_plan="Daily school attendance; weekly home visits.",
        contingency="Legal planning meeting if the plan is not followed.",
        lead_social_worker=lead, first_core_group_on=first_core_group_on or dt.date(2027, 5, 11),
        core_group=[MemberData(name="Hana Health", agency=Agency.HEALTH)],
        agency_views=[services.AgencyViewData(Agency.HEALTH, "Plan needed."),
                      services.AgencyViewData(Agency.EDUCATION, "No plan: CIN would do.",
                                              dissents=True)],
        **extra)  # type: ignore[arg-type]


def cin_data(**extra: object) -> services.DecisionData:
    return services.DecisionData(outcome="cin", reasons="Needs help, no continuing risk.",
                                 cin_first_meeting_on=dt.date(2027, 5, 18),
                                 **extra)  # type: ignore[arg-type]


def decide(conference: Conference, child: Child, chair: User,
           data: services.DecisionData) -> ChildDecision:
    return services.child_decision_record(conference=conference, child=child, user=chair,
                                          data=data)
