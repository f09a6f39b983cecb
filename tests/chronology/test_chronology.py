"""003 "Multi-Agency Chronologies" (DOMAIN §2 step 17): entries by core group members and the
system's own events merged in the order they happened, filtered, printed and exported as
CSV with DD/MM/YY dates and the agreed heading, the export logged."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency
from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.children import services as child_services
from cpcases.children.models import Child, InvolvementKind
from cpcases.chronology.models import ChronologyEntry, EventType
from cpcases.chronology.providers import (
    ChronologyItem,
    merged_items,
    register_provider,
    registered_providers,
)
from cpcases.core.errors import NotPermitted, ServiceError
from strategy import services as strategy_services
from tests.chronology.conftest import at, entry, visit
from tests.factories import PartnerInvolvementFactory
from tests.strategy.conftest import full_attendance

pytestmark = pytest.mark.django_db

NOW = at(2027, 1, 8, 17)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_same_day_entries_merge_in_time_order_manual_and_automatic_interleaved(
        sw: User, core_police: User, plan_child: Child) -> None:
    day = dt.date(2027, 1, 5)
    # Recorded out of order, on purpose.
    entry(core_police, plan_child, day, dt.time(16, 30), significant_event="Evening call-out")
    visit(sw, plan_child, at(2027, 1, 5, 11))
    entry(sw, plan_child, day, None, significant_event="Undated-time school report",
          source="School record", event_type="education")
    entry(core_police, plan_child, day, dt.time(9, 15), significant_event="Morning log")
    entry(core_police, plan_child, dt.date(2027, 1, 4), dt.time(23, 0),
          significant_event="Day before")
    entry(core_police, plan_child, dt.date(2027, 1, 6), dt.time(0, 5),
          significant_event="Day after")

    events = [i.significant_event for i in merged_items(plan_child)]
    assert events == ["Day before", "Undated-time school report", "Morning log",
                      "Statutory visit: child seen alone, bedroom seen", "Evening call-out",
                      "Day after"]


def test_equal_events_keep_a_stable_order(core_police: User, plan_child: Child) -> None:
    twins = [entry(core_police, plan_child, dt.date(2027, 1, 5), dt.time(9, 0),
                   significant_event=f"Twin {n}") for n in range(3)]
    first = [i.significant_event for i in merged_items(plan_child)]
    assert first == [f"Twin {n}" for n in range(3)]
    assert [t.pk for t in twins] == sorted(t.pk for t in twins)


def test_the_chronology_includes_the_strategy_discussion_enquiry_and_moves(
        sw: User, plan_child: Child) -> None:
    strategy_services.strategy_discussion_record(
        user=sw, children=[plan_child], concern_identified_at=at(2027, 1, 4, 8),
        urgency="child_protection_concerns", format="meeting", held_at=at(2027, 1, 4, 10),
        outcomes={plan_child.pk: strategy_services.S47}, participants=full_attendance(),
        information_shared="Bruising reported by school")
    plan_child.refresh_from_db()
    child_services.child_update(user=sw, child=plan_child,
                                expected_version=plan_child.version,
                                data={"address": "9 New Street", "postcode": "AN9 9NS"})
    items = merged_items(plan_child)
    by_type = {i.event_type: i for i in items}
    assert by_type[EventType.STRATEGY].decisions_actions_outcome == \
        "Section 47 enquiry initiated"
    assert by_type[EventType.STRATEGY].event_time == dt.time(10, 0)
    assert by_type[EventType.SECTION_47].significant_event == "Section 47 enquiry started"
    assert by_type[EventType.ADDRESS].significant_event == \
        "Change of address to 9 New Street, AN9 9NS"
    assert by_type[EventType.ADDRESS].author == sw.full_name
    assert all(i.agency == Agency.CHILDRENS_SOCIAL_CARE and i.automatic for i in items)


def test_filters_by_agency_and_event_type(sw: User, core_police: User,
                                          plan_child: Child) -> None:
    entry(core_police, plan_child, dt.date(2027, 1, 5), significant_event="Police log")
    entry(sw, plan_child, dt.date(2027, 1, 5), significant_event="Health visitor",
          event_type="health", source="Health visiting record")
    visit(sw, plan_child, at(2027, 1, 6, 11))

    police_only = merged_items(plan_child, agency=Agency.POLICE)
    assert [i.significant_event for i in police_only] == ["Police log"]
    health = merged_items(plan_child, event_type=EventType.HEALTH)
    assert [i.significant_event for i in health] == ["Health visitor"]
    visits = merged_items(plan_child, agency=Agency.CHILDRENS_SOCIAL_CARE,
                          event_type=EventType.VISIT)
    assert len(visits) == 1
    assert visits[0].event_type == EventType.VISIT

    page = _client(sw).get(reverse("chronology:child", args=[plan_child.pk]),
                           {"agency": Agency.POLICE})
    assert page.status_code == 200
    assert "Police log" in page.content.decode()
    assert "Health visitor" not in page.content.decode()


def _csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode())))


def test_csv_has_the_agreed_heading_and_dd_mm_yy_dates(sw: User, core_police: User,
                                                      plan_child: Child) -> None:
    plan_child.address, plan_child.postcode = "4 Mill Lane, Anytown", "AN2 4ML"
    plan_child.save()
    entry(core_police, plan_child, dt.date(2027, 1, 5), dt.time(9, 15),
          significant_event="=HYPERLINK(\"http://evil\")", child_seen=True,
          child_views="Said she was scared", who_involved="Mother; PC Jones")
    response = _client(sw).get(reverse("chronology:export", args=[plan_child.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[:5] == [["Name", plan_child.display_name], ["DOB", "17/05/18"],
                        ["Address", "4 Mill Lane, Anytown, AN2 4ML"],
                        ["Agency", "Multi-agency (merged)"], ["Author", sw.full_name]]
    assert rows[6][:7] == ["Date and time", "Significant event", "Professional/Agency",
                           "Who was involved", "Decisions/Actions/Outcome",
                           "Child seen/View obtained", "Author comments"]
    # The move to 4 Mill Lane is a row too (dated when it was recorded).
    assert sorted(r[9] for r in rows[7:]) == ["Change of address",
                                              "Police involvement or criminal proceedings"]
    police = next(r for r in rows[7:] if r[7] == "Police")
    assert police[0] == "05/01/27 09:15"
    # A cell a spreadsheet would run as a formula is kept as text.
    assert police[1] == "'=HYPERLINK(\"http://evil\")"
    assert police[3] == "Mother; PC Jones"
    assert police[5] == "Yes. Said she was scared"
    assert police[8] == core_police.full_name


def test_the_csv_export_is_logged_as_an_export(sw: User, plan_child: Child) -> None:
    entry(sw, plan_child, dt.date(2027, 1, 5), source="Social work record")
    _client(sw).get(reverse("chronology:export", args=[plan_child.pk]),
                    {"event_type": "police"})
    export = AccessEvent.objects.get(action=AccessAction.EXPORT)
    assert export.child_id == plan_child.pk
    assert export.user == sw
    assert export.section == "chronology"
    assert export.detail["event_type"] == "police"
    assert export.detail["rows"] == 1


def test_the_print_view_shows_the_heading_and_dd_mm_yy_dates(sw: User, core_police: User,
                                                            plan_child: Child) -> None:
    entry(core_police, plan_child, dt.date(2027, 1, 5), dt.time(9, 15))
    page = _client(sw).get(reverse("chronology:print", args=[plan_child.pk])).content.decode()
    assert "05/01/27 09:15" in page
    assert "17/05/18" in page
    assert "css/chronology.css" in page
    assert "style=" not in page


def test_a_partner_in_the_core_group_adds_an_entry_another_partner_is_refused(
        core_police: User, school: User, plan_child: Child) -> None:
    url = reverse("chronology:entry_new", args=[plan_child.pk])
    data = {"event_date_0": "5", "event_date_1": "1", "event_date_2": "2027",
            "event_time": "22:40", "event_type": "police",
            "significant_event": "Domestic incident reported", "source": "Police record",
            "child_seen": "yes", "child_views": "Quiet, said she was fine"}
    response = _client(core_police).post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    added = ChronologyEntry.objects.get()
    assert (added.agency, added.author, added.event_time) == (
        Agency.POLICE, core_police, dt.time(22, 40))

    # A partner outside the case does not learn the child exists.
    assert _client(school).post(url, data).status_code == 404
    assert _client(school).get(reverse("chronology:child", args=[plan_child.pk])
                               ).status_code == 404
    assert ChronologyEntry.objects.count() == 1


def test_a_partner_at_the_strategy_discussion_only_may_read_but_not_add(
        school: User, plan_child: Child) -> None:
    PartnerInvolvementFactory(child=plan_child, user=school, kind=InvolvementKind.STRATEGY)
    assert _client(school).get(reverse("chronology:child", args=[plan_child.pk])
                               ).status_code == 200
    assert _client(school).get(reverse("chronology:entry_new", args=[plan_child.pk])
                               ).status_code == 403
    with pytest.raises(NotPermitted):
        entry(school, plan_child, dt.date(2027, 1, 5))


def test_partners_see_visits_only_in_the_chronology(sw: User, core_police: User,
                                                    plan_child: Child) -> None:
    visit(sw, plan_child, at(2027, 1, 5, 11))
    assert _client(core_police).get(reverse("chronology:visits", args=[plan_child.pk])
                                    ).status_code == 403
    page = _client(core_police).get(reverse("chronology:child", args=[plan_child.pk]))
    assert "Statutory visit: child seen alone" in page.content.decode()


def test_an_entry_needs_a_past_date_a_type_and_a_source(sw: User, plan_child: Child) -> None:
    with pytest.raises(ServiceError, match="today or in the past"):
        entry(sw, plan_child, dt.date(2027, 1, 9))
    with pytest.raises(ServiceError, match="type of event"):
        entry(sw, plan_child, dt.date(2027, 1, 5), event_type=EventType.VISIT)
    with pytest.raises(ServiceError, match="which record"):
        entry(sw, plan_child, dt.date(2027, 1, 5), source=" ")


def test_apps_register_their_own_providers(plan_child: Child) -> None:
    def court(child: Child) -> list[ChronologyItem]:
        return [ChronologyItem(event_date=dt.date(2027, 1, 1), event_type="other",
                               significant_event=f"Court hearing for {child.first_name}",
                               source="Legal record", agency=Agency.OTHER, origin="court:1")]

    before = registered_providers()
    register_provider(court, name="tests.court")
    try:
        assert [i.significant_event for i in merged_items(plan_child)] == [
            f"Court hearing for {plan_child.first_name}"]
    finally:
        from cpcases.chronology import providers

        providers._PROVIDERS.clear()
        providers._PROVIDERS.update(before)
    assert "tests.court" not in registered_providers()


def test_conferences_decisions_and_plan_start_and_end_are_in_the_chronology(
        sw: User, chair: User, bso: User, plan_child: Child) -> None:
    from conferences.models import Conference, ConferenceStatus
    from conferences.outcomes.models import Attendance, ChildDecision
    from cpcases.plans.models import ChildProtectionPlan

    held = Conference.objects.create(
        authority=plan_child.authority, date=dt.date(2027, 1, 4), start_time=dt.time(13, 0),
        venue="Civic Centre", chair=chair, minute_taker=bso, status=ConferenceStatus.HELD)
    held.children.add(plan_child)
    cancelled = Conference.objects.create(
        authority=plan_child.authority, date=dt.date(2027, 1, 5), start_time=dt.time(13, 0),
        venue="Civic Centre", chair=chair, minute_taker=bso,
        status=ConferenceStatus.CANCELLED)
    cancelled.children.add(plan_child)
    Attendance.objects.create(conference=held, name="PC Jones", agency=Agency.POLICE,
                              status="present")
    ChildDecision.objects.create(conference=held, child=plan_child, outcome="plan",
                                 category="NEG", reasons="Continuing neglect.",
                                 decided_by=chair, decided_at=at(2027, 1, 4, 15))
    ChildProtectionPlan.objects.create(
        authority=plan_child.authority, child=plan_child, conference=held,
        started_on=dt.date(2027, 1, 4), category="NEG", lead_social_worker=sw,
        ended_on=dt.date(2027, 1, 7), end_reason="no_longer_at_risk", ended_by=chair)

    items = merged_items(plan_child)
    assert [(i.event_date.day, i.event_type) for i in items] == [
        (4, EventType.CONFERENCE), (4, EventType.PLAN), (7, EventType.PLAN)]
    conference = items[0]  # the plan starts after the conference that made it
    assert conference.event_time == dt.time(13, 0)
    assert conference.decisions_actions_outcome == (
        "Child protection plan (category: neglect). Continuing neglect.")
    assert conference.who_involved == f"Chair: {chair.full_name}; PC Jones (Police)"
    assert items[1].significant_event == "Child protection plan started (category: neglect)"
    assert items[2].decisions_actions_outcome == "No longer likely to suffer significant harm."


def test_the_page_logs_the_children_of_the_conferences_it_shows_and_no_others(
        sw: User, chair: User, bso: User, plan_child: Child) -> None:
    """Issue 13 §2: the providers read through SQL built once (cpcases.core.child_rows) and
    ask only the tables with rows; the read audit still sees every row the page read: a
    held conference's other child is logged as seen, a cancelled conference's is not (its
    attendance and decisions are not read)."""
    from conferences.models import Conference, ConferenceStatus
    from conferences.outcomes.models import Attendance, ChildDecision
    from tests.factories import ChildFactory

    sibling = ChildFactory(authority=plan_child.authority)
    other = ChildFactory(authority=plan_child.authority)
    held = Conference.objects.create(
        authority=plan_child.authority, date=dt.date(2026, 1, 4), start_time=dt.time(13, 0),
        venue="Civic Centre", chair=chair, minute_taker=bso, status=ConferenceStatus.HELD)
    held.children.add(plan_child, sibling)
    cancelled = Conference.objects.create(
        authority=plan_child.authority, date=dt.date(2026, 1, 5), start_time=dt.time(13, 0),
        venue="Civic Centre", chair=chair, minute_taker=bso,
        status=ConferenceStatus.CANCELLED)
    cancelled.children.add(plan_child, other)
    for conference in (held, cancelled):
        Attendance.objects.create(conference=conference, name="PC Jones",
                                  agency=Agency.POLICE, status="present")
        ChildDecision.objects.create(conference=conference, child=plan_child, outcome="plan",
                                     category="NEG", reasons="Continuing neglect.",
                                     decided_by=chair, decided_at=at(2026, 1, 4, 15))
    AccessEvent.objects.all().delete()

    page = _client(sw).get(reverse("chronology:child", args=[plan_child.pk]))

    assert page.status_code == 200
    assert f"Chair: {chair.full_name}; PC Jones (Police)" in page.content.decode()
    logged = set(AccessEvent.objects.filter(action=AccessAction.VIEW)
                 .values_list("child_id", flat=True))
    assert logged == {plan_child.pk, sibling.pk}


def test_a_conferences_attendance_is_listed_in_the_records_order_and_a_decision_without_a_category(
        chair: User, bso: User, plan_child: Child) -> None:
    """The conference's row carries its decision and who was present (issue 13 §2): in the
    attendance record's order (type, agency, name), a present person of no agency by name."""
    from conferences.models import Conference, ConferenceStatus
    from conferences.outcomes.models import Attendance, ChildDecision

    held = Conference.objects.create(
        authority=plan_child.authority, date=dt.date(2026, 1, 4), start_time=dt.time(13, 0),
        venue="Civic Centre", chair=chair, minute_taker=bso, status=ConferenceStatus.HELD)
    held.children.add(plan_child)
    for name, agency, status in (("Dr Who", Agency.HEALTH, "present"),
                                 ("Ann Adams", "", "present"),
                                 ("PC Jones", Agency.POLICE, "present"),
                                 ("Absent Al", Agency.EDUCATION, "apologies"),
                                 ("Bea Brown", Agency.HEALTH, "present")):
        Attendance.objects.create(conference=held, name=name, agency=agency, status=status)
    ChildDecision.objects.create(conference=held, child=plan_child, outcome="no_plan",
                                 reasons="", decided_by=chair, decided_at=at(2026, 1, 4, 15))

    [item] = merged_items(plan_child)
    present = [a.name for a in Attendance.objects.filter(conference=held, status="present")]
    labels = {"Ann Adams": "Ann Adams", "Dr Who": "Dr Who (Health)",
              "PC Jones": "PC Jones (Police)", "Bea Brown": "Bea Brown (Health)"}
    assert item.who_involved == "; ".join(
        [f"Chair: {chair.full_name}", *(labels[name] for name in present)])
    decision = ChildDecision.objects.get()
    assert item.decisions_actions_outcome == f"{decision.get_outcome_display()}."
    assert item.author == chair.full_name


