""""My work", every role's home page (issue 9 point 7): overdue, due today, due this week,
later, each item saying what to do, for which child, with a link to where it is done; the
role's queues; managers' team breaches; bounded queries whatever the caseload."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from deadlines import services
from deadlines.mywork import group_filter, my_deadlines, my_work
from tests.factories import AllocationFactory, ChildFactory

LONDON = ZoneInfo("Europe/London")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def login(client, user):
    client.force_login(user)
    return client


# Wednesday 4 March 2026: "this week" runs to Sunday 8 March.
WEDNESDAY = at(2026, 3, 4, 9)


@pytest.fixture
def wednesday():
    with time_machine.travel(WEDNESDAY, tick=False):
        yield


def _distributed(child, due: dt.date):
    """plan_distributed: 5 calendar days after the core group (003), so due is exact."""
    return services.deadline_set(child=child, rule_id="plan_distributed",
                                 anchor=due - dt.timedelta(days=5))


@pytest.fixture
def four(child, org, sw, wednesday):
    """One deadline in each group, each for its own child of sw's (one open deadline per
    child and rule)."""
    def another():
        c = ChildFactory(authority=org.authority)
        AllocationFactory(child=c, team=org.team_a, social_worker=sw)
        return c

    return {
        "overdue": _distributed(child, dt.date(2026, 3, 3)),
        "due_today": _distributed(another(), dt.date(2026, 3, 4)),
        "this_week": _distributed(another(), dt.date(2026, 3, 8)),
        "later": _distributed(another(), dt.date(2026, 3, 9)),
    }


def _group_of(html: str, pk: int) -> str:
    """The group section a deadline's row sits in."""
    row = html.index(f'data-testid="deadline-{pk}"')
    sections = [(m.start(), m.group(1)) for m in re.finditer(r'data-testid="group-(\w+)"', html)]
    return [key for start, key in sections if start < row][-1]


