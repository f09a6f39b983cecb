"""Performance figures (issue 16 point 6): each figure counts what it should and not what it
should not, each number's drill-down lists exactly the children it counts, managers see
only their own service or team, the period is checked, and the queries do not grow with the
caseload. Today is 3 December 2026 (tests/returns/conftest.py): the default period is April
to December 2026."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conferences.models import Conference, ConferenceKind, ConferenceStatus
from cpcases.accounts.roles import Role
from cpcases.audit.models import AccessEvent
from cpcases.children.models import Allocation, Child
from cpcases.plans.models import ChildProtectionPlan
from deadlines import lifecycle
from deadlines.models import Deadline
from frontdoor.models import Contact, ContactChild, Referral
from returns.performance.periods import default_period, performance_period
from returns.performance.selectors import compute, drill_rows, figures, performance_children
from returns.periods import PeriodError
from strategy.models import DiscussionChild, Section47Enquiry, StrategyDiscussion
from tests.api_problems import field_errors
from tests.factories import (
    AllocationFactory,
    ChildFactory,
    ServiceFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def _at(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(D(day), dt.time(10)))


def _child(org, team=None, **extra) -> Child:
    child = ChildFactory(authority=org.authority, **extra)
    AllocationFactory(child=child, team=team or org.team_a, started_on=D("2024-01-08"))
    return child


def _deadline(child, rule_id: str, due: str, status: str) -> Deadline:
    # What the engine stores once a deadline has ended (met, missed, delay authorised).
    return Deadline.objects.create(authority=child.authority, child=child, rule_id=rule_id,
                                   anchor_date=D(due) - dt.timedelta(days=21), due_date=D(due),
                                   status=status,
                                   met_at=_at(due) if status == "met" else None)


def _plan(child, tm, started: str, ended: str | None = None, category: str = "NEG"):
    return ChildProtectionPlan.objects.create(
        authority=child.authority, child=child, started_on=D(started), category=category,
        lead_social_worker=tm, ended_on=D(ended) if ended else None,
        end_reason="no_longer_at_risk" if ended else "")


def _figure(user, key: str):
    from deadlines.selectors import effective_rules

    return next(f for f in figures(effective_rules(user.authority_id)) if f.key == key)


def _counts(user, key: str, period=None):
    period = period or default_period()
    figure = _figure(user, key)
    result = compute(figure, performance_children(user), period.start, period.end)
    return figure, result


def _drill(user, key: str, part: str = "", **kw) -> list:
    period = default_period()
    return list(drill_rows(_figure(user, key), performance_children(user), period.start,
                           period.end, part=part, **kw))


# --- each figure: one counted, one not counted -------------------------------------------

def test_an_initial_conference_counts_within_timescale_only_when_the_engine_marked_it_met(
        org, sm, tm) -> None:
    on_time, late, cancelled = _child(org), _child(org), _child(org)
    talk = StrategyDiscussion.objects.create(
        authority=org.authority, concern_identified_at=_at("2026-05-04"), urgency="cp_concerns",
        format="meeting", held_at=_at("2026-05-04"))
    for child in (on_time, late, cancelled):
        DiscussionChild.objects.create(discussion=talk, child=child, s47_initiated=True)
        enquiry = Section47Enquiry.objects.create(child=child, initiated_by=talk,
                                                  started_on=D("2026-05-04"))
        lifecycle.emit(lifecycle.Event.S47_INITIATED, child=child, actor=tm, subject=enquiry,
                       anchor=D("2026-05-04"), only=["icpc"])
    due = Deadline.objects.get(child=on_time, rule_id="icpc").due_date
    lifecycle.emit(lifecycle.Event.CONFERENCE_STARTED, child=on_time, actor=tm,
                   at=_at(due.isoformat()), only=["icpc"])
    lifecycle.emit(lifecycle.Event.CONFERENCE_STARTED, child=late, actor=tm,
                   at=_at((due + dt.timedelta(days=7)).isoformat()), only=["icpc"])
    Deadline.objects.filter(child=cancelled).update(status="cancelled")
    _, result = _counts(sm, "icpc-timeliness")
    assert (result.total.counted, result.total.total, result.total.percent) == (1, 2, 50)
    assert [r.child for r in _drill(sm, "icpc-timeliness", "within")] == [on_time]
    assert [r.child for r in _drill(sm, "icpc-timeliness", "late")] == [late]


@pytest.mark.parametrize(("key", "rule_id"), [
    ("review-timeliness", "next_review"), ("review-timeliness", "first_review"),
    ("core-group-timeliness", "core_group_first"), ("visit-timeliness", "child_seen")])
def test_a_deadline_figure_counts_met_on_time_and_missed_as_late(org, sm, key, rule_id
                                                                  ) -> None:
    met, missed, still_open = _child(org), _child(org), _child(org)
    _deadline(met, rule_id, "2026-06-10", "met")
    _deadline(missed, rule_id, "2026-06-11", "missed")
    _deadline(still_open, rule_id, "2026-06-12", "open")
    _deadline(met, "icpc", "2026-06-12", "missed")  # another rule: not this figure
    _, result = _counts(sm, key)
    assert (result.total.counted, result.total.total) == (1, 2)
    assert result.by_month[D("2026-06-01")].total == 2


def test_a_plan_ended_after_two_years_counts_as_long_and_a_shorter_one_does_not(
        org, sm, tm) -> None:
    long_child, short_child = _child(org), _child(org)
    _plan(long_child, tm, "2024-06-03", "2026-06-03")
    _plan(short_child, tm, "2025-06-04", "2026-06-02")
    _plan(_child(org), tm, "2024-01-03")  # still open: not ended in the period
    _, result = _counts(sm, "long-plans")
    assert (result.total.counted, result.total.total) == (1, 2)
    assert [r.child for r in _drill(sm, "long-plans", "within")] == [long_child]


def test_a_plan_within_two_years_of_the_last_one_ending_is_a_repeat(org, sm, tm) -> None:
    repeat, old_repeat, first = _child(org), _child(org), _child(org)
    _plan(repeat, tm, "2025-01-06", "2025-09-01")
    _plan(repeat, tm, "2026-07-01")
    _plan(old_repeat, tm, "2023-01-06", "2024-05-01")
    _plan(old_repeat, tm, "2026-07-01")
    _plan(first, tm, "2026-07-02")
    _, result = _counts(sm, "repeat-plans")
    assert (result.total.counted, result.total.total) == (1, 3)
    assert [r.child for r in _drill(sm, "repeat-plans", "within")] == [repeat]


def test_counts_of_contacts_referrals_enquiries_conferences_and_plans_by_category(
        org, sm, tm) -> None:
    child, earlier = _child(org), _child(org)
    contact = Contact.objects.create(authority=org.authority, team=org.team_a,
                                     received_at=_at("2026-04-20"), source="6",
                                     consent="given", concern="Bruising")
    ContactChild.objects.create(contact=contact, child=child)
    old = Contact.objects.create(authority=org.authority, team=org.team_a,
                                 received_at=_at("2026-03-20"), source="6", consent="given",
                                 concern="Before the period")
    ContactChild.objects.create(contact=old, child=earlier)
    Referral.objects.create(authority=org.authority, child=child, referral_date=D("2026-04-21"),
                            source="6")
    Referral.objects.create(authority=org.authority, child=earlier,
                            referral_date=D("2026-03-31"), source="6")
    talk = StrategyDiscussion.objects.create(
        authority=org.authority, concern_identified_at=_at("2026-04-22"), urgency="cp_concerns",
        format="meeting", held_at=_at("2026-04-22"))
    Section47Enquiry.objects.create(child=child, initiated_by=talk, started_on=D("2026-04-22"))
    held = Conference.objects.create(authority=org.authority, kind=ConferenceKind.INITIAL,
                                     date=D("2026-05-12"), start_time=dt.time(10),
                                     venue="Civic Centre", chair=tm, minute_taker=tm,
                                     status=ConferenceStatus.HELD)
    held.children.add(child)
    booked = Conference.objects.create(authority=org.authority, kind=ConferenceKind.INITIAL,
                                       date=D("2026-12-20"), start_time=dt.time(10),
                                       venue="Civic Centre", chair=tm,
                                       minute_taker=tm,
                                       status=ConferenceStatus.BOOKED)
    booked.children.add(earlier)
    review = Conference.objects.create(authority=org.authority, kind=ConferenceKind.REVIEW,
                                       date=D("2026-08-12"), start_time=dt.time(10),
                                       venue="Civic Centre", chair=tm,
                                       minute_taker=tm,
                                       status=ConferenceStatus.HELD)
    review.children.add(child)
    _plan(child, tm, "2026-05-12", category="EMO")
    _plan(earlier, tm, "2026-02-12", category="NEG")
    for key in ("contacts", "referrals", "s47-enquiries", "icpcs"):
        _, result = _counts(sm, key)
        assert result.total.total == 1, key
        assert [r.child for r in _drill(sm, key)] == [child], key
    _, plans = _counts(sm, "plans-by-category")
    assert plans.total.total == 1
    assert plans.total.parts == {"phy": 0, "emo": 1, "sab": 0, "neg": 0}
    assert plans.by_month[D("2026-05-01")].parts["emo"] == 1


# --- drill-down counts equal the figures; scoping -----------------------------------------

def _figures_page(client, query: str = "") -> str:
    response = client.get(f"/performance/{query}")
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def test_every_number_on_the_page_drills_down_to_as_many_rows(client, org, sm, tm, demo
                                                              ) -> None:
    team_b_child = _child(org, org.team_b)
    _deadline(team_b_child, "child_seen", "2026-09-09", "met")
    _deadline(team_b_child, "child_seen", "2026-10-09", "missed")
    client.force_login(sm)
    html = _figures_page(client) + _figures_page(client, "?from_month=2025-04&to_month=2026-03")
    links = re.findall(r'href="(/performance/[a-z0-9-]+/\?[^"]+)">(\d+)<', html)
    assert len(links) > 40
    for url, number in links:
        drill = client.get(url.replace("&amp;", "&"))
        assert drill.status_code == 200, url
        count = re.search(r'data-testid="drill-count">(\d+) counted', drill.content.decode())
        assert count, url
        assert count[1] == number, url


def test_the_drill_down_lists_the_children_and_logs_that_the_manager_saw_them(
        client, org, sm) -> None:
    child = _child(org, first_name="Mina", last_name="Okafor")
    _deadline(child, "child_seen", "2026-09-09", "missed")
    client.force_login(sm)
    response = client.get("/performance/visit-timeliness/?month=2026-09&part=late")
    assert "Mina Okafor" in response.content.decode()
    assert f'href="/children/{child.pk}/"' in response.content.decode()
    assert AccessEvent.objects.filter(user=sm, child_id=child.pk, section="performance").exists()


def test_a_manager_of_another_service_sees_none_of_these_children(client, org, sm) -> None:
    child = _child(org, first_name="Mina", last_name="Okafor")
    _deadline(child, "child_seen", "2026-09-09", "met")
    elsewhere = ServiceFactory(authority=org.authority, name="Disabled Children")
    other_sm = UserFactory(username="sm2", role=Role.SERVICE_MANAGER, authority=org.authority,
                           service=elsewhere)
    _, mine = _counts(sm, "visit-timeliness")
    _, theirs = _counts(other_sm, "visit-timeliness")
    assert (mine.total.total, theirs.total.total) == (1, 0)
    client.force_login(other_sm)
    drill = client.get("/performance/visit-timeliness/").content.decode()
    assert "Mina Okafor" not in drill
    assert 'data-testid="drill-count">0 counted' in drill
    # Nor may they ask for a team of the first service.
    assert client.get(f"/performance/visit-timeliness/?team={org.team_a.pk}").status_code == 404


def test_a_team_manager_sees_their_own_team_only(org, tm) -> None:
    mine, theirs = _child(org), _child(org, org.team_b)
    _deadline(mine, "child_seen", "2026-09-09", "met")
    _deadline(theirs, "child_seen", "2026-09-09", "met")
    _, result = _counts(tm, "visit-timeliness")
    assert result.total.total == 1
    assert list(result.by_team) == [org.team_a.pk]


def test_social_workers_are_refused_the_figures(client, sw) -> None:
    client.force_login(sw)
    assert client.get("/performance/").status_code == 403
    assert client.get("/performance/contacts/").status_code == 403
    assert client.get("/api/v1/performance/").status_code == 403


def test_the_officer_sees_a_restricted_record_counted_but_not_named(client, org, pdo) -> None:
    child = _child(org, first_name="Sealed", last_name="Record", is_restricted=True)
    _deadline(child, "child_seen", "2026-09-09", "met")
    client.force_login(pdo)
    html = client.get("/performance/visit-timeliness/").content.decode()
    assert 'data-testid="drill-count">1 counted' in html
    assert "Restricted record" in html
    assert "Sealed" not in html


# --- the period ------------------------------------------------------------------------------

def test_the_default_period_is_the_return_year_so_far() -> None:
    period = default_period()
    assert (period.start, period.end) == (D("2026-04-01"), D("2026-12-31"))


@pytest.mark.parametrize(("start", "end", "field", "message"), [
    ("January 2027", "", "from_month", "The start month must be this month or earlier"),
    ("", "2027-02", "to_month", "The end month must be this month or earlier"),
    ("2026-09", "2026-06", "to_month", "The end month must be the same as the start month"),
    ("Smarch 2026", "", "from_month", "Enter the start month as a month and year"),
    ("2023-01", "2026-06", "from_month", "The period can be at most 24 months"),
])
def test_a_bad_period_is_refused_naming_the_field(client, sm, start, end, field, message
                                                  ) -> None:
    with pytest.raises(PeriodError) as refused:
        performance_period(start, end)
    assert refused.value.field == field
    assert str(refused.value).startswith(message)
    client.force_login(sm)
    page = client.get("/performance/", {"from_month": start, "to_month": end})
    assert page.status_code == 400
    html = page.content.decode()
    assert message in html
    assert f'href="#id_{field}"' in html
    assert f'value="{start}"' in html if start else True  # what was typed is kept
    api = client.get("/api/v1/performance/", {"from_month": start, "to_month": end})
    assert field_errors(api)[field][0].startswith(message)


def test_months_may_be_typed_in_several_ways() -> None:
    for text in ("2026-04", "4/2026", "04 2026", "April 2026", "apr 2026"):
        assert performance_period(text, "June 2026").start == D("2026-04-01"), text


# --- the API gives the page's numbers ----------------------------------------------------------

def test_the_api_gives_the_same_numbers_as_the_page(client, org, sm, demo) -> None:
    client.force_login(sm)
    body = client.get("/api/v1/performance/", {"from_month": "2025-04",
                                                "to_month": "2026-03"}).json()
    assert (body["start"], body["end"]) == ("2025-04-01", "2026-03-31")
    by_key = {f["key"]: f for f in body["figures"]}
    assert by_key["referrals"]["total"]["total"]["value"] == 3  # the returns demo's
    assert by_key["icpc-timeliness"]["total"]["percent"] == 100
    html = client.get(by_key["referrals"]["total"]["total"]["url"]).content.decode()
    assert 'data-testid="drill-count">3 counted' in html


def test_the_api_answers_what_its_serializer_documents(client, org, sm, demo) -> None:
    """The API builds its answer directly (issue 13 §2): exactly what PerformanceSerializer,
    which documents it, gives for the same reports; each drill-down address as urlencode
    gives it."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from returns.performance.api import PerformanceSerializer
    from returns.performance.report import figure_data, performance_report, performance_results

    period = performance_period("2025-04", "2026-03")
    reports = performance_report(sm, period, charts=False)
    fields = {"start": period.start, "end": period.end, "scope": "Somewhere",
              "figures": reports}
    results, names = performance_results(sm, period)
    assert {**fields, "start": period.start.isoformat(), "end": period.end.isoformat(),
            "figures": [figure_data(r, period, names) for r in results]} == (
        PerformanceSerializer(fields).data)
    referrals = next(r for r in reports if r.figure.key == "referrals")
    month = referrals.months[1]
    assert month.total.url == (
        reverse("performance:figure", args=["referrals"]) + "?" + urlencode(
            {"from_month": "2025-04", "to_month": "2026-03", "month": month.key}))
    for report in reports:  # every number's address, as urlencode writes it
        path = reverse("performance:figure", args=[report.figure.key])
        for lines, name in (([report.total], ""), (report.months, "month"),
                            (report.teams, "team")):
            for line in lines:
                where = {name: line.key} if name else {}
                numbers = [(line.total, {}), *((n, {"part": p.key}) for n, p in
                                               zip(line.parts, report.figure.parts,
                                                   strict=True))]
                for number, part in numbers:
                    assert number.url == path + "?" + urlencode(
                        {"from_month": "2025-04", "to_month": "2026-03", **where, **part})
    assert all(not r.chart for r in reports)
    assert all(r.chart for r in performance_report(sm, period))


