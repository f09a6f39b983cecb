"""Demo data for the statutory returns: four children whose histories fall in the 2025-26
census year (1 April 2025 to 31 March 2026), so that `cin_census --year 2026` has children
and validates, the readiness page is clean, and Annex A lists 5 and 7 for the twelve months
to 31 March 2026 have rows (docs/decisions.md: the rest of the demo is dated relative to
today, in the 2026-27 year, whose census cannot be made before 31 March 2027).

These histories predate cpcases: they are loaded as records, the way a migration from the
previous case system would load them, not replayed through the workflows (which act on
today). The `icpc` due dates are the engine's: the S47 start is emitted to it
(deadlines.lifecycle), and the conference meets it. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from cpcases.accounts.models import Authority, Team, User
from cpcases.children.models import Allocation, Child, Ethnicity, Sex

D = dt.date.fromisoformat


def _at(day: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(D(day), dt.time(hour)))


def _child(authority: Authority, team: Team, worker: User, la_child_id: str, first: str,
           last: str, dob: str, sex: str, **extra: object) -> Child:
    child = Child.objects.create(
        authority=authority, la_child_id=la_child_id, first_name=first, last_name=last,
        date_of_birth=D(dob), sex=sex, ethnicity=extra.pop("ethnicity", Ethnicity.WBRI),
        address="5 Orchard Row, Anytown", postcode="AN8 5OR", **extra)
    Allocation.objects.create(child=child, team=team, social_worker=worker,
                              started_on=D("2024-11-04"), reason="Demo allocation")
    return child


@transaction.atomic
def seed_returns_demo(stdout: TextIO) -> None:
    from conferences.models import Conference, ConferenceKind, ConferenceStatus
    from cpcases.plans.models import ChildProtectionPlan, CinPlan, PlanEndReason
    from deadlines import lifecycle
    from frontdoor.models import (
        Assessment,
        AssessmentOutcome,
        ClosureReason,
        PrimaryNeed,
        Referral,
        ReferralSource,
    )
    from strategy.models import (
        DiscussionChild,
        DiscussionFormat,
        S47Outcome,
        Section47Enquiry,
        StrategyDiscussion,
        Urgency,
    )

    authority = Authority.objects.filter(slug="anyshire").first()
    team = Team.objects.filter(service__authority=authority,
                               name="North Assessment Team").first()
    users = {u.username: u for u in User.objects.filter(
        username__in=["sw.sam", "tm.tara", "chair.chris", "bso.bola"])}
    if authority is None or team is None or len(users) < 4:
        stdout.write("Returns demo skipped: run seed_demo first.")
        return
    if Child.objects.filter(authority=authority, la_child_id="RET2501").exists():
        return
    sam, tara = users["sw.sam"], users["tm.tara"]

    def referral(child: Child, day: str, source: str, need: str = PrimaryNeed.N1,
                 **extra: object) -> Referral:
        return Referral.objects.create(authority=authority, child=child,
                                       referral_date=D(day), source=source,
                                       primary_need=need, created_by=tara, **extra)

    def assessment(ref: Referral, start: str, authorised: str | None,
                   factors: list[str]) -> None:
        Assessment.objects.create(
            referral=ref, child=ref.child, social_worker=sam, allocated_at=_at(start, 9),
            started_on=D(start), factors=factors, outcome=AssessmentOutcome.STRATEGY_DISCUSSION
            if authorised else "", completed_on=D(authorised) if authorised else None,
            authorised_by=tara if authorised else None,
            authorised_at=_at(authorised, 16) if authorised else None,
            summary="Loaded from the previous case system.")

    def s47(child: Child, day: str, outcome: str = S47Outcome.SUBSTANTIATED) -> None:
        talk = StrategyDiscussion.objects.create(
            authority=authority, concern_identified_at=_at(day, 9),
            urgency=Urgency.CP_CONCERNS, format=DiscussionFormat.MEETING,
            held_at=_at(day, 14), information_shared="Loaded from the previous case system.")
        DiscussionChild.objects.create(discussion=talk, child=child, s47_initiated=True)
        enquiry = Section47Enquiry.objects.create(
            child=child, initiated_by=talk, started_on=D(day), outcome=outcome,
            outcome_date=D(day) + dt.timedelta(days=7), decided_by=tara)
        # The engine sets the ICPC due date (the census's InitialCPCtarget).
        lifecycle.emit(lifecycle.Event.S47_INITIATED, child=child, actor=tara,
                       subject=enquiry, anchor=D(day), only=["icpc"])
        if outcome == S47Outcome.NOT_SUBSTANTIATED:
            lifecycle.emit(lifecycle.Event.S47_NOT_SUBSTANTIATED, child=child, actor=tara,
                           at=_at(day, 17) + dt.timedelta(days=7), only=["icpc"])

    def conference(child: Child, day: str, kind: str = ConferenceKind.INITIAL) -> Conference:
        held = Conference.objects.create(
            authority=authority, kind=kind, date=D(day), start_time=dt.time(10),
            venue="Anytown Civic Centre", chair=users["chair.chris"],
            minute_taker=users["bso.bola"], status=ConferenceStatus.HELD)
        held.children.add(child)
        if kind == ConferenceKind.INITIAL:
            lifecycle.emit(lifecycle.Event.CONFERENCE_STARTED, child=child, actor=tara,
                           at=_at(day), only=["icpc"])
        return held

    # 1. Referred by the police, S47, initial conference, plan for neglect, two reviews;
    # still on a plan on 31 March 2026.
    freya = _child(authority, team, sam, "RET2501", "Freya", "Lane", "2016-02-11", Sex.FEMALE,
                   disabilities=["NONE"], upn="K999000125001")
    ref = referral(freya, "2025-05-06", ReferralSource.POLICE)
    assessment(ref, "2025-05-07", "2025-06-10", ["3B", "16A"])
    s47(freya, "2025-05-08")
    icpc = conference(freya, "2025-05-29")
    ChildProtectionPlan.objects.create(authority=authority, child=freya, conference=icpc,
                                       started_on=D("2025-05-29"), category="NEG",
                                       lead_social_worker=sam)
    conference(freya, "2025-08-28", ConferenceKind.REVIEW)
    conference(freya, "2026-02-26", ConferenceKind.REVIEW)
    # 2. Referred by the school; S47 not substantiated, no conference needed; closed.
    owen = _child(authority, team, sam, "RET2502", "Owen", "Marsh", "2012-07-03", Sex.MALE,
                  ethnicity=Ethnicity.MWBC, upn="Z999000125002")
    ref = referral(owen, "2025-09-12", ReferralSource.SCHOOLS, PrimaryNeed.N4,
                   closure_date=D("2025-11-20"), closure_reason=ClosureReason.RC7)
    assessment(ref, "2025-09-12", "2025-10-24", ["4B"])
    s47(owen, "2025-09-15", S47Outcome.NOT_SUBSTANTIATED)
    # 3. A referral that needed no further action.
    _child(authority, team, sam, "RET2503", "Poppy", "Reid", "2019-01-22", Sex.FEMALE,
           upn_unknown_reason="UN7")
    referral(Child.objects.get(authority=authority, la_child_id="RET2503"), "2025-10-01",
             ReferralSource.ANONYMOUS, "", no_further_action=True,
             closure_date=D("2025-10-01"), closure_reason=ClosureReason.RC8)
    # 4. On a plan for physical abuse since November 2024; the plan ended at its review in
    # August 2025 and a child in need plan followed.
    jay = _child(authority, team, sam, "RET2504", "Jay", "Quinn", "2014-05-30", Sex.MALE,
                 ethnicity=Ethnicity.BAFR, disabilities=["LD"], upn="C999000125004")
    ref = referral(jay, "2024-11-04", ReferralSource.HEALTH_VISITOR)
    assessment(ref, "2024-11-04", "2024-12-16", ["18B"])
    s47(jay, "2024-11-05")
    icpc = conference(jay, "2024-11-25")
    conference(jay, "2025-02-24", ConferenceKind.REVIEW)
    ended = conference(jay, "2025-08-11", ConferenceKind.REVIEW)
    plan = ChildProtectionPlan.objects.create(
        authority=authority, child=jay, conference=icpc, started_on=D("2024-11-25"),
        category="PHY", lead_social_worker=sam, ended_on=D("2025-08-11"),
        end_reason=PlanEndReason.NO_LONGER_AT_RISK, end_conference=ended, ended_by=tara)
    CinPlan.objects.create(authority=authority, child=jay, from_plan=plan,
                           started_on=D("2025-08-11"), lead_professional=sam,
                           summary="Step-down support after the plan ended.")
    stdout.write("Returns demo: four children with 2025-26 census histories (RET2501-4).")