def test_sign_in_lands_on_my_work(client, sw, wednesday):
    sw.set_password("Demo-pass-2026!")
    sw.save()
    response = client.post("/sign-in/", {"username": "sw", "password": "Demo-pass-2026!"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "My work" in client.get("/").content.decode()


def test_each_deadline_is_in_its_group_at_the_boundaries(client, sw, four):
    html = login(client, sw).get("/").content.decode()
    for key, deadline in four.items():
        assert _group_of(html, deadline.pk) == key
    for key in four:
        assert re.search(rf'data-testid="count-{key}">1<', html)


def test_an_hour_rule_past_its_hour_today_is_overdue_not_due_today(client, sw, child,
                                                                   wednesday):
    # 48 hours from 08:00 on Monday (000): due 08:00 today, an hour ago.
    late = services.deadline_set(child=child, rule_id="invitation_list",
                                 anchor=at(2026, 3, 2, 8), responsible=sw)
    html = login(client, sw).get("/").content.decode()
    assert _group_of(html, late.pk) == "overdue"


def test_groups_move_on_as_the_days_pass(sw, four):
    with time_machine.travel(at(2026, 3, 9, 9), tick=False):  # the next Monday
        groups = {g.key: g.count for g in my_work(user=sw).groups}
    assert groups == {"overdue": 3, "due_today": 1, "this_week": 0, "later": 0}


def test_the_groups_agree_with_their_show_all_lists(sw, org, child, four):
    """My work ranks every group in one query (issue 13 §2); each group's count and first
    items are those of its "show all" list (deadlines.mywork.group_filter), soonest first."""
    for day in (2, 3, 5, 6, 7, 20, 21):
        c = ChildFactory(authority=org.authority)
        AllocationFactory(child=c, team=org.team_a, social_worker=sw)
        _distributed(c, dt.date(2026, 3, day))
    services.deadline_set(child=child, rule_id="invitation_list",  # due an hour ago
                          anchor=at(2026, 3, 2, 8), responsible=sw)
    now = timezone.now()
    work = my_work(user=sw, now=now, first=2)
    for group in work.groups:
        listed = my_deadlines(user=sw).filter(group_filter(group.key, now=now))
        assert group.count == listed.count() > 0, group.key
        assert [d.pk for d in group.items] == [d.pk for d in listed[:2]], group.key


def test_each_item_says_what_to_do_for_which_child_and_links_to_where(client, sw, child,
                                                                      four):
    html = login(client, sw).get("/").content.decode()
    assert "Send the detailed plan to the core group" in html  # what to do
    assert "Detailed plan distributed" in html  # the rule's name, never its id
    assert "plan_distributed" not in html
    assert f"{child.display_name}" in html
    assert "1 working day overdue" in html
    assert "Due today" in html
    # No subject (a core group meeting) here: the link is the child's plan tab.
    assert f'href="/plans/child/{child.pk}/"' in html


def test_a_consultation_deadline_links_straight_to_the_consultation(child, sw, tm, bso,
                                                                    wednesday):
    from deadlines.models import Deadline
    from deadlines.presentation import present
    from strategy import services as strategy

    consultation = strategy.consultation_request(user=sw, child=child, question="Threshold?")
    shown = present([Deadline.objects.get(rule_id="consultation_chair_assigned")])[0]
    assert shown.action == "Assign a chair to the consultation"
    assert shown.action_url == f"/strategy/consultations/{consultation.pk}/assign/"


def test_show_all_leads_to_the_whole_group_paged(client, sw, org, wednesday):
    for _ in range(7):
        c = ChildFactory(authority=org.authority)
        AllocationFactory(child=c, team=org.team_a, social_worker=sw)
        _distributed(c, dt.date(2026, 3, 2))
    client = login(client, sw)
    html = client.get("/").content.decode()
    assert html.count('data-testid="deadline-') == 5  # the first five
    assert 'href="/deadlines/?group=overdue"' in html
    assert "Show all 7" in html
    listing = client.get("/deadlines/?group=overdue").content.decode()
    assert listing.count('data-testid="deadline-') == 7


def test_another_teams_deadlines_never_appear(client, sw, other_team_child, sw_b, wednesday):
    theirs = _distributed(other_team_child, dt.date(2026, 3, 3))
    html = login(client, sw).get("/").content.decode()
    assert f'deadline-{theirs.pk}"' not in html
    # Even named responsible, a deadline of a child outside the user's scope stays hidden.
    theirs.responsible = sw
    theirs.save(update_fields=["responsible"])
    assert f'deadline-{theirs.pk}"' not in client.get("/").content.decode()


def test_the_team_manager_sees_team_breaches_and_approvals(client, tm, sw, four):
    html = login(client, tm).get("/").content.decode()
    assert 'data-testid="breaches"' in html
    assert f'deadline-{four["overdue"].pk}"' in html
    assert "Sam Social" in html  # who is responsible for the breach
    assert 'data-testid="queue-approvals"' in html
    assert 'href="/deadlines/team/?status=overdue"' in html


def test_a_social_worker_has_no_team_breaches_or_manager_queues(client, sw, four):
    html = login(client, sw).get("/").content.decode()
    assert "Team breaches" not in html
    assert 'data-testid="queue-approvals"' not in html


def test_business_support_sees_consultations_to_assign_and_dates_to_offer(client, bso, sw,
                                                                           tm, child):
    from strategy import services as strategy
    from tests.conferences.factories import approved_request, ready_for_request

    with time_machine.travel(at(2027, 3, 17, 12), tick=False):
        ready_for_request(sw=sw, tm=tm, children=[child], held_at=at(2027, 3, 15, 10))
        request = approved_request(sw=sw, tm=tm, children=[child])
        strategy.consultation_request(user=sw, child=child, question="Threshold?")
        html = login(client, bso).get("/").content.decode()
    assert 'data-testid="queue-dates_to_offer"' in html
    assert f'href="/conferences/requests/{request.pk}/book/"' in html
    assert "Offer by 18 March 2027 at 12:00" in html  # 24 hours after the approval (000)
    assert 'data-testid="queue-consultations_to_assign"' in html
    assert "Assign a chair" in html
    assert 'data-testid="queue-invitations_to_send"' in html
    assert 'data-testid="queue-records_to_distribute"' in html


def test_the_chair_and_the_partner_see_their_own_queues(client, chair, police):
    chair_html = login(client, chair).get("/").content.decode()
    assert 'data-testid="queue-consultations_to_record"' in chair_html
    assert 'data-testid="queue-chair_conferences"' in chair_html
    police_html = login(client, police).get("/").content.decode()
    assert 'data-testid="queue-reports_expected"' in police_html
    assert "queue-approvals" not in police_html


def test_the_my_work_api_has_the_same_groups_and_countdowns(sw, four):
    api = APIClient()
    api.force_authenticate(sw)
    with time_machine.travel(WEDNESDAY, tick=False):
        body = api.get("/api/v1/my-work/").json()
    assert [(g["key"], g["count"]) for g in body["groups"]] == [
        ("overdue", 1), ("due_today", 1), ("this_week", 1), ("later", 1)]
    overdue = body["groups"][0]["items"][0]
    assert overdue["countdown"] == "1 working day overdue"
    assert overdue["state"] == "overdue"
    assert overdue["action"] == "Send the detailed plan to the core group"
    assert body["team_breaches"] is None


def _many(org, sw, n: int) -> None:
    for _ in range(n):
        c = ChildFactory(authority=org.authority)
        AllocationFactory(child=c, team=org.team_a, social_worker=sw)
        services.deadline_set(child=c, rule_id="child_seen", anchor=dt.date(2026, 2, 2))
        services.deadline_set(child=c, rule_id="plan_distributed", anchor=dt.date(2026, 3, 4))


@pytest.mark.parametrize("size", [10, 200])
def test_my_work_queries_stay_constant_with_the_caseload(client, sw, org, wednesday,
                                                         django_assert_max_num_queries, size):
    _many(org, sw, size // 2)
    client = login(client, sw)
    # The groups in one statement, the policy read once a page (decision 72): 17 → 11.
    with django_assert_max_num_queries(11):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("size", [10, 200])
def test_my_work_for_a_manager_stays_constant_too(client, tm, sw, org, wednesday,
                                                  django_assert_max_num_queries, size):
    _many(org, sw, size // 2)
    client = login(client, tm)
    # The groups and the team's breaches in one statement (decision 72): 22 → 14; the
    # approvals' count in it too: 13.
    with django_assert_max_num_queries(13):
        assert client.get("/").status_code == 200



def test_two_managers_share_my_works_statement_and_each_sees_only_their_own_records(
        org, tm, sw, child, restricted_child, wednesday):
    """My work's statement is compiled once for every manager of a team, the manager's id
    its parameter (decision 96): each sees their own deadlines, and a sealed record's
    breach only where they are named on it."""
    from cpcases.accounts.roles import Role
    from cpcases.core import compiled
    from tests.factories import RestrictedAccessFactory, UserFactory

    other_tm = UserFactory(username="tm2", role=Role.TEAM_MANAGER, authority=org.authority,
                           team=org.team_a, full_name="Tess Second")
    RestrictedAccessFactory(child=restricted_child, user=tm)
    sealed = _distributed(restricted_child, dt.date(2026, 3, 3))  # sw's: a breach for both
    open_breach = _distributed(child, dt.date(2026, 3, 2))
    mine = services.deadline_set(child=child, rule_id="next_review",
                                 anchor=dt.date(2026, 3, 4))
    mine.responsible = other_tm
    mine.save()
    compiled.clear()
    for manager, sees_sealed in ((tm, True), (other_tm, False), (tm, True)):
        work = my_work(user=manager)
        breaches = {d.pk for d in work.breaches}
        assert (sealed.pk in breaches) is sees_sealed, manager
        assert open_breach.pk in breaches
        assert work.breach_count == (2 if sees_sealed else 1)
        own = {d.pk for g in work.groups for d in g.items}
        assert (mine.pk in own) is (manager == other_tm), manager
    kept = [key for key in compiled._CACHE if key[0] == "my_work.rows"]
    assert len(kept) == 1
