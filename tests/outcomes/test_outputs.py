"""After the conference: the decision letter (002 §23), the decisions summary (003), the record
with its parents' copy, sign-off, distribution and amendments (002 §22, 003), and the letters
to professionals who neither attended nor sent a report (001)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from pypdf import PdfReader

from conferences.models import Conference
from conferences.outcomes import documents, services
from conferences.outcomes.models import AttendanceStatus, NonAttendanceLetter
from cpcases.accounts.roles import Agency
from cpcases.core.errors import NotPermitted, ServiceError
from deadlines.models import Deadline, DeadlineStatus
from tests.outcomes.conftest import LONDON
from tests.outcomes.helpers import attend, cin_data, decide, plan_data, started

pytestmark = pytest.mark.django_db

SECRET = "Police intelligence not for disclosure"


@pytest.fixture
def decided(conference: Conference, siblings, chair, bso, sw) -> Conference:
    held = started(conference, minute_taker=bso, chair=chair)
    decide(held, siblings[0], chair, plan_data(sw))
    decide(held, siblings[1], chair, cin_data())
    return held


def _write_record(conference: Conference, user, *, long: bool = False) -> None:
    facts = "\n".join(f"Fact {i}: the family's circumstances as reported." for i in range(
        150 if long else 3))
    services.record_update(conference=conference, user=user, sections={
        "purpose": "To decide whether the children need a child protection plan.",
        "facts": facts, "opinions": SECRET, "child_views": "Ada wants to stay at home.",
        "parent_views": "Grace disagrees with the concerns.",
        "discussion": "The agencies discussed neglect."}, confidential_sections=["opinions"])


def _pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_decision_letter_issued_meets_the_deadline(decided: Conference, siblings, bso) -> None:
    with time_machine.travel(dt.datetime(2027, 5, 6, 16, tzinfo=LONDON), tick=False):
        services.decision_letter_issue(conference=decided, user=bso)
    deadlines = Deadline.objects.filter(rule_id="decision_letter")
    assert deadlines.count() == 2
    assert {d.status for d in deadlines} == {DeadlineStatus.MET}


def test_decision_letter_issued_late_is_missed(decided: Conference, bso) -> None:
    with time_machine.travel(dt.datetime(2027, 5, 7, 9, tzinfo=LONDON), tick=False):
        services.decision_letter_issue(conference=decided, user=bso)
    assert {d.status for d in Deadline.objects.filter(rule_id="decision_letter")} == {
        DeadlineStatus.MISSED}


def test_letter_only_once_every_child_is_decided(conference: Conference, siblings, chair,
                                                 bso, sw) -> None:
    held = started(conference, minute_taker=bso, chair=chair)
    decide(held, siblings[0], chair, plan_data(sw))
    with pytest.raises(ServiceError, match="every child"):
        services.decision_letter_issue(conference=held, user=bso)


def test_letter_states_each_decision_the_lead_social_worker_and_recommendations(
        decided: Conference, siblings, sw) -> None:
    html = documents.render_html(decided, documents.KINDS["letter"])
    assert "Child protection plan under the category of neglect" in html
    assert "No plan: Child in Need plan" in html
    assert sw.full_name in html
    assert "Parenting assessment" in html


def test_parents_copy_is_marked_on_every_page_and_omits_confidential_sections(
        decided: Conference, bso) -> None:
    _write_record(decided, bso, long=True)
    parents = _pdf_pages(documents.render_pdf(decided, documents.KINDS["parents-record"]))
    assert len(parents) > 1
    for text in parents:
        assert "Parent's copy" in text
    assert SECRET not in " ".join(parents)
    professionals = _pdf_pages(documents.render_pdf(decided, documents.KINDS["record"]))
    assert SECRET in " ".join(professionals)
    assert not any("Parent's copy" in text for text in professionals)


def test_record_holds_every_item_of_003(decided: Conference, bso, siblings) -> None:
    _write_record(decided, bso)
    html = documents.render_html(decided, documents.KINDS["record"])
    for expected in ("Ada Okafor", "Grace Okafor", "1 June 2015", "2 January 1990",
                     "4 Mill Lane", "Invited, attended and apologies", "Hana Health",
                     "Reports to the conference", "Purpose of the conference",
                     "Essential facts", "Opinions of conference members", "Views of the child",
                     "Views of parents and carers", "Summary of the discussion",
                     "Decisions and reasons", "Continuing risk of significant harm",
                     "Dissents from the decision", "Outline plan", "Lead social worker",
                     "First core group", "11 May 2027", "Date of the next conference",
                     "4 August 2027"):
        assert expected in html, expected


def test_record_signed_off_by_the_chair_only_then_distributed(decided: Conference, chair,
                                                              bso) -> None:
    _write_record(decided, bso)
    with pytest.raises(ServiceError, match="signs the record off"):
        services.record_distribute(conference=decided, user=bso, audience="professionals",
                                   recipients="All invited", sent_on=dt.date(2027, 5, 4))
    with pytest.raises(NotPermitted):
        services.record_sign_off(conference=decided, user=bso)
    services.record_sign_off(conference=decided, user=chair)
    with pytest.raises(ServiceError, match="signed off"):
        _write_record(decided, bso)
    with time_machine.travel(dt.datetime(2027, 5, 20, 9, tzinfo=LONDON), tick=False):
        services.record_distribute(conference=decided, user=bso, audience="professionals",
                                   recipients="All invited", sent_on=dt.date(2027, 5, 18))
        services.record_distribute(conference=decided, user=bso, audience="family",
                                   recipients="Grace Okafor, by post",
                                   sent_on=dt.date(2027, 5, 20))
    professionals = Deadline.objects.filter(rule_id="record_to_professionals")
    assert {d.status for d in professionals} == {DeadlineStatus.MET}  # due 18 May
    assert {d.status for d in Deadline.objects.filter(rule_id="record_to_family")} == {
        DeadlineStatus.MET}  # due 25 May


def test_amendment_requests_judged_against_the_window_from_receipt(decided: Conference, chair,
                                                                   bso) -> None:
    _write_record(decided, bso)
    services.record_sign_off(conference=decided, user=chair)
    with time_machine.travel(dt.datetime(2027, 6, 1, 9, tzinfo=LONDON), tick=False):
        on_time = services.record_amendment_log(
            conference=decided, user=bso, requested_by="Grace Okafor",
            received_on=dt.date(2027, 5, 20), requested_on=dt.date(2027, 5, 27),
            text="My name is misspelt.")
        late = services.record_amendment_log(
            conference=decided, user=bso, requested_by="Ed School",
            received_on=dt.date(2027, 5, 20), requested_on=dt.date(2027, 5, 28),
            text="Attendance wrong.")
    assert on_time.within_window  # one week (002 §22.6): by 27 May
    assert not late.within_window


def test_non_attendance_letters_to_professionals_without_attendance_or_report(
        conference: Conference, chair, bso) -> None:
    attend(conference, bso, "Pat Probation", Agency.PROBATION, status=AttendanceStatus.ABSENT)
    attend(conference, bso, "Gail GP", Agency.HEALTH, status=AttendanceStatus.APOLOGIES,
           report_sent=True)
    attend(conference, bso, "Harry Housing", Agency.HOUSING,
           status=AttendanceStatus.APOLOGIES)
    held = started(conference, minute_taker=bso, chair=chair)
    with pytest.raises(NotPermitted):
        services.non_attendance_letters_issue(conference=held, user=bso)
    letters = services.non_attendance_letters_issue(conference=held, user=chair)
    assert sorted(letter.attendance.name for letter in letters) == ["Harry Housing",
                                                                    "Pat Probation"]
    assert services.non_attendance_letters_issue(conference=held, user=chair) == []
    assert NonAttendanceLetter.objects.count() == 2


def test_non_attendance_counted_per_agency(conference: Conference, chair, bso, tm) -> None:
    from conferences.outcomes import selectors

    attend(conference, bso, "Pat Probation", Agency.PROBATION, status=AttendanceStatus.ABSENT)
    attend(conference, bso, "Pam Probation", Agency.PROBATION,
           status=AttendanceStatus.APOLOGIES)
    attend(conference, bso, "Gail GP", Agency.HEALTH, status=AttendanceStatus.ABSENT,
           report_sent=True)
    months, rows = selectors.non_attendance_by_agency(user=tm)
    assert months == [dt.date(2027, 5, 1)]
    assert [(r.agency, r.total) for r in rows] == [(Agency.PROBATION, 2)]
