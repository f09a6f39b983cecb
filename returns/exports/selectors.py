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
