"""WCAG 2.2 AA automated checks (axe-core) on the pages of issue 4: the strategy discussion
form (empty and with errors), the Section 47 outcome and threshold forms, the consultation
queue, the conference request form, the approvals queue, the booking page, the delay
authorisation page, and the child's Strategy and Conferences tabs, each with work on it.

As in test_accessibility.py, the pages are opened in contexts that bypass the CSP only so that
Playwright can add the axe script.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conferences import selectors as conference_selectors
from conferences import services as conference_services
from conferences.models import DelayAuthorisation
from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from deadlines.services import calendar_for
from strategy import services as strategy_services
from strategy.models import ParticipantRole, S47Outcome, Section47Enquiry, Urgency
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import axe_violations, describe
from tests.factories import AllocationFactory, ChildFactory, HouseholdFactory

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


def _household(org: Any, sw: User) -> tuple[Child, Child]:
    household = HouseholdFactory(authority=org.authority, name="Hughes, 7 Mill Lane")
    mia, noah = (ChildFactory(authority=org.authority, first_name=first, last_name="Hughes",
                              household=household, date_of_birth=born)
                 for first, born in (("Mia", dt.date(2016, 4, 2)),
                                     ("Noah", dt.date(2020, 9, 14))))
    for child in (mia, noah):
        AllocationFactory(child=child, team=org.team_a, social_worker=sw)
    return mia, noah


def _record_discussion(sw: User, mia: Child, noah: Child) -> None:
    held_on = calendar_for(mia.authority_id).previous_working_day(timezone.localdate())
    held_at = timezone.make_aware(dt.datetime.combine(held_on, dt.time(10)))
    strategy_services.strategy_discussion_record(
        user=sw, children=[mia, noah], concern_identified_at=held_at - dt.timedelta(hours=1),
        urgency=Urgency.CP_CONCERNS, format="meeting", held_at=held_at,
        outcomes={mia.pk: strategy_services.S47, noah.pk: "cin"},
        participants=[strategy_services.ParticipantData(name, agency, role)
                      for name, agency, role in (
                          ("Sam Social", Agency.CHILDRENS_SOCIAL_CARE,
                           ParticipantRole.SOCIAL_WORKER),
                          ("Tara Manager", Agency.CHILDRENS_SOCIAL_CARE,
                           ParticipantRole.MANAGER),
                          ("Nina Nurse", Agency.HEALTH, ParticipantRole.PROFESSIONAL),
                          ("DC Pat Police", Agency.POLICE, ParticipantRole.PROFESSIONAL))],
        information_shared="Bruising seen at school.",
        actions=[strategy_services.ActionData("Sam Social", "Visit the children",
                                              timezone.localdate())])


def test_strategy_and_booking_pages_meet_wcag_2_2_aa_automated_checks(
        live_server, new_context, axe_script, org, sw, tm, hos, bso, chair) -> None:
    mia, noah = _household(org, sw)
    base = live_server.url
    checked: dict[str, list[dict[str, Any]]] = {}

    def page_for(user: User) -> Page:
        page = new_context(bypass_csp=True).new_page()
        sign_in(page, base, user.username)
        return page

    def check(page: Page, name: str, path: str | None = None) -> None:
        if path is not None:
            page.goto(base + path)
        expect(page.locator("h1")).to_be_visible()
        checked[name] = axe_violations(page, axe_script)

    social_worker, manager, support, head = (page_for(u) for u in (sw, tm, bso, hos))

    # The strategy discussion form, empty and with errors.
    check(social_worker, "strategy discussion form",
          f"/strategy/child/{mia.pk}/discussions/new/")
    social_worker.get_by_role("button", name="Record the strategy discussion").click()
    expect(social_worker.locator(".govuk-error-summary")).to_be_visible()
    check(social_worker, "strategy discussion form with errors")

    _record_discussion(sw, mia, noah)
    enquiry = Section47Enquiry.objects.get(child=mia)
    check(social_worker, "strategy tab (enquiry under way)", f"/strategy/child/{mia.pk}/")
    check(social_worker, "section 47 outcome form", f"/strategy/enquiries/{enquiry.pk}/outcome/")
    social_worker.get_by_role("button", name="Record the outcome").click()
    expect(social_worker.locator(".govuk-error-summary")).to_be_visible()
    check(social_worker, "section 47 outcome form with errors")
    check(social_worker, "conference request form", f"/conferences/child/{mia.pk}/request/")

    strategy_services.s47_record_outcome(user=sw, enquiry=enquiry,
                                         outcome=S47Outcome.SUBSTANTIATED,
                                         outcome_date=timezone.localdate())
    check(manager, "threshold form", f"/strategy/child/{mia.pk}/threshold/new/")
    manager.get_by_role("button", name="Record the decision").click()
    expect(manager.locator(".govuk-error-summary")).to_be_visible()
    check(manager, "threshold form with errors")

    strategy_services.threshold_decide(user=tm, child=mia, harm_evidenced=True,
                                       attributable_to_parental_care=True, harm_likely=True,
                                       rationale="Physical harm by a parent.")
    request = conference_services.conference_request_create(
        user=sw, children=[mia], reason="Substantiated Section 47 enquiry.")
    conference_services.conference_request_submit(user=sw, request=request)
    check(manager, "approvals queue", "/conferences/approvals/")
    expect(manager.get_by_test_id(f"request-{request.pk}")).to_be_visible()
    check(manager, "approve request form", f"/conferences/requests/{request.pk}/approve/")

    conference_services.conference_request_approve(user=tm, request=request)
    strategy_services.consultation_request(user=sw, child=noah,
                                           question="Is the threshold met for Noah?")
    check(support, "consultation queue", "/strategy/consultations/queue/")
    expect(support.get_by_test_id("consultations")).to_be_visible()
    check(support, "booking page", f"/conferences/requests/{request.pk}/book/")
    expect(support.get_by_test_id("slots")).to_be_visible()
    support.get_by_role("button", name="Book the conference").click()
    expect(support.locator(".govuk-error-summary")).to_be_visible()
    check(support, "booking page with errors")

    calendar = calendar_for(org.authority)
    due = conference_selectors.icpc_due_date(request)
    assert due is not None
    conference_services.delay_authorisation_request(
        user=tm, request=request, latest_date=calendar.add_working_days(due, 2),
        danger_statements=["Mia may be hit again and be badly hurt."],
        rationale="Injury seen; safety plan with the grandmother.")
    authorisation = DelayAuthorisation.objects.get()
    check(head, "delay authorisations", "/conferences/delays/")
    check(head, "delay authorisation page", f"/conferences/delays/{authorisation.pk}/")
    head.get_by_role("button", name="Record the decision").click()
    expect(head.locator(".govuk-error-summary")).to_be_visible()
    check(head, "delay authorisation page with errors")

    # A week away at least: attendee details are due a week before the conference (004);
    # five working days from a Saturday is only six days.
    on = calendar.next_working_day(timezone.localdate() + dt.timedelta(days=6))
    conference_services.conference_book(
        user=bso, request=request, on=on,
        start_time=dt.time(10), chair=chair, minute_taker=bso, venue="Room 4, Civic Centre")
    check(social_worker, "strategy tab (substantiated)", f"/strategy/child/{mia.pk}/")
    check(social_worker, "conferences tab (booked)", f"/conferences/child/{mia.pk}/")
    expect(social_worker.get_by_test_id("booked-conference")).to_be_visible()
    check(social_worker, "strategy tab (no enquiry, consultation requested)",
          f"/strategy/child/{noah.pk}/")
    check(social_worker, "conferences tab (nothing requested)", f"/conferences/child/{noah.pk}/")

    assert len(checked) == 20  # every page above was checked
    # The check itself works: a picture without a text alternative is found.
    social_worker.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', "
                           "'<img src=\"/static/missing.png\">')")
    assert "image-alt" in {v["id"] for v in axe_violations(social_worker, axe_script)}

    failures = {name: found for name, found in checked.items() if found}
    assert not failures, "Accessibility violations (axe-core, WCAG 2.2 AA):\n" + "\n".join(
        f"{name}:\n{describe(found)}" for name, found in failures.items())
