"""From concern to a booked ICPC (issue 4) in a real browser, with dates relative to today
(the live server runs on real time): a strategy discussion about two children of a household
starts a Section 47 enquiry for one of them; the ICPC due date shows on the child's record and
in the team manager's deadlines; the enquiry is substantiated; the team manager answers the
Significant Harm Checklist and approves the request; business support books a date within the
timescale; the social worker sees the booked ICPC and the invitation list deadline. A late date
is refused until the head of service authorises the delay (000). A consultation with a CP chair
is requested, assigned by business support and recorded by the chair (000)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from conferences import services as conference_services
from conferences.models import Conference, ConferenceRequest, DelayStatus, RequestStatus
from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency
from cpcases.children.models import Child
from deadlines.models import Deadline, DeadlineStatus
from deadlines.services import calendar_for
from strategy import services as strategy_services
from strategy.models import (
    ConsultationRequest,
    ConsultationStatus,
    ParticipantRole,
    S47Outcome,
    Section47Enquiry,
    Urgency,
)
from tests.factories import AllocationFactory, ChildFactory, HouseholdFactory

# The live server's thread has its own database connection: the data must be committed. The
# rollback restores what migrations loaded (policy profiles), which a flush would remove.
pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]

ICPC_WORKING_DAYS = 15  # 000, 002 §2.6, 003: the national profile's `icpc` timescale


@dataclass
class Household:
    mia: Child
    noah: Child


@pytest.fixture
def hughes(org, sw, tm) -> Household:
    """Two children of one household on team A, allocated to the social worker."""
    household = HouseholdFactory(authority=org.authority, name="Hughes, 7 Mill Lane")
    mia, noah = (ChildFactory(authority=org.authority, first_name=first, last_name="Hughes",
                              household=household, date_of_birth=born)
                 for first, born in (("Mia", dt.date(2016, 4, 2)),
                                     ("Noah", dt.date(2020, 9, 14))))
    for child in (mia, noah):
        AllocationFactory(child=child, team=org.team_a, social_worker=sw)
    return Household(mia=mia, noah=noah)


def long_date(d: dt.date) -> str:
    """The pages' "j F Y"."""
    return f"{d.day} {d:%B %Y}"


def fill_date(scope: Page | Locator, legend: str, on: dt.date) -> None:
    group = scope.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(on.day))
    group.get_by_label("Month").fill(str(on.month))
    group.get_by_label("Year").fill(str(on.year))


def open_tab(page: Page, child: Child, tab: str) -> None:
    """Follow the link of one of the record's sections."""
    page.get_by_role("navigation", name=re.compile(f"Sections of {child.display_name}")
                     ).get_by_role("link", name=tab, exact=True).click()


def open_record(page: Page, base_url: str, child: Child, tab: str) -> None:
    page.goto(f"{base_url}/children/{child.pk}/")
    open_tab(page, child, tab)


