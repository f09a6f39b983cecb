"""The conference lists and records read without DRF's generic walk answer exactly as DRF
does (cpcases.core.serializing; tests/direct_read.py): bookings, days with attendance,
decisions with agency views, letters."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from conferences.models import Conference
from tests.direct_read import assert_answers_as_drf, assert_written_out_as_drf

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_conferences_and_days_answer_as_drf_does(conference: Conference, siblings, chair,
                                                 bso, sw, police) -> None:
    def pin() -> None:
        for user in (bso, chair, sw, police):
            for path in ("/api/v1/conferences/", f"/api/v1/conferences/{conference.pk}/",
                         "/api/v1/conference-days/", "/api/v1/conference-requests/"):
                assert_answers_as_drf(_api(user), path)

    pin()  # booked, nobody recorded yet
    bso_api, chair_api = _api(bso), _api(chair)
    _quorate_and_started(conference, bso_api, chair_api)
    assert chair_api.post(f"/api/v1/conferences/{conference.pk}/decisions/", {
        "child": siblings[0].pk, "outcome": "plan", "category": "NEG", "reasons": "Neglect.",
        "outline_plan": "Visits.", "contingency": "Legal planning.",
        "lead_social_worker": sw.pk, "first_core_group_on": "2027-05-11",
        "core_group": [{"name": "Hana Health", "agency": "health"}],
        "agency_views": [{"agency": "health", "view": "Agrees."}]},
        format="json").status_code == 201
    pin()  # started, one child decided (with a review date and an agency's view)
    assert chair_api.post(f"/api/v1/conferences/{conference.pk}/decisions/", {
        "child": siblings[1].pk, "outcome": "cin", "reasons": "Help needed.",
        "cin_first_meeting_on": "2027-05-18"}, format="json").status_code == 201
    assert bso_api.post(f"/api/v1/conferences/{conference.pk}/decision-letter/"
                        ).status_code == 200
    pin()
    day = json.loads(assert_answers_as_drf(bso_api, f"/api/v1/conferences/{conference.pk}/"))
    assert [v["view"] for d in day["day"]["decisions"] for v in d["agency_views"]] == [
        "Agrees."]
    days = json.loads(assert_answers_as_drf(bso_api, "/api/v1/conference-days/"))
    listed = next(c for c in days["results"] if c["id"] == conference.pk)
    assert {d["category"] for d in listed["decisions"]} == {"neglect", ""}


def test_the_kept_lists_read_decisions_and_their_agency_views_as_the_orm(
        conference: Conference, siblings, chair, bso, sw, monkeypatch) -> None:
    """The conference lists' decisions are a kept prefetch, their agency views Django's
    prefetch of those decisions (cpcases.core.kept_lists): the same answer as the filter
    backends' and paginator's."""
    from tests.foundation.test_kept_lists import _the_orms_way

    bso_api, chair_api = _api(bso), _api(chair)
    _quorate_and_started(conference, bso_api, chair_api)
    assert chair_api.post(f"/api/v1/conferences/{conference.pk}/decisions/", {
        "child": siblings[0].pk, "outcome": "plan", "category": "NEG", "reasons": "Neglect.",
        "outline_plan": "Visits.", "contingency": "Legal planning.",
        "lead_social_worker": sw.pk, "first_core_group_on": "2027-05-11",
        "core_group": [{"name": "Hana Health", "agency": "health"}],
        "agency_views": [{"agency": "health", "view": "Agrees."},
                         {"agency": "police", "view": "Agrees too."}]},
        format="json").status_code == 201
    for user in (bso, chair, sw):
        api = _api(user)
        for path in ("/api/v1/conferences/", "/api/v1/conference-days/"):
            api.get(path)  # its SQL kept
            kept = api.get(path)
            with monkeypatch.context() as patch:
                _the_orms_way(patch)
                orm = api.get(path)
            assert (kept.status_code, kept.content) == (orm.status_code, orm.content), path
    listed = next(c for c in _api(bso).get("/api/v1/conference-days/").json()["results"]
                  if c["id"] == conference.pk)
    assert [v["view"] for d in listed["decisions"] for v in d["agency_views"]] == [
        "Agrees.", "Agrees too."]


def _quorate_and_started(conference: Conference, bso_api, chair_api) -> None:
    """Three agencies present (the conference is quorate), then the chair starts it."""
    for name, agency in (("Sam Social", "csc"), ("Hana Health", "health"),
                         ("Ed School", "education")):
        assert bso_api.post(f"/api/v1/conference-days/{conference.pk}/attendance/",
                            {"name": name, "agency": agency, "direct_contact": True},
                            format="json").status_code == 201
    assert chair_api.post(f"/api/v1/conferences/{conference.pk}/start/", {},
                          format="json").status_code == 200


def test_each_listed_conference_answers_as_its_own_record(
        conference: Conference, siblings, chair, bso, sw, police) -> None:
    """The lists read each conference's day, record and quoracy as columns of the page's
    query, and its children for the read audit with the row (day_api.with_day_state,
    outcomes.api.ConferenceDayViewSet): at every step of the day, an adjourned and a
    reconvened conference among them, each listed conference answers as its own record
    (which reads the rows themselves), for every role, and the list asks no query for the
    audit's children (one query a list fewer than a record page and the children both)."""
    from conferences.outcomes import services as outcome_services
    from conferences.outcomes.models import ParticipantType
    from tests.outcomes.helpers import attend

    bso_api, chair_api = _api(bso), _api(chair)
    other = Conference.objects.get(pk=conference.pk)
    other.pk = None
    other.save()
    other.children.set(siblings[:1])

    def pin() -> None:
        for user in (bso, chair, sw, police):
            api = _api(user)
            for base in ("/api/v1/conferences/", "/api/v1/conference-days/"):
                listed = api.get(base)
                assert listed.status_code == 200, (user, base)
                for row in listed.json()["results"]:
                    assert api.get(f"{base}{row['id']}/").json() == row, (user, base)
            _pin_written_out(api)  # every conference for business support

    pin()  # booked, nobody recorded
    attend(conference, bso, "Fay Family", "", participant_type=ParticipantType.FAMILY)
    for name, agency, contact in (("Sam Social", "csc", False), ("Hana Health", "health", True)):
        assert bso_api.post(f"/api/v1/conference-days/{other.pk}/attendance/",
                            {"name": name, "agency": agency, "direct_contact": contact},
                            format="json").status_code == 201
    pin()  # recorded and inquorate, one with the family alone
    _quorate_and_started(conference, bso_api, chair_api)
    assert chair_api.post(f"/api/v1/conferences/{other.pk}/adjourn/",
                          {"new_date": "2027-05-25", "interim_plan": "Daily checks."},
                          format="json").status_code == 200
    pin()  # quorate and started; adjourned, with its reconvened conference
    assert chair_api.post(f"/api/v1/conferences/{conference.pk}/decisions/", {
        "child": siblings[1].pk, "outcome": "cin", "reasons": "Help needed.",
        "cin_first_meeting_on": "2027-05-18"}, format="json").status_code == 201
    pin()  # one child decided
    assert chair_api.post(f"/api/v1/conferences/{conference.pk}/decisions/", {
        "child": siblings[0].pk, "outcome": "cin", "reasons": "Help needed.",
        "cin_first_meeting_on": "2027-05-18"}, format="json").status_code == 201
    assert bso_api.post(f"/api/v1/conferences/{conference.pk}/decision-letter/"
                        ).status_code == 200
    outcome_services.record_update(conference=conference, user=bso, sections={
        "purpose": "Initial conference.", "facts": "Bruising.", "discussion": "Agreed."})
    assert chair_api.post(f"/api/v1/conferences/{conference.pk}/sign-off/").status_code == 200
    pin()  # both decided, the letter issued, the record signed off
    with CaptureQueriesContext(connection) as queries:
        assert bso_api.get("/api/v1/conferences/").status_code == 200
    # The page, its decisions and their agency views, the access log; and the audit's lookup
    # of the decisions' conference's children (cpcases.audit.reads), but not the page's own.
    assert len(queries) == 5
    assert not [q for q in queries.captured_queries
                if q["sql"].startswith('SELECT "conferences_conference"."id" AS "pk"')]


