"""Census rules checked where the data is entered (issue 16 point 2; decisions §31): each
rule a screen can break refuses the save (an error rule) or asks the user to confirm (a query
rule), through the service, the page and the API. Today is Thursday 3 December 2026: the
year so far is 1 April to 3 December 2026, whose return (2026-27) ends in 2027."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from conferences.models import Conference, ConferenceKind, ConferenceStatus
from cpcases.children import services as child_services
from cpcases.children.models import Child
from cpcases.core.confirm import accepting
from cpcases.core.errors import RuleError, WarningsToConfirm
from cpcases.plans import services as plan_services
from cpcases.plans.models import ChildProtectionPlan
from frontdoor import services as fd
from frontdoor.models import Assessment, Referral
from lifeevents import services as life
from strategy.models import DiscussionFormat, S47Outcome, Section47Enquiry, StrategyDiscussion

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def _unborn(org, sex: str, month: str = "4") -> dict[str, object]:
    return {"la_child_id": "U9", "team": org.team_a.pk, "first_name": "", "last_name": "Fox",
            "is_unborn": "on", "expected_delivery_date_0": "20",
            "expected_delivery_date_1": month, "expected_delivery_date_2": "2027", "sex": sex,
            "ethnicity": "NOBT", "first_language": "English"}


@pytest.fixture
def kid(child: Child) -> Child:
    """The persona child (born 17 May 2018) with nothing the census would query."""
    child.upn_unknown_reason = "UN4"
    child.save()
    return child


def _referral(child: Child, day: str = "2026-09-01", **extra: object) -> Referral:
    return Referral.objects.create(authority=child.authority, child=child,
                                   referral_date=D(day), source="6",
                                   **{"primary_need": "N1", **extra})


def _s47(child: Child, day: str, outcome: str = "") -> Section47Enquiry:
    talk = StrategyDiscussion.objects.create(
        authority=child.authority, concern_identified_at=dt.datetime.fromisoformat(
            f"{day}T09:00:00+00:00"), urgency="cp", format=DiscussionFormat.MEETING,
        held_at=dt.datetime.fromisoformat(f"{day}T14:00:00+00:00"), information_shared="x")
    return Section47Enquiry.objects.create(child=child, initiated_by=talk, started_on=D(day),
                                           outcome=outcome,
                                           outcome_date=D(day) if outcome else None)


def _icpc(child: Child, day: str, chair) -> Conference:
    held = Conference.objects.create(authority=child.authority, kind=ConferenceKind.INITIAL,
                                     date=D(day), start_time=dt.time(10), chair=chair,
                                     venue="Civic Centre",
                                     minute_taker=chair, status=ConferenceStatus.HELD)
    held.children.add(child)
    return held


def _refused(rule: str, fn, **kwargs) -> RuleError:
    with pytest.raises(RuleError) as caught:
        fn(**kwargs)
    assert caught.value.rule == rule
    return caught.value


def _queried(rule: str, fn, **kwargs) -> None:
    with pytest.raises(WarningsToConfirm) as caught:
        fn(**kwargs)
    assert rule in [w.rule for w in caught.value.warnings]


# --- the child's record (child_create, child_update) ----------------------------------------

def test_unborn_baby_recorded_as_female_is_refused_beside_sex(client, sw, org) -> None:
    client.force_login(sw)
    response = client.post("/children/new/", _unborn(org, "F"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select &quot;Not known&quot; for an unborn baby" in page
    assert 'href="#id_sex' in page
    assert 'value="Fox"' in page  # what was typed is kept


def test_unborn_baby_with_sex_not_known_is_accepted(client, sw, org) -> None:
    client.force_login(sw)
    assert client.post("/children/new/", _unborn(org, "U")).status_code == 302


def test_rule_1570_a_child_id_over_20_characters_is_refused(sw) -> None:
    _refused("1570", child_services.child_create, user=sw, la_child_id="A" * 21,
             last_name="Long", date_of_birth=D("2024-01-01"))
    assert child_services.child_create(user=sw, la_child_id="A" * 20, last_name="Long",
                                       date_of_birth=D("2024-01-01"))


def test_rule_1580_a_child_id_with_a_hyphen_is_refused(sw) -> None:
    error = _refused("1580", child_services.child_create, user=sw, la_child_id="A-1",
                     last_name="Dash", date_of_birth=D("2024-01-01"))
    assert error.field == "la_child_id"
    assert not Child.objects.filter(la_child_id="A-1").exists()
    assert child_services.child_create(user=sw, la_child_id="A1", last_name="Dash",
                                       date_of_birth=D("2024-01-01"))


def test_rule_8510_a_second_child_with_the_same_id_is_refused(sw, kid) -> None:
    _refused("8510", child_services.child_create, user=sw, la_child_id=kid.la_child_id,
             last_name="Twin", date_of_birth=D("2024-01-01"))


def test_rule_8530_expected_birth_before_march_of_the_year_end_is_queried_then_confirmed(
        sw) -> None:
    data = {"user": sw, "la_child_id": "U1", "last_name": "Soon", "is_unborn": True,
            "expected_delivery_date": D("2027-02-10"), "sex": "U"}
    _queried("8530", child_services.child_create, **data)
    assert not Child.objects.filter(la_child_id="U1").exists()  # nothing saved
    with accepting():
        assert child_services.child_create(**data).pk
    assert child_services.child_create(**{**data, "la_child_id": "U2",
                                          "expected_delivery_date": D("2027-03-10")})


def test_rule_8770_a_school_age_child_with_no_upn_or_reason_is_queried(sw) -> None:
    data = {"user": sw, "la_child_id": "S1", "last_name": "Pupil",
            "date_of_birth": D("2016-01-01")}
    _queried("8770", child_services.child_create, **data)
    assert child_services.child_create(**data, upn_unknown_reason="UN4")
    assert child_services.child_create(user=sw, la_child_id="S2", last_name="Baby",
                                       date_of_birth=D("2024-01-01"))  # not school age


def test_rule_8606_a_birth_date_moved_long_after_the_referral_is_refused(sw, kid) -> None:
    _referral(kid, "2026-04-02")
    error = _refused("8606", child_services.child_update, user=sw, child=kid,
                     expected_version=kid.version,
                     data={"is_unborn": True, "date_of_birth": None, "sex": "U",
                           "expected_delivery_date": D("2027-06-01")})
    assert error.field == "date_of_birth"
    kid.refresh_from_db()
    assert kid.is_unborn is False
    # 280 days before 1 January 2027 is 27 March 2026: a referral of 2 April is in time
    # (the expected date before March 2027 is only queried, rule 8530).
    with accepting():
        assert child_services.child_update(user=sw, child=kid, expected_version=kid.version,
                                           data={"is_unborn": True, "date_of_birth": None,
                                                 "sex": "U", "expected_delivery_date":
                                                 D("2027-01-01")})


def test_rule_8915_a_death_recorded_before_the_plan_started_is_refused(sw, tm, kid,
                                                                        chair) -> None:
    _referral(kid, "2026-09-01")
    _s47(kid, "2026-09-02")
    _icpc(kid, "2026-09-20", chair)
    ChildProtectionPlan.objects.create(authority=kid.authority, child=kid,
                                       started_on=D("2026-09-20"), category="NEG",
                                       lead_social_worker=sw)
    _refused("8915", child_services.child_update, user=sw, child=kid,
             expected_version=kid.version, data={"date_of_death": D("2026-09-10")})


# --- referrals (referral_open, referral_close) ----------------------------------------------

def test_rule_8815_a_second_open_referral_is_refused(sw, kid) -> None:
    _referral(kid, "2026-09-01")
    _refused("8815", fd.referral_open, actor=sw, child=kid, referral_date=D("2026-10-01"),
             source="6")


def test_rule_8820_a_referral_inside_a_closed_one_is_refused_and_after_it_accepted(
        sw, kid) -> None:
    _referral(kid, "2026-05-01", closure_date=D("2026-07-01"), closure_reason="RC7")
    error = _refused("8820", fd.referral_open, actor=sw, child=kid,
                     referral_date=D("2026-06-01"), source="6")
    assert error.field == "referral_date"
    assert Referral.objects.filter(child=kid).count() == 1
    assert fd.referral_open(actor=sw, child=kid, referral_date=D("2026-07-02"), source="6")


def test_rule_8816_an_open_referral_dated_before_a_closed_one_is_refused(sw, kid) -> None:
    _referral(kid, "2026-08-01", closure_date=D("2026-08-20"), closure_reason="RC7")
    _refused("8816", fd.referral_open, actor=sw, child=kid, referral_date=D("2026-04-10"),
             source="6")


def test_rule_8606_a_referral_long_before_the_expected_birth_is_refused(sw, org) -> None:
    from tests.factories import AllocationFactory, UnbornChildFactory

    baby = UnbornChildFactory(authority=org.authority, expected_delivery_date=D("2027-09-01"))
    AllocationFactory(child=baby, team=org.team_a, social_worker=sw)
    _refused("8606", fd.referral_open, actor=sw, child=baby, referral_date=D("2026-11-01"),
             source="6")
    assert fd.referral_open(actor=sw, child=baby, referral_date=D("2026-12-01"), source="6")


def test_rule_8565_closing_before_the_assessment_started_is_refused(sw, kid) -> None:
    ref = _referral(kid, "2026-09-01")
    Assessment.objects.create(referral=ref, child=kid, social_worker=sw,
                              allocated_at=dt.datetime(2026, 9, 10, tzinfo=dt.UTC),
                              started_on=D("2026-09-10"))
    error = _refused("8565", fd.referral_close, actor=sw, referral=ref,
                     closure_date=D("2026-09-05"), reason="RC7")
    assert error.field == "closure_date"
    assert fd.referral_close(actor=sw, referral=ref, closure_date=D("2026-09-12"),
                             reason="RC7").closure_date == D("2026-09-12")


def test_rule_8868_closing_while_an_enquiry_awaits_its_conference_is_refused(sw, kid) -> None:
    ref = _referral(kid, "2026-09-01")
    enquiry = _s47(kid, "2026-09-02")
    _refused("8868", fd.referral_close, actor=sw, referral=ref,
             closure_date=D("2026-11-01"), reason="RC7")
    enquiry.outcome, enquiry.outcome_date = S47Outcome.NOT_SUBSTANTIATED, D("2026-09-20")
    enquiry.save()
    with accepting():  # rule 2991 (no assessment) is only a query
        assert fd.referral_close(actor=sw, referral=ref, closure_date=D("2026-11-01"),
                             reason="RC7")


def test_rule_2990_closed_after_assessment_with_an_enquiry_is_refused(sw, kid) -> None:
    ref = _referral(kid, "2026-09-01")
    _s47(kid, "2026-09-02", outcome=S47Outcome.NOT_SUBSTANTIATED)
    error = _refused("2990", fd.referral_close, actor=sw, referral=ref,
                     closure_date=D("2026-11-01"), reason="RC8")
    assert error.field == "reason"
    with accepting():  # rule 2991 (no assessment) is only a query
        assert fd.referral_close(actor=sw, referral=ref, closure_date=D("2026-11-01"),
                                 reason="RC7")


def test_rule_2991_closing_with_an_enquiry_and_no_assessment_is_queried(sw, kid) -> None:
    ref = _referral(kid, "2026-09-01")
    _s47(kid, "2026-09-02", outcome=S47Outcome.NOT_SUBSTANTIATED)
    _queried("2991", fd.referral_close, actor=sw, referral=ref,
             closure_date=D("2026-11-01"), reason="RC7")
    Assessment.objects.create(referral=ref, child=kid, social_worker=sw,
                              allocated_at=dt.datetime(2026, 9, 3, tzinfo=dt.UTC),
                              started_on=D("2026-09-03"))
    assert fd.referral_close(actor=sw, referral=ref, closure_date=D("2026-11-01"),
                             reason="RC7")



def test_rule_8610_closing_with_no_primary_need_is_refused_unless_no_further_action(
        sw, kid) -> None:
    ref = _referral(kid, "2026-09-01", primary_need="")
    _refused("8610", fd.referral_close, actor=sw, referral=ref,
             closure_date=D("2026-09-01"), reason="RC1")
    assert fd.referral_close(actor=sw, referral=ref, closure_date=D("2026-09-01"),
                             reason="RC8", no_further_action=True)


def test_rule_8610_is_not_asked_when_the_referral_opens(sw, kid) -> None:
    assert fd.referral_open(actor=sw, child=kid, referral_date=D("2026-09-01"), source="6")


def test_rule_8569_no_further_action_on_an_old_referral_is_queried(sw, kid) -> None:
    ref = _referral(kid, "2026-03-02", primary_need="")
    _queried("8569", fd.referral_close, actor=sw, referral=ref,
             closure_date=D("2026-04-02"), reason="RC8", no_further_action=True)
    with accepting():
        fd.referral_close(actor=sw, referral=ref, closure_date=D("2026-04-02"),
                          reason="RC8", no_further_action=True)


# --- strategy discussions (the S47 they start) ------------------------------------------------

def test_rule_8675_an_enquiry_recorded_long_after_it_started_is_queried(sw, kid) -> None:
    """An S47 started on 1 October, more than 15 working days before today (3 December),
    with no conference yet: asked, then recorded once confirmed; one of 1 December is not."""
    from tests.strategy.conftest import at, record

    _referral(kid, "2026-09-01")
    with pytest.raises(WarningsToConfirm) as caught:
        record(sw, [kid], concern=at(2026, 10, 1, 9), held=at(2026, 10, 1, 11))
    assert [w.rule for w in caught.value.warnings] == ["8675"]
    assert not Section47Enquiry.objects.filter(child=kid).exists()
    with accepting():
        record(sw, [kid], concern=at(2026, 10, 1, 9), held=at(2026, 10, 1, 11))
    assert Section47Enquiry.objects.filter(child=kid).count() == 1


def test_rule_8675_an_enquiry_started_this_week_is_not_queried(sw, kid) -> None:
    from tests.strategy.conftest import at, record

    _referral(kid, "2026-09-01")
    record(sw, [kid], concern=at(2026, 12, 1, 9), held=at(2026, 12, 1, 11))
    assert Section47Enquiry.objects.filter(child=kid).count() == 1


# --- plans (plan_start, plan_end, cin_plan_start) and a death ---------------------------------

def test_rule_2885_a_plan_with_no_initial_conference_that_day_is_refused(sw, kid,
                                                                         chair) -> None:
    _referral(kid, "2026-09-01")
    _s47(kid, "2026-09-02")
    _refused("2885", plan_services.plan_start, child=kid, started_on=D("2026-09-22"),
             category="NEG", lead_social_worker=sw, user=sw)
    assert not ChildProtectionPlan.objects.filter(child=kid).exists()
    _icpc(kid, "2026-09-22", chair)
    assert plan_services.plan_start(child=kid, started_on=D("2026-09-22"), category="NEG",
                                    lead_social_worker=sw, user=sw)


def test_rule_8935_a_second_open_plan_is_refused(sw, kid, chair) -> None:
    _referral(kid, "2026-09-01")
    _s47(kid, "2026-09-02")
    _icpc(kid, "2026-09-22", chair)
    plan_services.plan_start(child=kid, started_on=D("2026-09-22"), category="NEG",
                             lead_social_worker=sw, user=sw)
    _refused("8935", plan_services.plan_start, child=kid, started_on=D("2026-09-22"),
             category="NEG", lead_social_worker=sw, user=sw)


def test_rule_4001_a_child_in_need_plan_beside_an_open_plan_is_refused(sw, kid,
                                                                       chair) -> None:
    _referral(kid, "2026-09-01")
    _s47(kid, "2026-09-02")
    _icpc(kid, "2026-09-22", chair)
    plan_services.plan_start(child=kid, started_on=D("2026-09-22"), category="NEG",
                             lead_social_worker=sw, user=sw)
    _refused("4001", plan_services.cin_plan_start, child=kid, started_on=D("2026-10-01"),
             user=sw)


def test_rule_4017_a_plan_starting_inside_a_child_in_need_plan_is_refused(sw, kid,
                                                                          chair) -> None:
    _referral(kid, "2026-09-01")
    cin = plan_services.cin_plan_start(child=kid, started_on=D("2026-09-05"), user=sw)
    plan_services.cin_plan_end(cin_plan=cin, ended_on=D("2026-09-30"), reason="Recorded",
                               user=sw)
    _s47(kid, "2026-09-10")
    _icpc(kid, "2026-09-22", chair)
    _refused("4017", plan_services.plan_start, child=kid, started_on=D("2026-09-22"),
             category="NEG", lead_social_worker=sw, user=sw)


def test_rule_8915_recording_a_death_before_the_plan_started_is_refused(sw, tm, kid,
                                                                        chair) -> None:
    _referral(kid, "2026-09-01")
    _s47(kid, "2026-09-02")
    _icpc(kid, "2026-09-22", chair)
    plan_services.plan_start(child=kid, started_on=D("2026-09-22"), category="NEG",
                             lead_social_worker=sw, user=sw)
    _refused("8915", life.child_death_record, child=kid, user=tm, died_on=D("2026-09-01"),
             circumstances="Recorded on the wrong child")


def _on_plan(kid: Child, sw, chair) -> ChildProtectionPlan:
    _referral(kid, "2026-09-01")
    _s47(kid, "2026-09-02")
    _icpc(kid, "2026-09-22", chair)
    return plan_services.plan_start(child=kid, started_on=D("2026-09-22"), category="NEG",
                                    lead_social_worker=sw, user=sw)


def test_rule_8840_a_plan_ending_on_the_day_it_started_is_refused(sw, kid, chair) -> None:
    plan = _on_plan(kid, sw, chair)
    error = _refused("8840", plan_services.plan_end, plan=plan, ended_on=D("2026-09-22"),
                     reason="transferred", user=sw)
    assert error.field == "ended_on"
    plan.refresh_from_db()
    assert plan.ended_on is None
    assert plan_services.plan_end(plan=plan, ended_on=D("2026-11-02"), reason="transferred",
                                  user=sw).ended_on == D("2026-11-02")


def test_rule_4016_a_child_in_need_plan_dated_inside_an_ended_plan_is_refused(sw, kid,
                                                                             chair) -> None:
    plan = _on_plan(kid, sw, chair)
    plan_services.plan_end(plan=plan, ended_on=D("2026-11-02"), reason="transferred",
                           user=sw)
    _refused("4016", plan_services.cin_plan_start, child=kid, started_on=D("2026-10-01"),
             user=sw)
    assert plan_services.cin_plan_start(child=kid, started_on=D("2026-11-02"), user=sw)


# --- pages and the API ----------------------------------------------------------------------

def test_the_referral_close_page_shows_the_refusal_beside_the_date_with_the_rule_number(
        client, sw, kid) -> None:
    ref = _referral(kid, "2026-09-01")
    Assessment.objects.create(referral=ref, child=kid, social_worker=sw,
                              allocated_at=dt.datetime(2026, 9, 10, tzinfo=dt.UTC),
                              started_on=D("2026-09-10"))
    client.force_login(sw)
    page = client.post(f"/front-door/referrals/{ref.pk}/", {
        "action": "close", "close-closure_date_0": "5", "close-closure_date_1": "9",
        "close-closure_date_2": "2026", "close-reason": "RC7"}).content.decode()
    assert "The case was closed before some of its work was done" in page
    assert "(census rule 8565)" in page
    assert 'href="#id_close-closure_date_0"' in page
    ref.refresh_from_db()
    assert ref.closure_date is None


def test_a_query_on_the_child_form_is_confirmed_and_saved_with_what_was_typed(
        client, sw, org) -> None:
    client.force_login(sw)
    data = {"la_child_id": "S10", "team": org.team_a.pk, "first_name": "Sana",
            "last_name": "Pupil", "date_of_birth_0": "1", "date_of_birth_1": "1",
            "date_of_birth_2": "2016", "sex": "F", "ethnicity": "NOBT",
            "first_language": "Urdu", "address": "9 Typed Street"}
    asked = client.post("/children/new/", data)
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "A child of school age should have a unique pupil number" in page
    assert "I have checked this and it is correct" in page
    assert 'value="Sana"' in page  # nothing typed is lost
    assert "9 Typed Street" in page
    assert not Child.objects.filter(la_child_id="S10").exists()
    unticked = client.post("/children/new/", {**data, "confirmed_rules": "8770"})
    assert unticked.status_code == 200
    saved = client.post("/children/new/", {**data, "confirmed_rules": "8770",
                                           "confirm_warnings": "on"})
    assert saved.status_code == 302
    assert Child.objects.get(la_child_id="S10").address == "9 Typed Street"


def test_a_confirmation_covers_only_the_warnings_shown(client, sw, org) -> None:
    client.force_login(sw)
    response = client.post("/children/new/", {
        **_unborn(org, "U", month="2"), "confirm_warnings": "on", "confirmed_rules": "8770"})
    assert "(census rule 8530)" in response.content.decode()
    assert not Child.objects.filter(la_child_id="U9").exists()


def test_the_api_answers_409_with_the_query_then_saves_when_confirmed(sw) -> None:
    api = APIClient()
    api.force_authenticate(sw)
    body = {"la_child_id": "S20", "first_name": "Api", "last_name": "Pupil",
            "date_of_birth": "2016-01-01"}
    asked = api.post("/api/v1/children/", body, format="json")
    assert asked.status_code == 409
    assert [w["rule"] for w in asked.json()["warnings"]] == ["8770"]
    assert asked.json()["warnings"][0]["field"] == "upn"
    assert not Child.objects.filter(la_child_id="S20").exists()
    saved = api.post("/api/v1/children/", {**body, "confirm_warnings": True}, format="json")
    assert saved.status_code == 201


def test_the_api_answers_400_with_the_rule_refusal(sw, kid) -> None:
    api = APIClient()
    api.force_authenticate(sw)
    response = api.post("/api/v1/children/", {"la_child_id": "A-2", "first_name": "Api",
                                               "last_name": "Dash",
                                               "date_of_birth": "2024-01-01"},
                        format="json")
    assert response.status_code == 400
    assert "may only contain letters and numbers" in str(response.json())


# --- the readiness links lead to the screens that now refuse or ask ------------------------

def test_the_childs_census_checks_link_each_new_rule_to_the_screen_that_checks_it(
        client, sw, child) -> None:
    """8770 (a child's details) links to the child's form, which asks it at entry; 8820
    (overlapping referrals) to the referral, whose opening and closing refuse it."""
    first = _referral(child, "2026-05-01", closure_date=D("2026-07-01"),
                      closure_reason="RC7")
    second = _referral(child, "2026-06-01", closure_date=D("2026-06-20"),
                       closure_reason="RC7")
    client.force_login(sw)
    page = client.get(f"/returns/child/{child.pk}/").content.decode()
    assert "Census rule 8770" in page
    assert f'href="/children/{child.pk}/edit/"' in page
    assert "Census rule 8820" in page
    assert f'href="/front-door/referrals/{second.pk}/"' in page
    assert first.pk


def test_editing_a_record_into_a_query_asks_to_confirm_and_keeps_what_was_typed(
        client, sw, child) -> None:
    # Seen in the browser walk: the edit page answered 500 on a query rule instead of asking.
    Child.objects.filter(pk=child.pk).update(date_of_birth=D("2024-01-01"), upn="",
                                             upn_unknown_reason="")
    child.refresh_from_db()
    client.force_login(sw)
    data = {"first_name": child.first_name, "last_name": child.last_name,
            "date_of_birth_0": "1", "date_of_birth_1": "1", "date_of_birth_2": "2016",
            "sex": child.sex, "ethnicity": child.ethnicity, "first_language": "English",
            "address": "9 Typed Street", "postcode": child.postcode,
            "version": str(child.version)}
    asked = client.post(f"/children/{child.pk}/edit/", data)
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "A child of school age should have a unique pupil number" in page
    assert "I have checked this and it is correct" in page
    assert "9 Typed Street" in page  # nothing typed is lost
    child.refresh_from_db()
    assert child.date_of_birth == D("2024-01-01")
    saved = client.post(f"/children/{child.pk}/edit/", {
        **data, "confirmed_rules": "8770", "confirm_warnings": "on"})
    assert saved.status_code == 302
    child.refresh_from_db()
    assert (child.date_of_birth, child.address) == (D("2016-01-01"), "9 Typed Street")


def test_a_query_met_while_recording_a_conference_is_asked_on_its_form() -> None:
    # The conference pages' one service call (conferences.outcomes.views._run): a query rule
    # goes to the form with the confirmation box, not a server error.
    from django import forms

    from conferences.outcomes.views import _run
    from cpcases.core.confirm import warnings_of
    from cpcases.core.errors import EntryWarning

    def held() -> None:
        raise WarningsToConfirm([EntryWarning("A query", field="date", rule="9999")])

    form = forms.Form(data={})
    assert _run(form, held) is None
    assert [w.rule for w in warnings_of(form)] == ["9999"]


# --- rules wired at entry, each refused and passed (decisions §31's table) -----------------

def test_rule_8740_an_enquiry_dated_before_the_census_year_and_awaiting_its_conference_is_refused(
        sw, kid) -> None:
    """The year so far starts on 1 April 2026: an S47 recorded as started on 30 March with no
    conference is refused; one started on 1 April is only queried as late (rule 8675)."""
    from tests.strategy.conftest import at, record

    _referral(kid, "2026-03-02")
    with pytest.raises(RuleError) as caught:
        record(sw, [kid], concern=at(2026, 3, 30, 9), held=at(2026, 3, 30, 11))
    assert caught.value.rule == "8740"
    assert "started outside the census year" in str(caught.value)
    assert caught.value.field == "held_date"
    assert not Section47Enquiry.objects.filter(child=kid).exists()
    with pytest.raises(WarningsToConfirm) as asked:
        record(sw, [kid], concern=at(2026, 4, 1, 9), held=at(2026, 4, 1, 11))
    assert [w.rule for w in asked.value.warnings] == ["8675"]
    with accepting():
        record(sw, [kid], concern=at(2026, 4, 1, 9), held=at(2026, 4, 1, 11))
    assert Section47Enquiry.objects.filter(child=kid).count() == 1


def _concluded(kid: Child) -> None:
    """The child's enquiries, their conferences held, are substantiated (one open at most)."""
    Section47Enquiry.objects.filter(child=kid, outcome="").update(
        outcome=S47Outcome.SUBSTANTIATED, outcome_date=D("2026-09-20"))


def test_rule_8940_a_plan_dated_inside_an_earlier_plan_is_refused(sw, kid, chair) -> None:
    """Plan from 22 September to 2 November; a second enquiry's conference on 14 October
    cannot start a plan that day; one on 19 November, after the first plan ended, can."""
    first = _on_plan(kid, sw, chair)
    plan_services.plan_end(plan=first, ended_on=D("2026-11-02"), reason="transferred",
                           user=sw)
    _concluded(kid)
    _s47(kid, "2026-10-01")
    _icpc(kid, "2026-10-14", chair)
    error = _refused("8940", plan_services.plan_start, child=kid, started_on=D("2026-10-14"),
                     category="NEG", lead_social_worker=sw, user=sw)
    assert "started while another was still open" in str(error)
    assert error.field == "started_on"
    assert ChildProtectionPlan.objects.filter(child=kid).count() == 1
    _concluded(kid)
    _s47(kid, "2026-11-05")
    _icpc(kid, "2026-11-19", chair)
    assert plan_services.plan_start(child=kid, started_on=D("2026-11-19"), category="NEG",
                                    lead_social_worker=sw, user=sw)


def _review_held(kid: Child, on: str, chair, bso) -> Conference:
    from tests.outcomes.helpers import make_conference, started

    review = make_conference(children=[kid], on=D(on), chair=chair, minute_taker=bso,
                             kind=ConferenceKind.REVIEW)
    return started(review, minute_taker=bso, chair=chair)


def test_rule_4003_a_review_held_while_a_child_in_need_plan_is_open_is_refused(
        sw, kid, chair, bso) -> None:
    """A record kept from before the checks has a child in need plan from 1 October beside
    the plan of 22 September (rules 4001 and 4016, on the readiness page). Starting a review
    on 1 December inside the child in need plan is refused; once that plan is recorded as
    ended on 15 November, the review is held."""
    from cpcases.plans.models import CinPlan

    _on_plan(kid, sw, chair)
    cin = CinPlan.objects.create(authority=kid.authority, child=kid,
                                 started_on=D("2026-10-01"), created_by=sw, updated_by=sw)
    with pytest.raises(RuleError) as caught:
        _review_held(kid, "2026-12-01", chair, bso)
    assert caught.value.rule == "4003"
    assert "review is dated while a child in need plan was open" in str(caught.value)
    assert not Conference.objects.filter(kind=ConferenceKind.REVIEW,
                                         status=ConferenceStatus.HELD).exists()
    CinPlan.objects.filter(pk=cin.pk).update(ended_on=D("2026-11-15"))
    Conference.objects.filter(kind=ConferenceKind.REVIEW).delete()
    assert _review_held(kid, "2026-12-01", chair, bso).status == ConferenceStatus.HELD


def test_rule_8875_starting_an_initial_conference_dated_on_a_saturday_is_refused(
        sw, kid, chair, bso) -> None:
    """Booking refuses a day that is not a working day (tests/conferences/test_booking.py);
    a conference recorded before on Saturday 28 November cannot be held on that date, one on
    Friday 27 November can."""
    from tests.outcomes.helpers import make_conference, started

    _referral(kid, "2026-11-01")
    _s47(kid, "2026-11-02")
    saturday = make_conference(children=[kid], on=D("2026-11-28"), chair=chair,
                               minute_taker=bso)
    with pytest.raises(RuleError) as caught:
        started(saturday, minute_taker=bso, chair=chair)
    assert caught.value.rule == "8875"
    assert caught.value.field == "date"
    saturday.delete()
    friday = make_conference(children=[kid], on=D("2026-11-27"), chair=chair,
                             minute_taker=bso)
    assert started(friday, minute_taker=bso, chair=chair).status == ConferenceStatus.HELD


def test_rule_8925_a_plan_ending_before_it_started_is_refused(sw, kid, chair) -> None:
    plan = _on_plan(kid, sw, chair)
    error = _refused("8925", plan_services.plan_end, plan=plan, ended_on=D("2026-09-21"),
                     reason="transferred", user=sw)
    assert error.field == "ended_on"
    plan.refresh_from_db()
    assert plan.ended_on is None
    assert plan_services.plan_end(plan=plan, ended_on=D("2026-09-23"), reason="transferred",
                                  user=sw).ended_on == D("2026-09-23")


def test_rule_8831_no_further_action_on_a_referral_with_an_assessment_is_refused(
        sw, kid) -> None:
    ref = _referral(kid, "2026-09-01")
    Assessment.objects.create(referral=ref, child=kid, social_worker=sw,
                              allocated_at=dt.datetime(2026, 9, 3, tzinfo=dt.UTC),
                              started_on=D("2026-09-03"))
    error = _refused("8831", fd.referral_close, actor=sw, referral=ref,
                     closure_date=D("2026-09-20"), reason="RC8", no_further_action=True)
    assert error.field == "no_further_action"
    ref.refresh_from_db()
    assert ref.closure_date is None
    assert fd.referral_close(actor=sw, referral=ref, closure_date=D("2026-09-20"),
                             reason="RC8").closure_date == D("2026-09-20")


def test_rules_8890_and_8839_a_second_enquiry_while_one_awaits_its_conference_is_refused(
        sw, kid, chair) -> None:
    """The enquiry of 1 December awaits its conference: a discussion on 2 December cannot
    start another (it continues the first); once the first's conference is held on
    2 December, a new one starts."""
    from tests.strategy.conftest import at, record

    _referral(kid, "2026-09-01")
    record(sw, [kid], concern=at(2026, 12, 1, 9), held=at(2026, 12, 1, 11))
    with pytest.raises(RuleError) as caught:
        record(sw, [kid], concern=at(2026, 12, 2, 9), held=at(2026, 12, 2, 11))
    assert caught.value.rule == "8890"
    assert "already has a Section 47 enquiry" in str(caught.value)
    assert Section47Enquiry.objects.filter(child=kid).count() == 1
    from deadlines.models import Deadline, DeadlineStatus

    _icpc(kid, "2026-12-02", chair)
    Deadline.objects.filter(child=kid, rule_id="icpc").update(
        status=DeadlineStatus.MET, met_at=dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC))
    _concluded(kid)
    record(sw, [kid], concern=at(2026, 12, 3, 9), held=at(2026, 12, 3, 10))
    assert Section47Enquiry.objects.filter(child=kid).count() == 2


