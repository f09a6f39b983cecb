"""Every read of child data is in the access log (issue 12 §5).

The routes come from the URL resolver (the permission walk's table, which must know every
route) and the OpenAPI schema (which must not name a path the walk does not know). Each GET
route is requested as the insider; if the answer shows the walk's child (their ID or name),
the log must hold an entry naming that user and that child, made by that request. Each
refusal of a record to the outsider must be logged too. A new route cannot forget.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_init
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.audit.reads import child_ids_of
from tests.foundation.test_permission_walk import ACCESS, _client_for, _placeholders

pytestmark = pytest.mark.django_db

READS = sorted(name for name, a in ACCESS.items() if a.method == "get" and a.ok == 200)


def test_every_api_path_in_the_schema_is_walked():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    walked = [a.path for a in ACCESS.values()]

    def is_walked(api_path: str) -> bool:
        pattern = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(api_path)) + "$")
        return any(pattern.match(path) for path in walked)

    assert sorted(p for p in schema["paths"] if not is_walked(p)) == []


def _path(request: pytest.FixtureRequest, name: str, child) -> str:
    from tests.factories import ChildPersonFactory

    link = ChildPersonFactory(child=child, person__authority=child.authority)
    access = ACCESS[name]
    return access.path.format(child=child.pk, person=link.person_id,
                              **_placeholders(request, access.path, child))


def _everything_of(request: pytest.FixtureRequest, name: str, child) -> None:
    """For a list, queue or calendar: the records it lists (LIST_RECORDS, FEEDS: only those,
    as the rest of its part could change them: a death recorded ends a missing episode), or
    else every record the walk builds for the child on the routes of the same part of the
    service (all of them for the home page), so the list has something of theirs to show."""
    if name in LIST_RECORDS:
        LIST_RECORDS[name](request, child)
        return
    # The people first, outside the savepoints below: a persona first met inside a builder
    # that is rolled back would stay cached by pytest with its row gone, and a later builder
    # would point a record at it (caught only by the deferred foreign-key check at teardown).
    for persona in PERSONAS:
        request.getfixturevalue(persona)
    whole = ":" not in name or name in FROM_EVERY_PART
    keys = FEEDS.get(name) or _placeholder_keys(
        "" if whole else name.split(":")[0].removesuffix("-api"))
    for key in keys:
        try:
            with transaction.atomic():
                _placeholders(request, "{" + key + "}", child)
        except Exception:  # noqa: S112 - one record per stage; a later one may clash
            continue


PERSONAS = ("sw", "tm", "sw_b", "tm_b", "sm", "hos", "chair", "bso", "police", "admin_user")

# Lists fed by the work of every part of the service (My work, step-down decisions).
FROM_EVERY_PART = {"deadlines:mine", "deadlines-api:my-work", "plans:stepdown_decisions"}


def _placeholder_keys(part: str) -> list[str]:
    keys = set()
    for name, access in ACCESS.items():
        if not part or name.split(":")[0].removesuffix("-api") == part:
            keys.update(re.findall(r"{(\w+)}", access.path))
    return sorted(keys - {"child", "person"})


# Routes that show no child's data to anyone (help, policy, schema, sign-in set-up, forms
# that start a new record). The test checks they really read none: a route listed here that
# starts showing a child fails, as does a route not listed here that shows none of the walk's
# child (give it something of theirs to show in tests/<app>/walk.py, or list it here).
SHOWS_NO_CHILD = {
    "accounts:mfa_setup", "children:create", "frontdoor:contact_new", "api-docs",
    "api:api-root", "schema", "help",
    # performance figures are numbers; their drill-down (below) names the children
    "performance:index", "performance-api:figures",
    "deadlines:policy", "deadlines:policy_profile", "deadlines:policy_rule",
    "deadlines-api:policy-rule-list", "deadlines-api:policy-rule-detail",
    "deadlines:closure_days", "deadlines:closure_day_remove",
    # The census and Annex A pages are the download forms (each download, a POST, is an
    # export naming every child in it); the returns page lists the files made, not children.
    "returns:index", "returns:cin_census", "returns:annex_a",
    # Counts of absent professionals per agency and month: no child is named or read.
    "conference_outcomes:non_attendance",
    "conferences-api:conference-non-attendance",
    # The DfE page shows counts and sends, no child.
    "returns:dfe",
    # Export jobs: what was asked for and how far it has got; the walk's file names no
    # child (a download logs each child the file names, tests/returns/test_exports.py).
    "returns:exports:list", "returns:exports:job", "returns:exports:status",
    "returns:exports:download", "return-exports-api:return-export-list",
    "return-exports-api:return-export-detail", "return-exports-api:return-export-download",
}

# Lists of one kind of record: the walk's placeholder for it (the rest of its part of the
# service would clash with it: a death recorded, an S47 already open).
FEEDS = {
    "strategy-api:threshold-list": ("threshold",),
    "lifeevents-api:missing-episode-list": ("missing_episode",),
    "lifeevents:missing_list": ("missing_episode",),
    "lifeevents-api:case-transfer-list": ("transfer_out",),
    "lifeevents:transfers": ("transfer_out",),
    # the walk's figure is the count of contacts: its drill-down lists the child's contact
    "performance:figure": ("contact",),
}


def _submitted_request(request: pytest.FixtureRequest, child) -> None:
    from conferences.models import ConferenceRequest, RequestStatus
    from tests.conferences.factories import walk_conference_request

    ConferenceRequest.objects.filter(pk=walk_conference_request(request, child)).update(
        status=RequestStatus.SUBMITTED, submitted_at=timezone.now())


def _second_conference_request(request: pytest.FixtureRequest, child) -> None:
    from conferences.models import RequestedChild
    from tests.conferences.factories import walk_conference_request

    RequestedChild.objects.filter(request_id=walk_conference_request(request, child)).update(
        had_plan_before=True)


def _booked_next_week(request: pytest.FixtureRequest, child) -> None:
    from conferences.models import Conference
    from tests.conferences.factories import walk_conference

    Conference.objects.filter(pk=walk_conference(request, child)).update(
        date=timezone.localdate() + timedelta(days=7))


def _plan_ended_without_child_in_need(request: pytest.FixtureRequest, child) -> None:
    from cpcases.plans.models import ChildProtectionPlan, PlanEndReason
    from tests.plans.walk import walk_plan

    ChildProtectionPlan.objects.filter(pk=walk_plan(request, child)).update(
        ended_on=timezone.localdate(), end_reason=PlanEndReason.NO_LONGER_AT_RISK)


def _break_glass(request: pytest.FixtureRequest, child) -> None:
    from cpcases.children.models import BreakGlassAccess

    BreakGlassAccess.objects.create(child=child, user=request.getfixturevalue("sw"),
                                    reason="Walk", opened_on=timezone.localdate())


def _merged_duplicate(request: pytest.FixtureRequest, child) -> None:
    from frontdoor.models import ChildMerge
    from tests.factories import ChildFactory

    duplicate = ChildFactory(authority=child.authority, merged_into=child)
    ChildMerge.objects.create(authority=child.authority, kept=child, merged=duplicate,
                              merged_by=request.getfixturevalue("tm"), reason="Walk",
                              replaced={}, moved={})


def _new_information(request: pytest.FixtureRequest, child) -> None:
    from frontdoor.models import NewInformation

    NewInformation.objects.create(child=child, received_at=timezone.now(), summary="Walk",
                                  urgency="routine")


def _stored_readiness_problem(request: pytest.FixtureRequest, child) -> None:
    """The nightly check's stored problem for the child, in the last census year."""
    from returns.dfe.models import ReadinessProblem, ReadinessRun
    from returns.periods import default_census_year

    run = ReadinessRun.objects.create(authority=child.authority, year=default_census_year(),
                                      checked_at=timezone.now(), children_checked=1,
                                      problems=1, errors=1)
    ReadinessProblem.objects.create(run=run, child=child, rule="8500", severity="E",
                                    message="Walk", target_kind="child", target_id=child.pk)


