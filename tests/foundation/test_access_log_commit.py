"""A page that only reads commits its access-log row without waiting for the disk flush;
a write's own transaction keeps its durable commit (issue 13 §2; decisions §53)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from cpcases.audit.events import ASYNC_COMMIT
from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.audit.services import access_record


def _request(user, path="/children/1/"):
    request = RequestFactory().get(path, {"tab": "a&b"})
    request.user = user
    return request


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_read_logs_the_view_committed_and_leaves_the_connection_durable(sw, child):
    with CaptureQueriesContext(connection) as captured:
        access_record(request=_request(sw), child_id=child.pk, action=AccessAction.VIEW,
                      section="summary", detail={"why": "a <test>"})
    (statement,) = [q["sql"] for q in captured]  # one round trip
    assert statement.startswith(f"{ASYNC_COMMIT}; INSERT")
    event = AccessEvent.objects.get()
    assert (event.user_id, event.child_id, event.action, event.section, event.path,
            event.detail) == (sw.pk, child.pk, "view", "summary", "/children/1/?tab=a%26b",
                              {"why": "a <test>"})
    assert connection.get_autocommit()
    assert _synchronous_commit() == "on"  # SET LOCAL ended with the log's own transaction


@pytest.mark.django_db(transaction=True)
def test_set_local_holds_for_the_one_query_it_is_sent_with(db):
    # PostgreSQL runs a simple query of several statements as one implicit transaction.
    assert connection.get_autocommit()
    with connection.cursor() as cursor:
        cursor.execute(f"{ASYNC_COMMIT}; SELECT current_setting('synchronous_commit')")
        cursor.nextset()  # past the SET's own result
        assert cursor.fetchone()[0] == "off"
    assert _synchronous_commit() == "on"


@pytest.mark.django_db(transaction=True)
def test_a_refusal_is_logged_for_no_child(sw):
    access_record(request=_request(sw), child_id=None, action=AccessAction.REFUSED)
    assert AccessEvent.objects.get().child_id is None


@pytest.mark.django_db(transaction=True)
def test_inside_a_write_the_row_joins_its_durable_transaction(sw, child):
    with transaction.atomic():
        access_record(request=_request(sw), child_id=child.pk, action=AccessAction.VIEW)
        assert _synchronous_commit() == "on"
        transaction.set_rollback(True)  # the write failed
    assert not AccessEvent.objects.exists()  # rolled back with it


@pytest.mark.django_db(transaction=True)
def test_the_durable_commit_can_be_required(sw, child, settings, django_assert_num_queries):
    settings.ACCESS_LOG_ASYNC_COMMIT = False
    with django_assert_num_queries(1):  # the INSERT alone: no SET LOCAL
        access_record(request=_request(sw), child_id=child.pk, action=AccessAction.VIEW)
    assert AccessEvent.objects.count() == 1
