"""The text of the letters this app sends. Generated once, then kept as sent (Letter)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cpcases.accounts.models import User
from cpcases.plans.models import ChildProtectionPlan
from lifeevents.models import (
    CHALLENGE_STAGES,
    ChildDeath,
    Complaint,
    LetterKind,
    LetterMethod,
    ProfessionalChallenge,
    SafeguardingContacts,
)


def contacts(authority_id: int) -> SafeguardingContacts:
    found = SafeguardingContacts.objects.filter(authority_id=authority_id).first()
    return found or SafeguardingContacts(authority_id=authority_id)


def _sign(user: User) -> str:
    title = f"\n{user.job_title}" if user.job_title else ""
    return f"\n\nYours sincerely\n\n{user.full_name}{title}\n{user.authority.name}"


def partnership_death(death: ChildDeath, user: User, note: str) -> tuple[str, str]:
    child = death.child
    subject = f"Death of a child subject to a child protection plan ({child.la_child_id})"
    born = f", born {child.date_of_birth:%-d %B %Y}" if child.date_of_birth else ""
    body = (f"Dear {contacts(child.authority_id).partnership_chair_name},\n\n"
            f"I am writing to tell you that {child.display_name} (our reference "
            f"{child.la_child_id}){born}")
    body += (f", died on {death.died_on:%-d %B %Y}. The child was subject to a child "
             f"protection plan or known to children's social care.\n\n"
             f"What we know of the circumstances: {death.circumstances}\n\n"
             "We will consider with you whether a rapid review or serious case review is "
             "needed.")
    if note.strip():
        body += f"\n\n{note.strip()}"
    return subject, body + _sign(user)


_COMPLAINT_OPENINGS = {
    LetterKind.COMPLAINT_RESPONSE: "Thank you for your complaint about the child protection "
                                   "conference, received on {received}. Our response is "
                                   "below.",
    LetterKind.CHAIR_ACKNOWLEDGEMENT: "As independent chair I confirm that I have received "
                                      "your complaint about the child protection conference "
                                      "on {chair_received}. I will consider the documents and "
                                      "write to you with my response.",
    LetterKind.CHAIR_RESPONSE: "I have considered your complaint about the child protection "
                               "conference and the documents relating to it. My response is "
                               "below.",
    LetterKind.APPEAL_OUTCOME: "The appeal panel met on {panel} to consider your appeal. Its "
                               "decision is below. This is the end of the appeal procedure; "
                               "you may still refer the matter to the Local Government "
                               "Ombudsman.",
}


def complaint_letter(complaint: Complaint, kind: str, text: str, user: User
                     ) -> tuple[str, str]:
    def day(value: Any) -> str:
        return f"{value:%-d %B %Y}" if value else ""

    opening = _COMPLAINT_OPENINGS[kind].format(
        received=day(complaint.received_on), chair_received=day(complaint.chair_received_on),
        panel=day(complaint.panel_met_on))
    # 003: the conference's decision stands while a complaint is considered.
    stands = ("" if kind == LetterKind.APPEAL_OUTCOME else
              "\n\nWhile your complaint is considered, the conference's decision stands.")
    body = (f"Dear {complaint.complainant_name},\n\n{opening}\n\n{text.strip()}{stands}"
            + _sign(user))
    return f"Your complaint about a child protection conference: {LetterKind(kind).label}", \
        body


def icpc_for(plan: ChildProtectionPlan) -> Any:
    """The initial (or pre-birth, or transfer-in) conference that led to the plan."""
    return plan.conference


def icpc_invitees(icpc: Any) -> QuerySet[Any] | list[Any]:
    if icpc is None:
        return []
    from conferences.models import InviteeKind

    return icpc.invitations.exclude(kind=InviteeKind.OBSERVER).select_related(
        "person").order_by("kind", "name", "id")


def method_for(invitation: Any) -> str:
    """By the means they were invited (003): e-mail stays e-mail, everything else a letter."""
    from conferences.models import InvitedHow

    if invitation.how_invited == InvitedHow.EMAIL and invitation.email:
        return LetterMethod.EMAIL
    if invitation.how_invited == InvitedHow.IN_PERSON:
        return LetterMethod.HAND
    return LetterMethod.POST


def invitee_address(invitation: Any) -> str:
    person = invitation.person
    if person is None:
        return ""
    return "\n".join(p for p in (person.address, person.postcode) if p)


def plan_ended(plan: ChildProtectionPlan, invitation: Any, user: User) -> tuple[str, str]:
    child = plan.child
    subject = f"Child protection plan ended ({child.la_child_id})"
    body = (f"Dear {invitation.name},\n\nYou were invited to the initial child protection "
            f"conference about {child.display_name}. The child protection plan made then "
            f"ended on {plan.ended_on:%-d %B %Y}: {plan.get_end_reason_display().lower()}.")
    cin = plan.stepdown_cin_plans.first()
    if cin is not None:
        body += (" A Child in Need plan continues the support, with "
                 f"{cin.lead_professional or plan.lead_social_worker} as lead professional.")
    return subject, body + _sign(user)


def views_sought(plan: ChildProtectionPlan, conference: Any, invitation: Any, reply_by: Any,
                 user: User) -> tuple[str, str]:
    """003: the agencies not at the review asked for their views in writing."""
    child = plan.child
    subject = f"Your views before a child protection plan ends ({child.la_child_id})"
    body = (f"Dear {invitation.name},\n\nYou were invited to the review child protection "
            f"conference about {child.display_name} on {conference.date:%-d %B %Y}, which "
            "you were not able to attend. The conference decided that the child is no longer "
            "likely to suffer significant harm and that the child protection plan should "
            "end.\n\nBefore the plan ends for good we would like your agency's view in "
            f"writing. Please reply by {reply_by:%-d %B %Y}, saying whether you agree and "
            "anything the conference should know.")
    return subject, body + _sign(user)


def challenge_report(challenge: ProfessionalChallenge, note: str, user: User
                     ) -> tuple[str, str]:
    """003: at stage 5 the partnership is told what the challenge was, what was done to
    address it, and asked for its decision."""
    child = challenge.child
    steps = "\n".join(f"Stage {s.stage} ({CHALLENGE_STAGES[s.stage].lower()}) from "
                      f"{s.started_on:%-d %B %Y}: {s.note or 'raised'}"
                      for s in challenge.stages.all())
    body = (f"Dear {contacts(child.authority_id).partnership_chair_name or 'Chair'},\n\n"
            f"A professional challenge about child {child.la_child_id} could not be resolved "
            f"at stages 1 to 4 and is referred to you for a decision.\n\n"
            f"What was challenged: {challenge.about}\n"
            f"Raised by: {challenge.raised_by} on {challenge.raised_on:%-d %B %Y}\n\n"
            f"What was done to address it:\n{steps}\n\nWhy it is not resolved: {note}")
    return f"Professional challenge referred at stage 5 ({child.la_child_id})", \
        body + _sign(user)
