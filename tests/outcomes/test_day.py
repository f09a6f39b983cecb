"""On the day: attendance, quoracy (002 §5, 003), the observer (002 §4.5), starting,
proceeding on an exceptional ground and adjourning."""

from __future__ import annotations

import datetime as dt

import pytest

from conferences.models import Conference, ConferenceStatus
from conferences.outcomes import selectors, services
from conferences.outcomes.models import (
    Attendance,
    AttendanceStatus,
    ConferenceDay,
    ParticipantType,
    ProceedGround,
)
from cpcases.accounts.roles import Agency
from cpcases.core.errors import NotPermitted, ServiceError
from deadlines.models import Deadline, DeadlineStatus
from tests.outcomes.helpers import attend, quorate_attendance

pytestmark = pytest.mark.django_db


def _row(agency: str, *, status: str = AttendanceStatus.PRESENT, contact: bool = True,
         kind: str = ParticipantType.PROFESSIONAL) -> Attendance:
    return Attendance(name="X", agency=agency, status=status, direct_contact=contact,
                      participant_type=kind)


CSC, HEALTH, SCHOOL, POLICE = (Agency.CHILDRENS_SOCIAL_CARE, Agency.HEALTH, Agency.EDUCATION,
                               Agency.POLICE)


def test_quorate_with_childrens_social_care_and_two_agencies_with_direct_contact() -> None:
    assert selectors.quoracy([_row(CSC), _row(HEALTH), _row(SCHOOL)]).quorate


def test_inquorate_when_one_of_two_agencies_had_no_direct_contact() -> None:
    result = selectors.quoracy([_row(CSC), _row(HEALTH), _row(POLICE, contact=False)])
    assert not result.quorate
    assert result.agencies_with_contact == (HEALTH,)
    assert "1 other agency with direct contact" in result.message


@pytest.mark.parametrize("status", [AttendanceStatus.APOLOGIES, AttendanceStatus.ABSENT])
def test_apologies_and_absences_do_not_count_towards_quoracy(status: str) -> None:
    assert not selectors.quoracy([_row(CSC), _row(HEALTH), _row(SCHOOL, status=status)]).quorate


def test_inquorate_without_childrens_social_care() -> None:
    result = selectors.quoracy([_row(HEALTH), _row(SCHOOL), _row(POLICE)])
    assert not result.quorate
    assert not result.csc_present


def test_two_people_of_one_agency_count_as_one_agency() -> None:
    assert not selectors.quoracy([_row(CSC), _row(HEALTH), _row(HEALTH)]).quorate


def test_family_members_do_not_count_towards_quoracy() -> None:
    family = _row(SCHOOL, kind=ParticipantType.FAMILY)
    assert not selectors.quoracy([_row(CSC), _row(HEALTH), family]).quorate


def test_chair_starts_a_quorate_conference_and_the_icpc_deadline_is_met(
        conference: Conference, siblings, chair, bso, sw) -> None:
    for child in siblings:
        from deadlines.services import deadline_set

        deadline_set(child=child, rule_id="icpc", anchor=dt.date(2027, 4, 20))
    quorate_attendance(conference, bso)
    day = services.conference_start(conference=conference, user=chair)
    conference.refresh_from_db()
    assert day.started
    assert day.quorate_at_start
    assert conference.status == ConferenceStatus.HELD
    assert set(Deadline.objects.filter(rule_id="icpc").values_list("status", flat=True)) == {
        DeadlineStatus.MET}


def test_only_the_chair_starts_the_conference(conference: Conference, bso, sw, tm) -> None:
    quorate_attendance(conference, bso)
    for user in (bso, tm):
        with pytest.raises(NotPermitted, match="Only the conference's chair"):
            services.conference_start(conference=conference, user=user)


def test_a_conference_cannot_start_before_its_date(frozen, siblings, chair, bso) -> None:
    from tests.outcomes.helpers import make_conference

    later = make_conference(children=siblings, on=dt.date(2027, 5, 5), chair=chair,
                            minute_taker=bso)
    quorate_attendance(later, bso)
    with pytest.raises(ServiceError, match="cannot start before then"):
        services.conference_start(conference=later, user=chair)