def _pin_written_out(api: APIClient) -> None:
    """The conference resource's kept list writes its rows out (day_api.listed_row), byte
    for byte the serializer's own answer (DirectReadMixin, and DRF's)."""
    from conferences.outcomes import api as outcome_api
    from conferences.outcomes import day_api

    for path, module, writer, writes_out in (
            ("/api/v1/conferences/", day_api, "listed_row", "_writes_out"),
            # The conference days' list (outcomes.api.listed_day) likewise.
            ("/api/v1/conference-days/", outcome_api, "listed_day", "writes_out")):
        api.get(path)  # its SQL kept
        fast = assert_written_out_as_drf(api, path, module, writer)
        with mock.patch.object(module, writes_out, return_value=False):
            generic = api.get(path)
        assert generic.content == fast.content, path


def test_a_listed_row_is_written_out_only_for_the_fields_it_knows() -> None:
    """A field added to the resource, or one given a format of its own, is the serializer's
    to write (day_api._writes_out)."""
    from rest_framework import serializers

    from conferences.outcomes import day_api

    class Added(day_api.ConferenceStateSerializer):
        venue_again = serializers.CharField(source="venue")

        class Meta(day_api.ConferenceStateSerializer.Meta):
            fields = [*day_api.ConferenceStateSerializer.Meta.fields, "venue_again"]

    class Formatted(day_api.ConferenceStateSerializer):
        date = serializers.DateField(format="%d/%m/%Y")

    assert day_api._writes_out(day_api.ConferenceStateSerializer())
    assert not day_api._writes_out(Added())
    assert not day_api._writes_out(Formatted())


def test_a_page_without_attendance_or_decisions_asks_no_query_for_them(
        conference: Conference, siblings, chair, bso, sw) -> None:
    """The kept lists ask for attendances and decisions only of the conferences whose row
    says they have some (outcomes.selectors.prefetched_if_any), none for a page without:
    the page and the access log only; with one conference held, its own are read and the
    answer is each record's."""
    other = Conference.objects.get(pk=conference.pk)
    other.pk = None
    other.save()
    other.children.set(siblings[:1])
    for user in (bso, chair, sw):
        api = _api(user)
        for path in ("/api/v1/conferences/", "/api/v1/conference-days/"):
            api.get(path)  # its SQL kept
            with CaptureQueriesContext(connection) as queries:
                assert api.get(path).status_code == 200
            assert len(queries) == 2, (user, path, [q["sql"][:80] for q in queries])
    _quorate_and_started(conference, _api(bso), _api(chair))
    assert _api(chair).post(f"/api/v1/conferences/{conference.pk}/decisions/", {
        "child": siblings[1].pk, "outcome": "cin", "reasons": "Help needed.",
        "cin_first_meeting_on": "2027-05-18"}, format="json").status_code == 201
    for user in (bso, chair, sw):
        api = _api(user)
        for path in ("/api/v1/conferences/", "/api/v1/conference-days/"):
            listed = api.get(path).json()["results"]
            assert {row["id"] for row in listed} == {conference.pk, other.pk}
            for row in listed:
                assert api.get(f"{path}{row['id']}/").json() == row, (user, path)
