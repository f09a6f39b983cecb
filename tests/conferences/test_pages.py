"""The pages: queues per role, the booking page with the ICPC due date and its slots, the
child's Conferences tab, and refusals in the error summary with what was typed kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from conferences.models import Conference, ConferenceRequest, DelayStatus, RequestStatus
from tests.conferences.factories import approved_request, book, submitted_request

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def booking_form(chair, bso, day=1, month=4) -> dict:
    return {"date_0": str(day), "date_1": str(month), "date_2": "2027", "start_time": "10:00",
            "venue": "Room 2, Civic Centre", "online_link": "", "chair": chair.pk,
            "minute_taker": bso.pk}


def test_the_story_in_the_browser_from_draft_to_booked_icpc(ready, sw, tm, bso, chair):
    lily, jack = ready
    page = signed_in(sw).get(f"/conferences/child/{lily.pk}/request/")
    assert page.status_code == 200
    assert "Jack Smith" in page.content.decode()  # the household's children are offered

    response = signed_in(sw).post(f"/conferences/child/{lily.pk}/request/", {
        "children": [lily.pk, jack.pk], "reason": "Substantiated S47."})
    request = ConferenceRequest.objects.get()
    assert response.url == f"/conferences/requests/{request.pk}/"
    signed_in(sw).post(f"/conferences/requests/{request.pk}/submit/")
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED

    approvals = signed_in(tm).get("/conferences/approvals/").content.decode()
    assert f"request-{request.pk}" in approvals
    approve_page = signed_in(tm).get(f"/conferences/requests/{request.pk}/approve/")
    assert "Threshold met" in approve_page.content.decode()
    signed_in(tm).post(f"/conferences/requests/{request.pk}/approve/", {"note": ""})
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED

    queue = signed_in(bso).get("/conferences/to-book/").content.decode()
    assert f"request-{request.pk}" in queue
    book_page = signed_in(bso).get(f"/conferences/requests/{request.pk}/book/").content.decode()
    assert "Wednesday 7 April 2027" in book_page
    assert 'data-testid="slot-2027-03-26"' not in book_page  # Good Friday
    response = signed_in(bso).post(f"/conferences/requests/{request.pk}/book/",
                                   booking_form(chair, bso))
    assert response.status_code == 302
    assert Conference.objects.get().date == dt.date(2027, 4, 1)

    tab = signed_in(sw).get(f"/conferences/child/{lily.pk}/").content.decode()
    assert "Thursday 1 April 2027 at 10:00" in tab
    assert "Room 2, Civic Centre" in tab
    assert "Chris Chair" in tab
    assert "Within timescale" in tab


def test_a_late_date_is_refused_in_the_error_summary_keeping_what_was_typed(
        ready, sw, tm, bso, chair):
    request = approved_request(sw=sw, tm=tm, children=ready)

    response = signed_in(bso).post(f"/conferences/requests/{request.pk}/book/",
                                   booking_form(chair, bso, day=12))

    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "delay authorisation" in body
    assert 'value="Room 2, Civic Centre"' in body
    assert not Conference.objects.exists()


def test_a_chair_who_manages_the_case_is_refused_on_the_page(ready, sw, tm, tm_b, bso):
    request = approved_request(sw=sw, tm=tm, children=ready)
    # The form offers CP chairs only; a crafted post naming the team manager is refused.
    response = signed_in(bso).post(f"/conferences/requests/{request.pk}/book/",
                                   booking_form(tm, bso))
    assert response.status_code == 200
    assert not Conference.objects.exists()


def test_delay_authorisation_pages_for_the_head_of_service(ready, sw, tm, hos):
    request = approved_request(sw=sw, tm=tm, children=ready)
    response = signed_in(tm).post(f"/conferences/requests/{request.pk}/delay/", {
        "latest_date_0": "14", "latest_date_1": "4", "latest_date_2": "2027",
        "danger_statement_1": "Lily may be hit again.", "danger_statement_2": "",
        "danger_statement_3": "", "rationale": "Police interviews."})
    assert response.status_code == 302
    authorisation = request.delay_authorisations.get()

    assert signed_in(tm).get("/conferences/delays/").status_code == 403
    queue = signed_in(hos).get("/conferences/delays/").content.decode()
    assert f"/conferences/delays/{authorisation.pk}/" in queue
    page = signed_in(hos).get(f"/conferences/delays/{authorisation.pk}/").content.decode()
    assert ready[0].la_child_id in page
    assert "age 10" in page
    signed_in(hos).post(f"/conferences/delays/{authorisation.pk}/",
                        {"decision": "authorise", "note": ""})
    authorisation.refresh_from_db()
    assert authorisation.status == DelayStatus.AUTHORISED


def test_second_conference_queue_for_the_service_manager(ready, sw, tm, sm):
    request = approved_request(sw=sw, tm=tm, children=ready, had_plan_before=[ready[1].pk])

    queue = signed_in(sm).get("/conferences/second-conferences/").content.decode()
    assert f"request-{request.pk}" in queue
    signed_in(sm).post(f"/conferences/requests/{request.pk}/agree-second/", {"note": "OK"})
    request.refresh_from_db()
    assert request.second_conference_agreed_by == sm


def test_bookings_calendar_lists_conferences_by_date(ready, sw, tm, bso, chair):
    request = approved_request(sw=sw, tm=tm, children=ready)
    book(bso=bso, request=request, on=dt.date(2027, 4, 1), chair=chair)

    for user in (bso, chair):
        page = signed_in(user).get("/conferences/calendar/").content.decode()
        assert 'data-testid="day-2027-04-01"' in page
        assert "Lily Smith" in page


def test_my_conference_requests_lists_the_social_workers_requests(ready, sw):
    request = submitted_request(sw=sw, children=ready)

    page = signed_in(sw).get("/conferences/requests/").content.decode()

    assert f"request-{request.pk}" in page
    assert "Awaiting approval" in page


@pytest.mark.parametrize(("path", "refused"), [
    ("/conferences/approvals/", ["sw", "bso", "sm", "chair", "police"]),
    ("/conferences/to-book/", ["sw", "tm", "chair", "police"]),
    ("/conferences/second-conferences/", ["sw", "tm", "bso", "police"]),
    ("/conferences/delays/", ["sw", "tm", "bso", "chair", "police"]),
    ("/conferences/calendar/", ["sw", "tm", "police"]),
    ("/conferences/requests/", ["bso", "chair", "police", "admin_user"]),
])
def test_queues_refuse_other_roles(path, refused, request, org):
    for persona in refused:
        assert signed_in(request.getfixturevalue(persona)).get(path).status_code == 403, persona


def test_outsiders_cannot_open_a_request(ready, sw, tm, sw_b, tm_b, police):
    request = approved_request(sw=sw, tm=tm, children=ready)

    for outsider in (sw_b, tm_b, police):
        client = signed_in(outsider)
        assert client.get(f"/conferences/requests/{request.pk}/").status_code == 404
        assert client.get(f"/conferences/child/{ready[0].pk}/").status_code == 404
    assert f"request-{request.pk}" not in signed_in(tm_b).get(
        "/conferences/approvals/").content.decode()


def test_business_support_does_not_see_drafts(ready, sw, bso):
    from conferences import services

    draft = services.conference_request_create(user=sw, children=ready, reason="Draft")

    assert signed_in(bso).get(f"/conferences/requests/{draft.pk}/").status_code == 404


def test_a_request_with_a_restricted_child_is_hidden_from_business_support(
        ready, sw, tm, bso):
    request = approved_request(sw=sw, tm=tm, children=ready)
    ready[1].is_restricted = True
    ready[1].save()

    assert signed_in(bso).get(f"/conferences/requests/{request.pk}/").status_code == 404
    assert f"request-{request.pk}" not in signed_in(bso).get(
        "/conferences/to-book/").content.decode()
