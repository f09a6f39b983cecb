"""Demo data for the performance figures (issue 16 point 6): four children of the two demo
teams whose plans ran this return year, so that `make run` shows figures with something in
them: contacts, referrals, enquiries, initial conferences on time and late, first core
groups, visits and reviews on time and late, plans by category, an earlier plan that lasted
over two years, and a repeat plan. Dated relative to today (the rest of the demo is); every
plan ended three working days ago, so nothing here is left open for anyone's work list.

Loaded as records, the way a migration from the previous case system would load them (as
returns.demo does); every timeliness figure is the deadline engine's own judgement:
`deadline_set` computes each due date from the authority's policy and `deadline_meet` /
the `icpc` lifecycle decides met or missed. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from cpcases.accounts.models import Authority, Team, User
from cpcases.children.models import Allocation, Child, Sex

CATEGORIES = ("NEG", "EMO", "PHY", "SAB")
# (first name, last name, date of birth, sex): children PF2601-PF2604.
NAMES = [("Isla", "Brennan", "2015-03-02", Sex.FEMALE),
         ("Theo", "Clarke", "2012-10-19", Sex.MALE),
         ("Ava", "Dunmore", "2018-06-07", Sex.FEMALE),
         ("Leo", "Farrow", "2016-01-25", Sex.MALE)]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@transaction.atomic
def seed_performance_demo(stdout: TextIO) -> None:
    from conferences.models import Conference, ConferenceKind, ConferenceStatus
    from cpcases.chronology.models import Visit, VisitLocation
    from cpcases.plans.models import ChildProtectionPlan, PlanEndReason
    from deadlines import lifecycle
    from deadlines.models import Deadline, DeadlineStatus
    from deadlines.services import calendar_for, deadline_cancel, deadline_meet, deadline_set
    from frontdoor.models import Contact, ContactChild, ContactDecision, Referral
    from strategy.models import (
        DiscussionChild,
        DiscussionFormat,
        S47Outcome,
        Section47Enquiry,
        StrategyDiscussion,
        Urgency,
    )

    authority = Authority.objects.filter(slug="anyshire").first()
    teams = {t.name: t for t in Team.objects.filter(
        service__authority=authority, name__in=["North Assessment Team", "South Assessment Team"])}
    users = {u.username: u for u in User.objects.filter(
        username__in=["sw.sam", "sw.bea", "tm.tara", "tm.ben", "chair.chris", "bso.bola"])}
    if authority is None or len(teams) < 2 or len(users) < 6:
        stdout.write("Performance demo skipped: run seed_demo first.")
        return
    if Child.objects.filter(authority=authority, la_child_id="PF2601").exists():
        return
    today = timezone.localdate()
    calendar = calendar_for(authority)
    ended_on = calendar.add_working_days(today, -3)
    sides = [(teams["North Assessment Team"], users["sw.sam"], users["tm.tara"]),
             (teams["South Assessment Team"], users["sw.bea"], users["tm.ben"])]

    def child(number: int, allocated_on: dt.date) -> tuple[Child, User, User]:
        first, last, dob, sex = NAMES[number - 1]
        team, worker, manager = sides[number % 2]
        made = Child.objects.create(
            authority=authority, la_child_id=f"PF26{number:02d}", first_name=first,
            last_name=last, date_of_birth=dt.date.fromisoformat(dob), sex=sex,
            address=f"{number} Mill Lane, Anytown", postcode="AN3 7ML", disabilities=["NONE"],
            upn_unknown_reason="UN7")  # census rule 8770: a reason for no pupil number
        Allocation.objects.create(child=made, team=team, social_worker=worker,
                                  started_on=allocated_on, reason="Demo allocation")
        return made, worker, manager

    def conference(kid: Child, day: dt.date, kind: str) -> Conference:
        held = Conference.objects.create(
            authority=authority, kind=kind, date=day, start_time=dt.time(10),
            venue="Anytown Civic Centre", chair=users["chair.chris"],
            minute_taker=users["bso.bola"], status=ConferenceStatus.HELD)
        held.children.add(kid)
        return held

    def end_plan(plan: ChildProtectionPlan, manager: User, review: Conference | None) -> None:
        plan.ended_on, plan.end_reason, plan.ended_by = (
            review.date if review else ended_on, PlanEndReason.NO_LONGER_AT_RISK, manager)
        plan.end_conference = review
        plan.save(update_fields=["ended_on", "end_reason", "ended_by", "end_conference"])
        for left in Deadline.objects.filter(child=plan.child, status=DeadlineStatus.OPEN):
            deadline_cancel(deadline=left, reason="The plan ended", user=manager)

    # Contact, referral, enquiry, initial conference, plan, core group, visits, review.
    for i in range(len(NAMES)):
        number = i + 1
        start = calendar.add_working_days(today, -(130 - 25 * i))
        kid, worker, manager = child(number, start - dt.timedelta(days=2))
        if i == 0:
            # An earlier plan that lasted over two years and ended within the last two: this
            # year's plan is a repeat plan.
            ChildProtectionPlan.objects.create(
                authority=authority, child=kid, started_on=start - dt.timedelta(days=900),
                category="NEG", lead_social_worker=worker,
                ended_on=start - dt.timedelta(days=60),
                end_reason=PlanEndReason.NO_LONGER_AT_RISK, ended_by=manager)
        contact = Contact.objects.create(
            authority=authority, team=sides[number % 2][0], received_at=_at(start, 9)
            - dt.timedelta(days=2), source="6" if i % 2 else "2A", consent="not_sought",
            concern="Loaded from the previous case system.", decision=ContactDecision.REFERRAL,
            decided_at=_at(start, 15) - dt.timedelta(days=2), decided_by=manager)
        ContactChild.objects.create(contact=contact, child=kid)
        Referral.objects.create(authority=authority, child=kid, contact=contact,
                                referral_date=start - dt.timedelta(days=1),
                                source=contact.source, primary_need="N1", created_by=manager)
        talk = StrategyDiscussion.objects.create(
            authority=authority, concern_identified_at=_at(start, 9),
            urgency=Urgency.CP_CONCERNS, format=DiscussionFormat.MEETING, held_at=_at(start, 14),
            information_shared="Loaded from the previous case system.")
        DiscussionChild.objects.create(discussion=talk, child=kid, s47_initiated=True)
        enquiry = Section47Enquiry.objects.create(
            child=kid, initiated_by=talk, started_on=start, outcome=S47Outcome.SUBSTANTIATED,
            outcome_date=calendar.add_working_days(start, 8), decided_by=manager)
        lifecycle.emit(lifecycle.Event.S47_INITIATED, child=kid, actor=manager,
                       subject=enquiry, anchor=start, only=["icpc"])
        # One initial conference was held late (the engine judges it).
        held_on = calendar.add_working_days(start, 19 if i == 1 else 12)
        icpc = conference(kid, held_on, ConferenceKind.INITIAL)
        lifecycle.emit(lifecycle.Event.CONFERENCE_STARTED, child=kid, actor=manager,
                       at=_at(held_on), only=["icpc"])
        plan = ChildProtectionPlan.objects.create(
            authority=authority, child=kid, conference=icpc, started_on=held_on,
            category=CATEGORIES[i], lead_social_worker=worker)
        first_core = deadline_set(child=kid, rule_id="core_group_first", anchor=held_on,
                                  subject=plan, user=manager)
        deadline_meet(deadline=first_core, user=manager, at=_at(calendar.add_working_days(
            held_on, 14 if i == 2 else 7)))
        # Visits: the child seen every eight working days, once after a fortnight's gap.
        seen = deadline_set(child=kid, rule_id="child_seen", anchor=held_on, subject=plan,
                            user=manager)
        day, visit_number = held_on, 0
        while True:
            visit_number += 1
            day = calendar.add_working_days(day, 13 if (i == 3 and visit_number == 3) else 8)
            if day >= ended_on:
                break
            visit = Visit.objects.create(
                child=kid, visited_at=_at(day, 11), visited_by=worker,
                location=VisitLocation.HOME, child_seen=True, seen_alone=True,
                notes="Loaded from the previous case system.", created_by=worker)
            deadline_meet(deadline=seen, at=visit.visited_at, user=worker)
            seen = deadline_set(child=kid, rule_id="child_seen", anchor=day, subject=visit,
                                user=worker)
        # The first review: on time, but late for one child; every plan ended at a review
        # three working days ago (the newest at its first review, before it fell due).
        first_review = deadline_set(child=kid, rule_id="first_review", anchor=held_on,
                                    subject=plan, user=manager)
        review_on = calendar.add_working_days(first_review.due_date, 6 if i == 1 else -3)
        if review_on < ended_on:
            conference(kid, review_on, ConferenceKind.REVIEW)
            deadline_meet(deadline=first_review, at=_at(review_on), user=manager)
        review = conference(kid, ended_on, ConferenceKind.REVIEW)
        if review_on >= ended_on:
            deadline_meet(deadline=first_review, at=_at(ended_on), user=manager)
        end_plan(plan, manager, review)

    stdout.write("Performance demo: four children whose plans ran this year (PF2601-4).")
