"""Demo data for the front door, on top of `seed_demo`'s authority, service and users: a MASH
team with a duty social worker and its manager, and contacts, referrals and single
assessments in every state. Everything goes through the services, so the clocks are the
engine's. Idempotent: nothing is added once the MASH has contacts."""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from cpcases.accounts.demo import demo_password_hash
from cpcases.accounts.models import Authority, Service, Team, User
from cpcases.accounts.roles import Agency, Role
from cpcases.children.models import Child, Sex
from frontdoor import services
from frontdoor.models import (
    AssessmentOutcome,
    Consent,
    Contact,
    ContactDecision,
    FrontDoorTeam,
    PrimaryNeed,
    ReferralSource,
)

# username, full name, role (the MASH's duty social worker and its manager)
MASH_USERS = (("duty.dana", "Dana Price", Role.SOCIAL_WORKER),
              ("tm.mo", "Mo Hussain", Role.TEAM_MANAGER))


def _user(authority: Authority, team: Team, username: str, name: str, role: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"full_name": name, "role": role, "authority": authority,
                                     "team": team, "agency": Agency.CHILDRENS_SOCIAL_CARE,
                                     "email": f"{username}@anyshire.example"})
    if created:
        user.password = demo_password_hash()
        user.save()
    return user


def _hours_ago(hours: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


def _new(first: str, last: str, dob: str, sex: str = Sex.UNKNOWN,
         **extra: object) -> services.NewChild:
    return services.NewChild(first, last, dt.date.fromisoformat(dob), sex=sex,
                             postcode="AN7 1FD", **extra)


@transaction.atomic
def seed_frontdoor_demo(stdout: TextIO) -> None:
    authority = Authority.objects.filter(slug="anyshire").first()
    service = Service.objects.filter(authority=authority).first()
    if authority is None or service is None:
        stdout.write("Front door demo skipped: run seed_demo first.")
        return
    team, _ = Team.objects.get_or_create(service=service, name="Multi-Agency Safeguarding Hub")
    FrontDoorTeam.objects.get_or_create(team=team)
    dana, mo = (_user(authority, team, *u) for u in MASH_USERS)
    if Contact.objects.filter(team=team).exists():
        return

    def contact(hours: float, source: str, concern: str, children: list,
                known: list[Child] | None = None) -> Contact:
        return services.contact_record(
            actor=dana, received_at=_hours_ago(hours), source=source, concern=concern,
            consent=Consent.GIVEN, new_children=children, children=known or [],
            referrer_name="Demo referrer", referrer_organisation="Anytown agencies")

    # Awaiting a decision: one fresh, one nearly due, one overdue.
    contact(2, ReferralSource.SCHOOLS, "Pupil arrived hungry and unwashed three days running.",
            [_new("Tyler", "Reed", "2016-09-12", Sex.MALE)])
    contact(21, ReferralSource.HEALTH_VISITOR, "Mother low in mood; baby's weight falling.",
            [_new("Ava", "Hughes", "2025-06-30", Sex.FEMALE)])
    contact(30, ReferralSource.POLICE, "Police called to a domestic incident; two children "
            "present.", [_new("Kai", "Ward", "2014-01-20", Sex.MALE),
                         _new("Isla", "Ward", "2018-03-03", Sex.FEMALE)])
    # An unborn child.
    contact(5, ReferralSource.PRIMARY_HEALTH, "Midwife: late booking, mother using drugs.",
            [services.NewChild("", "Fox", is_unborn=True,
                               expected_delivery_date=timezone.localdate()
                               + dt.timedelta(days=120))])
    decided = [
        (ContactDecision.NO_FURTHER_ACTION, "Already supported by school nurse.",
         _new("Ruby", "Marsh", "2013-11-05", Sex.FEMALE)),
        (ContactDecision.INFORMATION_ADVICE, "Advice given to the caller on parenting help.",
         _new("Leo", "Grant", "2019-07-07", Sex.MALE)),
        (ContactDecision.EARLY_HELP, "Family agree to early help.",
         _new("Maya", "Stone", "2017-04-14", Sex.FEMALE)),
    ]
    for decision, reason, child in decided:
        c = contact(50, ReferralSource.FAMILY, "Concerns from a relative.", [child])
        services.contact_decide(actor=mo, contact=c, decision=decision, reason=reason,
                                decided_at=_hours_ago(40))
    # Referrals: awaiting allocation; allocated (assessment under way); completed awaiting
    # authorisation; authorised and closed; an immediate strategy discussion.
    states = ["referred", "allocated", "completed", "closed"]
    names = [("Ethan", "Cole", "2012-02-02"), ("Sofia", "Price", "2015-05-25"),
             ("Harry", "Dunn", "2011-10-10"), ("Lola", "Bell", "2020-12-12")]
    for state, (first, last, dob) in zip(states, names, strict=True):
        c = contact(24 * 8, ReferralSource.GP, f"GP concerned about {first}'s injuries.",
                    [_new(first, last, dob)])
        services.contact_decide(actor=mo, contact=c, decision=ContactDecision.REFERRAL,
                                decided_at=_hours_ago(24 * 8 - 3), reason="Threshold met")
        referral = c.referrals.get()
        if state == "referred":
            continue
        services.referral_acknowledge(actor=mo, referral=referral)
        assessment = services.assessment_allocate(actor=mo, referral=referral,
                                                  social_worker=dana,
                                                  at=_hours_ago(24 * 7))
        if state == "allocated":
            continue
        services.assessment_complete(
            actor=dana, assessment=assessment, factors=["3B", "16A"],
            summary="Domestic abuse between parents; neglect of basic care.",
            outcome=AssessmentOutcome.EARLY_HELP, completed_on=timezone.localdate(),
            primary_need=PrimaryNeed.N4)
        if state == "closed":
            services.assessment_authorise(actor=mo, assessment=assessment)
    c = contact(3, ReferralSource.POLICE, "Child disclosed being hit with a belt.",
                [_new("Noah", "Pike", "2013-08-08", Sex.MALE)])
    services.contact_decide(actor=mo, contact=c, decision=ContactDecision.STRATEGY_DISCUSSION,
                            urgency="immediate_protection", reason="Disclosure of assault")
    stdout.write("Front door demo: MASH team (duty.dana, tm.mo), contacts in every state.")
