"""Where the strategy workflow's deadlines are done (deadlines.worklinks)."""

from typing import Any

from django.urls import reverse
from django.utils.timezone import localtime

from cpcases.accounts.roles import Role
from deadlines.mywork import QueueItem, WorkQueue, child_label, register_queue
from deadlines.worklinks import WorkLink, register_work
from strategy import selectors
from strategy.models import ConsultationStatus


def _to_assign(user: Any) -> Any:
    return selectors.consultation_queue(user=user).filter(status=ConsultationStatus.REQUESTED)


def _to_record(user: Any) -> Any:
    return selectors.chair_consultations(user=user).filter(status=ConsultationStatus.ASSIGNED)


def _assign_item(consultation: Any) -> QueueItem:
    return QueueItem("Assign a chair", child_label(consultation.child),
                     reverse("strategy:consultation_assign", args=[consultation.pk]),
                     f"Requested {localtime(consultation.requested_at):%-d %B %Y at %H:%M}")


def _record_item(consultation: Any) -> QueueItem:
    return QueueItem("Record the consultation", child_label(consultation.child),
                     reverse("strategy:consultation_record", args=[consultation.pk]))


def register() -> None:
    # 000: the discussion is held within the urgency's working days of the concern.
    register_work(WorkLink("strategy_discussion", "Hold the strategy discussion",
                           child_url_name="strategy:discussion_new"))
    register_work(WorkLink("assessment", "Complete the single assessment",
                           child_url_name="strategy:child"))
    # 000: business support finds a chair within 24 hours; the chair records within 48.
    register_work(WorkLink("consultation_chair_assigned", "Assign a chair to the consultation",
                           child_url_name="strategy:child",
                           url_name="strategy:consultation_assign",
                           subject_model="strategy.consultationrequest"))
    register_work(WorkLink("consultation_recorded", "Record the consultation",
                           child_url_name="strategy:child",
                           url_name="strategy:consultation_record",
                           subject_model="strategy.consultationrequest"))
    register_queue(WorkQueue(
        "consultations_to_assign", "Consultations to assign",
        lambda user: getattr(user, "role", None) == Role.BUSINESS_SUPPORT, _to_assign,
        _assign_item, "strategy:consultation_queue", order=20))
    register_queue(WorkQueue(
        "consultations_to_record", "Consultations to record",
        lambda user: getattr(user, "role", None) == Role.CP_CHAIR, _to_record,
        _record_item, "strategy:chair_consultations", order=30))