def success(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner--success")


def no_problems(*sessions) -> None:
    for session in sessions:
        assert not session.problems.console_errors, session.problems.console_errors
        assert not session.problems.page_errors, session.problems.page_errors


def add_participant(page: Page, row: int, name: str, agency: str, part: str,
                    attendance: str = "Present") -> None:
    fieldset = page.get_by_test_id(f"participant-{row}")
    if not fieldset.count():
        # The form starts with one row; "Add another" brings the next, keeping what was typed.
        page.get_by_role("button", name="Add another participant").click()
    fieldset.get_by_label("Name", exact=True).fill(name)
    fieldset.get_by_label("Agency").select_option(label=agency)
    fieldset.get_by_label("Part in the discussion").select_option(label=part)
    fieldset.get_by_label("Attendance").select_option(label=attendance)


def book(page: Page, on: dt.date) -> None:
    fill_date(page, "Date of the conference", on)
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Venue").fill("Room 4, Civic Centre, Anytown")
    page.get_by_label("Chair", exact=True).select_option(label="Chris Chair")
    page.get_by_label("Minute-taker").select_option(label="Bola Support")
    page.get_by_role("button", name="Book the conference").click()


def test_strategy_discussion_to_booked_icpc_within_timescale(
        signed_in_page, org, sw, tm, bso, chair, hughes) -> None:
    mia, noah = hughes.mia, hughes.noah
    calendar = calendar_for(org.authority)
    today = timezone.localdate()
    held_on = calendar.previous_working_day(today)
    icpc_due = calendar.add_working_days(held_on, ICPC_WORKING_DAYS)

    # --- The social worker records the strategy discussion about both children. -------------
    social_worker = signed_in_page(sw)
    page = social_worker.page
    open_record(page, social_worker.base_url, mia, "Strategy and enquiries")
    expect(page.get_by_role("heading", name="Strategy and enquiries")).to_be_visible()
    page.get_by_role("link", name="Record a strategy discussion").click()
    expect(page.get_by_role("heading", name="Record a strategy discussion", level=1)
           ).to_be_visible()

    children = page.get_by_role("group", name="Children discussed")
    expect(children.get_by_label("Mia Hughes")).to_be_checked()
    children.get_by_label("Noah Hughes").check()
    fill_date(page, "Date the concern was identified", held_on)
    page.get_by_label("Time the concern was identified").fill("09:00")
    page.get_by_role("group", name="Urgency").get_by_label("Child protection concerns").check()
    page.get_by_role("group", name="Meeting or phone calls").get_by_label("Meeting").check()
    fill_date(page, "Date the discussion was held", held_on)
    page.get_by_label("Time the discussion was held").fill("10:00")
    page.get_by_label("Information shared").fill(
        "Mia told her teacher she was hit; bruising seen on her arm. Noah is well at nursery.")
    page.get_by_label("Conduct and timing of any criminal investigation").fill(
        "Police to interview the mother after the child's visit.")
    page.get_by_label("What may be shared with the family").fill(
        "The concerns about Mia; not the teacher's name.")
    page.get_by_label("Decision for Mia Hughes").select_option(
        label="Initiate a Section 47 enquiry")
    page.get_by_label("Decision for Noah Hughes").select_option(label="Child in need")
    add_participant(page, 0, "Sam Social", "Children's social care",
                    "Local authority social worker")
    add_participant(page, 1, "Tara Manager", "Children's social care", "Social work manager")
    add_participant(page, 2, "Nina Nurse", "Health", "Agency professional",
                    "Contributed (did not attend)")
    add_participant(page, 3, "DC Pat Police", "Police", "Agency professional")
    action = page.get_by_role("group", name="Action 1")
    action.get_by_label("Who").fill("Sam Social")
    action.get_by_label("What").fill("Visit Mia and Noah at home")
    fill_date(action, "By when", calendar.add_working_days(today, 2))
    page.get_by_role("button", name="Record the strategy discussion").click()

    expect(success(page)).to_contain_text("Strategy discussion recorded.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"Strategy discussion of {long_date(held_on)}")
    decisions = page.get_by_role("table").filter(has_text="Decision")
    expect(decisions.get_by_role("row").filter(has_text="Mia Hughes")).to_contain_text(
        "Section 47 enquiry initiated")
    expect(decisions.get_by_role("row").filter(has_text="Noah Hughes")).to_contain_text(
        "Child in need")
    enquiry = Section47Enquiry.objects.get()
    assert enquiry.child_id == mia.pk  # the enquiry starts for Mia only

    # The ICPC due date on Mia's record: the Strategy tab and the Deadlines tab.
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_test_id("current-enquiry")).to_contain_text(
        f"Section 47 enquiry started {long_date(held_on)}")
    expect(page.get_by_test_id("icpc-due")).to_have_text(
        f"Initial child protection conference due by {long_date(icpc_due)}.")
    expect(page.get_by_test_id("strategy-timeline")).to_contain_text("Strategy discussion")
    open_tab(page, mia, "Deadlines")
    icpc_row = page.get_by_test_id("child-deadlines").get_by_role("row").filter(
        has_text="Initial child protection conference held")
    expect(icpc_row).to_have_count(1)
    expect(icpc_row).to_contain_text(long_date(icpc_due))
    # One status vocabulary with a working-day countdown (issue 9).
    expect(icpc_row).to_contain_text("Not yet due")
    expect(icpc_row).to_contain_text(re.compile(r"\d+ working days? left"))
    expect(icpc_row).to_contain_text("Tara Manager")  # the team manager answers for it

    # --- The S47 outcome: substantiated. ------------------------------------------------------
    open_tab(page, mia, "Strategy and enquiries")
    page.get_by_role("link", name="Record the Section 47 outcome").click()
    page.get_by_role("group", name="Outcome").get_by_label(
        "Substantiated: convene an initial conference").check()
    fill_date(page, "Date of the outcome", today)
    page.get_by_label("Reasons").fill("Injury consistent with Mia's account; mother agrees.")
    page.get_by_role("button", name="Record the outcome").click()
    expect(success(page)).to_contain_text("Outcome of the Section 47 enquiry recorded.")
    expect(page.get_by_test_id("current-enquiry")).to_contain_text(
        "substantiated: convene an initial conference")
    enquiry.refresh_from_db()
    assert enquiry.outcome == S47Outcome.SUBSTANTIATED

    # --- The social worker drafts the conference request and submits it. ---------------------
    open_tab(page, mia, "Conferences")
    expect(page.get_by_test_id("icpc-due")).to_contain_text(long_date(icpc_due))
    page.get_by_role("link", name="Request a conference").click()
    children = page.get_by_role("group", name="Children the conference is for")
    expect(children.get_by_label("Mia Hughes (ID")).to_be_checked()
    expect(children.get_by_label("Noah Hughes (ID")).not_to_be_checked()
    page.get_by_label("Reason for the conference").fill(
        "Section 47 enquiry substantiated: physical harm to Mia.")
    page.get_by_role("button", name="Save draft").click()
    expect(success(page)).to_contain_text("Draft conference request saved.")
    page.get_by_role("button", name="Submit to team manager").click()
    expect(success(page)).to_contain_text("Request submitted to your team manager")
    conference_request = ConferenceRequest.objects.get()
    assert conference_request.status == RequestStatus.SUBMITTED

    # --- The team manager answers the Significant Harm Checklist and approves. ----------------
    manager = signed_in_page(tm)
    mpage = manager.page
    open_record(mpage, manager.base_url, mia, "Strategy and enquiries")
    mpage.get_by_role("link", name="Record the threshold decision").click()
    checklist = mpage.get_by_role("group", name="Significant Harm Checklist")
    for question in ("1. Can the concerns be evidenced", "2. Are the concerns attributable",
                     "3. Can it be evidenced that significant harm is likely"):
        checklist.get_by_role("group", name=re.compile(re.escape(question))).get_by_label(
            "Yes").check()
    mpage.get_by_label("Rationale").fill("Physical injury from a parent; likely to recur.")
    mpage.get_by_role("button", name="Record the decision").click()
    expect(success(mpage)).to_contain_text("Threshold decision recorded.")

    # The ICPC deadline is in the team manager's deadlines.
    mpage.get_by_role("navigation", name="Menu").get_by_role("link", name="My work").click()
    mpage.get_by_role("link", name="All my deadlines").click()
    expect(mpage.get_by_role("heading", name="My deadlines", level=1)).to_be_visible()
    expect(mpage.get_by_role("table").get_by_role("row").filter(
        has_text="Initial child protection conference held")).to_contain_text(
        long_date(icpc_due))

    mpage.get_by_role("navigation", name="Menu").get_by_role("link", name="My work").click()
    mpage.get_by_test_id("other-pages").get_by_role("link", name="Approvals").click()
    expect(mpage.get_by_role("heading", name="Conference requests to approve")).to_be_visible()
    mpage.get_by_test_id(f"request-{conference_request.pk}").get_by_role(
        "link", name="Mia Hughes").click()
    mpage.get_by_test_id("approve").click()
    expect(mpage.get_by_test_id("threshold-decisions")).to_contain_text("Threshold met")
    mpage.get_by_role("button", name="Approve the request").click()
    expect(success(mpage)).to_contain_text("Approved: the request is with business support")
    expect(mpage.get_by_test_id("empty")).to_contain_text("No conference requests are waiting")

    # --- Business support books a date within the timescale. ----------------------------------
    support = signed_in_page(bso)
    bpage = support.page
    bpage.get_by_role("link", name=re.compile("^Conferences to book")).click()
    bpage.get_by_test_id(f"request-{conference_request.pk}").get_by_role(
        "link", name="Mia Hughes").click()
    bpage.get_by_test_id("book").click()
    expect(bpage.get_by_role("heading", name="Book the conference", level=1)).to_be_visible()
    expect(bpage.get_by_test_id("icpc-due")).to_contain_text(long_date(icpc_due))
    # A week away at least: attendee details are due a week before the conference (004);
    # five working days from a Saturday is only six days.
    on = calendar.next_working_day(today + dt.timedelta(days=6))
    assert on <= icpc_due
    expect(bpage.get_by_test_id(f"slot-{on:%Y-%m-%d}")).to_contain_text("Within timescale")
    late = calendar.add_working_days(icpc_due, 1)
    expect(bpage.get_by_test_id(f"slot-{late:%Y-%m-%d}")).to_contain_text("Late")
    book(bpage, on)
    expect(success(bpage)).to_contain_text(f"Conference booked for {long_date(on)} at 10:00")
    expect(bpage.get_by_test_id("timescale")).to_contain_text("Within timescale")

    # --- The social worker sees the booked ICPC and the invitation list deadline. -------------
    page.goto(f"{social_worker.base_url}/children/{mia.pk}/")
    open_tab(page, mia, "Conferences")
    booked = page.get_by_test_id("booked-conference")
    expect(booked).to_contain_text(f"{on:%A} {long_date(on)} at 10:00")
    expect(booked).to_contain_text("Room 4, Civic Centre, Anytown")
    expect(booked).to_contain_text("Chris Chair")
    expect(booked).to_contain_text("Bola Support")
    expect(booked.get_by_test_id("timescale")).to_contain_text("Within timescale")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="My work").click()
    page.get_by_role("link", name="All my deadlines").click()
    expect(page.get_by_role("row").filter(has_text="Invitation list completed")).to_have_count(1)

    conference = Conference.objects.get()
    assert (conference.date, conference.chair, conference.minute_taker) == (on, chair, bso)
    assert Deadline.objects.get(child=mia, rule_id="icpc_date_offered").status == \
        DeadlineStatus.MET
    assert Deadline.objects.get(child=mia, rule_id="invitation_list").responsible == sw
    # Noah had no enquiry: no ICPC deadline for him.
    assert not Deadline.objects.filter(child=noah, rule_id="icpc").exists()
    no_problems(social_worker, manager, support)


