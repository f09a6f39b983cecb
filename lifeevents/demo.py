"""Demo data for the life-event pages (called by seed_demo; idempotent), through the
services:
- the authority's safeguarding contacts: Sunita (service manager) is the senior child
  protection manager; the partnership's chair is named;
- Daniel Okoro (team A, on a plan) is missing now, reported this morning by Sam;
- Aisha Khan went missing last week and was found: her return interview is due;
- Lily Smith (team A, in a Section 47 enquiry) is under an emergency protection order with
  legal action planned, so her initial conference is due before it expires;
- Grace Okoro's mother has complained about the conference's decision: a response is due.
- Poppy Hughes (team B, on a plan from the plans demo): an early review two working days
  ago, after her step-father was sentenced, ended her plan (exceptional circumstance: a
  custodial sentence) with a Child in Need plan to follow. The health visitor and the school
  were invited and not there: their views were asked for; the health visitor's is in, the
  school's is outstanding (`plan_end_views` runs, held by chair.chris).
- Jordan Vale (the demo's sealed record on team A): the restriction is marked through the
  service by Tara Jones, naming Harriet Wood, so it has its reason and marking manager (the
  same people see it as before; Sam Patel, his allocated worker, must break the glass).
"""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.children.models import Child
from lifeevents import ending, restriction, services
from lifeevents.models import (
    AgencyViewRequest,
    Complaint,
    LegalOrder,
    MissingEpisode,
    OrderKind,
    RecordRestriction,
    SafeguardingContacts,
)


def _child(authority_id: int, first: str, last: str) -> Child | None:
    return Child.objects.filter(authority_id=authority_id, first_name=first,
                                last_name=last).first()


def seed_lifeevents_demo(stdout: TextIO) -> None:
    sw = User.objects.filter(username="sw.sam").first()
    tm = User.objects.filter(username="tm.tara").first()
    sm = User.objects.filter(username="sm.sunita").first()
    if sw is None or tm is None or sm is None:
        stdout.write("Life events demo: the demo users are missing; run seed_demo first.")
        return
    authority_id = sw.authority_id
    SafeguardingContacts.objects.get_or_create(
        authority_id=authority_id,
        defaults={"senior_cp_manager": sm, "partnership_chair_name": "Dr Morgan Reid",
                  "partnership_chair_email": "chair@anytown-partnership.example",
                  "partnership_address": "Safeguarding Partnership, Civic Centre, Anytown"})
    now = timezone.now()
    made = 0
    daniel = _child(authority_id, "Daniel", "Okoro")
    if daniel and not MissingEpisode.objects.filter(child=daniel).exists():
        services.missing_episode_record(
            child=daniel, user=sw, last_seen_at=now - dt.timedelta(hours=5),
            last_seen_by="Mrs Okoro (mother), at the school gate",
            circumstances="Did not arrive at school; phone switched off.")
        made += 1
    aisha = _child(authority_id, "Aisha", "Khan")
    if aisha and not MissingEpisode.objects.filter(child=aisha).exists():
        episode = services.missing_episode_record(
            child=aisha, user=sw, last_seen_at=now - dt.timedelta(hours=30),
            last_seen_by="Class teacher", circumstances="Left school at lunchtime.")
        services.missing_episode_found(episode=episode, user=sw,
                                       found_at=now - dt.timedelta(hours=20),
                                       found_note="At a friend's flat; police returned her.")
        made += 1
    lily = _child(authority_id, "Lily", "Smith")
    if lily and not LegalOrder.objects.filter(child=lily).exists():
        today = timezone.localdate()
        services.legal_order_record(child=lily, user=sw, kind=OrderKind.EPO,
                                    starts_on=today - dt.timedelta(days=2),
                                    ends_on=today + dt.timedelta(days=6),
                                    legal_action_planned=True,
                                    note="Granted by the family court; placed with aunt.")
        made += 1
    grace = _child(authority_id, "Grace", "Okoro")
    if grace and not Complaint.objects.filter(child=grace).exists():
        services.complaint_receive(
            child=grace, user=tm, complainant_name="Mrs Okoro",
            complainant_relationship="Mother", about="decision",
            details="I do not agree that Grace needs a child protection plan.",
            received_on=timezone.localdate(), complainant_address="14 Elm Road, Anytown")
        made += 1
    made += _plan_ended_at_review(authority_id)
    made += _restricted_record(authority_id, tm)
    stdout.write(f"Life events demo: {made} records added.")


