"""Demo data for the request-and-booking queues (called by seed_demo; idempotent).

Every queue gets work:
- Smith (team A): a request awaiting the team manager's approval (tm.tara);
- Williams (team B): approved, Harry has had a plan before so the service manager must agree
  (sm.sunita), and a delay authorisation awaits the head of service (hos.harriet);
- Murphy (team B): approved, waiting for business support to book (bso.bola);
- Brown (team A): Mia's ICPC booked within timescale, chaired by chair.chris.

The S47 story behind each (strategy discussion, substantiated enquiry, threshold decision)
is written through the strategy app's services when it is not already there.
"""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from conferences import selectors, services
from conferences.models import ConferenceRequest, DelayStatus
from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from deadlines.services import calendar_for


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _children(authority_id: int, last_name: str, first_names: list[str]) -> list[Child]:
    return list(Child.objects.filter(authority_id=authority_id, last_name=last_name,
                                     first_name__in=first_names).order_by("date_of_birth"))


def _s47_story(children: list[Child], sw: User, tm: User) -> None:
    """A strategy discussion two working days ago that initiated the S47 enquiries,
    substantiated today, with the team manager's threshold decision."""
    from strategy import services as strategy
    from strategy.models import S47Outcome, Urgency
    from strategy.selectors import latest_threshold_decision
    from strategy.services import current_enquiry

    today = timezone.localdate()
    held_on = calendar_for(children[0].authority_id).add_working_days(today, -2)
    held_at = timezone.make_aware(dt.datetime.combine(held_on, dt.time(10)))
    fresh = [c for c in children if current_enquiry(c) is None]
    if fresh:
        participants = [
            strategy.ParticipantData(sw.full_name, Agency.CHILDRENS_SOCIAL_CARE,
                                     "social_worker"),
            strategy.ParticipantData(tm.full_name, Agency.CHILDRENS_SOCIAL_CARE, "manager"),
            strategy.ParticipantData("Dr Hana Patel", Agency.HEALTH, "professional"),
            strategy.ParticipantData("DC Pat Morgan", Agency.POLICE, "professional"),
        ]
        strategy.strategy_discussion_record(
            user=sw, children=fresh, concern_identified_at=held_at - dt.timedelta(hours=3),
            urgency=Urgency.CP_CONCERNS, format="meeting", held_at=held_at,
            outcomes={c.pk: strategy.S47 for c in fresh}, participants=participants,
            information_shared="School reported injuries; police checks shared.")
    for child in children:
        enquiry = current_enquiry(child)
        if enquiry is not None and enquiry.is_open:
            strategy.s47_record_outcome(user=sw, enquiry=enquiry,
                                        outcome=S47Outcome.SUBSTANTIATED, outcome_date=today,
                                        reasons="Likely to suffer significant harm.")
        decision = latest_threshold_decision(child)
        if decision is None or not decision.met:
            strategy.threshold_decide(user=tm, child=child, harm_evidenced=True,
                                      attributable_to_parental_care=True, harm_likely=True,
                                      rationale="All three Significant Harm Checklist steps "
                                                "answered yes.")


def _existing(children: list[Child]) -> ConferenceRequest | None:
    return ConferenceRequest.objects.filter(requested_children__child__in=children).first()


def _request(children: list[Child], sw: User, tm: User, *, approve: bool,
             had_plan_before: list[int] | None = None) -> ConferenceRequest | None:
    if not children or _existing(children):
        return None
    _s47_story(children, sw, tm)
    request = services.conference_request_create(
        user=sw, children=children, had_plan_before=had_plan_before or [],
        reason="Section 47 enquiry substantiated: the children are likely to suffer "
               "significant harm.")
    services.conference_request_submit(user=sw, request=request)
    if approve:
        services.conference_request_approve(user=tm, request=request,
                                            note="Threshold met for each child.")
    return request


@transaction.atomic
def seed_booking_demo(stdout: TextIO) -> None:
    """Create the demo's conference requests, delay authorisation and booked ICPC (once)."""
    sam, tara = _user("sw.sam"), _user("tm.tara")
    bea, ben = _user("sw.bea"), _user("tm.ben")
    bola, chris = _user("bso.bola"), _user("chair.chris")
    authority_id = sam.authority_id

    smith = _children(authority_id, "Smith", ["Lily", "Jack"])
    if _request(smith, sam, tara, approve=False):
        stdout.write("  Smith: conference request awaiting the team manager's approval.\n")

    williams = _children(authority_id, "Williams", ["Harry", "Freya", "Isla"])
    created = _request(williams, bea, ben, approve=True, had_plan_before=[williams[0].pk])
    if created:
        due = selectors.icpc_due_date(created)
        if due is not None and not created.delay_authorisations.filter(
                status=DelayStatus.REQUESTED).exists():
            services.delay_authorisation_request(
                user=ben, request=created,
                latest_date=calendar_for(authority_id).add_working_days(due, 5),
                danger_statements=["Harry may be hurt again when his mother's partner "
                                   "visits.", "Isla may be left without food or care."],
                rationale="The police interviews cannot take place before the due date.")
        stdout.write("  Williams: approved; awaiting the service manager (second conference) "
                     "and a delay authorisation from the head of service.\n")

    murphy = _children(authority_id, "Murphy", ["Ruby", "Alfie", "Evie"])
    if _request(murphy, bea, ben, approve=True):
        stdout.write("  Murphy: approved, waiting for business support to book.\n")

    brown = _children(authority_id, "Brown", ["Mia"])
    booked = _request(brown, sam, tara, approve=True)
    if booked:
        within = [s.date for s in selectors.candidate_slots(booked) if s.within_timescale]
        # About a week away, on a day every preparation deadline can still be met (attendee
        # details a week before, 004): the fifth working day alone fell six days away when
        # the demo was made at a weekend, and the booking was refused.
        on = next((day for day in within[min(4, len(within) - 1):]
                   if not services.booking_impossible_deadlines(booked, day, dt.time(10))),
                  within[-1])
        services.conference_book(user=bola, request=booked, on=on, start_time=dt.time(10),
                                 chair=chris, minute_taker=bola,
                                 venue="Room 2, Civic Centre, Anytown")
        stdout.write(f"  Brown: Mia's ICPC booked for {on:%-d %B %Y} at 10:00.\n")
