"""Building blocks for the booking tests: the S47 story through the strategy app's own
services (so the icpc deadlines are the engine's), then requests through ours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from conferences import services
from conferences.models import Conference, ConferenceRequest
from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from strategy import services as strategy
from strategy.models import S47Outcome, StrategyDiscussion, Urgency

LONDON = ZoneInfo("Europe/London")


def at(y: int, m: int, d: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hour, tzinfo=LONDON)


def minimum_participants(sw: User, tm: User) -> list[strategy.ParticipantData]:
    return [
        strategy.ParticipantData(sw.full_name, Agency.CHILDRENS_SOCIAL_CARE, "social_worker"),
        strategy.ParticipantData(tm.full_name, Agency.CHILDRENS_SOCIAL_CARE, "manager"),
        strategy.ParticipantData("Dr Hana Health", Agency.HEALTH, "professional"),
        strategy.ParticipantData("DC Pat Police", Agency.POLICE, "professional"),
    ]


def s47_initiated(*, sw: User, tm: User, children: Sequence[Child], held_at: dt.datetime
                  ) -> StrategyDiscussion:
    """A strategy discussion that initiates a S47 enquiry for each child (sets `icpc`)."""
    return strategy.strategy_discussion_record(
        user=sw, children=list(children), concern_identified_at=held_at - dt.timedelta(hours=2),
        urgency=Urgency.CP_CONCERNS, format="meeting", held_at=held_at,
        outcomes={c.pk: strategy.S47 for c in children},
        participants=minimum_participants(sw, tm),
        information_shared="Injuries reported by school.")


def substantiate(*, sw: User, children: Sequence[Child], on: dt.date) -> None:
    for child in children:
        enquiry = child.s47_enquiries.get(outcome="")
        strategy.s47_record_outcome(user=sw, enquiry=enquiry, outcome=S47Outcome.SUBSTANTIATED,
                                    outcome_date=on, reasons="Likely significant harm")


def threshold(*, tm: User, children: Sequence[Child], met: bool = True) -> None:
    for child in children:
        strategy.threshold_decide(user=tm, child=child, harm_evidenced=True,
                                  attributable_to_parental_care=True, harm_likely=met,
                                  rationale="Significant Harm Checklist completed.")


def ready_for_request(*, sw: User, tm: User, children: Sequence[Child], held_at: dt.datetime,
                      threshold_met: bool | None = True) -> StrategyDiscussion:
    """S47 initiated at `held_at`, substantiated the same day, threshold decided."""
    discussion = s47_initiated(sw=sw, tm=tm, children=children, held_at=held_at)
    substantiate(sw=sw, children=children, on=held_at.date())
    if threshold_met is not None:
        threshold(tm=tm, children=children, met=threshold_met)
    return discussion


def submitted_request(*, sw: User, children: Sequence[Child],
                      had_plan_before: Sequence[int] = ()) -> ConferenceRequest:
    request = services.conference_request_create(
        user=sw, children=list(children), reason="Substantiated S47: significant harm likely.",
        had_plan_before=had_plan_before)
    return services.conference_request_submit(user=sw, request=request)


def approved_request(*, sw: User, tm: User, children: Sequence[Child],
                     had_plan_before: Sequence[int] = ()) -> ConferenceRequest:
    request = submitted_request(sw=sw, children=children, had_plan_before=had_plan_before)
    return services.conference_request_approve(user=tm, request=request)


def book(*, bso: User, request: ConferenceRequest, on: dt.date, chair: User,
         minute_taker: User | None = None) -> Conference:
    return services.conference_book(user=bso, request=request, on=on,
                                    start_time=dt.time(10, 0), chair=chair,
                                    minute_taker=minute_taker or bso,
                                    venue="Room 2, Civic Centre")


# --- objects for the permission walk (tests/foundation/test_permission_walk.py) -----------------


def walk_conference_request(fixtures: object, child: Child) -> int:
    """An approved request for the walk's child (team A, allocated to sw)."""
    from conferences.models import RequestedChild, RequestStatus

    sw = fixtures.getfixturevalue("sw")  # type: ignore[attr-defined]
    request = ConferenceRequest.objects.create(
        authority_id=child.authority_id, reason="Walk", social_worker=sw,
        status=RequestStatus.APPROVED, household_id=child.household_id)
    RequestedChild.objects.create(request=request, child=child)
    return request.pk