def test_the_rows_carry_their_conferences_children_as_the_read_audit_would_look_them_up(
        sw: User, tm: User, chair: User, bso: User, plan_child: Child) -> None:
    """Issue 13 §2: the chronology's conferences and plans, and the Conferences tab's
    conferences, carry the children of their conference in their own query
    (`reads.shown_along`), so the read audit asks no query for them: the same children as
    the path's own lookup, a sibling included, none for a conference with no child."""
    from conferences.models import Conference, ConferenceStatus
    from conferences.selectors import child_tab_conferences
    from cpcases.audit.reads import child_ids_of, shown_along
    from cpcases.chronology.sources import _conferences, _plans
    from cpcases.core.child_rows import child_rows
    from cpcases.plans.models import ChildProtectionPlan
    from tests.factories import AllocationFactory, ChildFactory

    sibling = ChildFactory(authority=plan_child.authority)  # the team's too: tm sees both
    AllocationFactory(child=sibling, team=plan_child.allocations.get().team, social_worker=sw)
    held = Conference.objects.create(
        authority=plan_child.authority, date=dt.date(2026, 1, 4), start_time=dt.time(13, 0),
        venue="Civic Centre", chair=chair, minute_taker=bso, status=ConferenceStatus.HELD)
    held.children.add(plan_child, sibling)
    alone = Conference.objects.create(
        authority=plan_child.authority, date=dt.date(2026, 2, 4), start_time=dt.time(13, 0),
        venue="Civic Centre", chair=chair, minute_taker=bso, status=ConferenceStatus.HELD)
    alone.children.add(plan_child)
    ChildProtectionPlan.objects.create(
        authority=plan_child.authority, child=plan_child, conference=held,
        started_on=held.date, category="NEG", lead_social_worker=sw,
        ended_on=dt.date(2026, 1, 20), end_reason="no_longer_at_risk", ended_by=chair)
    ChildProtectionPlan.objects.create(
        authority=plan_child.authority, child=plan_child, conference=alone,
        started_on=alone.date, category="NEG", lead_social_worker=sw)

    for rows, model in (
            (child_rows("chronology.conferences", _conferences, plan_child.pk), Conference),
            (child_rows("chronology.plans", _plans, plan_child.pk), ChildProtectionPlan),
            (child_tab_conferences(user=tm, child=plan_child), Conference)):
        assert len(rows) == 2
        assert all(any(k.startswith(shown_along("")) for k in vars(row)) for row in rows)
        looked_up = list(model.objects.filter(pk__in=[row.pk for row in rows]))
        assert dict(child_ids_of(rows)) == dict(child_ids_of(looked_up))
        assert {c for ids in child_ids_of(rows).values() for c in ids} == {
            plan_child.pk, sibling.pk}