# Lists of records in a state no placeholder of the walk is in: built here.
LIST_RECORDS = {
    "conferences:approvals": _submitted_request,
    "conferences:second_conferences": _second_conference_request,
    "conferences:calendar": _booked_next_week,
    "plans:stepdown_decisions": _plan_ended_without_child_in_need,
    "frontdoor-api:break-glass-list": _break_glass,
    "frontdoor-api:merge-list": _merged_duplicate,
    "frontdoor-api:new-information-list": _new_information,
    "returns:readiness": _stored_readiness_problem,
    "returns-api:readiness-list": _stored_readiness_problem,
}
# Searches look for the walk's child.
SEARCHES = {"children:search": "?q={child.la_child_id}",
            "frontdoor:search": "?la_child_id={child.la_child_id}",
            "frontdoor-api:child-search-list": "?la_child_id={child.la_child_id}",
            "frontdoor-api:duplicate-list": "?first_name={child.first_name}&last_name="
                                            "{child.last_name}&date_of_birth="
                                            "{child.date_of_birth:%Y-%m-%d}"}


@contextmanager
def _rows_read() -> Iterator[list[Model]]:
    """Every model row loaded meanwhile (the test's own watch, on every model)."""
    rows: list[Model] = []

    def note(sender, instance, **kwargs):
        if instance.pk is not None:
            rows.append(instance)

    post_init.connect(note, weak=False, dispatch_uid="test-rows-read")
    try:
        yield rows
    finally:
        post_init.disconnect(dispatch_uid="test-rows-read")


