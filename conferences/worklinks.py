"""Where the conference workflow's deadlines are done (deadlines.worklinks)."""

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from conferences import selectors
from cpcases.accounts.roles import Role
from deadlines.models import DeadlineStatus
from deadlines.mywork import QueueItem, WorkQueue, child_label, children_text, register_queue
from deadlines.presentation import due_text
from deadlines.worklinks import WorkLink, link_for, register_work

_CONFERENCE = "conferences.conference"
_REQUEST = "conferences.conferencerequest"


def _on_conference(rule_id: str, action: str, url_name: str = "conferences:conference"
                   ) -> WorkLink:
    return WorkLink(rule_id, action, child_url_name="conferences:child", url_name=url_name,
                    subject_model=_CONFERENCE)


def _on_request(rule_id: str, action: str, url_name: str = "conferences:request_detail"
                ) -> WorkLink:
    return WorkLink(rule_id, action, child_url_name="conferences:child", url_name=url_name,
                    subject_model=_REQUEST)


LINKS = (
    WorkLink("icpc_request", "Request the initial conference",
             child_url_name="conferences:request_new"),
    WorkLink("icpc", "Hold the initial child protection conference",
             child_url_name="conferences:child"),
    _on_request("icpc_date_offered", "Offer a conference date", "conferences:request_book"),
    _on_request("icpc_cancellation", "Tell business support the conference is not needed"),
    _on_request("transfer_conference", "Hold the transfer-in conference"),
    _on_request("prebirth_conference", "Hold the pre-birth conference"),
    _on_conference("invitation_list", "Complete the invitation list"),
    _on_conference("attendee_details", "Give the attendee details"),
    _on_conference("originating_report", "Get the originating authority's report"),
    _on_conference("report_countersigned", "Countersign the report"),
    _on_conference("report_to_family", "Share the report with the parents and child"),
    _on_conference("report_to_chair", "Share the report with the chair"),
    _on_conference("agency_report_to_chair", "Send your agency's report to the chair"),
    WorkLink("exclusion_request", "Make the exclusion request to the chair",
             child_url_name="conferences:child"),
    _on_conference("decision_letter", "Send the decision letter",
                   "conference_outcomes:outputs"),
    _on_conference("record_to_professionals", "Send the conference record to professionals",
                   "conference_outcomes:distribute"),
    _on_conference("record_to_family", "Send the conference record to the family",
                   "conference_outcomes:distribute"),
    _on_conference("record_amendment_window", "Deal with amendments to the record",
                   "conference_outcomes:outputs"),
    _on_conference("inquorate_reconvene", "Reconvene the conference",
                   "conference_outcomes:day"),
    WorkLink("first_review", "Hold the first review conference",
             child_url_name="conferences:child"),
    WorkLink("next_review", "Hold the next review conference",
             child_url_name="conferences:child"),
    WorkLink("prebirth_first_review", "Hold the first review after the birth",
             child_url_name="conferences:child"),
    WorkLink("eighteenth_birthday_review", "Hold a review before the 18th birthday",
             child_url_name="conferences:child"),
    WorkLink("resource_disparity", "Resolve the disagreement about resources",
             child_url_name="conferences:child"),
)


def _role_is(*roles: str) -> Callable[[Any], bool]:
    return lambda user: getattr(user, "role", None) in roles


def _request_item(action: str, url_name: str) -> Callable[[Any], QueueItem]:
    def describe(request: Any) -> QueueItem:
        children = [rc.child for rc in request.requested_children.all()]
        return QueueItem(action, children_text(children), reverse(url_name, args=[request.pk]))
    return describe


def _offer_item(request: Any) -> QueueItem:
    item = _request_item("Offer a conference date", "conferences:request_book")(request)
    when = f"Offer by {due_text(request.offer_by.date(), request.offer_by)}" \
        if request.offer_by else ""
    return QueueItem(item.action, item.who, item.url, when)


def _conference_item(action: str, url_name: str) -> Callable[[Any], QueueItem]:
    def describe(conference: Any) -> QueueItem:
        when = f"Conference on {conference.date:%-d %B %Y} at {conference.start_time:%H:%M}"
        return QueueItem(action, children_text(conference.children.all()),
                         reverse(url_name, args=[conference.pk]), when)
    return describe


def _delay_item(delay: Any) -> QueueItem:
    children = [rc.child for rc in delay.request.requested_children.all()]
    return QueueItem("Decide on the delay to the conference", children_text(children),
                     reverse("conferences:delay_decide", args=[delay.pk]),
                     f"Hold the conference by {delay.latest_date:%-d %B %Y}")


def _records_to_distribute(user: Any) -> Any:
    from deadlines.mywork import slim
    from deadlines.selectors import deadlines_visible

    if getattr(user, "role", None) != Role.BUSINESS_SUPPORT:
        return deadlines_visible(user=user).none()
    return slim(deadlines_visible(user=user).filter(
        rule_id__in=RECORD_RULES, status=DeadlineStatus.OPEN)).order_by("due_date", "id")


def _record_item(deadline: Any) -> QueueItem:
    link = link_for(deadline)
    return QueueItem(link.action, child_label(deadline.child), link.url,
                     f"By {due_text(deadline.due_date, deadline.due_at)}")


# 002 §22.5: the record to professionals and to the family within the policy's days.
RECORD_RULES = ("record_to_professionals", "record_to_family")


def register() -> None:
    for link in LINKS:
        register_work(link)
    register_queue(WorkQueue(
        "approvals", "Conference requests to approve", _role_is(Role.TEAM_MANAGER),
        lambda user: selectors.approvals_queue(user=user),
        _request_item("Approve or return the conference request", "conferences:request_detail"),
        "conferences:approvals", order=10, kept_count=True))
    register_queue(WorkQueue(
        "second_conferences", "Second conferences to agree", _role_is(Role.SERVICE_MANAGER),
        lambda user: selectors.second_conference_queue(user=user),
        _request_item("Agree a second conference", "conferences:request_detail"),
        "conferences:second_conferences", order=11))
    register_queue(WorkQueue(
        "delays", "Delays to authorise", selectors.may_authorise_icpc_delay,
        lambda user: selectors.delay_queue(user=user).prefetch_related(
            "request__requested_children__child"),
        _delay_item, "conferences:delays", order=12))
    register_queue(WorkQueue(
        "dates_to_offer", "Dates to offer", _role_is(Role.BUSINESS_SUPPORT),
        lambda user: selectors.dates_to_offer(user=user), _offer_item,
        "conferences:booking_queue", order=21))
    register_queue(WorkQueue(
        "invitations_to_send", "Invitations to send", _role_is(Role.BUSINESS_SUPPORT),
        lambda user: selectors.invitations_to_send(user=user),
        _conference_item("Send the invitations", "conferences:conference"),
        "conferences:calendar", order=22))
    register_queue(WorkQueue(
        "records_to_distribute", "Records to distribute", _role_is(Role.BUSINESS_SUPPORT),
        _records_to_distribute, _record_item, "", order=23))
    register_queue(WorkQueue(
        "chair_conferences", "Your conferences", _role_is(Role.CP_CHAIR),
        lambda user: selectors.chair_upcoming(user=user),
        _conference_item("Chair the conference", "conference_outcomes:day"),
        "conference_outcomes:day_list", order=31))
    register_queue(WorkQueue(
        "reports_expected", "Reports expected from you", _role_is(Role.PARTNER),
        lambda user: selectors.reports_expected(user=user),
        _conference_item("Send your report for the conference", "conferences:report_upload"),
        "", order=40))
