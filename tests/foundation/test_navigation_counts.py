"""The navigation's counts are kept per user between pages, and counted afresh after any
write (issue 13 §2; cpcases.core.navigation): never out of date after the user's own write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines import services
from deadlines.models import Notification, PolicyProfile
from deadlines.policy import Level, load_shipped_profiles


@pytest.fixture(autouse=True)
def _shipped_profiles(db):
    if not PolicyProfile.objects.filter(shipped=True).exists():
        load_shipped_profiles()


@pytest.fixture(autouse=True)
def _kept(settings):
    settings.NAV_COUNTS_CACHE_SECONDS = 30  # the test settings count on every page


@pytest.fixture
def deadline(child):
    return services.deadline_set(child=child, rule_id="child_seen", anchor=dt.date(2026, 2, 2))


def _unread_badge(client) -> bool:
    return 'aria-label="1 unread"' in client.get("/help/").content.decode()


def _count_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get("/help/")
    return len(captured)


def test_counts_are_kept_between_pages_of_the_same_user(client, sw, deadline):
    Notification.objects.create(recipient=sw, deadline=deadline, level=Level.BREACH,
                                text="Overdue: child seen")
    client.force_login(sw)
    first = _count_queries(client)
    assert _count_queries(client) < first  # the counts were not counted again


@pytest.mark.django_db(transaction=True)
def test_a_new_notification_shows_once_committed(client, sw, deadline):
    client.force_login(sw)
    assert not _unread_badge(client)
    # Made outside a request (as Celery's sweep makes them) and committed.
    Notification.objects.create(recipient=sw, deadline=deadline, level=Level.BREACH,
                                text="Overdue: child seen")
    assert _unread_badge(client)


def test_the_users_own_write_is_counted_on_the_next_page(client, sw, deadline):
    note = Notification.objects.create(recipient=sw, deadline=deadline, level=Level.BREACH,
                                       text="Overdue: child seen")
    client.force_login(sw)
    assert _unread_badge(client)
    # Marked read by a bulk update (no model signal): the POST itself moves the counts on.
    assert client.post(f"/deadlines/notifications/{note.pk}/read/").status_code == 302
    assert not _unread_badge(client)


def test_counted_on_every_page_when_not_kept(client, sw, deadline, settings):
    settings.NAV_COUNTS_CACHE_SECONDS = 0
    client.force_login(sw)
    assert _count_queries(client) == _count_queries(client)


def test_the_header_names_the_users_team_without_reading_it_on_every_page(client, sw):
    client.force_login(sw)
    first = _count_queries(client)
    page = client.get("/help/").content.decode()
    assert f", {sw.team.name}</p>" in page
    assert _count_queries(client) < first  # the team's name came with the kept entries


@pytest.mark.django_db(transaction=True)
def test_a_renamed_team_shows_on_the_next_page(client, sw):
    client.force_login(sw)
    assert f", {sw.team.name}</p>" in client.get("/help/").content.decode()
    team = sw.team
    team.name = "Renamed <North> team"
    team.save()  # committed, outside any request (the admin or a shell)
    assert ", Renamed &lt;North&gt; team</p>" in client.get("/help/").content.decode()


def test_a_user_moved_to_another_team_sees_its_name_on_the_next_page(client, sw, tm):
    from cpcases.accounts.models import Team

    client.force_login(sw)
    client.get("/help/")
    other = Team.objects.create(service=sw.team.service, name="Other team")
    type(sw).objects.filter(pk=sw.pk).update(team=other)  # no signal: the user's key moves
    assert ", Other team</p>" in client.get("/help/").content.decode()


def test_my_work_reads_its_other_lists_with_the_headers_entries_in_one_round_trip(client, tm):
    """My work's "Other lists" are kept entries as the header's are: read from the cache in
    the header's one round trip, not in a second one after it (issue 13 §2)."""
    from unittest import mock

    from django.core.cache import caches

    client.force_login(tm)
    first = client.get("/").content.decode()  # counted, and kept
    store = caches["default"]
    with mock.patch.object(store, "get_many", wraps=store.get_many) as get_many:
        page = client.get("/").content.decode()
    assert get_many.call_count == 1
    assert 'data-testid="other-pages"' in page
    assert page.count('class="govuk-link" href="') == first.count('class="govuk-link" href="')
