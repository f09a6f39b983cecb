"""Every e-mail goes through the outbox (issue 12 §1): written with the change, sent after it
commits, kept and retried when the relay fails, shown to administrators."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from cpcases.outbox import tasks
from cpcases.outbox.models import OutboxMessage, OutboxStatus
from cpcases.outbox.services import outbox_deliver, outbox_enqueue, outbox_enqueue_many
from deadlines import services as deadlines
from deadlines import sweep
from deadlines.models import Escalation, PolicyProfile
from deadlines.policy import Level, load_shipped_profiles
from tests.outbox.smtp_sink import SmtpSink, free_port

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def _smtp(port: int) -> override_settings:
    return override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                             EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, EMAIL_TIMEOUT=5)


def _message(to: str = "sw@authority.example") -> EmailMessage:
    return EmailMessage("A deadline notice", "Deadlines that need your attention", None, [to])


def test_a_message_is_sent_after_commit_with_its_stored_message_id(
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox_enqueue(message=_message(), kind="test")
        assert mail.outbox == []  # nothing leaves before the change commits
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [row.message_id]


def test_a_change_that_rolls_back_sends_nothing_and_leaves_no_message(
        django_capture_on_commit_callbacks):
    def change() -> None:
        with transaction.atomic():
            outbox_enqueue(message=_message(), kind="test")
            raise RuntimeError("the change failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        change()
    assert mail.outbox == []
    assert not OutboxMessage.objects.exists()


def test_a_refused_message_is_kept_failing_with_the_error_and_sent_later_with_the_same_id(
        django_capture_on_commit_callbacks):
    with SmtpSink() as sink, _smtp(sink.port):
        sink.refuse = True
        with django_capture_on_commit_callbacks(execute=True):
            row = outbox_enqueue(message=_message(), kind="test")
        row.refresh_from_db()
        assert row.status == OutboxStatus.FAILING
        assert "Try again later" in row.last_error
        assert row.next_attempt_at > row.last_attempt_at  # backs off before the next try

        sink.refuse = False
        assert outbox_deliver().sent == 0  # not due yet: the relay is not hammered
        outbox_deliver(now=row.next_attempt_at)
        row.refresh_from_db()
        assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
        assert sink.received == {row.message_id: 1}


def test_a_relay_that_is_down_delays_every_message_and_loses_none(
        django_capture_on_commit_callbacks):
    with _smtp(free_port()), django_capture_on_commit_callbacks(execute=True):  # nothing there
        rows = outbox_enqueue_many(messages=[_message(f"p{i}@authority.example")
                                             for i in range(5)], kind="test")
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"failing"}
    with SmtpSink() as sink, _smtp(sink.port):
        later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
        assert outbox_deliver(now=later).sent == 5
    assert sorted(sink.received) == sorted(r.message_id for r in rows)
    assert set(sink.received.values()) == {1}


def test_an_attachment_survives_the_outbox(django_capture_on_commit_callbacks):
    message = _message()
    message.attach("conference.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                   "text/calendar; method=REQUEST")
    with django_capture_on_commit_callbacks(execute=True):
        outbox_enqueue(message=message, kind="invitation")
    (sent,) = mail.outbox
    assert sent.attachments[0][0] == "conference.ics"
    assert "BEGIN:VCALENDAR" in str(sent.attachments[0][1])


def test_the_flush_task_sends_what_was_left_pending(django_capture_on_commit_callbacks):
    with override_settings(OUTBOX_DELIVERY="celery"), \
            django_capture_on_commit_callbacks(execute=False):  # the broker never heard
        outbox_enqueue(message=_message(), kind="test")
    assert OutboxMessage.objects.get().status == OutboxStatus.PENDING
    assert tasks.flush() == {"sent": 1, "failed": 0}
    assert len(mail.outbox) == 1


@pytest.fixture
def _profiles():
    if not PolicyProfile.objects.filter(shipped=True).exists():
        load_shipped_profiles()


@pytest.mark.usefixtures("_profiles")
def test_a_breach_notice_whose_email_fails_is_sent_by_a_later_attempt_never_lost(
        child, sw, tm, django_capture_on_commit_callbacks):
    """The measured failure: the escalation row was written, the e-mail failed, and the row
    then forbade a retry. Now the notice waits in the outbox."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=LONDON), tick=False):
        deadline = deadlines.deadline_set(child=child, rule_id="child_seen",
                                          anchor=dt.date(2026, 3, 2))
    now = dt.datetime(2026, 4, 1, 9, tzinfo=LONDON)
    with _smtp(free_port()), django_capture_on_commit_callbacks(execute=True):
        sweep.deadlines_sweep(now=now)
    assert Escalation.objects.filter(deadline=deadline, level=Level.BREACH).exists()
    waiting = OutboxMessage.objects.filter(kind="deadline notice")
    assert sorted(m.to[0] for m in waiting) == ["sw@authority.example", "tm@authority.example"]
    assert {m.status for m in waiting} == {OutboxStatus.FAILING}

    with django_capture_on_commit_callbacks(execute=True):
        sweep.deadlines_sweep(now=now)  # the sweep does not notify twice ...
    assert waiting.count() == 2
    outbox_deliver(now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=2))  # ... the outbox does
    assert sorted(m.to[0] for m in mail.outbox) == ["sw@authority.example",
                                                    "tm@authority.example"]


def test_administrators_see_the_outbox_with_the_error(client, admin_user,
                                                      django_capture_on_commit_callbacks):
    with _smtp(free_port()), django_capture_on_commit_callbacks(execute=True):
        outbox_enqueue(message=_message(), kind="deadline notice")
    client.force_login(admin_user)
    response = client.get(reverse("admin:outbox_outboxmessage_changelist") + "?status=failing")
    page = response.content.decode()
    assert response.status_code == 200
    assert "A deadline notice" in page
    assert "Failing (will retry)" in page
    assert "ConnectionRefusedError" in page
