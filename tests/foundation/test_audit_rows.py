"""The audit tab's rows, written in Python for speed (issue 13 §2), are the template's markup
character for character: pinned against the loops of templates/children/audit.html they
replaced."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template

from cpcases.accounts.models import User
from cpcases.audit.models import AccessEvent
from cpcases.children.templatetags.audit_tables import audit_access_rows, audit_change_rows

CHANGES = Template("""  {% for entry in changes %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell">{{ entry.at|date:"d/m/Y H:i" }}</td>
      <td class="govuk-table__cell">{{ entry.user|default:"System" }}</td>
      <td class="govuk-table__cell">{{ entry.verb }} {{ entry.what|lower }}</td>
      <td class="govuk-table__cell">{% for field, old, new in entry.changes %}{% if entry.verb == "Changed" %}<div>{{ field }}: <del>{{ old|default:"(blank)" }}</del> → <ins>{{ new|default:"(blank)" }}</ins></div>{% endif %}{% endfor %}</td>
    </tr>
  {% endfor %}""")  # noqa: E501
ACCESSES = Template("""  {% for event in accesses %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell">{{ event.at|date:"d/m/Y H:i" }}</td><td class="govuk-table__cell">{{ event.user|default:"Unknown" }}</td>
      <td class="govuk-table__cell">{% if event.action == "refused" %}<strong class="govuk-tag govuk-tag--red">{{ event.get_action_display }}</strong>{% else %}{{ event.get_action_display }}{% endif %}</td>
      <td class="govuk-table__cell">{{ event.section }} <span class="govuk-hint">{{ event.path }}</span></td>
    </tr>
  {% endfor %}""")  # noqa: E501

WHO = User(username="sam<sw>", full_name="")
NAMED = User(username="x", full_name="Ann & \"Bo\" O'Neil")
SUMMER = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 2 July, 00:30 in London
WINTER = datetime(2026, 1, 5, 9, 7, tzinfo=UTC)

ENTRIES = [
    SimpleNamespace(at=SUMMER, user=NAMED, what="ChildPerson", verb="Changed", changes=[
        ("Address", "1 <High> St", ""), ("Count", 0, 1234567), ("Flag", False, True),
        ("Ratio", 0.5, 1e-07), ("Tags", ["a", "<b>"], {"k": "v&"}), ("Gone", None, "x")]),
    SimpleNamespace(at=WINTER, user=None, what="Child", verb="Created",
                    changes=[("Name", "", "Ann")]),
    SimpleNamespace(at=WINTER, user=WHO, what="Plan", verb="Deleted", changes=[]),
    SimpleNamespace(at=SUMMER, user=None, what="Visit", verb="Changed", changes=[]),
]
EVENTS = [
    AccessEvent(at=SUMMER, user=NAMED, action="view", path="/children/1/?a=1&b=<2>",
                section="summary"),
    AccessEvent(at=WINTER, user=None, action="refused", path="/x/", section="refused <x>"),
    AccessEvent(at=WINTER, user=WHO, action="export", path="/e/", section="chronology"),
    AccessEvent(at=WINTER, user=WHO, action="search", path="/s/?q=%3C", section=""),
    AccessEvent(at=WINTER, user=WHO, action="unknown<", path="", section="s"),
]


@pytest.mark.parametrize("entries", [ENTRIES, ENTRIES[:1], []])
def test_the_change_rows_are_the_templates(entries):
    # The two spaces before the loop stay in the template, before the tag.
    assert "  " + audit_change_rows(entries) == CHANGES.render(Context({"changes": entries}))


@pytest.mark.parametrize("events", [EVENTS, EVENTS[1:2], []])
def test_the_access_rows_are_the_templates(events):
    assert "  " + audit_access_rows(events) == ACCESSES.render(Context({"accesses": events}))


@pytest.mark.django_db
@pytest.mark.parametrize("page", [None, "1", "2", "4", "5", "0", "-1", "abc", "2.0", "99"])
def test_the_access_list_is_the_access_logs_pages(sw, child, page):
    """Issue 13 §2: the tab reads its accesses as plain rows through SQL built once
    (cpcases.audit.access_list); the pages are the ones Django's paginator made of
    child_access_log, row for row as the tab shows them, for any page asked for."""
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cpcases.audit.access_list import AccessRows, access_page
    from cpcases.audit.selectors import child_access_log
    from cpcases.core.paging import CountedPaginator, page_number_to_read

    gone = User.objects.create(username="gone", full_name="", authority=sw.authority)
    for n in range(230):  # more than the cap of 200
        # a user; none; one named by their username; one whose row is no longer there
        user_id = (sw.pk, None, gone.pk, 10**9)[n % 4]
        AccessEvent.objects.create(user_id=user_id, child_id=child.pk,
                                   action=("view", "refused", "export")[n % 3],
                                   path=f"/children/{child.pk}/?n={n}&a=<b>",
                                   section=f"s<{n}>")
    AccessEvent.objects.create(user=sw, child_id=child.pk + 1, action="view", path="/x/",
                               section="another child")

    expected = Paginator(child_access_log(child), 50).get_page(page)
    rows = AccessRows(child.pk)
    shown = CountedPaginator(rows, 50, rows.count()).get_page(page)

    # The tab's way: the page asked for read with the count (another page read after).
    with CaptureQueriesContext(connection) as queries:
        read_once = access_page(child.pk, page, 50)
    for answered in (shown, read_once):
        assert (answered.number, answered.paginator.num_pages, answered.paginator.count) == (
            expected.number, expected.paginator.num_pages, expected.paginator.count)
        assert audit_access_rows(answered) == audit_access_rows(expected)
        assert audit_access_rows(answered) == ACCESSES.render(
            Context({"accesses": expected}))[2:]
    # One statement when the page answered is the one read with the count (a plain number
    # within the count; none, or not a number: the first).
    read_first = page_number_to_read(page) or 1
    assert len(queries) == (1 if expected.number == read_first else 2)


def _setting(name: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("views", [3, 230])
def test_the_access_count_outside_a_transaction_is_the_capped_count(sw, child, views):
    """Issue 13 §2: a page that only reads counts its accesses in one simple query with
    bitmap scans off for that query alone (PostgreSQL read every access of a much-viewed
    child to count 200). The count is the capped count, and the setting does not outlast it."""
    from django.db import connection

    from cpcases.audit.access_list import AccessRows

    AccessEvent.objects.bulk_create(
        [AccessEvent(user=sw, child_id=child.pk, action="view", path="/p/", section="s")
         for _ in range(views)]
        + [AccessEvent(user=sw, child_id=child.pk + 1, action="view", path="/x/",
                       section="another child")])
    assert not connection.in_atomic_block
    assert AccessRows(child.pk).count() == min(views, 200)
    assert _setting("enable_bitmapscan") == "on"
    # The count with a page's rows, as the tab reads it: the same count, the same setting.
    rows = AccessRows(child.pk)
    assert rows.counted_page(2, 50) == min(views, 200)
    assert len(rows[50:100]) == min(max(views - 50, 0), 50)
    assert _setting("enable_bitmapscan") == "on"


@pytest.mark.django_db(transaction=True)
def test_the_change_history_outside_a_transaction_is_the_plain_querys(sw, child, settings):
    """Issue 13 §2: the change history's PREPARE, generic-plan setting and EXECUTE go in one
    round trip; the setting does not outlast it, the rows are the unprepared query's, and a
    statement lost by the connection is prepared again."""
    import pghistory
    from django.db import connection

    from cpcases.audit.selectors import _child_events
    from cpcases.children import services

    for address in ("1 First Street", "2 Second Street"):
        child.refresh_from_db()
        with pghistory.context(user=sw.pk):
            services.child_update(user=sw, child=child, expected_version=child.version,
                                  data={"address": address})
    assert not connection.in_atomic_block
    with connection.cursor() as cursor:  # a connection without the setting (decision 95)
        cursor.execute("SET plan_cache_mode = auto")
    first = _child_events(child.pk, 200)  # prepared on this connection
    again = _child_events(child.pk, 200)
    assert _setting("plan_cache_mode") == "auto"
    with connection.cursor() as cursor:
        cursor.execute("RESET plan_cache_mode")
    with connection.cursor() as cursor:  # as a restarted server or a pooler would
        cursor.execute("DEALLOCATE cpcases_child_events_200")
    lost = _child_events(child.pk, 200)
    settings.DATABASE_PREPARED_STATEMENTS = False
    plain = _child_events(child.pk, 200)
    assert len(plain) >= 3  # created, then two addresses
    assert first == again == lost == plain
