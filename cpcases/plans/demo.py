"""Demo data for the plan pages (called by seed_demo; idempotent).

The children whose stage is "plan" get their child protection plan, through the services:
- Khan (team A): plans made at a conference 3 weeks ago; DC Pat Morgan (police.pat) is in
  Aisha's core group (so the police officer sees Aisha and her plan, and nothing more of the
  family); Aisha's first core group has met, the others' is due;
- Okoro (team A): plans made 6 working days ago, first core group not yet held;
- Hughes (team B): plans made 2 weeks ago, led by Bea Okafor.
Each plan has actions (one already overdue), a contingency plan and a core group.
"""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency
from cpcases.children.models import Child, CpStage
from cpcases.plans import services
from cpcases.plans.models import Attendance, ChildProtectionPlan, PlanCategory
from deadlines.services import calendar_for

CATEGORIES = {"Khan": PlanCategory.EMOTIONAL, "Okoro": PlanCategory.NEGLECT,
              "Hughes": PlanCategory.PHYSICAL}
OUTCOMES = {
    "Khan": "The children live free from exposure to domestic abuse. Nadia is supported to "
            "keep to the safety plan; the children's school attendance is above 95%.",
    "Okoro": "Grace and Daniel have regular meals, clean clothes and a safe, warm home; "
             "their health appointments are kept.",
    "Hughes": "Charlie and Poppy are safe from physical harm at home; Mark completes the "
              "parenting programme; bruising is explained and checked by the GP.",
}
CONTINGENCY = ("If the plan is not followed or the children are harmed, a strategy discussion "
               "is held the same day and legal advice is sought (Public Law Outline).")


def _members(last_name: str, child: Child, police: User) -> list[services.MemberData]:
    school = "Anytown Primary" if child.age and child.age < 11 else "Anytown Academy"
    members = [
        services.MemberData(name="Ms J Whitfield", agency=Agency.EDUCATION,
                            role=f"Designated safeguarding lead, {school}",
                            email="j.whitfield@anytown-school.example",
                            mobile="07700 900211", contact_frequency="Daily in school"),
        services.MemberData(name="Nurse K Adeyemi", agency=Agency.HEALTH,
                            role="School nurse / health visitor",
                            email="k.adeyemi@nhs.example", mobile="07700 900212",
                            contact_frequency="Fortnightly"),
    ]
    parent = child.people_links.filter(has_parental_responsibility=True).select_related(
        "person").first()
    if parent is not None:
        members.append(services.MemberData(
            name=f"{parent.person.first_name} {parent.person.last_name}",
            agency=Agency.OTHER, role=parent.get_relationship_display(),
            mobile=parent.person.phone))
    if last_name == "Khan" and child.first_name == "Aisha":
        members.append(services.MemberData(user=police, agency=Agency.POLICE,
                                           role="Domestic abuse officer",
                                           contact_frequency="Monthly"))
    return members


@transaction.atomic
def seed_plans_demo(stdout: TextIO) -> None:
    today = timezone.localdate()
    chair = User.objects.filter(username="chair.chris").first()
    police = User.objects.filter(username="police.pat").first()
    if chair is None or police is None:
        stdout.write("Plans demo: the demo users are missing; run seed_demo first.")
        return
    calendar = calendar_for(chair.authority)
    # Conference dates: Khan 15 working days ago, Okoro 6, Hughes 10 (none in the future).
    started = {"Khan": calendar.add_working_days(today, -15),
               "Okoro": calendar.add_working_days(today, -6),
               "Hughes": calendar.add_working_days(today, -10)}
    made = 0
    for last_name, started_on in started.items():
        children = Child.objects.filter(authority=chair.authority, last_name=last_name,
                                        cp_stage=CpStage.PLAN, is_restricted=False
                                        ).order_by("date_of_birth")
        for child in children:
            if ChildProtectionPlan.objects.filter(child=child).exists():
                continue
            allocation = child.current_allocation
            lead = allocation.social_worker if allocation else None
            if lead is None:
                continue
            plan = services.plan_start(
                child=child, started_on=started_on, category=CATEGORIES[last_name],
                lead_social_worker=lead, user=chair,
                core_group_members=_members(last_name, child, police),
                first_core_group_on=calendar.add_working_days(started_on, 8),
                outcomes=OUTCOMES[last_name], contingency=CONTINGENCY,
                actions=[
                    services.ActionData(who_user=lead, what="Visit the children at home "
                                        "and see their bedrooms", by_when=today
                                        + dt.timedelta(days=7)),
                    services.ActionData(who="Anytown Primary / Academy",
                                        what="Report attendance weekly to the lead social "
                                             "worker", by_when=today + dt.timedelta(days=28)),
                    services.ActionData(who=f"{last_name} family",
                                        what="Register with the GP and book health checks",
                                        by_when=started_on + dt.timedelta(days=5)),
                ])
            made += 1
            if last_name == "Khan" and child.first_name == "Aisha":
                lead_user = plan.lead_social_worker
                attendance = {m.pk: Attendance.ATTENDED for m in plan.members.all()}
                nurse = plan.members.filter(agency=Agency.HEALTH).first()
                if nurse is not None:
                    attendance[nurse.pk] = Attendance.APOLOGIES
                services.core_group_meeting_record(
                    plan=plan, held_on=calendar.add_working_days(started_on, 7),
                    attendance=attendance, user=lead_user,
                    minutes="The core group agreed the detailed plan. Nadia attended and "
                            "agreed to the safety plan.",
                    outcomes=plan.outcomes + " Aisha says she feels safer at home.")
    stdout.write(f"Plans demo: {made} child protection plans started.")
