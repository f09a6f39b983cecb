"""Whose export jobs a user sees: their own, and only while they may run the returns."""

from __future__ import annotations

from django.db.models import QuerySet

from cpcases.accounts.models import User
from returns.exports.models import ExportJob
from returns.selectors import may_run_returns


def my_jobs(user: User) -> QuerySet[ExportJob]:
    if not may_run_returns(user):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(user=user, authority_id=user.authority_id)


def unfinished_same(user: User, kind: str, parameters: dict[str, object]) -> ExportJob | None:
    """The user's export of this kind and parameters that is still waiting or running: the
    form sent again (Back, then the button again) goes to it rather than building the same
    file twice."""
    from returns.exports.models import JobStatus

    return (my_jobs(user).filter(kind=kind, parameters=parameters,
                                 status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
            .order_by("-pk").first())