@pytest.mark.parametrize("who", ["sm", "pdo", "tara"])
@pytest.mark.parametrize("months", [("2025-04", "2026-03"), ("2025-06", "2025-06")])
def test_the_apis_answer_written_from_the_counts_is_the_reports(client, request, org, demo,
                                                                who, months) -> None:
    """The API writes its answer from the counts (`figure_data`, issue 13 §2): byte for byte
    what PerformanceSerializer writes of the page's own reports (figure_report), every line,
    number, address, percentage and summary, teams and the unallocated included."""
    import json

    from cpcases.accounts.models import User
    from returns.performance.api import PerformanceSerializer
    from returns.performance.report import performance_page

    user = (User.objects.get(username="tm.tara") if who == "tara"
            else request.getfixturevalue(who))
    period = performance_period(*months)
    client.force_login(user)
    answer = client.get("/api/v1/performance/", {"from_month": months[0],
                                                  "to_month": months[1]})
    assert answer.status_code == 200
    reports, scope = performance_page(user, period, charts=False)
    expected = PerformanceSerializer({"start": period.start, "end": period.end, "scope": scope,
                                      "figures": reports}).data
    assert answer.content == json.dumps(
        expected, ensure_ascii=False, separators=(",", ":")).encode()
    assert answer.json() == expected
    if months == ("2025-04", "2026-03") and who != "tara":  # the demo's teams are shown
        assert any(f["teams"] for f in expected["figures"])