# --- a late date ---------------------------------------------------------------------------------


def approved_request(user_sw: User, user_tm: User, child: Child) -> ConferenceRequest:
    """Arrange the steps before booking through the services (not under test here)."""
    calendar = calendar_for(child.authority_id)
    held_on = calendar.previous_working_day(timezone.localdate())
    held_at = timezone.make_aware(dt.datetime.combine(held_on, dt.time(10)))
    minimum = [strategy_services.ParticipantData(name, agency, role) for name, agency, role in (
        ("Sam Social", Agency.CHILDRENS_SOCIAL_CARE, ParticipantRole.SOCIAL_WORKER),
        ("Tara Manager", Agency.CHILDRENS_SOCIAL_CARE, ParticipantRole.MANAGER),
        ("Nina Nurse", Agency.HEALTH, ParticipantRole.PROFESSIONAL),
        ("DC Pat Police", Agency.POLICE, ParticipantRole.PROFESSIONAL))]
    strategy_services.strategy_discussion_record(
        user=user_sw, children=[child], concern_identified_at=held_at - dt.timedelta(hours=1),
        urgency=Urgency.CP_CONCERNS, format="meeting", held_at=held_at,
        outcomes={child.pk: strategy_services.S47}, participants=minimum,
        information_shared="Bruising seen at school.")
    enquiry = Section47Enquiry.objects.get(child=child)
    strategy_services.s47_record_outcome(user=user_sw, enquiry=enquiry,
                                         outcome=S47Outcome.SUBSTANTIATED,
                                         outcome_date=timezone.localdate())
    strategy_services.threshold_decide(user=user_tm, child=child, harm_evidenced=True,
                                       attributable_to_parental_care=True, harm_likely=True,
                                       rationale="Physical harm by a parent.")
    request = conference_services.conference_request_create(
        user=user_sw, children=[child], reason="Substantiated Section 47 enquiry.")
    conference_services.conference_request_submit(user=user_sw, request=request)
    return conference_services.conference_request_approve(user=user_tm, request=request)


