"""Demo data for the strategy workflows, on top of `seed_demo`'s authority, users and children.

Everything is written through the services, so the deadlines are the engine's. Idempotent:
each record is created only if the child has none of its kind yet.
"""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from cpcases.accounts.models import Authority, User
from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from deadlines.services import calendar_for
from strategy import services
from strategy.models import (
    ConsultationRequest,
    DiscussionChild,
    NextStep,
    ParticipantRole,
    Urgency,
)

USERNAMES = ("sw.sam", "tm.tara", "chair.chris", "bso.bola", "police.pat")


def _moment(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _participants(users: dict[str, User], police: User | None,
                  police_name: str) -> list[services.ParticipantData]:
    return [
        services.ParticipantData(users["sw.sam"].full_name, Agency.CHILDRENS_SOCIAL_CARE,
                                 ParticipantRole.SOCIAL_WORKER, user=users["sw.sam"]),
        services.ParticipantData(users["tm.tara"].full_name, Agency.CHILDRENS_SOCIAL_CARE,
                                 ParticipantRole.MANAGER, user=users["tm.tara"]),
        services.ParticipantData("Nina Shah", Agency.HEALTH, ParticipantRole.PROFESSIONAL,
                                 job_title="Named nurse for safeguarding",
                                 attendance="contributed"),
        services.ParticipantData(police_name, Agency.POLICE, ParticipantRole.PROFESSIONAL,
                                 job_title="Child abuse investigation team", user=police),
        services.ParticipantData("Mrs Ellis", Agency.EDUCATION, ParticipantRole.REFERRER,
                                 job_title="Designated safeguarding lead"),
    ]


def _discussion(users: dict[str, User], children: list[Child], outcomes: dict[int, str],
                held_on: dt.date, police: User | None, police_name: str, text: str) -> bool:
    if DiscussionChild.objects.filter(child__in=children).exists():
        return False
    services.strategy_discussion_record(
        user=users["sw.sam"], children=children,
        concern_identified_at=_moment(held_on - dt.timedelta(days=1), 16),
        urgency=Urgency.CP_CONCERNS, format="meeting", held_at=_moment(held_on, 10),
        outcomes=outcomes, participants=_participants(users, police, police_name),
        information_shared=text,
        criminal_investigation="Police to interview the parents; joint visit agreed.",
        shareable_with_family="The concerns and that enquiries are being made; not the "
                              "source of the referral.",
        actions=[services.ActionData("Sam Patel", "Visit and see the children alone",
                                     held_on + dt.timedelta(days=1))])
    return True


@transaction.atomic
def seed_strategy_demo(stdout: TextIO) -> None:
    """Strategy discussions for the Smith and Nowak children, a consultation waiting for
    business support and one assigned to chair.chris awaiting recording."""
    authority = Authority.objects.filter(slug="anyshire").first()
    users = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}
    if authority is None or len(users) != len(USERNAMES):
        stdout.write("Strategy demo skipped: run seed_demo first.")
        return
    children = {f"{c.first_name} {c.last_name}": c for c in Child.objects.filter(
        authority=authority, last_name__in=["Smith", "Nowak"], household__isnull=False)}
    calendar = calendar_for(authority)
    today = timezone.localdate()
    created = []

    smiths = [children["Lily Smith"], children["Jack Smith"]]
    if _discussion(users, smiths, {c.pk: services.S47 for c in smiths},
                   calendar.add_working_days(today, -3), None, "DS Helen Price",
                   "School reported bruising to Lily's arm; Jack said his father hit him."):
        created.append("Smith strategy discussion (S47 for both)")

    oliver, emilia = children["Oliver Nowak"], children["Emilia Nowak"]
    if _discussion(users, [oliver, emilia],
                   {oliver.pk: services.S47, emilia.pk: NextStep.CHILD_IN_NEED},
                   calendar.add_working_days(today, -1), users["police.pat"],
                   users["police.pat"].full_name,
                   "Police attended a domestic incident; Oliver was present and injured."):
        created.append("Nowak strategy discussion (with police.pat)")

    jack, lily = smiths[1], smiths[0]
    if not ConsultationRequest.objects.filter(child=jack).exists():
        services.consultation_request(user=users["sw.sam"], child=jack,
                                      question="Is Jack's case ready for conference?")
        created.append("consultation waiting for business support (Jack Smith)")
    if not ConsultationRequest.objects.filter(child=lily).exists():
        consultation = services.consultation_request(
            user=users["sw.sam"], child=lily,
            question="Help to write danger statements with the family.")
        if consultation.chair_id is None:
            services.consultation_assign_chair(user=users["bso.bola"],
                                               consultation=consultation,
                                               chair=users["chair.chris"])
        created.append("consultation assigned to chair.chris (Lily Smith)")
    stdout.write("Strategy demo: " + ("; ".join(created) if created else "already there")
                 + ".")