# --- one statement for every figure: the same numbers as each figure's own queryset ------------

def _old_counts(figure, children, start, end) -> dict:
    """A figure's counts as they were taken before the figures were counted in one statement
    (issue 13 §2): its own queryset (the drill-down's, with each row's team by subquery)
    grouped per (month, team), one query per figure."""
    rows = (figure.queryset(children, start, end).order_by().values("p_month", "p_team")
            .annotate(total=Count("pk"), **{p.key: Count("pk", filter=p.q)
                                            for p in figure.parts}))
    cells: dict = {}
    for row in rows:
        month = row["p_month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        numbers = (row["total"], *(row[p.key] for p in figure.parts))
        for key in ("total", ("month", month), ("team", row["p_team"])):
            old = cells.get(key, (0,) * len(numbers))
            cells[key] = tuple(a + b for a, b in zip(old, numbers, strict=True))
    return cells


def _new_counts(result) -> dict:
    def numbers(cell) -> tuple:
        return (cell.total, *(cell.parts.get(p.key, 0) for p in result.figure.parts))

    cells = {"total": numbers(result.total)}
    cells.update({("month", m): numbers(c) for m, c in result.by_month.items() if c.total})
    cells.update({("team", t): numbers(c) for t, c in result.by_team.items()})
    return {key: value for key, value in cells.items() if key == "total" or value[0]}


def _varied_caseload(org, tm) -> None:
    """Children of every kind the team of a row depends on, each with a row of every figure:
    allocated now, moved between teams, allocated once and no longer, never allocated,
    restricted, in another service, merged into another record."""
    elsewhere = TeamFactory(service=ServiceFactory(authority=org.authority, name="Elsewhere"))
    now_a = _child(org, org.team_a)
    now_b = _child(org, org.team_b)
    moved = ChildFactory(authority=org.authority)
    AllocationFactory(child=moved, team=org.team_a, started_on=D("2024-01-08"),
                      ended_on=D("2026-06-30"))
    AllocationFactory(child=moved, team=org.team_b, started_on=D("2026-07-01"))
    ended = ChildFactory(authority=org.authority)
    AllocationFactory(child=ended, team=org.team_a, started_on=D("2024-01-08"),
                      ended_on=D("2026-05-31"))
    never = ChildFactory(authority=org.authority)
    restricted = _child(org, org.team_a, is_restricted=True)
    other = _child(org, elsewhere)
    merged = _child(org, org.team_a, merged_into=now_a)
    talk = StrategyDiscussion.objects.create(
        authority=org.authority, concern_identified_at=_at("2026-04-22"), urgency="cp_concerns",
        format="meeting", held_at=_at("2026-04-22"))
    for n, child in enumerate((now_a, now_b, moved, ended, never, restricted, other, merged)):
        month = 4 + n  # a month of its own, and one before the period
        day = f"2026-{month:02d}-1{n % 3}"
        for rule_id, status in (("icpc", "met"), ("first_review", "missed"),
                                ("next_review", "met"), ("core_group_first",
                                                         "delay_authorised"),
                                ("child_seen", "met"), ("child_seen", "missed")):
            _deadline(child, rule_id, day, status)
        _deadline(child, "child_seen", "2026-03-20", "met")
        contact = Contact.objects.create(authority=org.authority, team=org.team_a,
                                         received_at=_at(day), source="6", consent="given",
                                         concern="Bruising")
        ContactChild.objects.create(contact=contact, child=child)
        Referral.objects.create(authority=org.authority, child=child, referral_date=D(day),
                                source="6")
        Section47Enquiry.objects.create(child=child, initiated_by=talk, started_on=D(day))
        held = Conference.objects.create(
            authority=org.authority, kind=ConferenceKind.INITIAL if n % 2 else
            ConferenceKind.PRE_BIRTH, date=D(day), start_time=dt.time(10), venue="Civic Centre",
            chair=tm, minute_taker=tm, status=ConferenceStatus.HELD)
        held.children.add(child)
        # A plan ended in the period (long for some), and a new one started after it (a
        # repeat within two years for those whose last ended lately).
        _plan(child, tm, "2023-01-05" if n % 2 else "2025-09-01", day,
              category=("NEG", "EMO", "PHY", "SAB")[n % 4])
        _plan(child, tm, f"2026-{month + 1:02d}-15", category=("EMO", "NEG")[n % 2])


@pytest.mark.parametrize("who", ["tm", "sm", "pdo"])
@pytest.mark.parametrize("scoped_by", ["queryset", "scope_sql"])
def test_one_statement_gives_every_figure_the_numbers_of_its_own_queryset(
        request, org, tm, sm, pdo, who, scoped_by) -> None:
    """`scope_sql`: the children's ids as the page and the API select them
    (performance_scope_sql); `queryset`: as the children's queryset's own SQL."""
    import functools

    from deadlines.selectors import effective_rules
    from returns.performance.selectors import (
        compute_all,
        performance_scope_sql,
        user_scope_key,
    )

    _varied_caseload(org, tm)
    user = request.getfixturevalue(who)
    children = performance_children(user)
    figs = figures(effective_rules(user.authority_id))
    scope = functools.partial(performance_scope_sql, user) if scoped_by == "scope_sql" else None
    for period in (default_period(), performance_period("2026-03", "2026-08")):
        results = compute_all(figs, children, period.start, period.end, user_scope_key(user),
                              scope)
        for figure, result in zip(figs, results, strict=True):
            old = _old_counts(figure, children, period.start, period.end)
            assert _new_counts(result) == old, (who, figure.key)
            assert old["total"][0] > 0, (who, figure.key)  # something counted
            # And each number is as many rows as its drill-down lists.
            for key, numbers in _new_counts(result).items():
                where = {} if key == "total" else {key[0]: key[1]}
                for part, number in zip(["", *(p.key for p in figure.parts)], numbers,
                                        strict=True):
                    rows = drill_rows(figure, children, period.start, period.end,
                                      part=part, **where)
                    assert rows.count() == number, (who, figure.key, key, part)
    teams = {t for r in compute_all(figs, children, default_period().start,
                                    default_period().end) for t in r.by_team}
    expected = {"tm": {org.team_a.pk}, "sm": {org.team_a.pk, org.team_b.pk},
                "pdo": None}[who]
    if expected is not None:
        assert teams == expected
    else:  # the officer: the other service's team, and the children allocated to none
        assert None in teams
        assert len(teams) == 4


@pytest.mark.parametrize("who", ["tm", "sm", "pdo", "tm-none"])
def test_the_scope_sql_selects_the_children_of_the_scope_queryset(request, org, tm, sm, pdo,
                                                                  who) -> None:
    """performance_scope_sql (the counts' scope) against performance_children (the
    drill-down's): the same children, whatever the allocation history, restriction,
    break-glass opening or merge."""
    from cpcases.children.models import BreakGlassAccess, RestrictedAccess
    from returns.performance.selectors import performance_scope_sql

    _varied_caseload(org, tm)
    named = _child(org, org.team_a, is_restricted=True)  # restricted, the manager named
    RestrictedAccess.objects.create(child=named, user=tm)
    RestrictedAccess.objects.create(child=named, user=sm)
    opened = _child(org, org.team_b)  # another team's child, opened today by the manager
    BreakGlassAccess.objects.create(child=opened, user=tm, reason="duty",
                                    opened_on=timezone.localdate())
    # A restricted record of the manager's own team, opened by them today: counted for them.
    sealed_opened = _child(org, org.team_a, is_restricted=True)
    BreakGlassAccess.objects.create(child=sealed_opened, user=tm, reason="duty",
                                    opened_on=timezone.localdate())
    user = (UserFactory(username="tm-none", role=Role.TEAM_MANAGER, authority=org.authority,
                        team=None) if who == "tm-none" else request.getfixturevalue(who))
    sql, params = performance_scope_sql(user)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    selected = sorted(row[0] for row in rows)
    expected = sorted(performance_children(user).values_list("pk", flat=True))
    assert selected == expected
    # And the rules asked of every child's row, not the kept TeamChild table both read for a
    # manager (decision 88): the same children.
    if who != "pdo":
        from django.db.models.expressions import RawSQL

        from cpcases.children.scoping import visible_children_sql

        rules = visible_children_sql(user, rules=True)
        by_rules = [] if rules is None else Child.objects.filter(
            pk__in=RawSQL(*rules),  # noqa: S611 - the ORM's own SQL
            **{f"allocations__{name}": value for name, value in (
                {"ended_on__isnull": True, "team_id": user.team_id} if who.startswith("tm")
                else {"ended_on__isnull": True, "team__service_id": user.effective_service_id}
            ).items()}).values_list("pk", flat=True)
        assert selected == sorted(by_rules)
    # Each with the team that holds them now (none for a child allocated to no team).
    teams = dict(Allocation.objects.filter(ended_on__isnull=True).values_list("child_id",
                                                                              "team_id"))
    assert dict(rows) == {child: teams.get(child) for child in selected}
    # The team manager's break-glass opening shows them the child, not its figures.
    assert (named.pk in selected, opened.pk in selected) == (who != "tm-none",
                                                             who in ("sm", "pdo"))
    assert (sealed_opened.pk in selected) == (who in ("tm", "pdo"))


def test_a_manager_who_sees_no_children_gets_empty_figures(org) -> None:
    lost = UserFactory(username="tm-none", role=Role.TEAM_MANAGER, authority=org.authority,
                       team=None)
    _deadline(_child(org), "child_seen", "2026-09-09", "met")
    _, result = _counts(lost, "visit-timeliness")
    assert (result.total.total, result.by_team) == (0, {})


# --- query count ------------------------------------------------------------------------------

def test_the_figures_take_as_many_queries_whatever_the_caseload(client, org, sm, tm) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/performance/").status_code == 200
            assert client.get("/performance/visit-timeliness/").status_code == 200
        return len(ctx)

    def more(n: int) -> None:
        for _ in range(n):
            child = _child(org, team=TeamFactory(service=org.service))
            _deadline(child, "child_seen", "2026-09-09", "met")
            _plan(child, tm, "2024-01-03", "2026-05-01")

    client.force_login(sm)
    more(2)
    queries()  # warm: the process's policy cache (deadlines.selectors.policy_snapshot)
    small = queries()
    more(10)
    assert queries() == small


# --- the demo -----------------------------------------------------------------------------

def test_the_demo_gives_the_service_manager_figures_with_something_in_them(client) -> None:
    from django.core.management import call_command

    from cpcases.accounts.models import User

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client.force_login(User.objects.get(username="sm.sunita"))
    body = client.get("/api/v1/performance/").json()
    totals = {f["key"]: (f["total"]["parts"][0]["value"] if f["rate"] else None,
                         f["total"]["total"]["value"]) for f in body["figures"]}
    for key in ("icpc-timeliness", "core-group-timeliness", "visit-timeliness",
                "review-timeliness"):
        counted, out_of = totals[key]
        assert 0 < counted < out_of, (key, totals[key])  # some on time, some late
    assert totals["long-plans"][0] >= 1
    assert totals["repeat-plans"][0] >= 1
    for key in ("contacts", "referrals", "s47-enquiries", "icpcs", "plans-by-category"):
        assert totals[key][1] >= 4, (key, totals[key])


# --- the counts, the team names and the policy's version in one statement ---------------------

@pytest.mark.parametrize("who", ["sm", "tm", "pdo"])
def test_the_figures_and_team_names_of_one_statement_are_those_asked_apart(
        request, org, tm, who) -> None:
    """performance_results reads the counts, the scope's team names and the policy's version
    in one statement (issue 13 §2): the same results and names as the counts statement and
    the names query asked one by one."""
    from deadlines.selectors import effective_rules
    from returns.performance.report import performance_results, team_names
    from returns.performance.selectors import compute_all, user_scope_key

    user = request.getfixturevalue(who)
    child = _child(org)
    _deadline(child, "child_seen", "2026-09-09", "met")
    _deadline(_child(org, team=org.team_b), "child_seen", "2026-10-10", "missed")
    _plan(child, tm, "2024-01-03", "2026-05-01")
    period = performance_period("2026-04", "2026-12")
    for _ in range(2):  # the policy not yet held by the process, then held
        results, names = performance_results(user, period)
        assert names == team_names(user)
        assert names  # every scope here has teams
        figs = figures(effective_rules(user.authority_id))
        apart = compute_all(figs, performance_children(user), period.start, period.end,
                            user_scope_key(user))
        assert [(r.figure, r.total, r.by_month, r.by_team) for r in results] == [
            (r.figure, r.total, r.by_month, r.by_team) for r in apart]
    assert any(r.total.total for r in results)


def test_the_api_asks_one_statement_besides_the_session_and_user(client, org, tm) -> None:
    # A team manager's: the scope's label names their team from the names read.
    _deadline(_child(org), "child_seen", "2026-09-09", "met")
    client.force_login(tm)
    assert client.get("/api/v1/performance/").status_code == 200  # the policy now held
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/performance/").status_code == 200
    own = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]
           and "django_session" not in q["sql"] and '"accounts_user"' not in q["sql"]]
    assert len(own) == 1
    assert "accounts_team" in own[0]
    assert "deadlines_policy_version" in own[0]


def test_a_policy_changed_since_the_process_read_it_titles_the_figures_anew(
        client, org, sm, admin_user) -> None:
    """The statement reads the policy's version with the counts; a version other than the
    one the process's policy was read at means the figures were built from an old policy:
    it is read again and the figures counted again, in the same request."""
    from deadlines import services as deadline_services

    _deadline(_child(org), "icpc", "2026-09-09", "met")
    client.force_login(sm)

    def icpc_title() -> str:
        body = client.get("/api/v1/performance/").json()
        return next(f["title"] for f in body["figures"] if f["key"] == "icpc-timeliness")

    assert "15 working days" in icpc_title()  # the policy now held by the process
    deadline_services.policy_override_rule(authority=org.authority, rule_id="icpc",
                                           user=admin_user, reason="Local agreement",
                                           offset=12)
    assert "12 working days" in icpc_title()