def walk_conference(fixtures: object, child: Child) -> int:
    request = ConferenceRequest.objects.get(pk=walk_conference_request(fixtures, child))
    conference = Conference.objects.create(
        authority_id=child.authority_id, request=request, date=dt.date(2027, 4, 1),
        start_time=dt.time(10), venue="Room 1",
        chair=fixtures.getfixturevalue("chair"),  # type: ignore[attr-defined]
        minute_taker=fixtures.getfixturevalue("bso"))  # type: ignore[attr-defined]
    conference.children.add(child)
    return conference.pk


def walk_delay(fixtures: object, child: Child) -> int:
    from conferences.models import DelayAuthorisation

    request = ConferenceRequest.objects.get(pk=walk_conference_request(fixtures, child))
    return DelayAuthorisation.objects.create(
        request=request, latest_date=dt.date(2027, 4, 30), danger_statement_1="Danger",
        rationale="Why", requested_by=request.social_worker).pk


def walk_invitation(fixtures: object, child: Child) -> int:
    from conferences.models import Invitation, InviteeKind

    conference = Conference.objects.get(pk=walk_conference(fixtures, child))
    return Invitation.objects.create(conference=conference, kind=InviteeKind.FAMILY,
                                     name="Mary Example", role="Mother").pk


def walk_report(fixtures: object, child: Child) -> int:
    """A social worker's report, its file in a temporary MEDIA_ROOT."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from conferences.models import ConferenceReport, ReportKind

    settings = fixtures.getfixturevalue("settings")  # type: ignore[attr-defined]
    settings.MEDIA_ROOT = fixtures.getfixturevalue("tmp_path")  # type: ignore[attr-defined]
    conference = Conference.objects.get(pk=walk_conference(fixtures, child))
    report = ConferenceReport(conference=conference, kind=ReportKind.SOCIAL_WORKER,
                              original_name="report.pdf", size=len(PDF_BYTES),
                              content_type="application/pdf", submitted_at=timezone.now())
    report.file.save("report.pdf", ContentFile(PDF_BYTES), save=False)
    report.save()
    return report.pk


def walk_exclusion(fixtures: object, child: Child) -> int:
    from django.utils import timezone

    from conferences.models import ExclusionGround, ExclusionRequest, Invitation

    invitation = Invitation.objects.get(pk=walk_invitation(fixtures, child))
    return ExclusionRequest.objects.create(
        conference=invitation.conference, invitation=invitation, name=invitation.name,
        requested_by=fixtures.getfixturevalue("sw"),  # type: ignore[attr-defined]
        requesting_agency=Agency.CHILDRENS_SOCIAL_CARE, grounds=[ExclusionGround.VIOLENCE],
        evidence="Threats", requested_at=timezone.now()).pk


def walk_draft_conference_request(fixtures: object, child: Child) -> int:
    """A request the social worker is still writing (it can be changed)."""
    from conferences.models import RequestedChild, RequestStatus

    request = ConferenceRequest.objects.create(
        authority_id=child.authority_id, reason="Walk",
        social_worker=fixtures.getfixturevalue("sw"),  # type: ignore[attr-defined]
        status=RequestStatus.DRAFT, household_id=child.household_id)
    RequestedChild.objects.create(request=request, child=child)
    return request.pk


WALK_PLACEHOLDERS = {"conference_request": walk_conference_request,
                     "draft_conference_request": walk_draft_conference_request,
                     "conference": walk_conference, "delay": walk_delay,
                     "invitation": walk_invitation, "report": walk_report,
                     "exclusion": walk_exclusion}


# --- before the conference: documents and people -------------------------------------------

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "report.pdf", content: bytes = PDF_BYTES):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx(name: str = "report.docx"):
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def professional(conference: Conference, user: User, *, name: str = "Dr Hana Health",
                 agency: str = Agency.HEALTH, email: str = "hana.health@nhs.example",
                 mobile: str = "07700 900456"):
    from conferences.models import InviteeKind
    from conferences.preparation import services as preparation

    return preparation.invitation_add(user=user, conference=conference,
                                      kind=InviteeKind.PROFESSIONAL, name=name, agency=agency,
                                      email=email, mobile=mobile, role="Health visitor")
