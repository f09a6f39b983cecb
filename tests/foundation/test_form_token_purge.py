"""One-time form tokens are forgotten nightly after two days (issue 12 §4, decisions §27)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings

from cpcases.beat import FORM_TOKEN_PURGE
from cpcases.celery import app
from cpcases.core.models import FormToken
from cpcases.core.tasks import purge_form_tokens_task

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 3, 10, 3, 15, tzinfo=LONDON)


def test_beat_purges_form_tokens_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE[FORM_TOKEN_PURGE]
    assert entry["task"] == "core.purge_form_tokens"
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.hour == {3}
    assert schedule.minute == {15}
    assert schedule.day_of_week == set(range(7))
    assert "core.purge_form_tokens" in app.tasks


@pytest.mark.django_db
def test_the_nightly_purge_forgets_tokens_older_than_two_days_and_keeps_newer_ones():
    def token_made(at: dt.datetime, token: str) -> None:
        with time_machine.travel(at, tick=False):
            FormToken.objects.create(owner="user:1", token=token, path="/visits/new/")

    token_made(NOW - dt.timedelta(days=5), "last week")
    token_made(NOW - dt.timedelta(days=2, minutes=1), "just over two days")
    token_made(NOW - dt.timedelta(days=1, hours=23), "under two days")
    token_made(NOW - dt.timedelta(minutes=5), "just now")

    with time_machine.travel(NOW, tick=False):
        purged = purge_form_tokens_task.apply().get()

    assert purged == 2
    assert set(FormToken.objects.values_list("token", flat=True)) == {
        "under two days", "just now"}