def _plan_ended_at_review(authority_id: int) -> int:
    """Poppy Hughes's plan ended at an early review; one absent agency's view is in."""
    from conferences.models import Conference, ConferenceKind, InvitedHow, InviteeKind
    from conferences.outcomes import services as outcomes
    from conferences.outcomes.models import (
        AttendanceStatus,
        ChildDecision,
        ExceptionalCircumstance,
        ParticipantType,
    )
    from conferences.preparation import services as preparation
    from cpcases.accounts.roles import Agency
    from cpcases.plans.models import PlanEndReason
    from cpcases.plans.services import current_plan
    from deadlines.services import calendar_for

    poppy = _child(authority_id, "Poppy", "Hughes")
    users = {u.username: u for u in User.objects.filter(
        username__in=["chair.chris", "bso.bola", "sw.bea"])}
    chair, bso, bea = users.get("chair.chris"), users.get("bso.bola"), users.get("sw.bea")
    if poppy is None or chair is None or bso is None or bea is None or \
            current_plan(poppy) is None or ChildDecision.objects.filter(child=poppy).exists():
        return 0
    calendar = calendar_for(authority_id)
    held_on = calendar.add_working_days(timezone.localdate(), -2)
    if held_on <= current_plan(poppy).started_on:
        return 0
    review = Conference.objects.create(
        authority_id=authority_id, kind=ConferenceKind.REVIEW, date=held_on,
        start_time=dt.time(14), venue="Room 1, Othertown Family Centre", chair=chair,
        minute_taker=bso, created_by=bso, updated_by=bso)
    review.children.set([poppy])
    invited = [
        preparation.invitation_add(user=bso, conference=review, kind=InviteeKind.PROFESSIONAL,
                                   name=name, agency=agency, role=role, email=email,
                                   mobile=mobile)
        for name, agency, role, email, mobile in (
            ("Rita Bell", Agency.HEALTH, "Health visitor", "rita.bell@nhs.example",
             "07700 900311"),
            ("Tom Hale", Agency.EDUCATION, "Head teacher, Othertown Primary",
             "tom.hale@othertown-primary.example", "07700 900312"),
            ("DC Pat Morgan", Agency.POLICE, "Public protection unit",
             "pat.morgan@police.example", "07700 900313"),
            ("Lena Price", Agency.PROBATION, "Probation officer", "lena.price@probation.example",
             "07700 900314"))]
    sent_at = timezone.make_aware(dt.datetime.combine(
        calendar.add_working_days(held_on, -3), dt.time(9)))
    preparation.invitations_record_sent(
        user=bso, conference=review, at=sent_at,
        methods={i.pk: InvitedHow.LETTER if i.agency == Agency.EDUCATION else InvitedHow.EMAIL
                 for i in invited})
    for name, agency, role, status, kind in (
            (bea.full_name, Agency.CHILDRENS_SOCIAL_CARE, "Social worker",
             AttendanceStatus.PRESENT, ParticipantType.PROFESSIONAL),
            ("DC Pat Morgan", Agency.POLICE, "Public protection unit", AttendanceStatus.PRESENT,
             ParticipantType.PROFESSIONAL),
            ("Lena Price", Agency.PROBATION, "Probation officer", AttendanceStatus.PRESENT,
             ParticipantType.PROFESSIONAL),
            ("Tom Hale", Agency.EDUCATION, "Head teacher", AttendanceStatus.APOLOGIES,
             ParticipantType.PROFESSIONAL),
            ("Sarah Hughes", "", "Mother", AttendanceStatus.PRESENT, ParticipantType.FAMILY)):
        outcomes.attendance_add(conference=review, user=bso, data=outcomes.AttendanceData(
            name=name, agency=agency, role=role, status=status, direct_contact=True,
            report_sent=False, participant_type=kind))
    outcomes.conference_start(conference=review, user=chair)
    decision = outcomes.child_decision_record(
        conference=review, child=poppy, user=chair, data=outcomes.DecisionData(
            outcome="end", end_reason=PlanEndReason.NO_LONGER_AT_RISK,
            exceptional_circumstance=ExceptionalCircumstance.CUSTODIAL,
            reasons="Mark Hughes, who hurt Poppy, has been sentenced to four years in prison "
                    "and has left the household; probation confirm the licence conditions "
                    "forbid contact. The risk of significant harm is removed.",
            start_cin_plan=True, cin_first_meeting_on=calendar.add_working_days(held_on, 10)))
    # The decision letter goes out on the day, as the outcomes demo's does; the record's
    # clocks run on (business support's queue).
    outcomes.decision_letter_issue(conference=review, user=bso)
    asked = AgencyViewRequest.objects.filter(views__plan=decision.plan, agency=Agency.HEALTH
                                             ).first()
    if asked is not None:
        ending.agency_view_record(
            request=asked, user=bea, received_on=timezone.localdate(),
            view="Health agrees the plan can end. The health visitor will keep seeing Poppy "
                 "monthly and will tell the social worker of any concern.")
    return 1


def _restricted_record(authority_id: int, manager: User) -> int:
    """The demo's sealed record, marked through the service with its reason and the people
    named (the same people who saw it before)."""
    jordan = _child(authority_id, "Jordan", "Vale")
    harriet = User.objects.filter(username="hos.harriet").first()
    if jordan is None or harriet is None or \
            RecordRestriction.objects.filter(child=jordan).exists():
        return 0
    restriction.record_restrict(
        child=jordan, user=manager, named=[harriet],
        reason="Jordan's mother works in the council's children's services: only the team "
               "manager and the head of service see the record.")
    return 1
