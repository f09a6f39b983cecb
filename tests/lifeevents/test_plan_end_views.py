"""003 "Discontinuing the Child Protection Plan": where agencies working with the child are
not at the review that decides to end the plan, their views are sought in writing (within
10 working days), by the means they were invited, each request kept as sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from conferences.models import ConferenceKind, Invitation, InvitedHow, InviteeKind
from conferences.outcomes import services as outcomes
from conferences.outcomes.models import AttendanceStatus, ExceptionalCircumstance
from cpcases.accounts.roles import Agency
from cpcases.plans import services as plans
from cpcases.plans.models import PlanCategory, PlanEndReason
from deadlines.models import Deadline, DeadlineStatus
from lifeevents.models import AgencyViewRequest, Letter, LetterKind, LetterMethod, PlanEndViews
from tests.factories import PersonFactory
from tests.lifeevents.conftest import at
from tests.outcomes.helpers import attend, make_conference

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(monday, child, sw, chair, bso):
    """Alfie's plan from the ICPC of 1 February 2027; the review on Monday 8 February, to
    which health (by e-mail) and the school (by letter) were invited and did not come."""
    icpc = make_conference(children=[child], on=dt.date(2027, 2, 1), chair=chair,
                           minute_taker=bso)
    plans.plan_start(child=child, started_on=dt.date(2027, 2, 1),
                     category=PlanCategory.NEGLECT, lead_social_worker=sw, user=chair,
                     conference=icpc)
    review = make_conference(children=[child], on=dt.date(2027, 2, 8), chair=chair,
                             minute_taker=bso, kind=ConferenceKind.REVIEW)
    head = PersonFactory(authority=child.authority, first_name="Ed", last_name="School",
                         address="Anytown Primary\nSchool Lane", postcode="AN1 2BB")
    for name, agency, how, email, person in (
            ("Dr Hana Health", Agency.HEALTH, InvitedHow.EMAIL, "hana@nhs.example", None),
            ("Ed School", Agency.EDUCATION, InvitedHow.LETTER, "", head),
            ("DC Pat Police", Agency.POLICE, InvitedHow.EMAIL, "pat@police.example", None)):
        Invitation.objects.create(conference=review, kind=InviteeKind.PROFESSIONAL, name=name,
                                  agency=agency, how_invited=how, email=email, person=person)
    attend(review, bso, "Sam Social", Agency.CHILDRENS_SOCIAL_CARE)
    attend(review, bso, "DC Pat Police", Agency.POLICE)
    attend(review, bso, "Pru Probation", Agency.PROBATION)
    attend(review, bso, "Ed School", Agency.EDUCATION, status=AttendanceStatus.APOLOGIES)
    outcomes.conference_start(conference=review, user=chair)
    return review


def _end(review, child, chair):
    return outcomes.child_decision_record(
        conference=review, child=child, user=chair, data=outcomes.DecisionData(
            outcome="end", reasons="Risks reduced.", end_reason=PlanEndReason.NO_LONGER_AT_RISK,
            exceptional_circumstance=ExceptionalCircumstance.CUSTODIAL, start_cin_plan=True,
            cin_first_meeting_on=dt.date(2027, 2, 15)))


def test_a_review_ending_the_plan_asks_each_absent_agency_for_its_views_within_10_working_days(
        review, child, chair, sw, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        decision = _end(review, child, chair)
    views = PlanEndViews.objects.get(plan=decision.plan)
    asked = {r.name: r for r in views.requests.select_related("letter")}
    assert set(asked) == {"Dr Hana Health", "Ed School"}  # the police were there
    assert asked["Dr Hana Health"].letter.method == LetterMethod.EMAIL
    assert asked["Ed School"].letter.method == LetterMethod.POST
    assert "School Lane" in asked["Ed School"].letter.recipient_address
    assert Letter.objects.filter(kind=LetterKind.VIEWS_SOUGHT).count() == 2
    assert [m.to for m in mail.outbox if "views" in m.subject] == [["hana@nhs.example"]]
    deadline = Deadline.objects.get(rule_id="plan_end_views")
    # 10 working days after Monday 8 February 2027.
    assert deadline.due_date == dt.date(2027, 2, 22)
    assert deadline.responsible == chair
    assert "reply by 22 February 2027" in asked["Ed School"].letter.body

    client.force_login(sw)
    plan_page = client.get(f"/plans/{decision.plan.pk}/").content.decode()
    assert f'href="/life/plans/{decision.plan.pk}/ending/"' in plan_page
    page = client.get(f"/life/plans/{decision.plan.pk}/ending/").content.decode()
    assert "Dr Hana Health (Health)" in page  # the agency in words, not its code
    assert "Ed School (Education)" in page
    assert page.count("Outstanding") == 2
    assert "22 Feb 2027" in page  # the deadline, with the chair responsible
    assert "Chris Chair" in page


def test_recording_the_last_view_meets_the_deadline_through_pages_and_api(
        review, child, chair, sw, sw_b, client, monday):
    plan = _end(review, child, chair).plan
    health = AgencyViewRequest.objects.get(name="Dr Hana Health")
    school = AgencyViewRequest.objects.get(name="Ed School")
    monday.move_to(at(2027, 2, 12))
    client.force_login(sw)
    bad = client.post(f"/life/agency-views/{health.pk}/", {"view": ""})
    assert bad.status_code == 200
    assert 'href="#id_view"' in bad.content.decode()
    done = client.post(f"/life/agency-views/{health.pk}/", {
        "view": "Health agrees the plan can end.", "received_on_0": "11",
        "received_on_1": "2", "received_on_2": "2027"})
    assert done["Location"] == f"/life/plans/{plan.pk}/ending/"
    assert Deadline.objects.get(rule_id="plan_end_views").status == DeadlineStatus.OPEN
    page = client.get(f"/life/plans/{plan.pk}/ending/").content.decode()
    assert "Received 11 Feb 2027" in page
    assert "Health agrees" in page
    assert page.count("Outstanding") == 1

    client.force_login(sw_b)
    assert client.post(f"/api/v1/agency-view-requests/{school.pk}/record/", {
        "view": "x", "received_on": "2027-02-12"}, content_type="application/json"
    ).status_code == 404
    client.force_login(sw)
    listed = client.get("/api/v1/agency-view-requests/").json()
    assert {r["name"] for r in listed["results"]} == {"Dr Hana Health", "Ed School"}
    recorded = client.post(f"/api/v1/agency-view-requests/{school.pk}/record/", {
        "view": "School agrees; attendance is good.", "received_on": "2027-02-12"},
        content_type="application/json")
    assert recorded.status_code == 200, recorded.content
    deadline = Deadline.objects.get(rule_id="plan_end_views")
    assert deadline.status == DeadlineStatus.MET
    assert PlanEndViews.objects.get(plan=plan).completed_at is not None
    again = client.post(f"/api/v1/agency-view-requests/{school.pk}/record/", {
        "view": "Again", "received_on": "2027-02-12"}, content_type="application/json")
    assert again.status_code == 400
    assert "Every view is in" in client.get(f"/life/plans/{plan.pk}/ending/").content.decode()


    # The chronology: the requests on the day of the review, after the plan's end, and
    # each view on the day it came in.
    rows = [(r["event_date"], r["significant_event"], r["who_involved"],
             r["decisions_actions_outcome"])
            for r in client.get(f"/api/v1/chronology/{child.pk}/").json()]
    ended = next(i for i, r in enumerate(rows) if r[1] == "Child protection plan ended")
    assert rows[ended + 1][:3] == (
        "2027-02-08", "Views asked in writing of the agencies not at the review that ended "
        "the plan", "Ed School (Education); Dr Hana Health (Health)")
    received = [r for r in rows if r[1].startswith("View received")]
    assert received == [
        ("2027-02-11", "View received from Dr Hana Health (Health) on the plan ending",
         "Dr Hana Health", "Health agrees the plan can end."),
        ("2027-02-12", "View received from Ed School (Education) on the plan ending",
         "Ed School", "School agrees; attendance is good.")]


def test_no_views_are_sought_when_every_agency_came(monday, child, sw, chair, bso):
    icpc = make_conference(children=[child], on=dt.date(2027, 2, 1), chair=chair,
                           minute_taker=bso)
    plans.plan_start(child=child, started_on=dt.date(2027, 2, 1),
                     category=PlanCategory.NEGLECT, lead_social_worker=sw, user=chair,
                     conference=icpc)
    review = make_conference(children=[child], on=dt.date(2027, 2, 8), chair=chair,
                             minute_taker=bso, kind=ConferenceKind.REVIEW)
    Invitation.objects.create(conference=review, kind=InviteeKind.PROFESSIONAL,
                              name="Dr Hana Health", agency=Agency.HEALTH,
                              how_invited=InvitedHow.EMAIL, email="hana@nhs.example")
    attend(review, bso, "Sam Social", Agency.CHILDRENS_SOCIAL_CARE)
    attend(review, bso, "A locum GP", Agency.HEALTH)
    attend(review, bso, "Pru Probation", Agency.PROBATION)
    outcomes.conference_start(conference=review, user=chair)
    _end(review, child, chair)
    assert not PlanEndViews.objects.exists()
    assert not Deadline.objects.filter(rule_id="plan_end_views").exists()