def test_rule_8740_the_strategy_discussion_page_refuses_an_enquiry_dated_before_the_year(
        client, sw, kid) -> None:
    """Rule 8740 on the page: the message beside the date held, its number in small print,
    and what was typed kept."""
    from tests.strategy.test_pages import _formset

    _referral(kid, "2026-03-02")
    client.force_login(sw)
    data = {
        "children": [str(kid.pk)], "concern_time": "09:30", "held_time": "11:00",
        "concern_date_0": "30", "concern_date_1": "3", "concern_date_2": "2026",
        "held_date_0": "30", "held_date_1": "3", "held_date_2": "2026",
        "urgency": "child_protection_concerns", "format": "meeting",
        "information_shared": "Bruising seen at school.", f"outcome_{kid.pk}": "s47",
        **_formset("participants", [
            {"name": "Sam Social", "agency": "csc", "role": "social_worker",
             "attendance": "present"},
            {"name": "Tara Manager", "agency": "csc", "role": "manager",
             "attendance": "present"},
            {"name": "Nina Nurse", "agency": "health", "role": "professional",
             "attendance": "contributed"},
            {"name": "DC Pat", "agency": "police", "role": "professional",
             "attendance": "present"}], 4),
        **_formset("actions", [], 0)}
    url = f"/strategy/child/{kid.pk}/discussions/new/"
    page = client.post(url, data).content.decode()
    assert "started outside the census year" in page
    assert "(census rule 8740)" in page
    assert 'href="#id_held_date_0"' in page
    assert "Bruising seen at school." in page
    assert not Section47Enquiry.objects.filter(child=kid).exists()
    fine = {**data, "concern_date_0": "1", "concern_date_1": "12", "held_date_0": "1",
            "held_date_1": "12"}
    assert client.post(url, fine).status_code == 302
    assert Section47Enquiry.objects.filter(child=kid).count() == 1


