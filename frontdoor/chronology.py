"""The front door's events in the merged multi-agency chronology (003 "Multi-Agency
Chronologies"): each contact, referral and single assessment about the child."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone

from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from cpcases.chronology.models import EventType
from cpcases.chronology.providers import ChronologyItem
from frontdoor.models import Assessment, Contact, Referral

CSC = Agency.CHILDRENS_SOCIAL_CARE
SOURCE = "Front door record"


def contacts(child: Child) -> Iterator[ChronologyItem]:
    for c in Contact.objects.filter(child_links__child=child).select_related(
            "created_by").order_by():
        local = timezone.localtime(c.received_at)
        outcome = (f"Decision: {c.get_decision_display()}" if c.decision
                   else "Awaiting a decision")
        yield ChronologyItem(
            event_date=local.date(), event_time=local.time().replace(second=0, microsecond=0),
            event_type=EventType.CONTACT,
            significant_event=f"Contact from {c.get_source_display().lower()}: {c.concern}",
            source=SOURCE, agency=CSC, origin=f"contact:{c.pk:010d}",
            who_involved=", ".join(filter(None, [c.referrer_name, c.referrer_organisation])),
            decisions_actions_outcome=outcome,
            author=c.created_by.full_name if c.created_by else "",
            href=reverse("frontdoor:contact", args=[c.pk]))


def referrals(child: Child) -> Iterator[ChronologyItem]:
    for r in Referral.objects.filter(child=child).order_by():
        outcome = (f"Closed {r.closure_date:%d/%m/%Y}: {r.get_closure_reason_display()}"
                   if r.closure_date else "Open")
        yield ChronologyItem(
            event_date=r.referral_date, event_type=EventType.CONTACT,
            significant_event=f"Referral to children's social care "
                              f"({r.get_primary_need_display() or 'need not yet recorded'})",
            source=SOURCE, agency=CSC, origin=f"referral:{r.pk:010d}",
            decisions_actions_outcome=outcome,
            href=reverse("frontdoor:referral", args=[r.pk]))


def assessments(child: Child) -> Iterator[ChronologyItem]:
    for a in Assessment.objects.filter(child=child).select_related(
            "social_worker").order_by():
        if a.completed_on:
            yield ChronologyItem(
                event_date=a.completed_on, event_type=EventType.ASSESSMENT,
                significant_event="Single assessment completed",
                source=SOURCE, agency=CSC, origin=f"assessment:{a.pk:010d}",
                who_involved=a.social_worker.full_name,
                decisions_actions_outcome=a.get_outcome_display(),
                href=reverse("frontdoor:assessment", args=[a.pk]))
