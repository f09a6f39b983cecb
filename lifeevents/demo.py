"""Demo data for the life-event pages (called by seed_demo; idempotent), through the
services:
- the authority's safeguarding contacts: Sunita (service manager) is the senior child
  protection manager; the partnership's chair is named;
- Daniel Okoro (team A, on a plan) is missing now, reported this morning by Sam;
- Aisha Khan went missing last week and was found: her return interview is due;
- Lily Smith (team A, in a Section 47 enquiry) is under an emergency protection order with
  legal action planned, so her initial conference is due before it expires;
- Grace Okoro's mother has complained about the conference's decision: a response is due.
"""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.children.models import Child
from lifeevents import services
from lifeevents.models import (
    Complaint,
    LegalOrder,
    MissingEpisode,
    OrderKind,
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
    stdout.write(f"Life events demo: {made} records added.")
