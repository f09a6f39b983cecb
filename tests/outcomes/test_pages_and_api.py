"""The pages and the API of the conference day: the same rules, the refusals, the audit of
downloads."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from conferences.models import Conference
from conferences.outcomes.models import Attendance, ChildDecision
from cpcases.audit.models import AccessAction, AccessEvent
from tests.outcomes.helpers import decide, plan_data, quorate_attendance, started

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_day_page_shows_quoracy_banner(conference: Conference, bso) -> None:
    page = _client(bso).get(f"/conferences/{conference.pk}/day/")
    assert page.status_code == 200
    # Before anyone's attendance is recorded the page does not call the conference inquorate.
    assert b"No attendance recorded yet" in page.content
    assert b"Inquorate" not in page.content
    quorate_attendance(conference, bso)
    page = _client(bso).get(f"/conferences/{conference.pk}/day/")
    assert b"Quorate: children&#x27;s social care" in page.content


def _people(*rows: dict[str, str], total: int | None = None) -> dict[str, str]:
    data = {"people-TOTAL_FORMS": str(total or len(rows)), "people-INITIAL_FORMS": "0",
            "people-MIN_NUM_FORMS": "1", "people-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        data.update({f"people-{i}-{k}": v for k, v in row.items()})
    return data


HANA = {"name": "Hana Health", "participant_type": "professional", "agency": "health",
        "role": "Health visitor", "status": "present", "direct_contact": "on"}


def test_minute_taker_adds_attendance_through_the_page(conference: Conference, bso) -> None:
    page = _client(bso).get(f"/conferences/{conference.pk}/day/attendance/add/")
    assert page.content.decode().count('data-testid="person-') == 1  # one row to start
    response = _client(bso).post(f"/conferences/{conference.pk}/day/attendance/add/",
                                 _people(HANA))
    assert response.status_code == 302
    assert Attendance.objects.get(conference=conference).direct_contact


def test_add_another_person_keeps_the_rows_and_saves_them_together(
        conference: Conference, bso) -> None:
    url = f"/conferences/{conference.pk}/day/attendance/add/"
    grown = _client(bso).post(url, {**_people(HANA), "add-row": "people"})
    html = grown.content.decode()
    assert grown.status_code == 200
    assert html.count('data-testid="person-') == 2
    assert 'value="Hana Health"' in html
    assert "govuk-error-summary" not in html  # nothing judged before saving
    # The new row starts as a new form does: a professional, present.
    assert re.search(r'id="id_people-1-status_1"\s+value="present"\s+checked', html)
    pat = {"name": "Pat Police", "participant_type": "professional", "agency": "police",
           "status": "apologies"}
    empty = {"participant_type": "professional", "status": "present"}
    response = _client(bso).post(url, _people(HANA, pat, empty))
    assert response.status_code == 302
    assert sorted(conference.attendances.values_list("name", flat=True)) == [
        "Hana Health", "Pat Police"]


def test_attendance_form_keeps_what_was_typed_on_error(conference: Conference, bso) -> None:
    response = _client(bso).post(f"/conferences/{conference.pk}/day/attendance/add/", _people(
        {"name": "Hana Health", "participant_type": "professional", "status": "present"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert 'href="#id_people-0-agency"' in html
    assert "Hana Health" in html


def test_start_page_refuses_anyone_but_the_chair(conference: Conference, bso, chair) -> None:
    quorate_attendance(conference, bso)
    assert _client(bso).post(f"/conferences/{conference.pk}/day/start/", {}).status_code == 403
    assert _client(chair).post(f"/conferences/{conference.pk}/day/start/",
                               {}).status_code == 302


def test_decision_form_records_a_plan(conference: Conference, siblings, chair, bso, sw) -> None:
    held = started(conference, minute_taker=bso, chair=chair)
    health = Attendance.objects.get(conference=held, name="Hana Health")
    response = _client(chair).post(
        f"/conferences/{held.pk}/day/children/{siblings[0].pk}/decision/", {
            "outcome": "plan", "category": "PHY", "reasons": "Injuries.",
            "outline_plan": "Visits.", "contingency": "Legal planning.",
            "lead_social_worker": sw.pk, "core_group": [health.pk],
            "first_core_group_on_0": "11", "first_core_group_on_1": "5",
            "first_core_group_on_2": "2027", "view_health": "Agrees.",
            "view_education": "Disagrees.", "dissent_education": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    decision = ChildDecision.objects.get(child=siblings[0])
    assert decision.category == "PHY"
    assert decision.core_group[0]["name"] == "Hana Health"
    assert decision.agency_views.get(agency="education").dissents


def test_outsiders_cannot_see_the_conference(conference: Conference, sw_b, police,
                                             admin_user) -> None:
    for user in (sw_b, police, admin_user):
        response = _client(user).get(f"/conferences/{conference.pk}/day/")
        assert response.status_code in (403, 404), user.username
    assert AccessEvent.objects.filter(action=AccessAction.REFUSED).exists()


def test_partner_who_attended_sees_the_summary_only(conference: Conference, siblings, chair,
                                                    bso, sw, police) -> None:
    from tests.outcomes.helpers import attend

    attend(conference, bso, police.full_name, "police", attendee=police)
    held = started(conference, minute_taker=bso, chair=chair)
    decide(held, siblings[0], chair, plan_data(sw))
    client = _client(police)
    assert client.get(f"/conferences/{held.pk}/outputs/documents/summary/").status_code == 200
    assert client.get(f"/conferences/{held.pk}/outputs/documents/record/").status_code == 404
    assert client.get(f"/conferences/{held.pk}/day/").status_code == 404


def test_pdf_download_is_audit_logged_as_an_export(conference: Conference, siblings, chair,
                                                   bso, sw) -> None:
    held = started(conference, minute_taker=bso, chair=chair)
    decide(held, siblings[0], chair, plan_data(sw))
    response = _client(sw).get(f"/conferences/{held.pk}/outputs/documents/letter/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    exports = AccessEvent.objects.filter(action=AccessAction.EXPORT)
    assert set(exports.values_list("child_id", flat=True)) == {c.pk for c in siblings}


def test_printable_html_has_no_inline_styles(conference: Conference, siblings, chair, bso,
                                             sw) -> None:
    held = started(conference, minute_taker=bso, chair=chair)
    decide(held, siblings[0], chair, plan_data(sw))
    page = _client(sw).get(f"/conferences/{held.pk}/outputs/documents/parents-record/")
    assert page.status_code == 200
    assert b"<style" not in page.content
    assert b"style=" not in page.content
    assert b"css/outcomes-print.css" in page.content
    assert b"<strong>Parent's copy.</strong>" in page.content


# --- the API ------------------------------------------------------------------------------


def _decision_payload(child, sw) -> dict:
    return {"child": child.pk, "outcome": "plan", "category": "NEG", "reasons": "Neglect.",
            "outline_plan": "Visits.", "contingency": "Legal planning.",
            "lead_social_worker": sw.pk, "first_core_group_on": "2027-05-11",
            "core_group": [{"name": "Hana Health", "agency": "health"}],
            "agency_views": [{"agency": "health", "view": "Agrees."}]}


def test_api_refuses_a_decision_before_the_conference_starts(conference: Conference,
                                                             siblings, chair, sw) -> None:
    response = _api(chair).post(f"/api/v1/conferences/{conference.pk}/decisions/",
                                _decision_payload(siblings[0], sw), format="json")
    assert response.status_code == 400
    assert "has not started" in response.json()["detail"]


def test_api_refuses_a_decision_by_anyone_but_the_chair(conference: Conference, siblings,
                                                        chair, bso, sw, tm) -> None:
    held = started(conference, minute_taker=bso, chair=chair)
    for user in (bso, tm):
        response = _api(user).post(f"/api/v1/conferences/{held.pk}/decisions/",
                                   _decision_payload(siblings[0], sw), format="json")
        assert response.status_code == 403
        assert "Only the conference's chair" in response.json()["detail"]


def test_api_conference_day_from_attendance_to_letter(conference: Conference, siblings, chair,
                                                      bso, sw) -> None:
    api = _api(bso)
    for name, agency in (("Sam Social", "csc"), ("Hana Health", "health"),
                         ("Ed School", "education")):
        # The deprecated day path still adds one person (the outputs' attendance takes several).
        response = api.post(f"/api/v1/conference-days/{conference.pk}/attendance/",
                            {"name": name, "agency": agency, "direct_contact": True},
                            format="json")
        assert response.status_code == 201
    day = api.get(f"/api/v1/conferences/{conference.pk}/").json()["day"]
    assert day["quoracy"]["quorate"] is True
    chair_api = _api(chair)
    assert chair_api.post(f"/api/v1/conferences/{conference.pk}/start/", {},
                          format="json").status_code == 200
    response = chair_api.post(f"/api/v1/conferences/{conference.pk}/decisions/",
                              _decision_payload(siblings[0], sw), format="json")
    assert response.status_code == 201
    assert response.json()["decision"]["review_date"] == "2027-08-04"
    response = chair_api.post(f"/api/v1/conferences/{conference.pk}/decisions/",
                              {"child": siblings[1].pk, "outcome": "cin",
                               "reasons": "Help needed.", "cin_first_meeting_on": "2027-05-18"},
                              format="json")
    assert response.status_code == 201
    letter = api.post(f"/api/v1/conferences/{conference.pk}/decision-letter/")
    assert letter.status_code == 200
    assert letter.json()["day"]["decision_letter_issued_at"] is not None
    assert {d.status for d in __import__("deadlines.models", fromlist=["Deadline"])
            .Deadline.objects.filter(rule_id="decision_letter")} == {"met"}


def test_api_hides_conferences_from_outsiders(conference: Conference, sw_b, police) -> None:
    for user in (sw_b, police):
        assert _api(user).get(f"/api/v1/conferences/{conference.pk}/").status_code == 404


def test_api_adjourn_books_the_reconvened_conference(conference: Conference, chair) -> None:
    response = _api(chair).post(f"/api/v1/conferences/{conference.pk}/adjourn/",
                                {"new_date": "2027-05-25", "interim_plan": "Daily checks."},
                                format="json")
    assert response.status_code == 200
    assert Conference.objects.filter(date=dt.date(2027, 5, 25)).exists()


def test_the_start_page_asks_for_an_exceptional_ground_only_when_inquorate(
        conference: Conference, bso, chair) -> None:
    from tests.outcomes.helpers import attend

    attend(conference, bso, "Hana Health", "health")
    inquorate = _client(chair).get(f"/conferences/{conference.pk}/day/start/")
    assert b"exceptional ground" in inquorate.content
    quorate_attendance(conference, bso)
    quorate = _client(chair).get(f"/conferences/{conference.pk}/day/start/")
    assert b"exceptional ground" not in quorate.content


def test_copying_the_invitation_list_lists_the_lead_social_worker_as_present(
        conference: Conference, bso, chair, sw) -> None:
    from conferences.outcomes import services
    from conferences.outcomes.selectors import conference_quoracy
    from conferences.preparation import services as preparation

    preparation.invitations_prefill(user=bso, conference=conference)
    services.attendance_prefill(conference=conference, user=bso)
    lead = conference.attendances.get(user=sw)
    assert lead.status == "present"
    assert conference_quoracy(conference).csc_present
    page = _client(chair).get(f"/conferences/{conference.pk}/day/").content.decode()
    assert "children&#x27;s social care is not present" not in page


def test_dissent_is_shown_beside_the_decision_on_the_day_page(conference: Conference, bso,
                                                              chair, sw) -> None:
    started(conference, minute_taker=bso, chair=chair)
    child = conference.children.order_by("date_of_birth", "pk").first()
    decide(conference, child, chair, plan_data(sw))
    page = _client(chair).get(f"/conferences/{conference.pk}/day/").content.decode()
    assert "Dissent: Education" in page
    assert "No plan: CIN would do." in page
