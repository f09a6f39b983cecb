"""The conference's record and outputs through the API (/api/v1/conferences/{id}/..., issue 15
§3): the same services as the pages, the state after each action in the answer, the one
refusal rule (outside the case 404, in the case without the role 403) and bad input named
field by field."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from conferences.models import Conference
from conferences.outcomes import services
from conferences.outcomes.models import (
    Attendance,
    AttendanceStatus,
    ChildDecision,
    ConferenceDay,
    ConferenceRecord,
)
from cpcases.accounts.roles import Agency
from cpcases.plans import services as plans
from deadlines.models import Deadline, DeadlineStatus
from tests.api_problems import field_errors, problem_of
from tests.outcomes.conftest import DAY, LONDON
from tests.outcomes.helpers import attend, cin_data, decide, plan_data, started

pytestmark = pytest.mark.django_db

SECTIONS = {"purpose": "To decide whether the children need a plan.",
            "facts": "Ada has missed school for three weeks.",
            "opinions": "Police intelligence not for disclosure.",
            "child_views": "Ada wants to stay at home.",
            "parent_views": "Grace disagrees with the concerns.",
            "discussion": "The agencies discussed neglect."}


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(conference: Conference, rest: str) -> str:
    return f"/api/v1/conferences/{conference.pk}/{rest}"


@pytest.fixture
def decided(conference: Conference, siblings, chair, bso, sw) -> Conference:
    held = started(conference, minute_taker=bso, chair=chair)
    decide(held, siblings[0], chair, plan_data(sw))
    decide(held, siblings[1], chair, cin_data())
    return held


@pytest.fixture
def signed_off(decided: Conference, chair, bso) -> Conference:
    services.record_update(conference=decided, user=bso, sections=SECTIONS)
    services.record_sign_off(conference=decided, user=chair)
    return decided


# --- the record (002 §22.3) -------------------------------------------------------------------


def test_minute_taker_writes_the_record_and_reads_it_back_with_the_new_version(
        decided: Conference, bso) -> None:
    api = _api(bso)
    before = api.get(_url(decided, "record/")).json()
    assert before["facts"] == ""
    response = api.put(_url(decided, "record/"), {
        **SECTIONS, "confidential_sections": ["opinions"], "version": before["version"]},
        format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["facts"] == SECTIONS["facts"]
    assert body["confidential_sections"] == ["opinions"]
    assert body["version"] == before["version"] + 1
    assert ConferenceRecord.objects.get(conference=decided).facts == SECTIONS["facts"]
    assert api.get(_url(decided, "record/")).json()["version"] == body["version"]


def test_a_record_saved_by_someone_else_since_it_was_read_answers_409(
        decided: Conference, bso, chair) -> None:
    read = _api(bso).get(_url(decided, "record/")).json()["version"]
    services.record_update(conference=decided, user=chair, sections={"facts": "The chair's."})
    response = _api(bso).put(_url(decided, "record/"), {**SECTIONS, "version": read},
                             format="json")
    problem = problem_of(response, 409)
    assert problem["type"].endswith("/conflict")
    assert problem["current_version"] == read + 1
    assert ConferenceRecord.objects.get(conference=decided).facts == "The chair's."


def test_writing_the_record_without_a_section_names_it(decided: Conference, bso) -> None:
    read = _api(bso).get(_url(decided, "record/")).json()["version"]
    sections = {k: v for k, v in SECTIONS.items() if k != "facts"}
    response = _api(bso).put(_url(decided, "record/"), {**sections, "version": read},
                             format="json")
    assert "facts" in field_errors(response)


def test_a_social_worker_of_the_case_may_read_but_not_write_the_record(
        decided: Conference, sw) -> None:
    assert _api(sw).get(_url(decided, "record/")).status_code == 200
    read = _api(sw).get(_url(decided, "record/")).json()["version"]
    response = _api(sw).put(_url(decided, "record/"), {**SECTIONS, "version": read},
                            format="json")
    assert "minute-taker" in problem_of(response, 403)["detail"]


def test_a_team_outside_the_case_gets_404_for_the_record(decided: Conference, sw_b) -> None:
    problem_of(_api(sw_b).get(_url(decided, "record/")), 404)
    problem_of(_api(sw_b).put(_url(decided, "record/"), {**SECTIONS, "version": 1},
                              format="json"), 404)


def test_a_partner_who_attended_is_refused_the_record(conference: Conference, siblings,
                                                      chair, bso, sw, police) -> None:
    attend(conference, bso, police.full_name, Agency.POLICE, attendee=police)
    held = started(conference, minute_taker=bso, chair=chair)
    decide(held, siblings[0], chair, plan_data(sw))
    assert "decisions summary only" in problem_of(
        _api(police).get(_url(held, "record/")), 403)["detail"]


def test_business_support_writes_the_record_after_a_no_plan_decision(
        conference: Conference, siblings, chair, bso) -> None:
    """The children leave the child protection process at the decision, but the record is
    still to be written: the conference stays in the scope the pages use (decisions §38)."""
    held = started(conference, minute_taker=bso, chair=chair)
    for child in siblings:
        decide(held, child, chair, cin_data())
    response = _api(bso).put(_url(held, "record/"), {**SECTIONS, "version": 1},
                             format="json")
    assert response.status_code == 200, response.content


# --- distribution (002 §22.5) -----------------------------------------------------------------


def test_the_signed_record_sent_to_the_family_meets_its_deadline_and_shows_on_the_page(
        signed_off: Conference, bso) -> None:
    with time_machine.travel(dt.datetime(2027, 5, 20, 9, tzinfo=LONDON), tick=False):
        response = _api(bso).post(_url(signed_off, "record/distributions/"), {
            "audience": "family", "recipients": "Grace Okafor, by post",
            "sent_on": "2027-05-20"}, format="json")
        assert response.status_code == 201, response.content
        page = _page(bso).get(f"/conferences/{signed_off.pk}/outputs/").content.decode()
    body = response.json()
    assert body["sent_to_family_on"] == "2027-05-20"
    assert [d["recipients"] for d in body["distributions"]] == ["Grace Okafor, by post"]
    assert {d.status for d in Deadline.objects.filter(rule_id="record_to_family")} == {
        DeadlineStatus.MET}
    assert "Sent to the family 20 May 2027" in page


def test_the_record_is_not_distributed_before_the_chair_signs_it_off(
        decided: Conference, bso) -> None:
    response = _api(bso).post(_url(decided, "record/distributions/"), {
        "audience": "professionals", "recipients": "All invited", "sent_on": "2027-05-04"},
        format="json")
    assert "signs the record off" in problem_of(response, 400)["detail"]


def test_a_distribution_without_recipients_names_the_field(signed_off: Conference,
                                                           bso) -> None:
    response = _api(bso).post(_url(signed_off, "record/distributions/"), {
        "audience": "professionals", "sent_on": "2027-05-04"}, format="json")
    assert "recipients" in field_errors(response)


def test_a_social_worker_may_not_record_the_distribution(signed_off: Conference, sw) -> None:
    response = _api(sw).post(_url(signed_off, "record/distributions/"), {
        "audience": "professionals", "recipients": "All invited", "sent_on": "2027-05-04"},
        format="json")
    problem_of(response, 403)


# --- the decisions summary (003) --------------------------------------------------------------


def test_decisions_summary_circulated_once_every_child_is_decided(decided: Conference,
                                                                  bso) -> None:
    response = _api(bso).post(_url(decided, "decision-summaries/"))
    assert response.status_code == 201, response.content
    assert response.json()["summary_issued_at"] is not None
    page = _page(bso).get(f"/conferences/{decided.pk}/outputs/").content.decode()
    assert "Circulated 4 May 2027" in page
    again = _api(bso).post(_url(decided, "decision-summaries/"))
    assert "already been circulated" in problem_of(again, 400)["detail"]


def test_decisions_summary_waits_for_every_childs_decision(conference: Conference, siblings,
                                                           chair, bso, sw) -> None:
    held = started(conference, minute_taker=bso, chair=chair)
    decide(held, siblings[0], chair, plan_data(sw))
    response = _api(bso).post(_url(held, "decision-summaries/"))
    assert "every child" in problem_of(response, 400)["detail"]
    problem_of(_api(sw).post(_url(held, "decision-summaries/")), 403)


# --- amendment requests (002 §22.6) -----------------------------------------------------------


def test_an_amendment_requested_after_the_window_is_logged_as_late(signed_off: Conference,
                                                                   bso) -> None:
    with time_machine.travel(dt.datetime(2027, 6, 1, 9, tzinfo=LONDON), tick=False):
        response = _api(bso).post(_url(signed_off, "amendment-requests/"), {
            "requested_by": "Ed School", "received_on": "2027-05-20",
            "requested_on": "2027-05-28", "text": "Attendance wrong."}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["within_window"] is False  # one week from receipt: 27 May
    listed = _api(bso).get(_url(signed_off, "amendment-requests/")).json()
    assert [(r["requested_by"], r["within_window"]) for r in listed["results"]] == [
        ("Ed School", False)]


def test_an_amendment_request_without_its_text_names_the_field(signed_off: Conference,
                                                               bso) -> None:
    response = _api(bso).post(_url(signed_off, "amendment-requests/"), {
        "requested_by": "Ed School", "received_on": "2027-05-04",
        "requested_on": "2027-05-04"}, format="json")
    assert "text" in field_errors(response)


def test_a_social_worker_may_not_log_an_amendment_request(signed_off: Conference, sw) -> None:
    response = _api(sw).post(_url(signed_off, "amendment-requests/"), {
        "requested_by": "Ed School", "received_on": "2027-05-04",
        "requested_on": "2027-05-04", "text": "Attendance wrong."}, format="json")
    problem_of(response, 403)


# --- attendance (002 §22.4, §5.2) -------------------------------------------------------------


THREE_AGENCIES = [{"name": "Sam Social", "agency": "csc", "direct_contact": True},
                  {"name": "Hana Health", "agency": "health", "direct_contact": True},
                  {"name": "Ed School", "agency": "education", "direct_contact": True}]


def test_minute_taker_adds_three_agencies_and_the_conference_is_quorate(
        conference: Conference, bso) -> None:
    response = _api(bso).post(_url(conference, "attendance/"), {"people": THREE_AGENCIES},
                              format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [a["name"] for a in body["added"]] == ["Sam Social", "Hana Health", "Ed School"]
    assert body["quoracy"]["quorate"] is True
    listed = _api(bso).get(_url(conference, "attendance/")).json()
    assert listed["count"] == 3


def test_a_professional_without_an_agency_is_refused_and_nobody_is_added(
        conference: Conference, bso) -> None:
    response = _api(bso).post(_url(conference, "attendance/"), {
        "people": [THREE_AGENCIES[0], {"name": "Nobody Known"}]}, format="json")
    assert "people.1.agency" in field_errors(response)
    assert not Attendance.objects.filter(conference=conference).exists()


def test_a_social_worker_may_not_record_attendance(conference: Conference, sw) -> None:
    response = _api(sw).post(_url(conference, "attendance/"), {"people": THREE_AGENCIES},
                             format="json")
    assert "minute-taker" in problem_of(response, 403)["detail"]


def test_changing_one_attendance_to_apologies_saves_it_and_moves_its_version(
        conference: Conference, bso) -> None:
    row = attend(conference, bso, "Hana Health", Agency.HEALTH)
    read = _api(bso).get(_url(conference, f"attendance/{row.pk}/")).json()["version"]
    response = _api(bso).patch(_url(conference, f"attendance/{row.pk}/"), {
        "status": "apologies", "report_sent": True, "version": read}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["report_sent"], body["name"]) == (
        "apologies", True, "Hana Health")
    assert body["version"] == row.version + 1
    assert Attendance.objects.get(pk=row.pk).status == AttendanceStatus.APOLOGIES


def test_an_attendance_changed_since_it_was_read_answers_409(conference: Conference,
                                                             bso) -> None:
    row = attend(conference, bso, "Hana Health", Agency.HEALTH)
    Attendance.objects.filter(pk=row.pk).update(version=row.version + 1)
    response = _api(bso).patch(_url(conference, f"attendance/{row.pk}/"), {
        "status": "absent", "version": row.version}, format="json")
    problem_of(response, 409)
    assert Attendance.objects.get(pk=row.pk).status == AttendanceStatus.PRESENT


def test_an_attendance_without_its_version_names_the_field(conference: Conference,
                                                           bso) -> None:
    row = attend(conference, bso, "Hana Health", Agency.HEALTH)
    response = _api(bso).patch(_url(conference, f"attendance/{row.pk}/"),
                               {"status": "absent"}, format="json")
    assert "version" in field_errors(response)


def test_an_attendance_of_another_conference_answers_404(conference: Conference, siblings,
                                                         chair, bso) -> None:
    from tests.outcomes.helpers import make_conference

    other = make_conference(children=siblings, on=DAY + dt.timedelta(days=7), chair=chair,
                            minute_taker=bso)
    row = attend(other, bso, "Hana Health", Agency.HEALTH)
    response = _api(bso).patch(_url(conference, f"attendance/{row.pk}/"), {
        "status": "absent", "version": row.version}, format="json")
    problem_of(response, 404)


def test_copying_the_invitation_list_lists_the_lead_social_worker_as_present(
        conference: Conference, bso, sw) -> None:
    response = _api(bso).post(_url(conference, "attendance/from-invitations/"))
    assert response.status_code == 200, response.content
    added = response.json()["added"]
    assert [(a["user"], a["status"], a["agency"]) for a in added] == [
        (sw.pk, "present", "csc")]


# --- the observer (002 §4.5) ------------------------------------------------------------------


def test_an_observer_is_recorded_with_the_chairs_and_the_familys_consent(
        conference: Conference, bso) -> None:
    response = _api(bso).post(_url(conference, "observers/"), {
        "name": "Olu Observer", "role": "Student social worker", "chair_consent": True,
        "family_consent": True}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Olu Observer"
    assert ConferenceDay.objects.get(conference=conference).observer_name == "Olu Observer"


def test_an_observer_without_the_familys_consent_is_refused(conference: Conference,
                                                            bso) -> None:
    response = _api(bso).post(_url(conference, "observers/"), {
        "name": "Olu Observer", "chair_consent": True, "family_consent": False},
        format="json")
    assert "consent of both" in problem_of(response, 400)["detail"]
    response = _api(bso).post(_url(conference, "observers/"), {
        "chair_consent": True, "family_consent": True}, format="json")
    assert "name" in field_errors(response)


def test_a_social_worker_may_not_record_the_observer(conference: Conference, sw) -> None:
    response = _api(sw).post(_url(conference, "observers/"), {
        "name": "Olu Observer", "chair_consent": True, "family_consent": True},
        format="json")
    problem_of(response, 403)


# --- non-attendance letters (001) -------------------------------------------------------------


def test_the_chair_writes_once_to_professionals_who_neither_came_nor_sent_a_report(
        conference: Conference, chair, bso) -> None:
    attend(conference, bso, "Pat Probation", Agency.PROBATION, status=AttendanceStatus.ABSENT)
    attend(conference, bso, "Gail GP", Agency.HEALTH, status=AttendanceStatus.APOLOGIES,
           report_sent=True)
    held = started(conference, minute_taker=bso, chair=chair)
    response = _api(chair).post(_url(held, "non-attendance-letters/"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["written_now"] == 1
    assert [letter["name"] for letter in body["letters"]] == ["Pat Probation"]
    again = _api(chair).post(_url(held, "non-attendance-letters/")).json()
    assert (again["written_now"], len(again["letters"])) == (0, 1)


def test_only_the_chair_writes_the_non_attendance_letters(conference: Conference, chair,
                                                          bso) -> None:
    held = started(conference, minute_taker=bso, chair=chair)
    response = _api(bso).post(_url(held, "non-attendance-letters/"))
    assert "Only the conference's chair" in problem_of(response, 403)["detail"]


# --- a plan started in the plans app, linked to the decision ----------------------------------


def _plan_started_in_the_plans_app(conference: Conference, child, chair, sw):
    return plans.plan_start(child=child, started_on=conference.date, category="NEG",
                            lead_social_worker=sw, user=chair, conference=conference)


def test_the_chair_links_the_plan_started_in_the_plans_app_to_the_decision(
        conference: Conference, siblings, chair, bso, sw) -> None:
    held = started(conference, minute_taker=bso, chair=chair)
    plan = _plan_started_in_the_plans_app(held, siblings[0], chair, sw)
    response = _api(chair).post(_url(held, "plan-links/"), {
        "child": siblings[0].pk, "plan": plan.pk, "reasons": "Continuing risk of neglect.",
        "agency_views": [{"agency": "health", "view": "Agrees."}]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["plan"], body["outcome"], body["category"]) == (plan.pk, "plan", "neglect")
    assert body["review_date"] == "2027-08-04"  # three months (002 §7.9)
    assert ChildDecision.objects.get(conference=held, child=siblings[0]).plan == plan


def test_a_plan_of_another_child_is_refused_naming_the_field(conference: Conference, siblings,
                                                             chair, bso, sw) -> None:
    held = started(conference, minute_taker=bso, chair=chair)
    plan = _plan_started_in_the_plans_app(held, siblings[1], chair, sw)
    response = _api(chair).post(_url(held, "plan-links/"), {
        "child": siblings[0].pk, "plan": plan.pk, "reasons": "Risk."}, format="json")
    assert "plan" in field_errors(response)


def test_only_the_chair_links_a_plan_to_the_decision(conference: Conference, siblings, chair,
                                                     bso, sw) -> None:
    held = started(conference, minute_taker=bso, chair=chair)
    plan = _plan_started_in_the_plans_app(held, siblings[0], chair, sw)
    response = _api(bso).post(_url(held, "plan-links/"), {
        "child": siblings[0].pk, "plan": plan.pk, "reasons": "Risk."}, format="json")
    problem_of(response, 403)


# --- outside the case -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["record/distributions/", "decision-summaries/",
                                  "amendment-requests/", "attendance/",
                                  "attendance/from-invitations/", "observers/",
                                  "non-attendance-letters/", "plan-links/"])
def test_a_team_outside_the_case_gets_404_whatever_it_sends(conference: Conference, sw_b,
                                                            path: str) -> None:
    problem_of(_api(sw_b).post(_url(conference, path), {"name": "x"}, format="json"), 404)


# --- the non-attendance report (001) ----------------------------------------------------------


def test_a_manager_sees_non_attendance_counted_per_agency_and_month(conference: Conference,
                                                                    bso, tm) -> None:
    attend(conference, bso, "Pat Probation", Agency.PROBATION, status=AttendanceStatus.ABSENT)
    attend(conference, bso, "Pam Probation", Agency.PROBATION,
           status=AttendanceStatus.APOLOGIES)
    attend(conference, bso, "Gail GP", Agency.HEALTH, status=AttendanceStatus.ABSENT,
           report_sent=True)
    response = _api(tm).get("/api/v1/conferences/non-attendance/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["months"] == ["2027-05-01"]
    assert [(a["agency"], a["total"], a["months"]) for a in body["agencies"]] == [
        ("probation", 2, [{"month": "2027-05-01", "count": 2}])]
    later = _api(tm).get("/api/v1/conferences/non-attendance/?since=2027-06-01").json()
    assert later["agencies"] == []


def test_the_non_attendance_report_is_for_chairs_and_managers(sw, tm) -> None:
    problem_of(_api(sw).get("/api/v1/conferences/non-attendance/"), 403)
    response = _api(tm).get("/api/v1/conferences/non-attendance/?since=June")
    assert "since" in field_errors(response)


def test_the_same_attendance_sent_twice_with_one_idempotency_key_is_added_once(
        conference: Conference, bso) -> None:
    from rest_framework.authtoken.models import Token

    api = APIClient()  # as another system calls: with a token and a key per intended write
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=bso).key}")
    key = {"HTTP_IDEMPOTENCY_KEY": "attendance-4-may"}
    first = api.post(_url(conference, "attendance/"), {"people": THREE_AGENCIES},
                     format="json", **key)
    again = api.post(_url(conference, "attendance/"), {"people": THREE_AGENCIES},
                     format="json", **key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Attendance.objects.filter(conference=conference).count() == 3
