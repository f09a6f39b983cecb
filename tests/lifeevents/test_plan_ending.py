"""003 "Discontinuing the Child Protection Plan": everyone invited to the ICPC that led to
the plan is told it has ended, by the means they were invited, each letter kept as sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from conferences.models import Invitation, InvitedHow, InviteeKind
from cpcases.plans import services as plans
from cpcases.plans.models import PlanCategory, PlanEndReason
from lifeevents.models import Letter, LetterKind, LetterMethod, PlanEndingNotice
from tests.factories import PersonFactory
from tests.outcomes.helpers import make_conference

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended_plan(monday, child, sw, chair, bso):
    icpc = make_conference(children=[child], on=dt.date(2027, 2, 1), chair=chair,
                           minute_taker=bso)
    mother = PersonFactory(authority=child.authority, first_name="Grace", last_name="Okafor",
                           address="1 High Street\nAnytown", postcode="AN1 1AA")
    Invitation.objects.create(conference=icpc, kind=InviteeKind.FAMILY, person=mother,
                              name="Grace Okafor", how_invited=InvitedHow.LETTER)
    Invitation.objects.create(conference=icpc, kind=InviteeKind.PROFESSIONAL,
                              name="Dr Hana Health", agency="health",
                              email="hana@nhs.example", how_invited=InvitedHow.EMAIL)
    Invitation.objects.create(conference=icpc, kind=InviteeKind.PROFESSIONAL,
                              name="Ed School", agency="education", email="ed@school.example",
                              how_invited=InvitedHow.IN_PERSON)
    Invitation.objects.create(conference=icpc, kind=InviteeKind.OBSERVER, name="Observer",
                              how_invited=InvitedHow.EMAIL, email="obs@example.org")
    plan = plans.plan_start(child=child, started_on=dt.date(2027, 2, 1),
                            category=PlanCategory.NEGLECT, lead_social_worker=sw, user=chair,
                            conference=icpc)
    return plans.plan_end(plan=plan, ended_on=dt.date(2027, 2, 8),
                          reason=PlanEndReason.NO_LONGER_AT_RISK, user=chair,
                          start_cin_plan=True)


def test_a_plan_ending_tells_every_icpc_invitee_by_the_means_they_were_invited(
        client, ended_plan, child, sw, django_capture_on_commit_callbacks):
    client.force_login(sw)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/life/plans/{ended_plan.pk}/notify-ending/")
    assert response["Location"] == f"/life/child/{child.pk}/"
    letters = {letter.recipient_name: letter
               for letter in Letter.objects.filter(kind=LetterKind.PLAN_ENDED)}
    assert set(letters) == {"Grace Okafor", "Dr Hana Health", "Ed School"}
    assert letters["Grace Okafor"].method == LetterMethod.POST
    assert "1 High Street" in letters["Grace Okafor"].recipient_address
    assert letters["Dr Hana Health"].method == LetterMethod.EMAIL
    assert letters["Ed School"].method == LetterMethod.HAND
    assert "ended on 8 February 2027" in letters["Grace Okafor"].body
    assert "Child in Need plan continues" in letters["Grace Okafor"].body
    assert [m.to for m in mail.outbox] == [["hana@nhs.example"]]
    page = client.get(f"/life/child/{child.pk}/").content.decode()
    assert "People invited to the initial conference told on" in page
    chronology = client.get(f"/chronology/child/{child.pk}/").content.decode()
    assert "Everyone invited to the initial conference told that the child protection plan " \
        "has ended" in chronology
    assert "Dr Hana Health (E-mail); Ed School (By hand); Grace Okafor (Post)" in chronology
    again = client.post(f"/life/plans/{ended_plan.pk}/notify-ending/", follow=True)
    assert "already been sent" in again.content.decode()
    assert Letter.objects.filter(kind=LetterKind.PLAN_ENDED).count() == 3


def test_a_current_plan_cannot_send_ending_notices(client, on_plan, sw):
    client.force_login(sw)
    response = client.post(f"/life/plans/{on_plan.pk}/notify-ending/", follow=True)
    assert "has not ended" in response.content.decode()
    assert not PlanEndingNotice.objects.exists()


def test_plan_ending_notices_through_the_api(client, ended_plan, sw, sw_b):
    client.force_login(sw_b)
    assert client.post("/api/v1/plan-ending-notices/", {"plan": ended_plan.pk},
                       content_type="application/json").status_code == 404
    client.force_login(sw)
    created = client.post("/api/v1/plan-ending-notices/", {"plan": ended_plan.pk},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    assert len(created.json()["letters"]) == 3
    assert created.json()["census_closure_reason"] == "RC7"


def test_after_step_down_the_cin_plan_is_reviewed_at_3_months_then_every_6_months(
        client, ended_plan, child, sw, monday):
    from cpcases.plans.models import CinPlan
    from deadlines.models import Deadline, DeadlineStatus

    cin = CinPlan.objects.get(from_plan=ended_plan)
    assert Deadline.objects.get(rule_id="stepdown_review").due_date == dt.date(2027, 5, 8)
    monday.move_to(dt.datetime(2027, 5, 6, 12, tzinfo=dt.UTC))
    client.force_login(sw)
    response = client.post(f"/plans/child-in-need/{cin.pk}/meetings/new/", {
        "held_on_0": "6", "held_on_1": "5", "held_on_2": "2027", "kind": "review",
        "notes": "Three-month review"})
    assert response.status_code == 302
    assert Deadline.objects.get(rule_id="stepdown_review").status == DeadlineStatus.MET
    assert Deadline.objects.get(rule_id="cin_review_next").due_date == dt.date(2027, 11, 6)
    monday.move_to(dt.datetime(2027, 11, 1, 12, tzinfo=dt.UTC))
    plans.cin_meeting_record(cin_plan=cin, held_on=dt.date(2027, 11, 1), user=sw,
                             kind="review")
    reviews = Deadline.objects.filter(rule_id="cin_review_next").order_by("id")
    assert [r.status for r in reviews] == [DeadlineStatus.MET, DeadlineStatus.OPEN]
    assert reviews[1].due_date == dt.date(2028, 5, 1)
