"""Demo data for visits and the chronology, on top of `seed_demo` (run after the plans demo,
so that the children's plans and core groups exist). Idempotent: a child's visits and
entries are added only if they have none yet.

- Khan and Okoro children (team A, on plans): two visits each by Sam Patel, one with the
  bedroom seen; at Daniel Okoro's latest visit access was refused (Tara Jones is told).
- Aisha Khan's chronology has entries from the police (DC Pat Morgan), health (Nina Shah,
  school nurse) and school (Claire Ellis, designated safeguarding lead); Grace Okoro's one
  from health. The nurse and the teacher are added to those core groups.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from cpcases.accounts.models import Authority, User
from cpcases.accounts.roles import Agency, Role
from cpcases.children.models import Child, CpStage, InvolvementKind, PartnerInvolvement
from cpcases.chronology import services
from cpcases.chronology.models import ChronologyEntry, Visit
from deadlines.services import calendar_for

PARTNERS = [  # username, name, agency, job title
    ("nurse.nina", "Nina Shah", Agency.HEALTH, "School nurse"),
    ("dsl.ellis", "Claire Ellis", Agency.EDUCATION, "Designated safeguarding lead"),
]

ENTRIES: dict[str, list[dict[str, Any]]] = {
    "Aisha Khan": [
        {"by": "police.pat", "days": 12, "at": dt.time(22, 40), "event_type": "police",
         "significant_event": "Police called to 4 Mill Lane by a neighbour: shouting and a "
                              "door being slammed",
         "source": "Police record (incident log)",
         "who_involved": "Nadia Khan (mother); Aisha, Yusuf and Zara; PC Hill",
         "decisions_actions_outcome": "No offences disclosed. Ex-partner had left before "
                                      "officers arrived. Referral sent to children's social "
                                      "care the next morning.",
         "child_seen": True, "child_views": "Aisha said she was scared and had taken Zara "
                                            "upstairs."},
        {"by": "nurse.nina", "days": 9, "at": dt.time(10, 30), "event_type": "health",
         "significant_event": "School nurse review: Aisha reports poor sleep and headaches",
         "source": "School nursing record", "who_involved": "Aisha; Nina Shah",
         "decisions_actions_outcome": "Sleep advice given; GP appointment booked.",
         "child_seen": True, "child_views": "Worries about her mum when she is at school."},
        {"by": "dsl.ellis", "days": 5, "at": dt.time(8, 55), "event_type": "education",
         "significant_event": "Aisha arrived late, tired and without breakfast",
         "source": "School record", "who_involved": "Aisha; Claire Ellis",
         "decisions_actions_outcome": "Breakfast club place offered and taken up.",
         "child_seen": True, "child_views": "Said there was shouting at home last night.",
         "author_comments": "Third late arrival this month."},
    ],
    "Grace Okoro": [
        {"by": "nurse.nina", "days": 7, "at": None, "event_type": "health",
         "significant_event": "Dental appointment missed for the second time",
         "source": "Community dental service record", "who_involved": "Blessing Okoro",
         "decisions_actions_outcome": "New appointment sent; core group told.",
         "child_seen": False},
    ],
}


def _partner(authority: Authority, username: str, name: str, agency: str,
             title: str) -> User:
    from cpcases.accounts.demo import demo_password_hash

    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, full_name=name, role=Role.PARTNER, authority=authority,
                    agency=agency, job_title=title, email=f"{username}@partner.example")
        user.password = demo_password_hash()
        user.save()
    return user


def _join_core_group(child: Child, partner: User) -> None:
    """Through the plan's core group where the plans app has made one."""
    if PartnerInvolvement.objects.filter(child=child, user=partner, ended_on__isnull=True,
                                         kind=InvolvementKind.CORE_GROUP).exists():
        return
    try:
        from cpcases.plans import services as plans
    except ImportError:  # pragma: no cover - the plans app is part of the product
        plans = None
    plan = plans.current_plan(child) if plans else None
    if plan is not None:
        plans.core_group_member_add(plan=plan, user=plan.lead_social_worker,
                                    member=plans.MemberData(
            user=partner, agency=partner.agency, role=partner.job_title))
    else:
        PartnerInvolvement.objects.create(child=child, user=partner, agency=partner.agency,
                                          kind=InvolvementKind.CORE_GROUP)


def _moment(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


def _visits(child: Child, sw: User, back: Any, refused: bool) -> int:
    if Visit.objects.filter(child=child).exists():
        return 0
    services.visit_record(user=sw, child=child, visited_at=_moment(back(12), dt.time(15, 30)),
                          child_seen=True, seen_alone=True, bedroom_seen=True,
                          notes="Saw the children's bedrooms: clean, beds made up.")
    if refused:
        services.visit_record(
            user=sw, child=child, visited_at=_moment(back(2), dt.time(16, 0)),
            child_seen=False, access_refused=True,
            access_refused_details="Father spoke through the door and said the children were "
                                   "out. Lights and television on inside.")
    else:
        services.visit_record(user=sw, child=child,
                              visited_at=_moment(back(4), dt.time(16, 15)), child_seen=True,
                              seen_alone=False, seen_with="Mother", bedroom_seen=False)
    return 1


@transaction.atomic
def seed_chronology_demo(stdout: TextIO) -> None:
    authority = Authority.objects.filter(slug="anyshire").first()
    sw = User.objects.filter(username="sw.sam").first()
    if authority is None or sw is None:
        stdout.write("Chronology demo skipped: run seed_demo first.")
        return
    today = timezone.localdate()
    calendar = calendar_for(authority)

    def back(working_days: int) -> dt.date:
        return calendar.add_working_days(today, -working_days)

    partners = {u: _partner(authority, u, n, a, t) for u, n, a, t in PARTNERS}
    police = User.objects.filter(username="police.pat").first()
    if police is not None:
        partners["police.pat"] = police
    children = Child.objects.filter(authority=authority, last_name__in=["Khan", "Okoro"],
                                    cp_stage=CpStage.PLAN, is_restricted=False)
    visited = 0
    entries = 0
    for child in children:
        visited += _visits(child, sw, back, refused=child.first_name == "Daniel")
        wanted = ENTRIES.get(child.display_name, [])
        if not wanted or ChronologyEntry.objects.filter(child=child).exists():
            continue
        for data in wanted:
            data = dict(data)
            author = partners.get(data.pop("by"))
            if author is None:
                continue
            _join_core_group(child, author)
            day = today - dt.timedelta(days=data.pop("days"))
            services.chronology_entry_add(user=author, child=child, event_date=day,
                                          event_time=data.pop("at"), **data)
            entries += 1
    stdout.write(f"Chronology demo: visits for {visited} children, {entries} chronology "
                 "entries.")
    stdout.write("  Partners in core groups (same password): nurse.nina (health), "
                 "dsl.ellis (school), police.pat (police).")
