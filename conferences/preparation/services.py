"""Writes before the conference: the report deadlines set on booking, the pre-birth and
transfer-in timescales, invitations, reports and their sharing, exclusion requests.

Each service checks the user's role and scope and the step's preconditions, writes in one
transaction (pghistory's triggers record who changed what), sets, meets or cancels the
deadlines of DOMAIN §4 through the engine (deadlines.services: no timescale is computed
here), and sends e-mail only once the transaction has committed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from conferences.models import (
    Conference,
    ConferenceKind,
    ConferenceReport,
    ConferenceRequest,
    ConferenceStatus,
    ExclusionDecision,
    ExclusionGround,
    ExclusionRequest,
    Invitation,
    InvitationResponse,
    InvitedHow,
    InviteeKind,
    ReportKind,
    ReportSharing,
    ShareHow,
    ShareRecipient,
)
from conferences.preparation import selectors
from conferences.preparation.files import check_report_file
from conferences.preparation.ical import conference_ics, conference_start
from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency, Role
from cpcases.children.models import (
    Allocation,
    Child,
    ChildPerson,
    InvolvementKind,
    PartnerInvolvement,
    Person,
)
from cpcases.core.errors import NotPermitted, ServiceError
from cpcases.outbox.services import outbox_enqueue
from deadlines import services as deadlines
from deadlines.models import Deadline, DeadlineStatus

INVITE_ROLES = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.BUSINESS_SUPPORT)
SW_REPORT_ROLES = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER)
AGENCY_REPORT_ROLES = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.BUSINESS_SUPPORT,
                       Role.PARTNER)
SHARE_ROLES = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.BUSINESS_SUPPORT)
# 003: "the social worker, or a worker from any agency" asks the chair.
EXCLUSION_REQUEST_ROLES = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.SERVICE_MANAGER,
                           Role.HEAD_OF_SERVICE, Role.PARTNER)

# 004: named professionals' own e-mail, "rather than generic details".
GENERIC_MAILBOXES = frozenset({
    "info", "admin", "administration", "enquiries", "enquiry", "duty", "office", "reception",
    "contact", "contactus", "hello", "general", "mail", "team", "noreply", "no-reply",
    "donotreply", "support", "help", "referrals", "safeguarding", "mash", "frontdoor",
    "secure", "generic", "shared"})
UK_MOBILE = re.compile(r"(?:\+44|0044|0)7\d{9}")


# --- helpers ------------------------------------------------------------------------------


def _require_role(user: User, roles: Iterable[str], action: str) -> None:
    if not user.is_active or user.role not in roles:
        raise NotPermitted(f"A {user.role_label.lower()} cannot {action}.")


def _locked(user: User, conference: Conference) -> Conference:
    """The conference, locked for this transaction, if the user may see it."""
    if not selectors.conferences_for(user).filter(pk=conference.pk).exists():
        raise NotPermitted("You do not have access to this conference.")
    return (Conference.objects.select_for_update().select_related("authority", "chair")
            .get(pk=conference.pk))


def _require_booked(conference: Conference, action: str) -> None:
    if conference.status != ConferenceStatus.BOOKED:
        raise ServiceError(f"This conference is {conference.get_status_display().lower()}: "
                           f"you cannot {action}.")


def _children(conference: Conference) -> list[Child]:
    return list(conference.children.select_related("authority"))


def _subject_filter(subject: object) -> dict[str, object]:
    return {"content_type": ContentType.objects.get_for_model(subject),
            "object_id": subject.pk}  # type: ignore[attr-defined]


def _meet_open(rule_id: str, subject: object, children: Iterable[Child], at: datetime,
               user: User) -> None:
    """Mark the step done for each child whose deadline is still open (met, or missed if
    late: the engine judges)."""
    for deadline in Deadline.objects.filter(child__in=list(children), rule_id=rule_id,
                                            status=DeadlineStatus.OPEN,
                                            **_subject_filter(subject)):
        deadlines.deadline_meet(deadline=deadline, at=at, user=user)


def _cancel_open(rule_ids: Sequence[str], subject: object, reason: str, user: User,
                 keep_children: Iterable[Child] | None = None) -> None:
    queryset = Deadline.objects.filter(rule_id__in=rule_ids, status=DeadlineStatus.OPEN,
                                       **_subject_filter(subject))
    if keep_children is not None:
        queryset = queryset.exclude(child__in=[c.pk for c in keep_children])
    for deadline in queryset:
        deadlines.deadline_cancel(deadline=deadline, reason=reason, user=user)


def _on_commit_mail(message: EmailMessage, kind: str = "conference") -> None:
    """Into the outbox with the change; sent once it commits (issue 12 §1)."""
    outbox_enqueue(message=message, kind=kind)


def _mail_users(subject: str, body: str, users: Iterable[User | None]) -> None:
    to = sorted({u.email for u in users if u and u.email and u.is_active})
    _on_commit_mail(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to))


def _when(conference: Conference) -> str:
    return f"{conference.date:%-d %B %Y} at {conference.start_time:%H:%M}"


def _past_or_now(at: datetime | None, what: str) -> datetime:
    now = timezone.now()
    if at is None:
        return now
    if at > now:
        raise ServiceError(f"The date {what} cannot be in the future.")
    return at


# --- conference types: pre-birth and transfer-in ------------------------------------------


def check_request_kind(*, kind: str, children: Sequence[Child],
                       transfer_agreed_on: object = None, originating_authority: str = "",
                       ) -> None:
    """What a pre-birth or transfer-in request needs (002 §7, 003)."""
    if kind == ConferenceKind.PRE_BIRTH and not any(
            c.is_unborn and c.expected_delivery_date for c in children):
        raise ServiceError("A pre-birth conference is about an unborn child: include the "
                           "baby, recorded with the expected date of delivery.")
    if kind == ConferenceKind.TRANSFER_IN:
        if transfer_agreed_on is None:
            raise ServiceError("Give the date the authorities agreed the transfer, or the "
                               "date you were told of the move.")  # 003
        if transfer_agreed_on > timezone.localdate():  # type: ignore[operator]
            raise ServiceError("The date of the agreement cannot be in the future.")
        if not originating_authority.strip():
            raise ServiceError("Name the originating authority.")


KIND_RULES = {ConferenceKind.PRE_BIRTH: "prebirth_conference",
              ConferenceKind.TRANSFER_IN: "transfer_conference"}


def kind_deadlines_set(*, request: ConferenceRequest, user: User) -> None:
    """`prebirth_conference` (3 months before each unborn child's expected delivery date)
    or `transfer_conference` (15 working days from the agreement / notification), through
    the engine; recomputed when the request changes. Met when the conference is held."""
    rule_id = KIND_RULES.get(request.kind)
    children = [rc.child for rc in request.requested_children.select_related("child")]
    # Children taken off the request (or a kind changed) no longer have this timescale.
    stale = [r for r in KIND_RULES.values() if r != rule_id]
    _cancel_open(stale, request, "No longer a conference of this kind", user)
    if rule_id is None:
        return
    _cancel_open([rule_id], request, "Child no longer on the request", user,
                 keep_children=children)
    for child in children:
        if rule_id == "prebirth_conference":
            if child.is_unborn and child.expected_delivery_date:
                deadlines.deadline_set(child=child, rule_id=rule_id,
                                       anchor=child.expected_delivery_date, subject=request,
                                       user=user)
        elif request.transfer_agreed_on:
            deadlines.deadline_set(child=child, rule_id=rule_id,
                                   anchor=request.transfer_agreed_on, subject=request,
                                   user=user)


def kind_deadlines_cancel(*, request: ConferenceRequest, reason: str, user: User) -> None:
    _cancel_open(list(KIND_RULES.values()), request, reason, user)


# --- report deadlines: set on booking, recomputed on reschedule, cancelled on cancel ------------


def report_deadlines_set(*, conference: Conference, user: User) -> None:
    """002 §15.1 countersigned 48 hours before the start; §15.4 to the family (the
    authority's policy: 3 working days, 2 in 003, 5 in 004, 48 hours in 000); §15.7 to the
    chair 3 working days before; §16.8 agency reports to the chair 24 hours before."""
    start = conference_start(conference)
    anchors = {"report_countersigned": start, "report_to_family": conference.date,
               "report_to_chair": conference.date, "agency_report_to_chair": start}
    if conference.kind == ConferenceKind.TRANSFER_IN:
        # 003: the originating authority's report at least 5 working days before.
        anchors["originating_report"] = conference.date
    for child in _children(conference):
        for rule_id, anchor in anchors.items():
            deadlines.deadline_set(child=child, rule_id=rule_id, anchor=anchor,
                                   subject=conference, user=user)
    # A request already made is re-judged against the new date (late or in time).
    for exclusion in conference.exclusion_requests.all():
        _exclusion_deadline(exclusion, conference, user)


def report_deadlines_cancel(*, conference: Conference, reason: str, user: User) -> None:
    _cancel_open(selectors.REPORT_RULES, conference, reason, user)


def conference_rescheduled(*, conference: Conference, user: User) -> None:
    """After a reschedule: the report deadlines move, and professionals invited by e-mail
    get the updated calendar invitation."""
    report_deadlines_set(conference=conference, user=user)
    _send_calendar_update(conference, "Conference moved", user)


def conference_cancelled(*, conference: Conference, reason: str, user: User) -> None:
    report_deadlines_cancel(conference=conference, reason=reason, user=user)
    _send_calendar_update(conference, "Conference cancelled", user)


def _send_calendar_update(conference: Conference, subject: str, user: User) -> None:
    for invitation in conference.invitations.filter(how_invited=InvitedHow.EMAIL,
                                                    invited_at__isnull=False).exclude(email=""):
        _send_invitation_email(conference, invitation, subject=subject, user=user)


# --- invitations --------------------------------------------------------------------------


def check_professional_contact(email: str, mobile: str) -> None:
    """004: "specific email addresses and mobile numbers for individual professionals,
    rather than generic details"."""
    if not email.strip():
        raise ServiceError("Enter the professional's own email address.", field="email")
    local = email.strip().split("@", 1)[0].lower()
    first = re.split(r"[._+\-]", local, maxsplit=1)[0]
    if local in GENERIC_MAILBOXES or first in GENERIC_MAILBOXES:
        raise ServiceError(f"{email} is a shared mailbox: give the professional's own e-mail "
                           "address, not a generic one like info@ or duty@.", field="email")
    if not mobile.strip():
        raise ServiceError("Enter the professional's own mobile number.", field="mobile")
    if not UK_MOBILE.fullmatch(re.sub(r"[\s()\-]", "", mobile)):
        raise ServiceError(f"{mobile} is not a mobile number: give the professional's own "
                           "mobile, for example 07700 900123.")  # 004


def _involve(invitation: Invitation, conference: Conference) -> None:
    """An invited partner professional sees the conference's children (scoping)."""
    user = invitation.user
    if user is None or user.role != Role.PARTNER:
        return
    for child in conference.children.all():
        PartnerInvolvement.objects.update_or_create(
            child=child, user=user, kind=InvolvementKind.CONFERENCE, object_id=conference.pk,
            defaults={"agency": invitation.agency or user.agency, "ended_on": None})


def _uninvolve(invitation: Invitation) -> None:
    if invitation.user_id is None:
        return
    PartnerInvolvement.objects.filter(user_id=invitation.user_id,
                                      kind=InvolvementKind.CONFERENCE,
                                      object_id=invitation.conference_id,
                                      ended_on__isnull=True).update(
        ended_on=timezone.localdate())


def _check_child_invitation(conference: Conference, child: Child | None, note: str) -> None:
    if child is None or not conference.children.filter(pk=child.pk).exists():
        raise ServiceError("Choose a child this conference is about.")
    advice = selectors.child_invitation_advice(conference, child)
    if advice.age is None:
        raise ServiceError(f"{child} is not born yet and cannot be invited.")
    if advice.age < selectors.PRE_SCHOOL_AGE:
        # 002 §13.13
        raise ServiceError(f"{child} is {advice.age}: pre-school children may not attend.")
    if not advice.invite and not note.strip():
        raise ServiceError(f"{child} is {advice.age}, under this authority's age guidance "
                           f"({conference.authority.child_invitation_age}): record the chair's "
                           "decision to invite them.")  # 002 §13.10


@transaction.atomic
def invitation_add(*, user: User, conference: Conference, kind: str, name: str = "",
                   agency: str = "", role: str = "", email: str = "", mobile: str = "",
                   person: Person | None = None, invitee_user: User | None = None,
                   child: Child | None = None, has_parental_responsibility: bool = False,
                   note: str = "", observer_chair_consent: bool = False,
                   observer_family_consent: bool = False) -> Invitation:
    """Add one person to the invitation list (000: the social worker completes it; business
    support sends the invitations)."""
    _require_role(user, INVITE_ROLES, "change the invitation list")
    conference = _locked(user, conference)
    _require_booked(conference, "invite anyone")
    if kind not in InviteeKind.values:
        raise ServiceError("Choose who you are inviting.")
    email, mobile, name = email.strip(), mobile.strip(), name.strip()
    if kind == InviteeKind.FAMILY:
        if person is not None:
            if person.authority_id != conference.authority_id:
                raise ServiceError("Choose a person of this authority.")
            name = name or str(person)
            email, mobile = email or person.email, mobile or person.phone
        if not name:
            raise ServiceError("Give the family member's name.")
    elif kind == InviteeKind.CHILD:
        _check_child_invitation(conference, child, note)
        name = child.display_name  # type: ignore[union-attr]
    else:
        if invitee_user is None and email:
            invitee_user = User.objects.filter(authority_id=conference.authority_id,
                                               email__iexact=email, is_active=True).first()
        if invitee_user is not None:
            if invitee_user.authority_id != conference.authority_id:
                raise ServiceError("Choose a professional of this authority.")
            name = name or invitee_user.full_name
            email, mobile = email or invitee_user.email, mobile or invitee_user.mobile
            agency = agency or invitee_user.agency
            role = role or invitee_user.job_title
        if not name:
            raise ServiceError("Give the professional's name.")
        if agency not in Agency.values:
            raise ServiceError("Choose the professional's agency.")
        check_professional_contact(email, mobile)
        if kind == InviteeKind.OBSERVER:
            # 002 §4.5: one observer at most, with the chair's and the family's consent.
            if conference.invitations.filter(kind=InviteeKind.OBSERVER).exists():
                raise ServiceError("There can be only one observer at a conference.")  # 002 §4.5
            if not (observer_chair_consent and observer_family_consent):
                raise ServiceError("An observer needs the prior consent of the chair and of "
                                   "the family.")  # 002 §4.5
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                conference=conference, kind=kind, person=person if kind == InviteeKind.FAMILY
                else None, user=invitee_user if kind in (InviteeKind.PROFESSIONAL,
                                                         InviteeKind.OBSERVER) else None,
                child=child if kind == InviteeKind.CHILD else None, name=name,
                agency=agency if kind in (InviteeKind.PROFESSIONAL, InviteeKind.OBSERVER)
                else "", role=role.strip(), email=email, mobile=mobile,
                has_parental_responsibility=has_parental_responsibility, note=note.strip(),
                observer_chair_consent=observer_chair_consent,
                observer_family_consent=observer_family_consent,
                created_by=user, updated_by=user)
    except IntegrityError as exc:
        raise ServiceError(f"{name} is already on the invitation list.") from exc
    _involve(invitation, conference)
    return invitation


@transaction.atomic
def invitations_prefill(*, user: User, conference: Conference) -> list[Invitation]:
    """Add everyone with parental responsibility for the children, including parents who do
    not live with them (003), and each child the authority's age guidance invites (002
    §13.5, 003; never a pre-school child: 002 §13.13). People already listed are kept."""
    _require_role(user, INVITE_ROLES, "change the invitation list")
    conference = _locked(user, conference)
    _require_booked(conference, "invite anyone")
    added: list[Invitation] = []
    listed = set(conference.invitations.exclude(person=None).values_list("person_id",
                                                                         flat=True))
    for link in selectors.family_with_parental_responsibility(conference):
        if link.person_id in listed:
            continue
        added.append(_family_from_link(user, conference, link))
    invited_children = set(conference.invitations.exclude(child=None).values_list(
        "child_id", flat=True))
    for child in _children(conference):
        advice = selectors.child_invitation_advice(conference, child)
        if advice.invite and child.pk not in invited_children:
            added.append(Invitation.objects.create(
                conference=conference, kind=InviteeKind.CHILD, child=child,
                name=child.display_name, role="Child", created_by=user, updated_by=user))
    added.extend(_lead_social_workers(user, conference))
    return added


def _own_staff(invitation: Invitation) -> bool:
    """The authority's own social care staff, reached through their accounts."""
    return bool(invitation.user_id) and invitation.agency == Agency.CHILDRENS_SOCIAL_CARE


def _lead_social_workers(user: User, conference: Conference) -> list[Invitation]:
    """The children's allocated social workers: they present the assessment, so they are on
    every invitation list (002 §5.2: children's social care is part of the quorum)."""
    listed = set(conference.invitations.exclude(user=None).values_list("user_id", flat=True))
    added = []
    for allocation in (Allocation.objects.filter(child__in=_children(conference),
                                                 ended_on__isnull=True)
                       .exclude(social_worker=None).select_related("social_worker")
                       .order_by("social_worker_id")):
        worker = allocation.social_worker
        if worker.pk in listed:
            continue
        listed.add(worker.pk)
        added.append(Invitation.objects.create(
            conference=conference, kind=InviteeKind.PROFESSIONAL, user=worker,
            name=worker.full_name, agency=Agency.CHILDRENS_SOCIAL_CARE,
            role="Lead social worker", email=worker.email, mobile=worker.mobile,
            response=InvitationResponse.ATTENDING, created_by=user, updated_by=user))
    return added


def _family_from_link(user: User, conference: Conference, link: ChildPerson) -> Invitation:
    person = link.person
    role = link.get_relationship_display()
    if not link.lives_with_child:
        role += " (does not live with the child)"
    return Invitation.objects.create(
        conference=conference, kind=InviteeKind.FAMILY, person=person, name=str(person),
        role=role, email=person.email, mobile=person.phone,
        has_parental_responsibility=link.has_parental_responsibility,
        created_by=user, updated_by=user)


def _locked_invitation(user: User, invitation: Invitation) -> tuple[Invitation, Conference]:
    conference = _locked(user, invitation.conference)
    return Invitation.objects.select_for_update().get(pk=invitation.pk), conference


@transaction.atomic
def invitation_remove(*, user: User, invitation: Invitation) -> None:
    """Take someone off the list before their invitation is sent; afterwards record their
    reply instead (the record lists everyone invited: 003)."""
    _require_role(user, INVITE_ROLES, "change the invitation list")
    invitation, conference = _locked_invitation(user, invitation)
    _require_booked(conference, "change the invitation list")
    if invitation.sent:
        raise ServiceError(f"{invitation.name} has been sent an invitation: record their "
                           "reply (apologies or not attending) instead.")
    if invitation.exclusion_requests.exists() or invitation.reports.exists():
        raise ServiceError(f"{invitation.name} is named on a report or an exclusion request "
                           "and stays on the list.")
    _uninvolve(invitation)
    invitation.delete()


@transaction.atomic
def invitation_respond(*, user: User, invitation: Invitation, response: str,
                       note: str = "") -> Invitation:
    """Record a reply: attending, apologies (002 §4.7: with a report or a colleague sent in
    their place) or not attending. Invited professionals may send their own."""
    own = invitation.user_id == user.pk
    if not own:
        _require_role(user, INVITE_ROLES, "record a reply")
    invitation, conference = _locked_invitation(user, invitation)
    _require_booked(conference, "record a reply")
    if response not in InvitationResponse.values:
        raise ServiceError("Choose the reply.")
    if response == InvitationResponse.APOLOGIES and not note.strip() and \
            invitation.kind == InviteeKind.PROFESSIONAL:
        raise ServiceError("Say why they cannot attend and whether a report or a colleague "
                           "is sent in their place.")  # 002 §4.7
    invitation.response, invitation.response_note = response, note.strip()
    invitation.updated_by = user
    invitation.save()
    return invitation


@transaction.atomic
def invitation_record_advocacy(*, user: User, invitation: Invitation, offered: bool,
                               accepted: bool | None = None) -> Invitation:
    """002 §13.2: every child of 10 or over is offered advocacy through a social worker."""
    _require_role(user, (Role.SOCIAL_WORKER, Role.TEAM_MANAGER), "record advocacy")
    invitation, _ = _locked_invitation(user, invitation)
    if invitation.kind != InviteeKind.CHILD:
        raise ServiceError("Advocacy is recorded for a child.")
    if not offered and accepted is not None:
        raise ServiceError("Record that advocacy was offered before the child's answer.")
    invitation.advocacy_offered, invitation.advocacy_accepted = offered, accepted
    invitation.updated_by = user
    invitation.save()
    return invitation


def _needs_advocacy(invitation: Invitation, conference: Conference) -> bool:
    if invitation.kind != InviteeKind.CHILD or invitation.child is None:
        return False
    age = invitation.child.age_on(conference.date)
    return age is not None and age >= selectors.ADVOCACY_AGE and not invitation.advocacy_offered


@transaction.atomic
def invitation_list_complete(*, user: User, conference: Conference) -> Conference:
    """The social worker confirms the list (000: within 48 hours of the date offered,
    `invitation_list`; 004: attendee details at least a week before, `attendee_details`)."""
    _require_role(user, (Role.SOCIAL_WORKER, Role.TEAM_MANAGER), "complete the invitation list")
    conference = _locked(user, conference)
    _require_booked(conference, "complete the invitation list")
    invitations = list(conference.invitations.select_related("child"))
    if not any(i.kind == InviteeKind.FAMILY for i in invitations):
        raise ServiceError("Invite the family: everyone with parental responsibility.")  # 003
    if not any(i.kind == InviteeKind.PROFESSIONAL and not _own_staff(i) for i in invitations):
        raise ServiceError("Invite the professionals who know the family.")
    for invitation in invitations:
        if invitation.kind in (InviteeKind.PROFESSIONAL, InviteeKind.OBSERVER) and \
                not _own_staff(invitation):
            try:
                check_professional_contact(invitation.email, invitation.mobile)
            except ServiceError as exc:
                raise ServiceError(f"{invitation.name}: {exc}") from exc
    now = timezone.now()
    conference.invitation_list_completed_at, conference.invitation_list_completed_by = now, user
    conference.updated_by = user
    conference.save(update_fields=["invitation_list_completed_at",
                                   "invitation_list_completed_by", "updated_by", "updated_at"])
    children = _children(conference)
    _meet_open("invitation_list", conference, children, now, user)
    _meet_open("attendee_details", conference, children, now, user)
    return conference


def _send_invitation_email(conference: Conference, invitation: Invitation, *,
                           subject: str = "Invitation to a child protection conference",
                           user: User | None = None) -> None:
    """A professional's invitation by e-mail with the .ics attached, sent on commit, and kept
    as sent (the whole message, .ics included) in the document store (issue 12 §8). No
    child's name leaves the system in it."""
    body = (f"{invitation.name},\n\nYou are invited to a {conference.get_kind_display().lower()}"
            f" (reference CP-{conference.pk}) on {_when(conference)}"
            f" at {conference.venue or conference.online_link}.\n\n"
            # 002 §4.7, §16.9, §16.8
            "If you cannot attend, send your apologies and a written report to the chair. "
            "Reports are due with the chair 24 hours before the conference.\n")
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    message.attach(f"conference-CP-{conference.pk}.ics", conference_ics(conference),
                   "text/calendar; method=" + ("CANCEL" if conference.status ==
                                               ConferenceStatus.CANCELLED else "REQUEST"))
    _on_commit_mail(message, kind="invitation")
    from cpcases.documents.services import document_keep_issued

    document_keep_issued(
        kind="conference invitation", title=f"{subject}: {invitation.name}, CP-{conference.pk}",
        filename=f"CP-{conference.pk}-invitation-{invitation.pk}.eml",
        content=message.message().as_bytes(), issued_to=f"{invitation.name} <{invitation.email}>",
        user=user, child_ids=list(conference.children.values_list("pk", flat=True)),
        conference_id=conference.pk)


@transaction.atomic
def invitations_mark_sent(*, user: User, conference: Conference,
                          invitations: Sequence[Invitation], how: str,
                          at: datetime | None = None) -> list[Invitation]:
    """Record how the invitations went out, one method for all (the API's batch form)."""
    if how not in InvitedHow.values:
        raise ServiceError("Choose how the invitations were sent.", field="how")
    return invitations_record_sent(user=user, conference=conference,
                                   methods={i.pk: how for i in invitations}, at=at)


@transaction.atomic
def invitations_record_sent(*, user: User, conference: Conference,
                            methods: Mapping[int, str],
                            at: datetime | None = None) -> list[Invitation]:
    """Record how each invitation went out (by post to a parent, by e-mail to a
    professional...): {invitation id: method}. Professionals invited by e-mail are sent it,
    with the calendar invitation attached. A child of 10 or over must have been offered
    advocacy first (002 §13.2). All or nothing: one refusal saves none."""
    _require_role(user, INVITE_ROLES, "send invitations")
    conference = _locked(user, conference)
    _require_booked(conference, "send invitations")
    if not methods:
        raise ServiceError("Choose how at least one invitation was sent.")
    if any(how not in InvitedHow.values for how in methods.values()):
        raise ServiceError("Choose how the invitations were sent.")
    at = _past_or_now(at, "the invitations were sent")
    chosen = list(Invitation.objects.select_for_update(of=("self",)).select_related("child")
                  .filter(conference=conference, pk__in=list(methods)).order_by("pk"))
    if len(chosen) != len(methods):
        raise ServiceError("Choose invitations of this conference.")
    for invitation in chosen:
        if _needs_advocacy(invitation, conference):
            who = ("the child's social worker" if user.role == Role.BUSINESS_SUPPORT
                   else "you")
            raise ServiceError(f"{invitation.name} is 10 or over: advocacy must be offered "
                               f"before the invitation is sent; {who} can record it on the "
                               "invitation.", field=f"how_{invitation.pk}")
        if methods[invitation.pk] == InvitedHow.EMAIL and not invitation.email:
            raise ServiceError(f"{invitation.name} has no email address: choose another way "
                               "or add their address first.", field=f"how_{invitation.pk}")
    for invitation in chosen:
        how = methods[invitation.pk]
        invitation.how_invited, invitation.invited_at, invitation.updated_by = how, at, user
        invitation.save()
        if how == InvitedHow.EMAIL and invitation.kind in (InviteeKind.PROFESSIONAL,
                                                           InviteeKind.OBSERVER):
            _send_invitation_email(conference, invitation, user=user)
    return chosen


# --- reports ------------------------------------------------------------------------------


def _allocated_team_ids(conference: Conference) -> set[int]:
    return set(Allocation.objects.filter(child__in=conference.children.all(),
                                         ended_on__isnull=True).values_list("team_id",
                                                                            flat=True))


@transaction.atomic
def report_upload(*, user: User, conference: Conference, kind: str,
                  upload: UploadedFile | None, agency: str = "", author_name: str = "",
                  includes_chronology: bool = False,
                  redacted_from: ConferenceReport | None = None) -> ConferenceReport:
    """Upload a report (PDF or Word, at most 10 MB). The social worker's report (002 §15.1:
    with a chronology) is replaced until the team manager countersigns it; an agency report
    received meets `agency_report_to_chair` (002 §16.8); a redacted copy is for a person
    excluded from the conference (002 §12.8)."""
    conference = _locked(user, conference)
    _require_booked(conference, "add a report")
    if kind not in ReportKind.values:
        raise ServiceError("Choose the kind of report.")
    invitation = None
    if kind == ReportKind.SOCIAL_WORKER:
        _require_role(user, SW_REPORT_ROLES, "upload the social worker's report")
        agency = Agency.CHILDRENS_SOCIAL_CARE
    elif kind == ReportKind.AGENCY:
        _require_role(user, AGENCY_REPORT_ROLES, "upload an agency report")
        if user.role == Role.PARTNER:
            invitation = conference.invitations.filter(user=user).first()
            agency, author_name = agency or user.agency, author_name or user.full_name
        if agency not in Agency.values:
            raise ServiceError("Choose the agency the report is from.")
    else:
        _require_role(user, (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.BUSINESS_SUPPORT),
                      "upload the originating authority's report")
        if conference.kind != ConferenceKind.TRANSFER_IN:
            raise ServiceError("Only a transfer-in conference has an originating authority's "
                               "report.")  # 003
        agency = Agency.CHILDRENS_SOCIAL_CARE
    if redacted_from is not None and redacted_from.conference_id != conference.pk:
        raise ServiceError("Choose a report of this conference to redact.")
    content_type = check_report_file(upload)
    now = timezone.now()
    if kind == ReportKind.SOCIAL_WORKER and redacted_from is None:
        current = (conference.reports.select_for_update()
                   .filter(kind=ReportKind.SOCIAL_WORKER, redacted_from__isnull=True).first())
        if current is not None:
            if current.countersigned:
                raise ServiceError("The social worker's report has been countersigned: it "
                                   "cannot be replaced.")
            current.file, current.original_name = upload, upload.name[:255]  # type: ignore
            current.size, current.content_type = upload.size, content_type  # type: ignore
            current.includes_chronology, current.submitted_at = includes_chronology, now
            current.author, current.author_name, current.updated_by = user, user.full_name, user
            current.save()
            return current
    report = ConferenceReport.objects.create(
        conference=conference, kind=kind, agency=agency, author=user,
        author_name=author_name.strip() or user.full_name, invitation=invitation,
        file=upload, original_name=(upload.name or "")[:255],  # type: ignore[union-attr]
        size=upload.size, content_type=content_type,  # type: ignore[union-attr]
        includes_chronology=includes_chronology and kind != ReportKind.AGENCY,
        submitted_at=now, redacted_from=redacted_from, created_by=user, updated_by=user)
    if kind == ReportKind.AGENCY:
        _meet_open("agency_report_to_chair", conference, _children(conference), now, user)
    elif kind == ReportKind.ORIGINATING:
        _meet_open("originating_report", conference, _children(conference), now, user)
    return report


@transaction.atomic
def report_countersign(*, user: User, report: ConferenceReport,
                       comments: str = "") -> ConferenceReport:
    """002 §15.1: the practice or team manager endorses and countersigns the social
    worker's report 48 hours before the conference (`report_countersigned`); 004: before it
    is shared with the family. Only a team manager of the children's team."""
    conference = _locked(user, report.conference)
    if user.role != Role.TEAM_MANAGER:
        raise NotPermitted(f"A {user.role_label.lower()} cannot countersign the report: the "
                           "team manager does.")  # 002 §15.1
    if user.team_id not in _allocated_team_ids(conference):
        raise NotPermitted("Only a team manager of the children's team countersigns the "
                           "report.")
    report = ConferenceReport.objects.select_for_update().get(pk=report.pk)
    if report.kind != ReportKind.SOCIAL_WORKER or report.is_redacted:
        raise ServiceError("Only the social worker's report is countersigned.")
    if report.countersigned:
        raise ServiceError("The report has already been countersigned.")
    if report.author_id == user.pk:
        raise ServiceError("The report's author cannot countersign it.")
    now = timezone.now()
    report.countersigned_by, report.countersigned_at = user, now
    report.countersign_comments, report.updated_by = comments.strip(), user
    report.save()
    _meet_open("report_countersigned", conference, _children(conference), now, user)
    return report


@transaction.atomic
def report_share(*, user: User, report: ConferenceReport, recipient: str, how: str,
                 name: str = "", invitation: Invitation | None = None,
                 at: datetime | None = None, note: str = "") -> ReportSharing:
    """Record that a report was shared, with whom, how and when. The social worker's report
    goes to the parents and older children (`report_to_family`, 002 §15.4) and to the chair
    (`report_to_chair`, 002 §15.7), once countersigned (004)."""
    _require_role(user, SHARE_ROLES, "record the sharing of a report")
    conference = _locked(user, report.conference)
    _require_booked(conference, "share a report")
    report = ConferenceReport.objects.select_related("redacted_from").get(pk=report.pk)
    if recipient not in ShareRecipient.values:
        raise ServiceError("Choose who the report was shared with.")
    if how not in ShareHow.values:
        raise ServiceError("Choose how the report was shared.")
    at = _past_or_now(at, "the report was shared")
    original = report.redacted_from or report
    if original.kind == ReportKind.SOCIAL_WORKER and not original.countersigned:
        raise ServiceError("The team manager must countersign the social worker's report "
                           "before it is shared.")  # 002 §15.1; 004
    if invitation is not None:
        if invitation.conference_id != conference.pk:
            raise ServiceError("Choose someone invited to this conference.")
        name = name or invitation.name
    if recipient == ShareRecipient.CHAIR:
        name = name or conference.chair.full_name
    if not name.strip():
        raise ServiceError("Give the name of the person the report was shared with.")
    sharing = ReportSharing.objects.create(
        report=report, recipient=recipient, invitation=invitation, name=name.strip(), how=how,
        shared_at=at, shared_by=user, redacted=report.is_redacted, note=note.strip(),
        created_by=user, updated_by=user)
    if original.kind == ReportKind.SOCIAL_WORKER:
        children = _children(conference)
        if recipient in (ShareRecipient.FAMILY, ShareRecipient.CHILD):
            _meet_open("report_to_family", conference, children, at, user)
        elif recipient == ShareRecipient.CHAIR:
            _meet_open("report_to_chair", conference, children, at, user)
    return sharing


# --- exclusion requests -------------------------------------------------------------------


def _exclusion_deadline(exclusion: ExclusionRequest, conference: Conference,
                        user: User) -> None:
    """The request is judged against `exclusion_request` (002 §12.1, 003: 3 working days
    before) through the engine: met, or missed when late. The deadline is recorded when a
    request is made, not on booking: most conferences have none, and a standing deadline
    would send every social worker a breach notice for a step nobody needed."""
    late = False
    for child in _children(conference):
        deadline = deadlines.deadline_set(child=child, rule_id="exclusion_request",
                                          anchor=conference.date, subject=exclusion,
                                          user=user, responsible=exclusion.requested_by)
        if deadline.status == DeadlineStatus.OPEN:
            deadline = deadlines.deadline_meet(deadline=deadline, at=exclusion.requested_at,
                                               user=user)
        late = late or deadline.status == DeadlineStatus.MISSED
    if exclusion.late != late:
        exclusion.late = late
        exclusion.save(update_fields=["late", "updated_at"])


@transaction.atomic
def exclusion_request_make(*, user: User, conference: Conference, grounds: Sequence[str],
                           evidence: str, invitation: Invitation | None = None,
                           person: Person | None = None) -> ExclusionRequest:
    """Ask the chair to exclude a family member from all or part of the conference, stating
    the grounds and the evidence (002 §12.1-12.2; 003). A late request is accepted and
    flagged for the chair."""
    _require_role(user, EXCLUSION_REQUEST_ROLES, "ask for an exclusion")
    conference = _locked(user, conference)
    _require_booked(conference, "ask for an exclusion")
    if user.role == Role.PARTNER and not conference.invitations.filter(user=user).exists():
        raise NotPermitted("Only professionals invited to the conference may ask.")
    if invitation is not None:
        if invitation.conference_id != conference.pk or invitation.kind != InviteeKind.FAMILY:
            raise ServiceError("Choose a family member invited to this conference.")
        person, name = invitation.person, invitation.name
    elif person is not None:
        if not ChildPerson.objects.filter(person=person,
                                          child__in=conference.children.all()).exists():
            raise ServiceError("Choose a person around the children of this conference.")
        invitation = conference.invitations.filter(person=person).first()
        name = str(person)
    else:
        raise ServiceError("Choose the family member the request is about.")
    chosen = [g for g in dict.fromkeys(grounds) if g]
    if not chosen:
        raise ServiceError("Choose at least one of the grounds.")  # 002 §12.2
    if any(g not in ExclusionGround.values for g in chosen):
        raise ServiceError("Choose grounds from the list.")
    if not evidence.strip():
        raise ServiceError("Give the information or evidence the request is based on.")  # 002 §12.2
    open_request = conference.exclusion_requests.filter(decision="")
    if (person is not None and open_request.filter(person=person).exists()) or (
            invitation is not None and open_request.filter(invitation=invitation).exists()):
        raise ServiceError(f"A request to exclude {name} is already with the chair.")
    exclusion = ExclusionRequest.objects.create(
        conference=conference, invitation=invitation, person=person, name=name,
        requested_by=user, requesting_agency=user.agency, grounds=chosen,
        evidence=evidence.strip(), requested_at=timezone.now(), created_by=user,
        updated_by=user)
    _exclusion_deadline(exclusion, conference, user)
    _mail_users("Request to exclude a family member from a conference",
                f"{user} ({user.get_agency_display()}) asks you to exclude a family member "
                f"from the conference CP-{conference.pk} on {_when(conference)}"
                + (" (after the 3 working days cut-off)" if exclusion.late else "")
                + ". Your decision is needed in writing.", [conference.chair])  # 002 §12
    return exclusion


@transaction.atomic
def exclusion_decide(*, user: User, exclusion: ExclusionRequest, decision: str, reasons: str,
                     excluded_part: str = "", views_arrangement: str = "") -> ExclusionRequest:
    """The conference's chair decides, in writing, and the decision is final (002 §12.3,
    §12.6, §12.13). An excluded person is told how to give their views (002 §12.8, 003)."""
    conference = _locked(user, exclusion.conference)
    if user.pk != conference.chair_id:
        raise NotPermitted("Only the chair of this conference decides an exclusion.")  # 002 §12.13
    exclusion = ExclusionRequest.objects.select_for_update().get(pk=exclusion.pk)
    if exclusion.decided:
        raise ServiceError("The chair's decision on this request is final.")  # 002 §12.13
    if decision not in ExclusionDecision.values:
        raise ServiceError("Choose your decision.")
    if not reasons.strip():
        raise ServiceError("Give your reasons in writing.")  # 002 §12.6
    if decision == ExclusionDecision.PARTLY and not excluded_part.strip():
        raise ServiceError("Say which part of the conference they are excluded from; an "
                           "exclusion is for the minimum time necessary.")  # 002 §12.7
    if decision != ExclusionDecision.NOT_EXCLUDED and not views_arrangement.strip():
        # 002 §12.8; 003
        raise ServiceError("Say how they will give their views to the conference.")
    exclusion.decision, exclusion.decided_by, exclusion.decided_at = (
        decision, user, timezone.now())
    exclusion.reasons, exclusion.excluded_part = reasons.strip(), excluded_part.strip()
    exclusion.views_arrangement, exclusion.updated_by = views_arrangement.strip(), user
    exclusion.save()
    social_workers = [a.social_worker for a in Allocation.objects.filter(
        child__in=conference.children.all(), ended_on__isnull=True).select_related(
        "social_worker")]
    _mail_users("Exclusion request decided",
                f"The chair has decided the request to exclude a family member from "
                f"conference CP-{conference.pk}: {exclusion.get_decision_display()}.",
                [exclusion.requested_by, *social_workers])
    return exclusion


@transaction.atomic
def exclusion_provide_report(*, user: User, exclusion: ExclusionRequest,
                             report: ConferenceReport, how: str,
                             at: datetime | None = None) -> ExclusionRequest:
    """002 §12.8: those excluded get the social worker's report, redacted of what is not
    relevant or appropriate for them; recorded as shared with them."""
    exclusion = ExclusionRequest.objects.get(pk=exclusion.pk)
    if not exclusion.excludes:
        raise ServiceError("Only a person the chair excluded needs this.")
    if report.conference_id != exclusion.conference_id or (
            report.redacted_from or report).kind != ReportKind.SOCIAL_WORKER:
        raise ServiceError("Choose the social worker's report for this conference, or its "
                           "redacted version.")
    sharing = report_share(user=user, report=report, recipient=ShareRecipient.FAMILY, how=how,
                           name=exclusion.name, invitation=exclusion.invitation, at=at,
                           note="Provided to a person excluded from the conference.")  # 002 §12.8
    exclusion = ExclusionRequest.objects.select_for_update().get(pk=exclusion.pk)
    exclusion.redacted_report, exclusion.report_provided_at = report, sharing.shared_at
    exclusion.updated_by = user
    exclusion.save()
    return exclusion