# --- conference and plan pages that call their services themselves (decisions §31) --------

def test_a_query_on_the_conference_start_page_is_asked_with_the_confirmation_box(
        client, monkeypatch, kid, chair, bso) -> None:
    """The conference pages catch a service's refusal themselves: a census query rule's
    warnings raised there are shown with the box to confirm them, not an error page, and the
    conference starts once the box is ticked. No data makes the conference's start ask a
    query today, so the service is wrapped to ask one (rule 8675) through the shared
    mechanism before it runs."""
    from conferences.outcomes import services as outcomes
    from cpcases.core.confirm import raise_unconfirmed
    from cpcases.core.errors import EntryWarning
    from tests.outcomes.helpers import make_conference, quorate_attendance

    real = outcomes.conference_start

    def asking(**kwargs: object) -> object:
        raise_unconfirmed([EntryWarning("The Section 47 enquiry started long before the end "
                                        "of the year", field="date", rule="8675")])
        return real(**kwargs)

    monkeypatch.setattr(outcomes, "conference_start", asking)
    conference = make_conference(children=[kid], on=D("2026-12-01"), chair=chair,
                                 minute_taker=bso)
    quorate_attendance(conference, bso)
    client.force_login(chair)
    url = f"/conferences/{conference.pk}/day/start/"
    asked = client.post(url, {})
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "started long before the end of the year" in page
    assert "I have checked this and it is correct" in page
    assert 'name="confirmed_rules" value="8675"' in page
    conference.refresh_from_db()
    assert conference.status != ConferenceStatus.HELD
    started = client.post(url, {"confirmed_rules": "8675", "confirm_warnings": "on"})
    assert started.status_code == 302
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.HELD


