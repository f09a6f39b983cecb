"""Notifications people read (issue 9 point 8): one digest per person per sweep, in-app and
by e-mail; nothing for a deadline already missed when it was made; the notifications page is
paged and marked read in bulk."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from deadlines import services, sweep
from deadlines.models import Notification, NotificationDigest
from deadlines.policy import Level
from deadlines.selectors import unread_count
from tests.factories import AllocationFactory, ChildFactory

LONDON = ZoneInfo("Europe/London")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def twelve_visits(org, sw):
    """Twelve children last seen on Wednesday 18 February 2026, so each is due to be seen again
    by Wednesday 4 March (10 working days: 003), by their social worker."""
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        for _ in range(12):
            child = ChildFactory(authority=org.authority)
            AllocationFactory(child=child, team=org.team_a, social_worker=sw)
            services.deadline_set(child=child, rule_id="child_seen",
                                  anchor=dt.date(2026, 2, 18))


def _sweep(now, capture, **kwargs):
    with capture(execute=True):
        return sweep.deadlines_sweep(now=now, **kwargs)


def test_one_digest_per_person_per_sweep_however_many_batches(
        sw, tm, twelve_visits, django_capture_on_commit_callbacks):
    # Thursday 5 March: all twelve breached; five batches of three.
    result = _sweep(at(2026, 3, 5, 9), django_capture_on_commit_callbacks, batch_size=3)
    assert result.batches >= 4
    assert result.notices[Level.BREACH] == 12
    assert NotificationDigest.objects.filter(recipient=sw).count() == 1
    assert NotificationDigest.objects.filter(recipient=tm).count() == 1
    digest = NotificationDigest.objects.get(recipient=sw)
    assert digest.size == 12
    assert digest.title == "12 deadlines: 12 overdue"
    assert Notification.objects.filter(digest=digest).count() == 12
    # One e-mail each, listing all twelve.
    to_sw = [m for m in mail.outbox if m.to == ["sw@authority.example"]]
    assert len(to_sw) == 1
    assert to_sw[0].subject == "12 deadline notices"
    assert to_sw[0].body.count("Overdue: Child seen by lead social worker") == 12
    assert "1 working day overdue" in to_sw[0].body
    assert unread_count(sw) == 1  # one entry to read, not twelve


def test_the_next_sweep_makes_a_new_digest_only_for_what_is_new(
        sw, tm, twelve_visits, django_capture_on_commit_callbacks):
    _sweep(at(2026, 3, 5, 9), django_capture_on_commit_callbacks)
    _sweep(at(2026, 3, 5, 9, 5), django_capture_on_commit_callbacks)  # nothing new
    assert NotificationDigest.objects.filter(recipient=sw).count() == 1
    assert len([m for m in mail.outbox if m.to == ["sw@authority.example"]]) == 1


def test_a_digest_left_unsent_by_a_dead_worker_is_sent_by_a_later_sweep(
        sw, twelve_visits, django_capture_on_commit_callbacks, monkeypatch):
    from deadlines import notifications

    def down(digest_ids, *, now=None):  # the worker dies after the commit, before sending
        return 0

    monkeypatch.setattr(notifications, "send_digests", down)
    with time_machine.travel(at(2026, 3, 5, 9), tick=False):
        _sweep(at(2026, 3, 5, 9), django_capture_on_commit_callbacks)
    assert mail.outbox == []
    monkeypatch.undo()
    with time_machine.travel(at(2026, 3, 5, 9, 30), tick=False):
        _sweep(at(2026, 3, 5, 9, 30), django_capture_on_commit_callbacks)
    assert len([m for m in mail.outbox if m.to == ["sw@authority.example"]]) == 1


def test_no_notice_for_a_deadline_missed_when_it_was_made(
        sw, tm, child, django_capture_on_commit_callbacks):
    """A same-day booking makes the report deadlines impossible: recorded missed at once,
    they must not fan out breach notices."""
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        deadline = services.deadline_set(child=child, rule_id="report_to_chair",
                                         anchor=dt.date(2026, 3, 2))
        services.deadline_miss(deadline=deadline, reason="Conference booked for today")
    _sweep(at(2026, 3, 10, 9), django_capture_on_commit_callbacks)
    assert not Notification.objects.exists()
    assert mail.outbox == []


@pytest.fixture
def thirty_digests(sw, child):
    deadline = services.deadline_set(child=child, rule_id="child_seen",
                                     anchor=dt.date(2026, 3, 2))
    for n in range(30):
        digest = NotificationDigest.objects.create(recipient=sw, title=f"Digest number {n}",
                                                   size=1)
        Notification.objects.create(recipient=sw, deadline=deadline, digest=digest,
                                    level=Level.REMINDER, text=f"Reminder number {n}")
    return list(NotificationDigest.objects.filter(recipient=sw).order_by("-created_at", "-id"))


def test_the_notifications_page_is_paged(client, sw, thirty_digests):
    client = login(client, sw)
    first = client.get("/deadlines/notifications/").content.decode()
    assert first.count('data-testid="digest-') == 20
    assert "Digest number 29" in first
    second = client.get("/deadlines/notifications/?page=2").content.decode()
    assert second.count('data-testid="digest-') == 10
    assert "Digest number 0<" in second or "Digest number 0</strong>" in second


def test_selected_notifications_are_marked_read_in_bulk(client, sw, thirty_digests):
    client = login(client, sw)
    chosen = thirty_digests[:3]
    response = client.post("/deadlines/notifications/read/",
                           {"digest": [d.pk for d in chosen], "page": "1"})
    assert response.status_code == 302
    assert unread_count(sw) == 27
    assert not Notification.objects.filter(digest__in=chosen, read_at__isnull=True).exists()
    client.post("/deadlines/notifications/read-all/")
    assert unread_count(sw) == 0


def test_nobody_marks_someone_elses_digest(client, sw, tm, child):
    deadline = services.deadline_set(child=child, rule_id="child_seen",
                                     anchor=dt.date(2026, 3, 2))
    digest = NotificationDigest.objects.create(recipient=tm, title="Theirs", size=1)
    Notification.objects.create(recipient=tm, deadline=deadline, digest=digest,
                                level=Level.REMINDER, text="x")
    login(client, sw).post("/deadlines/notifications/read/", {"digest": [digest.pk]})
    digest.refresh_from_db()
    assert digest.read_at is None


def test_notifications_page_queries_stay_constant(client, sw, thirty_digests,
                                                  django_assert_max_num_queries):
    client = login(client, sw)
    # 20, plus the read audit: the children of the notices shown, and the log entry.
    with django_assert_max_num_queries(22):
        assert client.get("/deadlines/notifications/").status_code == 200


def test_a_long_digest_e_mail_lists_the_first_notices_and_counts_the_rest(
        sw, tm, twelve_visits, django_capture_on_commit_callbacks, monkeypatch):
    from deadlines import notifications

    monkeypatch.setattr(notifications, "EMAIL_LINES", 5)
    _sweep(at(2026, 3, 5, 9), django_capture_on_commit_callbacks)
    to_sw = [m for m in mail.outbox if m.to == ["sw@authority.example"]]
    assert to_sw[0].subject == "12 deadline notices"
    assert to_sw[0].body.count("Overdue: Child seen by lead social worker") == 5
    assert "…and 7 more deadline notices: see your notifications /deadlines/notifications/" \
        in to_sw[0].body
    # In the service every notice is there to read.
    assert Notification.objects.filter(recipient=sw).count() == 12