def test_late_icpc_date_needs_a_recorded_delay_authorisation(
        signed_in_page, org, sw, tm, hos, bso, chair, hughes) -> None:
    mia = hughes.mia
    request = approved_request(sw, tm, mia)
    calendar = calendar_for(org.authority)
    held_on = calendar.previous_working_day(timezone.localdate())
    icpc_due = calendar.add_working_days(held_on, ICPC_WORKING_DAYS)
    late = calendar.add_working_days(icpc_due, 2)
    book_path = f"/conferences/requests/{request.pk}/book/"

    # Business support's only free date is late: refused, with what was typed kept.
    support = signed_in_page(bso)
    bpage = support.goto(book_path)
    expect(bpage.get_by_test_id(f"slot-{late:%Y-%m-%d}")).to_contain_text("Late")
    book(bpage, late)
    summary = bpage.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(
        f"{long_date(late)} is after the ICPC due date ({long_date(icpc_due)}): a date beyond "
        "the timescale needs a delay authorisation")
    expect(bpage.get_by_role("group", name="Date of the conference").get_by_label("Day")
           ).to_have_value(str(late.day))
    expect(bpage.get_by_label("Venue")).to_have_value("Room 4, Civic Centre, Anytown")
    assert not Conference.objects.exists()

    # The team manager asks the head of service in writing (000).
    manager = signed_in_page(tm)
    mpage = manager.goto(f"/conferences/requests/{request.pk}/")
    mpage.get_by_role("link", name="Ask for a delay authorisation").click()
    expect(mpage.get_by_test_id("icpc-due")).to_contain_text(long_date(icpc_due))
    fill_date(mpage, "Hold the conference by", late)
    mpage.get_by_label("Danger statement 1", exact=True).fill(
        "Mia may be hit again by her mother and be badly hurt.")
    mpage.get_by_label("Danger statement 2 (optional)").fill(
        "Noah may see his sister being hurt and be frightened.")
    mpage.get_by_label("Rationale").fill(
        "Injury seen; safety plan in place with the grandmother. The chair's only date "
        "falls after the timescale.")
    mpage.get_by_role("button", name="Ask for authorisation").click()
    expect(success(mpage)).to_contain_text("Authorisation requested.")
    expect(mpage.get_by_test_id("delays")).to_contain_text("Awaiting authorisation")

    # Still refused while the authorisation is only requested.
    bpage.get_by_role("button", name="Book the conference").click()
    expect(bpage.locator(".govuk-error-summary")).to_contain_text(
        "needs a delay authorisation")

    # The head of service reads the request and authorises the delay.
    head = signed_in_page(hos)
    hpage = head.page
    hpage.get_by_test_id("other-pages").get_by_role("link",
                                                    name="Delay authorisations").click()
    hpage.get_by_test_id("pending").get_by_role("link", name=re.compile("Mia Hughes")).click()
    details = hpage.get_by_test_id("delay-request")
    expect(details).to_contain_text(f"ID {mia.la_child_id}, age {mia.age}")
    expect(details).to_contain_text("Mia may be hit again by her mother and be badly hurt.")
    expect(details).to_contain_text("Noah may see his sister being hurt and be frightened.")
    expect(details).to_contain_text("safety plan in place with the grandmother")
    expect(details).to_contain_text(long_date(late))
    hpage.get_by_label("Authorise the delay").check()
    hpage.get_by_label("Comments").fill("Agreed: the safety plan holds until then.")
    hpage.get_by_role("button", name="Record the decision").click()
    expect(success(hpage)).to_contain_text("Delay authorised.")
    expect(hpage.get_by_test_id("empty")).to_contain_text("Nothing is waiting")

    # Now the same date books.
    bpage.goto(support.base_url + book_path)
    expect(bpage.get_by_test_id("icpc-due")).to_contain_text(
        f"a delay is authorised to {long_date(late)}")
    book(bpage, late)
    expect(success(bpage)).to_contain_text(f"Conference booked for {long_date(late)}")
    timescale = bpage.get_by_test_id("timescale")
    expect(timescale).to_contain_text("Outside timescale")
    expect(timescale).to_contain_text("delay authorised by Harriet Head")

    conference = Conference.objects.get()
    assert conference.date == late
    assert conference.delay_authorisation.status == DelayStatus.AUTHORISED
    assert conference.delay_authorisation.decided_by == hos
    assert Deadline.objects.get(child=mia, rule_id="icpc").status == \
        DeadlineStatus.DELAY_AUTHORISED
    no_problems(support, manager, head)


