"""The plan pages: the child's Plan tab, the core group meeting form, actions, ending the plan
with step-down, and who may see and change what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from cpcases.plans import services
from cpcases.plans.models import Attendance, CinPlan, CoreGroupMeeting
from deadlines.models import Deadline, DeadlineStatus
from tests.factories import PartnerInvolvementFactory, UserFactory
from tests.plans.conftest import all_attended

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def test_plan_tab_shows_the_plan_actions_versions_and_members(plan, sw) -> None:
    page = client_for(sw).get(reverse("plans:child", args=[plan.child_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Neglect" in html
    assert "Weekly attendance report" in html
    assert "Version 1" in html
    assert "Ms Whitfield" in html
    assert "First core group held: due 9 April 2027" in html


def test_overdue_actions_are_tagged(plan, sw, clock) -> None:
    clock.move_to(dt.datetime(2027, 4, 9, 12))
    html = client_for(sw).get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert 'data-testid="overdue"' in html


def test_the_manager_sees_absence_counts(plan, sw, tm, clock) -> None:
    clock.move_to(dt.datetime(2027, 6, 1, 12))
    for day in (dt.date(2027, 4, 7), dt.date(2027, 5, 5)):
        services.core_group_meeting_record(
            plan=plan, held_on=day, user=sw,
            attendance=all_attended(plan, **{"Ms Whitfield": Attendance.ABSENT}))
    html = client_for(tm).get(reverse("plans:detail", args=[plan.pk])).content.decode()
    whitfield = plan.members.get(name="Ms Whitfield")
    row = html.split(f'data-testid="member-{whitfield.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="absent-count">2' in row
    assert "Pattern" in row


def test_recording_a_core_group_meeting_through_the_form(plan, sw, clock) -> None:
    clock.move_to(dt.datetime(2027, 4, 8, 17))
    members = {m.name: m for m in plan.members.all()}
    action = plan.actions.get()
    data = {**date_fields("held_on", dt.date(2027, 4, 8)),
            f"attendance_{members['DC Pat Police'].pk}": "attended",
            f"attendance_{members['Ms Whitfield'].pk}": "apologies",
            f"action_{action.pk}": "done", "minutes": "Plan agreed",
            "outcomes": "Alfie attends school", "contingency": plan.contingency,
            "recommendation": "", "recommendation_reasons": "",
            "new-TOTAL_FORMS": "2", "new-INITIAL_FORMS": "0",
            "new-0-who": "Health visitor", "new-0-what": "Growth check",
            **date_fields("new-0-by_when", dt.date(2027, 4, 30))}
    response = client_for(sw).post(reverse("plans:meeting_new", args=[plan.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = CoreGroupMeeting.objects.get()
    assert meeting.attendance.get(member=members["Ms Whitfield"]).attendance == "apologies"
    assert plan.actions.get(what="Growth check").who == "Health visitor"
    assert Deadline.objects.get(rule_id="core_group_first").status == DeadlineStatus.MET


def test_new_actions_start_with_one_row_and_grow_with_add_another(plan, sw) -> None:
    url = reverse("plans:meeting_new", args=[plan.pk])
    first = client_for(sw).get(url).content.decode()
    assert first.count('data-testid="new-action-') == 1
    assert "Its minutes and the plan go out within 5 days." in first  # plan_distributed
    grown = client_for(sw).post(url, {
        **date_fields("held_on", dt.date(2027, 3, 25)), "minutes": "Typed minutes",
        "new-TOTAL_FORMS": "1", "new-INITIAL_FORMS": "0", "new-0-who": "Health visitor",
        "add-row": "new"}).content.decode()
    assert grown.count('data-testid="new-action-') == 2
    assert 'value="Health visitor"' in grown
    assert "Typed minutes" in grown
    assert "govuk-error-summary" not in grown
    assert not CoreGroupMeeting.objects.exists()


def test_a_meeting_form_with_missing_attendance_keeps_what_was_typed(plan, sw) -> None:
    data = {**date_fields("held_on", dt.date(2027, 3, 25)), "minutes": "Typed minutes",
            "new-TOTAL_FORMS": "2", "new-INITIAL_FORMS": "0"}
    response = client_for(sw).post(reverse("plans:meeting_new", args=[plan.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Typed minutes" in html
    assert not CoreGroupMeeting.objects.exists()


def test_a_partner_in_the_core_group_sees_the_plan_but_cannot_change_it(plan, police) -> None:
    client = client_for(police)
    assert client.get(reverse("plans:child", args=[plan.child_id])).status_code == 200
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 200
    assert client.get(reverse("plans:meeting_new", args=[plan.pk])).status_code == 403
    assert client.get(reverse("plans:end", args=[plan.pk])).status_code == 403


def test_another_partner_is_refused_the_plan(plan, org) -> None:
    health = UserFactory(role="partner", agency="health", authority=org.authority)
    PartnerInvolvementFactory(child=plan.child, user=health, kind="strategy")
    client = client_for(health)
    assert client.get(reverse("plans:child", args=[plan.child_id])).status_code == 404
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 404
    assert client.get(reverse("plans-api:plan-list")).json()["count"] == 0


def test_ending_the_plan_with_a_stepdown_to_cin(plan, sw, clock) -> None:
    clock.move_to(dt.datetime(2027, 6, 10, 17))
    data = {**date_fields("ended_on", dt.date(2027, 6, 10)), "reason": "no_longer_at_risk",
            "stepdown": "cin", **date_fields("cin_first_meeting_on", dt.date(2027, 6, 18))}
    response = client_for(sw).post(reverse("plans:end", args=[plan.pk]), data)
    assert response.status_code == 302
    cin = CinPlan.objects.get(from_plan=plan)
    page = client_for(sw).get(reverse("plans:cin_detail", args=[cin.pk]))
    assert "10 September 2027" in page.content.decode()


def test_ending_the_plan_without_choosing_a_stepdown_is_refused(plan, sw, clock) -> None:
    clock.move_to(dt.datetime(2027, 6, 10, 17))
    data = {**date_fields("ended_on", dt.date(2027, 6, 10)), "reason": "no_longer_at_risk"}
    response = client_for(sw).post(reverse("plans:end", args=[plan.pk]), data)
    assert response.status_code == 200
    assert "Choose whether a Child in Need plan follows" in response.content.decode()
    plan.refresh_from_db()
    assert plan.ended_on is None


def test_starting_a_plan_from_the_tab(clock, child, sw) -> None:
    client = client_for(sw)
    assert "Record a child protection plan" in client.get(
        reverse("plans:child", args=[child.pk])).content.decode()
    data = {**date_fields("started_on", dt.date(2027, 3, 24)), "category": "EMO",
            "lead_social_worker": str(sw.pk), "outcomes": "", "contingency": ""}
    response = client.post(reverse("plans:start", args=[child.pk]), data)
    assert response.status_code == 302
    assert child.cp_plans.get().category == "EMO"


def test_adding_and_completing_an_action(plan, sw) -> None:
    client = client_for(sw)
    data = {"who": "GP", "what": "Health check", **date_fields("by_when", dt.date(2027, 4, 2))}
    assert client.post(reverse("plans:action_add", args=[plan.pk]), data).status_code == 302
    action = plan.actions.get(what="Health check")
    data = {"who": "GP", "what": "Health check", "status": "done",
            "record_version": action.version, **date_fields("by_when", dt.date(2027, 4, 2))}
    assert client.post(reverse("plans:action_edit", args=[action.pk]),
                       data).status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    assert action.completed_on == dt.date(2027, 3, 25)