def test_rule_4003_the_conference_start_page_refuses_a_review_inside_a_child_in_need_plan(
        client, sw, kid, chair, bso) -> None:
    from cpcases.plans.models import CinPlan
    from tests.outcomes.helpers import make_conference, quorate_attendance

    _on_plan(kid, sw, chair)
    CinPlan.objects.create(authority=kid.authority, child=kid, started_on=D("2026-10-01"),
                           created_by=sw, updated_by=sw)
    review = make_conference(children=[kid], on=D("2026-12-01"), chair=chair,
                             minute_taker=bso, kind=ConferenceKind.REVIEW)
    quorate_attendance(review, bso)
    client.force_login(chair)
    response = client.post(f"/conferences/{review.pk}/day/start/", {})
    page = response.content.decode()
    assert response.status_code == 200
    assert "A child protection review is dated while a child in need plan was open" in page
    assert "(census rule 4003)" in page
    review.refresh_from_db()
    assert review.status != ConferenceStatus.HELD


def test_rule_8940_the_plan_start_page_refuses_a_plan_dated_inside_an_earlier_plan(
        client, sw, kid, chair) -> None:
    first = _on_plan(kid, sw, chair)
    plan_services.plan_end(plan=first, ended_on=D("2026-11-02"), reason="transferred",
                           user=sw)
    _concluded(kid)
    _s47(kid, "2026-10-01")
    _icpc(kid, "2026-10-14", chair)
    client.force_login(sw)
    data = {"started_on_0": "14", "started_on_1": "10", "started_on_2": "2026",
            "category": "EMO", "lead_social_worker": str(sw.pk), "outcomes": "",
            "contingency": ""}
    page = client.post(f"/plans/child/{kid.pk}/start/", data).content.decode()
    assert "A child protection plan started while another was still open" in page
    assert "(census rule 8940)" in page
    assert 'href="#id_started_on_0"' in page
    assert ChildProtectionPlan.objects.filter(child=kid).count() == 1