# --- a consultation with a CP chair ------------------------------------------------------------


def test_consultation_requested_assigned_and_recorded(
        signed_in_page, org, sw, tm, bso, chair, hughes) -> None:
    mia = hughes.mia

    social_worker = signed_in_page(sw)
    page = social_worker.page
    open_record(page, social_worker.base_url, mia, "Strategy and enquiries")
    page.get_by_role("link", name="Request a consultation with a CP chair").click()
    # No strategy discussion yet: allowed, but flagged (000).
    expect(page.get_by_test_id("no-discussion-warning")).to_be_visible()
    page.get_by_label("What would you like to discuss with a CP chair?").fill(
        "Is the threshold for a conference met for Mia?")
    page.get_by_role("button", name="Send the request to business support").click()
    expect(success(page)).to_contain_text("Request sent to business support.")
    consultation = ConsultationRequest.objects.get()
    assert consultation.chair is None
    assert consultation.without_strategy_discussion

    # Business support assigns the chair (never the social worker directly).
    support = signed_in_page(bso)
    bpage = support.page
    bpage.get_by_role("link", name=re.compile("^Consultation requests")).click()
    row = bpage.get_by_test_id(f"consultation-{consultation.pk}")
    expect(row).to_contain_text("No strategy discussion held")
    row.get_by_role("link", name="Assign a chair").click()
    bpage.get_by_label("CP chair").select_option(label="Chris Chair")
    bpage.get_by_role("button", name="Assign the chair").click()
    expect(success(bpage)).to_contain_text("Chris Chair assigned.")

    # The chair records it: both the social worker and the manager took part.
    chairing = signed_in_page(chair)
    cpage = chairing.page
    cpage.get_by_role("link", name=re.compile("^My consultations")).click()
    cpage.get_by_test_id(f"consultation-{consultation.pk}").get_by_role(
        "link", name="Record the consultation").click()
    held = timezone.localtime()
    fill_date(cpage, "Date the consultation was held", held.date())
    cpage.get_by_label("Time it was held").fill(f"{held:%H:%M}")
    cpage.get_by_label("The social worker took part").check()
    cpage.get_by_label("Their manager took part").check()
    cpage.get_by_label("Danger statements have been developed with the family").check()
    cpage.get_by_label("The network has been engaged to develop a safety plan").check()
    cpage.get_by_label("Recommendation").fill(
        "Hold a strategy discussion today; the threshold appears met.")
    cpage.get_by_role("button", name="Record the consultation").click()
    expect(success(cpage)).to_contain_text("Consultation recorded on the child's file.")

    # The social worker sees it on Mia's Strategy tab.
    page.goto(f"{social_worker.base_url}/children/{mia.pk}/")
    open_tab(page, mia, "Strategy and enquiries")
    timeline = page.get_by_test_id("strategy-timeline")
    expect(timeline).to_contain_text("Case note: CP chair consultation")
    expect(timeline).to_contain_text(
        "Hold a strategy discussion today; the threshold appears met.")
    expect(timeline).to_contain_text("Danger statements developed with the family: yes")
    expect(timeline).to_contain_text("Mapping developed and shared with the family: no")

    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.RECORDED
    assert consultation.chair == chair
    assert (consultation.social_worker_took_part, consultation.manager_took_part) == (True,
                                                                                      True)
    assert {d.rule_id: d.status for d in Deadline.objects.filter(child=mia)} == {
        "consultation_chair_assigned": DeadlineStatus.MET,
        "consultation_recorded": DeadlineStatus.MET}
    no_problems(social_worker, support, chairing)
