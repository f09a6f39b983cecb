"""Restricted records: a manager of the child's team marks the record restricted, with a
reason and the people who may see it; anyone else with a case reason must give a reason to
open it (break-glass), which is logged and reported to the manager; nobody else finds it in
any list, search or count."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail

from cpcases.accounts.roles import Role
from cpcases.audit.models import AccessEvent
from cpcases.children.models import RestrictedAccess
from lifeevents.models import RecordRestriction
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(org):
    """Another social worker of team A: a case reason, but not named."""
    return UserFactory(username="sw2", role=Role.SOCIAL_WORKER, authority=org.authority,
                       team=org.team_a, full_name="Sol Second")


def _finds_alfie(client, child) -> dict[str, bool]:
    """Whether Alfie's record is listed (a link to it: the search box echoes the name)."""
    links = (f"/children/{child.pk}/", f"/front-door/child/{child.pk}/open/")

    def listed(page: str) -> bool:
        return any(link in page for link in links)

    return {
        "search": listed(client.get("/children/search/", {"q": "Alfie"}).content.decode()),
        "front door": listed(client.get("/front-door/find/",
                                        {"name": "Alfie Example"}).content.decode()),
        "api": client.get("/api/v1/children/").json()["count"] > 0,
    }


def test_a_team_manager_restricts_a_record_and_a_colleague_must_break_the_glass(
        client, child, tm, sw, colleague, sw_b, django_capture_on_commit_callbacks):
    client.force_login(colleague)
    assert all(_finds_alfie(client, child).values())
    client.force_login(tm)
    page = client.get(f"/life/child/{child.pk}/").content.decode()
    assert "Restrict this record" in page
    missing = client.post(f"/life/child/{child.pk}/restrict/", {"named": [sw.pk]})
    assert 'href="#id_reason"' in missing.content.decode()
    response = client.post(f"/life/child/{child.pk}/restrict/", {
        "reason": "The mother works in the council's social care team.",
        "named": [sw.pk]})
    assert response["Location"] == f"/life/child/{child.pk}/"
    child.refresh_from_db()
    assert child.is_restricted
    assert set(RestrictedAccess.objects.filter(child=child).values_list("user_id", flat=True)) \
        == {sw.pk, tm.pk}
    restriction = RecordRestriction.objects.get(child=child)
    assert {p["name"] for p in restriction.named} == {"Sam Social", "Tara Manager"}
    assert restriction.events.count() == 1  # pghistory keeps every change
    assert "Restricted by Tara Manager" in client.get(f"/life/child/{child.pk}/").content.decode()

    # The named social worker still sees the child everywhere; the colleague nowhere.
    client.force_login(sw)
    assert all(_finds_alfie(client, child).values())
    assert "Alfie" in client.get("/children/").content.decode()  # their caseload
    client.force_login(colleague)
    assert not any(_finds_alfie(client, child).values())
    opened = client.get(f"/children/{child.pk}/")
    assert opened["Location"] == f"/front-door/child/{child.pk}/open/"
    assert "restricted" in client.get(opened["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/front-door/child/{child.pk}/open/",
                           {"reason": "Covering the duty visit for Sam today"})
    assert done.status_code == 302
    assert client.get(f"/children/{child.pk}/").status_code == 200
    event = AccessEvent.objects.get(child_id=child.pk, section="break-glass",
                                    user=colleague)
    assert "duty visit" in event.detail["reason"]
    told = [m for m in mail.outbox if m.subject.startswith("Restricted record opened")]
    assert [m.to for m in told] == [[tm.email]]
    assert len(mail.outbox) == 1  # the marking manager is the team's: told once
    assert "Alfie" not in told[0].body  # named by ID only

    # Someone with no case reason never learns the record exists.
    client.force_login(sw_b)
    assert client.get(f"/children/{child.pk}/").status_code == 404
    assert client.get(f"/front-door/child/{child.pk}/open/").status_code == 404
    assert not any(_finds_alfie(client, child).values())


def test_only_a_manager_of_the_childs_team_restricts_and_lifts_it(client, child, tm, sw,
                                                                  tm_b):
    client.force_login(sw)
    assert client.get(f"/life/child/{child.pk}/restrict/").status_code == 403
    client.force_login(tm_b)
    assert client.get(f"/life/child/{child.pk}/restrict/").status_code == 404
    client.force_login(tm)
    client.post(f"/life/child/{child.pk}/restrict/", {"reason": "Staff family", "named": []})
    lifted = client.post(f"/life/child/{child.pk}/unrestrict/",
                         {"reason": "The mother has left the council."})
    assert lifted.status_code == 302
    child.refresh_from_db()
    assert not child.is_restricted
    assert not RestrictedAccess.objects.filter(child=child).exists()
    restriction = RecordRestriction.objects.get(child=child)
    assert restriction.lifted_by == tm
    assert restriction.lift_reason == "The mother has left the council."
    client.force_login(sw)
    assert client.get(f"/children/{child.pk}/").status_code == 200
    # The chronology says when and by whom, never why.
    rows = {r["significant_event"]: r for r in
            client.get(f"/api/v1/chronology/{child.pk}/").json()}
    assert rows["Record restricted: only the people named may see it"]["author"] == \
        "Tara Manager"
    assert rows["Restriction of the record lifted"]["author"] == "Tara Manager"
    page = client.get(f"/chronology/child/{child.pk}/").content.decode()
    assert "Staff family" not in page
    assert "left the council" not in page


def test_restricting_and_lifting_through_the_api(client, child, tm, sw, colleague):
    client.force_login(sw)
    refused = client.post("/api/v1/record-restrictions/", {
        "child": child.pk, "reason": "Staff family", "named": [sw.pk]},
        content_type="application/json")
    assert refused.status_code == 403
    client.force_login(tm)
    created = client.post("/api/v1/record-restrictions/", {
        "child": child.pk, "reason": "Staff family", "named": [sw.pk]},
        content_type="application/json")
    assert created.status_code == 201, created.content
    assert {p["id"] for p in created.json()["named"]} == {sw.pk, tm.pk}
    client.force_login(colleague)
    assert client.get("/api/v1/children/").json()["count"] == 0
    assert client.get(f"/api/v1/children/{child.pk}/").status_code == 404
    assert client.get("/api/v1/record-restrictions/").json()["count"] == 0
    client.force_login(tm)
    lifted = client.post(f"/api/v1/record-restrictions/{created.json()['id']}/lift/",
                         {"reason": "No longer needed"}, content_type="application/json")
    assert lifted.status_code == 200, lifted.content
    assert lifted.json()["lifted_at"] is not None
    client.force_login(colleague)
    assert client.get("/api/v1/children/").json()["count"] == 1


def test_opening_the_record_before_it_was_restricted_does_not_admit_anyone_after(
        client, child, tm, sw, colleague, sw_b):
    """Break-glass lasts the day, but not past a restriction marked after it: the other
    team's worker is refused, and the team colleague must give a reason again."""
    from frontdoor.services import break_glass_open
    from lifeevents.restriction import record_restrict
    from tests.lifeevents.conftest import at

    with time_machine.travel(at(2027, 2, 8, 9), tick=False) as clock:
        break_glass_open(actor=sw_b, child=child, reason="Duty cover for the other team today")
        break_glass_open(actor=colleague, child=child, reason="Covering Sam's visit today")
        client.force_login(sw_b)
        assert client.get(f"/children/{child.pk}/").status_code == 200
        clock.move_to(at(2027, 2, 8, 9, 20))
        record_restrict(child=child, user=tm, reason="Staff family", named=[sw])
        assert client.get(f"/children/{child.pk}/").status_code == 404
        assert client.get(f"/api/v1/children/{child.pk}/").status_code == 404
        assert not any(_finds_alfie(client, child).values())
        client.force_login(colleague)
        assert client.get(f"/children/{child.pk}/")["Location"] == \
            f"/front-door/child/{child.pk}/open/"
        assert client.get(f"/api/v1/children/{child.pk}/").status_code == 404
        clock.move_to(at(2027, 2, 8, 9, 35))
        client.post(f"/front-door/child/{child.pk}/open/",
                    {"reason": "Covering Sam's visit: the record is needed"})
        assert client.get(f"/children/{child.pk}/").status_code == 200