def _shows(text: str, child) -> bool:
    return child.la_child_id in text or child.last_name in text


@pytest.mark.parametrize("name", READS)
def test_a_route_that_shows_a_child_logs_who_saw_them(name: str, request, child,
                                                      other_team_child):
    access = ACCESS[name]
    path = _path(request, name, child)
    if "{" not in access.path and name not in SHOWS_NO_CHILD:
        _everything_of(request, name, child)
    path += SEARCHES.get(name, "").format(child=child)
    client = _client_for(request, access.insider)
    before = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with _rows_read() as rows:
        response = client.get(path)
    assert response.status_code == 200
    body = b"".join(response) if response.streaming else response.content
    read = {c for ids in child_ids_of(rows).values() for c in ids}
    shown = child.pk in read or _shows(body.decode(errors="replace"), child)
    insider = request.getfixturevalue(access.insider)
    logged = set(AccessEvent.objects.filter(id__gt=before, user=insider)
                 .values_list("child_id", flat=True))
    assert read - logged == set(), f"{name} read children it did not log"
    if name in SHOWS_NO_CHILD:
        assert not shown, f"{name} shows the child: take it out of SHOWS_NO_CHILD"
        return
    assert shown, (f"{name} ({path}) read nothing of the walk's child: give it something of "
                   "theirs to show in the walk's placeholders, or list it in SHOWS_NO_CHILD")
    assert AccessEvent.objects.filter(
        id__gt=before, user=insider, child_id=child.pk,
        action__in=[AccessAction.VIEW, AccessAction.EXPORT, AccessAction.SEARCH]).exists(), (
        f"{name} ({path}) showed the child to {access.insider} without an access-log entry")


REFUSALS = sorted(name for name, a in ACCESS.items()
                  if a.method == "get" and a.outsider and {403, 404} & set(a.refused))


def test_without_the_read_audit_a_queue_would_show_children_unlogged(settings, request,
                                                                      child):
    """The check above can fail: take the middleware away and a queue reads unlogged."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("ReadAuditMiddleware")]
    _everything_of(request, "conferences:booking_queue", child)
    before = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with _rows_read() as rows:
        assert _client_for(request, "bso").get("/conferences/to-book/").status_code == 200
    read = {c for ids in child_ids_of(rows).values() for c in ids}
    assert child.pk in read
    assert not AccessEvent.objects.filter(id__gt=before, child_id=child.pk).exists()


@pytest.mark.parametrize("name", REFUSALS)
def test_a_refused_record_is_logged(name: str, request, child, other_team_child):
    access = ACCESS[name]
    path = _path(request, name, child)
    before = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = _client_for(request, access.outsider).get(path)
    assert response.status_code in access.refused
    outsider = request.getfixturevalue(access.outsider)
    assert AccessEvent.objects.filter(id__gt=before, user=outsider,
                                      action=AccessAction.REFUSED).exists(), (
        f"{name}: the refusal to {access.outsider} was not logged")
