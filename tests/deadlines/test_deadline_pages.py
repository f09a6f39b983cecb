"""The deadline pages: scoped to the user's children, managers' view for managers only."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cpcases.audit.models import AccessAction, AccessEvent
from deadlines import services
from deadlines.models import Notification, PolicyProfile, RuleOverride
from deadlines.policy import Level, load_shipped_profiles

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _shipped_profiles(db):
    """The migration loads them; a transactional test elsewhere may have flushed them."""
    if not PolicyProfile.objects.filter(shipped=True).exists():
        load_shipped_profiles()


@pytest.fixture(autouse=True)
def _monday_2_march_2026():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=LONDON), tick=False):
        yield


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def deadlines(child, other_team_child):
    return {
        "overdue": services.deadline_set(child=child, rule_id="child_seen",
                                         anchor=dt.date(2026, 2, 2)),
        # Six weeks after Friday 23 January: Friday 6 March, this week.
        "this_week": services.deadline_set(child=child, rule_id="bedroom_seen",
                                           anchor=dt.date(2026, 1, 23)),
        "later": services.deadline_set(child=child, rule_id="icpc",
                                       anchor=dt.date(2026, 3, 2)),
        "other": services.deadline_set(child=other_team_child, rule_id="child_seen",
                                       anchor=dt.date(2026, 3, 2)),
    }


def test_my_work_groups_overdue_this_week_and_later(client, sw, deadlines):
    html = login(client, sw).get("/").content.decode()
    overdue, week, later = html.index('id="overdue"'), html.index('id="this_week"'), \
        html.index('id="later"')
    assert overdue < html.index(f'deadline-{deadlines["overdue"].pk}"') < week
    assert week < html.index(f'deadline-{deadlines["this_week"].pk}"') < later
    assert f'deadline-{deadlines["other"].pk}"' not in html
    assert "Alfie Example" in html


def test_team_view_shows_the_teams_deadlines_to_the_team_manager(client, tm, deadlines):
    html = login(client, tm).get("/deadlines/team/").content.decode()
    assert f'deadline-{deadlines["later"].pk}"' in html  # the ICPC is the manager's
    assert f'deadline-{deadlines["overdue"].pk}"' in html  # and the social worker's
    assert f'deadline-{deadlines["other"].pk}"' not in html  # not another team's


def test_team_view_is_refused_to_a_social_worker(client, sw, deadlines):
    assert login(client, sw).get("/deadlines/team/").status_code == 403


def test_child_tab_shows_rule_due_date_status_and_timescale_in_plain_words(
        client, sw, child, deadlines):
    response = login(client, sw).get(f"/deadlines/child/{child.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Initial child protection conference held" in html
    assert "23 March 2026" in html  # 15 wd after 2 March
    assert "15 working days after" in html
    assert "000, 002 §2.6, 003" not in html  # procedure codes stay on the policy page
    assert "{#" not in html
    assert 'data-module="moj-sortable-table"' in html
    assert AccessEvent.objects.filter(child_id=child.pk, action=AccessAction.VIEW,
                                      section="deadlines").exists()


def test_child_tab_is_refused_to_a_user_outside_the_case(client, sw_b, child, deadlines):
    assert login(client, sw_b).get(f"/deadlines/child/{child.pk}/").status_code == 404
    assert AccessEvent.objects.filter(child_id=child.pk, action=AccessAction.REFUSED).exists()


def test_child_tab_is_registered_on_the_record(client, sw, child):
    html = login(client, sw).get(f"/children/{child.pk}/").content.decode()
    assert f'href="/deadlines/child/{child.pk}/"' in html


def test_notifications_page_and_unread_count_then_mark_as_read(client, sw, deadlines):
    note = Notification.objects.create(recipient=sw, deadline=deadlines["overdue"],
                                       level=Level.BREACH, text="Overdue: child seen")
    client = login(client, sw)
    html = client.get("/deadlines/notifications/").content.decode()
    assert "Overdue: child seen" in html
    assert 'aria-label="1 unread"' in html
    response = client.post(f"/deadlines/notifications/{note.pk}/read/")
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None
    assert 'aria-label="1 unread"' not in client.get("/deadlines/").content.decode()


def test_a_user_cannot_mark_someone_elses_notification(client, sw, tm, deadlines):
    note = Notification.objects.create(recipient=tm, deadline=deadlines["overdue"],
                                       level=Level.BREACH, text="x")
    login(client, sw).post(f"/deadlines/notifications/{note.pk}/read/")
    note.refresh_from_db()
    assert note.read_at is None


def test_head_of_service_authorises_an_icpc_delay_from_the_tab(client, hos, child, deadlines):
    client = login(client, hos)
    page = client.get(f"/deadlines/{deadlines['later'].pk}/authorise-delay/")
    assert page.status_code == 200
    client.post(f"/deadlines/{deadlines['later'].pk}/authorise-delay/",
                {"reason": "Pre-birth enquiry: 002 §3.4"})
    deadlines["later"].refresh_from_db()
    assert deadlines["later"].status == "delay_authorised"


def test_a_social_worker_cannot_authorise_a_delay(client, sw, deadlines):
    response = login(client, sw).get(f"/deadlines/{deadlines['later'].pk}/authorise-delay/")
    assert response.status_code == 403


def test_policy_pages_for_administrators(client, admin_user):
    client = login(client, admin_user)
    html = client.get("/deadlines/policy/").content.decode()
    assert 'data-testid="rule-icpc"' in html
    assert "National default" in html
    response = client.post("/deadlines/policy/record_to_professionals/", {
        "offset": 20, "unit": "working_days", "direction": "after",
        "responsible_role": "business_support", "reminder_before": 2,
        "service_manager_after": 3, "head_of_service_after": 5, "source": "003",
        "reason": "Adopting Darlington practice"})
    assert response.status_code == 302
    assert RuleOverride.objects.get().offset == 20
    html = client.get("/deadlines/policy/record_to_professionals/").content.decode()
    assert "Adopting Darlington practice" in html
    assert "Ada Admin" in html
    client.post("/deadlines/policy/profile/",
                {"profile": PolicyProfile.objects.get(slug="dudley-004").pk})
    assert "Dudley (004)" in client.get("/deadlines/policy/").content.decode()


@pytest.mark.parametrize("path", ["/deadlines/policy/", "/deadlines/policy/profile/",
                                  "/deadlines/policy/icpc/"])
def test_policy_pages_are_refused_to_managers(client, hos, path):
    assert login(client, hos).get(path).status_code == 403
