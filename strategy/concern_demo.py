"""Demo "concern identified" records (issue 9): two children of sw.sam's caseload with a
concern recorded and the strategy discussion still to hold, so "My deadlines" shows the
clock running. Written through strategy.services.concern_record; idempotent (nothing is
added once the authority has a concern)."""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from cpcases.accounts.models import Authority, User
from cpcases.children.models import Child, CpStage
from deadlines.services import calendar_for
from strategy import services
from strategy.models import Concern, Urgency

DEMO_CONCERNS = (
    (Urgency.IMMEDIATE_PROTECTION, 0, 9,
     "Health visitor found the baby with unexplained bruising; mother's partner at home."),
    (Urgency.COMPLEX, -2, 15,
     "School reports a pattern of missed days and weight loss over the term; the family "
     "moved twice this year."),
)


@transaction.atomic
def seed_concern_demo(stdout: TextIO) -> None:
    authority = Authority.objects.filter(slug="anyshire").first()
    worker = User.objects.filter(username="sw.sam").first()
    if authority is None or worker is None:
        stdout.write("Concern demo skipped: run seed_demo first.")
        return
    if Concern.objects.filter(child__authority=authority).exists():
        stdout.write("Concern demo: already there.")
        return
    children = list(Child.objects.filter(
        authority=authority, cp_stage=CpStage.NONE, is_restricted=False,
        allocations__social_worker=worker, allocations__ended_on__isnull=True)
        .order_by("last_name", "first_name")[:len(DEMO_CONCERNS)])
    calendar = calendar_for(authority)
    today = timezone.localdate()
    made = []
    for child, (urgency, days_back, hour, summary) in zip(children, DEMO_CONCERNS,
                                                          strict=False):
        day = calendar.add_working_days(today, days_back) if days_back else today
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
        moment = min(moment, timezone.now())
        services.concern_record(actor=worker, child=child, identified_at=moment,
                                urgency=urgency, summary=summary)
        made.append(f"{child} ({Urgency(urgency).label.lower()})")
    stdout.write("Concern demo: " + ("; ".join(made) if made else "no children free") + ".")
