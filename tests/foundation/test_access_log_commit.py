"""A page that only reads commits its access-log row without waiting for the disk flush;
a write's own transaction keeps its durable commit (issue 13 §2; decisions §53)."""

from __future__ import annotations

import pghistory
import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cpcases.audit.events import ASYNC_COMMIT, _sql
from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.audit.services import access_record
from cpcases.children.models import Child
from cpcases.core.compiled import prepared_cursor


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
    (statement,) = [q["sql"] for q in captured]  # one round trip, one statement
    assert statement.startswith("INSERT")
    assert ASYNC_COMMIT in statement
    event = AccessEvent.objects.get()
    assert (event.user_id, event.child_id, event.action, event.section, event.path,
            event.detail) == (sw.pk, child.pk, "view", "summary", "/children/1/?tab=a%26b",
                              {"why": "a <test>"})
    assert connection.get_autocommit()
    assert _synchronous_commit() == "on"  # SET LOCAL ended with the log's own transaction


@pytest.mark.django_db(transaction=True)
def test_the_statement_turns_the_wait_off_for_its_own_transaction_alone(sw, child):
    # set_config(…, true) is SET LOCAL: it holds until the transaction ends, and a read's
    # INSERT is a transaction of its own. Shown here inside a transaction, to be asked.
    statement = _sql(1, durable=False)
    values = [timezone.now(), sw.pk, "view", "/p", "s", None, "{}", [child.pk]]
    with transaction.atomic():
        assert _synchronous_commit() == "on"
        with prepared_cursor(connection) as cursor:
            cursor.execute(statement, values)
        assert _synchronous_commit() == "off"
    assert _synchronous_commit() == "on"
    assert ASYNC_COMMIT not in _sql(1, durable=True)  # a write's keeps its durable commit


@pytest.mark.django_db(transaction=True)
def test_a_read_in_a_request_with_history_context_is_logged_and_writes_keep_the_context(
        sw, child):
    # pghistory puts its context before every write of a request; the log's prepared
    # INSERT is sent without it, and a tracked write after it still carries it.
    with pghistory.context(user=sw.pk, url="/children/1/"):
        access_record(request=_request(sw), child_id=child.pk, action=AccessAction.VIEW)
        access_record(request=_request(sw), child_id=child.pk, action=AccessAction.VIEW)
        Child.objects.filter(pk=child.pk).update(first_language="Welsh")
    assert AccessEvent.objects.filter(child_id=child.pk).count() == 2
    event = child.events.order_by("pgh_id").last()
    assert (event.first_language, event.pgh_context.metadata) == (
        "Welsh", {"user": sw.pk, "url": "/children/1/"})


@pytest.mark.django_db(transaction=True)
def test_the_log_is_written_alike_without_prepared_statements(sw, child, settings):
    # Behind a transaction-mode pooler (DATABASE_PREPARED_STATEMENTS=false) the same
    # statement is sent with its values written in.
    settings.DATABASE_PREPARED_STATEMENTS = False
    with pghistory.context(user=sw.pk, url="/children/1/"), \
            CaptureQueriesContext(connection) as captured:
        access_record(request=_request(sw), child_id=child.pk, action=AccessAction.VIEW,
                      section="summary", detail={"why": "it's"})
    (statement,) = [q["sql"] for q in captured]
    assert statement.startswith("INSERT")
    assert ASYNC_COMMIT in statement
    assert AccessEvent.objects.values_list("child_id", "section", "detail").get() == (
        child.pk, "summary", {"why": "it's"})
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