def test_inquorate_conference_needs_an_exceptional_ground_to_proceed(
        conference: Conference, chair, bso) -> None:
    attend(conference, bso, "Sam Social", CSC)
    attend(conference, bso, "Hana Health", HEALTH)
    with pytest.raises(ServiceError, match="Inquorate"):
        services.conference_start(conference=conference, user=chair)
    with pytest.raises(ServiceError, match="reasons"):
        services.conference_start(conference=conference, user=chair,
                                  proceed_ground=ProceedGround.CSC_AND_ONE)
    day = services.conference_start(conference=conference, user=chair,
                                    proceed_ground=ProceedGround.CSC_AND_ONE,
                                    proceed_reason="Police sent apologies; health present.")
    assert day.early_review
    assert day.quorate_at_start is False


def test_csc_and_one_ground_needs_both_present(conference: Conference, chair, bso) -> None:
    attend(conference, bso, "Hana Health", HEALTH)
    with pytest.raises(ServiceError, match="not both"):
        services.conference_start(conference=conference, user=chair,
                                  proceed_ground=ProceedGround.CSC_AND_ONE, proceed_reason="R")


def test_inquorate_conference_adjourned_with_a_reconvened_conference_within_a_month(
        conference: Conference, siblings, chair, bso) -> None:
    attend(conference, bso, "Sam Social", CSC)
    day = services.conference_adjourn(conference=conference, user=chair,
                                      new_date=dt.date(2027, 5, 25),
                                      interim_plan="Daily checks by health visitor.")
    reconvened = day.reconvened_as
    assert reconvened.date == dt.date(2027, 5, 25)
    assert set(reconvened.children.all()) == set(siblings)
    assert reconvened.status == ConferenceStatus.BOOKED
    deadline = Deadline.objects.get(child=siblings[0], rule_id="inquorate_reconvene")
    assert deadline.due_date == dt.date(2027, 6, 4)  # 1 month (003)
    # Held on the new date: the reconvene deadline is met.
    quorate_attendance(reconvened, bso)
    import time_machine

    from tests.outcomes.conftest import LONDON

    with time_machine.travel(dt.datetime(2027, 5, 25, 10, tzinfo=LONDON), tick=False):
        services.conference_start(conference=reconvened, user=chair)
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.MET


def test_a_quorate_conference_is_not_adjourned(conference: Conference, chair, bso) -> None:
    quorate_attendance(conference, bso)
    with pytest.raises(ServiceError, match="quorate: start it"):
        services.conference_adjourn(conference=conference, user=chair,
                                    new_date=dt.date(2027, 5, 25), interim_plan="x")


def test_adjourning_needs_an_interim_plan(conference: Conference, chair) -> None:
    with pytest.raises(ServiceError, match="interim protection plan"):
        services.conference_adjourn(conference=conference, user=chair,
                                    new_date=dt.date(2027, 5, 25), interim_plan=" ")


def test_one_observer_only_and_with_both_consents(conference: Conference, bso) -> None:
    with pytest.raises(ServiceError, match="consent of both"):
        services.observer_record(conference=conference, user=bso, name="Olu Observer",
                                 role="Student social worker", chair_consent=True,
                                 family_consent=False)
    services.observer_record(conference=conference, user=bso, name="Olu Observer",
                             role="Student social worker", chair_consent=True,
                             family_consent=True)
    with pytest.raises(ServiceError, match="only one observer"):
        services.observer_record(conference=conference, user=bso, name="Another",
                                 role="Student", chair_consent=True, family_consent=True)
    assert ConferenceDay.objects.get(conference=conference).observer_name == "Olu Observer"


def test_attendance_refused_outside_the_conference(conference: Conference, sw_b, sw) -> None:
    for user in (sw_b, sw):
        with pytest.raises(NotPermitted):
            attend(conference, user, "Someone", HEALTH)


def test_a_partner_who_attended_sees_the_children(conference: Conference, siblings, bso,
                                                  police) -> None:
    from cpcases.children.scoping import visible_children

    assert not visible_children(police).filter(pk=siblings[0].pk).exists()
    attend(conference, bso, police.full_name, POLICE, attendee=police)
    assert visible_children(police).filter(pk=siblings[0].pk).exists()
