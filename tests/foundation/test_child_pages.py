"""The child's record in the browser-facing pages (Foundation §7, §11)."""

from __future__ import annotations

import pytest

from cpcases.children.models import Allocation, Child, ChildPerson
from tests.factories import ChildFactory, HouseholdFactory
from tests.foundation.test_audit import _form_data

pytestmark = pytest.mark.django_db


def test_social_worker_sees_their_caseload(client, sw, child, other_team_child) -> None:
    client.force_login(sw)
    page = client.get("/children/").content.decode()
    assert child.display_name in page
    assert other_team_child.display_name not in page


def test_the_caseload_and_search_link_each_child_to_their_record(client, sw, child) -> None:
    """Each row's link is built in the view from one reversed pattern (issue 13 §2): the
    record's own address."""
    from django.urls import reverse

    client.force_login(sw)
    link = f'<a class="govuk-link" href="{reverse("children:detail", args=[child.pk])}">'
    assert link in client.get("/children/").content.decode()
    assert link in client.get("/children/search/", {"q": child.last_name}).content.decode()


def test_the_caseload_sorts_by_the_column_a_manager_chooses(client, tm, org) -> None:
    older = ChildFactory(authority=org.authority, first_name="Amy", last_name="Zeller",
                         date_of_birth="2012-01-01")
    younger = ChildFactory(authority=org.authority, first_name="Ben", last_name="Adams",
                           date_of_birth="2020-01-01")
    for c in (older, younger):
        Allocation.objects.create(child=c, team=org.team_a, started_on="2026-01-01")
    client.force_login(tm)
    by_name = client.get("/children/").content.decode()
    assert by_name.index("Ben Adams") < by_name.index("Amy Zeller")
    assert 'aria-sort="ascending"><a class="app-sort-link" href="?sort=-name"' in by_name
    youngest_first = client.get("/children/", {"sort": "-born"}).content.decode()
    assert youngest_first.index("Ben Adams") < youngest_first.index("Amy Zeller")
    assert 'aria-sort="descending"><a class="app-sort-link" href="?sort=born"' in youngest_first
    oldest_first = client.get("/children/", {"sort": "born"}).content.decode()
    assert oldest_first.index("Amy Zeller") < oldest_first.index("Ben Adams")


def test_search_by_name_id_or_date_of_birth_finds_only_visible_children(
        client, sw, child, other_team_child, restricted_child) -> None:
    client.force_login(sw)
    for query in ({"q": child.last_name}, {"q": child.la_child_id},
                  {"date_of_birth_0": "17", "date_of_birth_1": "5", "date_of_birth_2": "2018"}):
        page = client.get("/children/search/", query).content.decode()
        assert child.display_name in page, query
        assert restricted_child.display_name not in page
        assert other_team_child.display_name not in page


def test_record_shows_all_children_of_the_household_together(client, sw, org, child) -> None:
    household = HouseholdFactory(authority=org.authority)
    sibling = ChildFactory(authority=org.authority, household=household, first_name="Sib")
    Allocation.objects.create(child=sibling, team=org.team_a, started_on="2026-01-01")
    Child.objects.filter(pk=child.pk).update(household=household)
    client.force_login(sw)
    page = client.get(f"/children/{child.pk}/").content.decode()
    assert sibling.display_name in page


def test_unborn_child_is_shown_as_baby_with_expected_delivery_date(client, sw, org) -> None:
    client.force_login(sw)
    response = client.post("/children/new/", {
        "la_child_id": "U1", "team": org.team_a.pk, "first_name": "", "last_name": "Brown",
        "is_unborn": "on", "expected_delivery_date_0": "20", "expected_delivery_date_1": "4",
        "expected_delivery_date_2": "2027", "sex": "U", "ethnicity": "NOBT",
        "first_language": "English"})
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(response.url).content.decode()
    assert "Baby Brown" in page
    assert "20 April 2027" in page


def test_create_without_date_of_birth_explains_what_to_enter(client, sw, org) -> None:
    client.force_login(sw)
    response = client.post("/children/new/", {
        "la_child_id": "U2", "team": org.team_a.pk, "last_name": "Grey", "sex": "U",
        "ethnicity": "NOBT", "first_language": "English"})
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter the child&#x27;s date of birth" in page
    assert not Child.objects.filter(la_child_id="U2").exists()


def test_edit_saves_and_shows_the_change(client, sw, child) -> None:
    client.force_login(sw)
    response = client.post(f"/children/{child.pk}/edit/",
                           {**_form_data(child), "address": "3 Changed Close"})
    assert response.status_code == 302
    assert "3 Changed Close" in client.get(response.url).content.decode()


def test_bad_input_on_edit_is_explained_and_nothing_is_lost(client, sw, child) -> None:
    client.force_login(sw)
    data = {**_form_data(child), "date_of_birth_0": "31", "date_of_birth_1": "2",
            "address": "Typed but not saved"}
    response = client.post(f"/children/{child.pk}/edit/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Typed but not saved" in page
    child.refresh_from_db()
    assert child.address != "Typed but not saved"


def test_social_worker_adds_a_parent_with_parental_responsibility(client, sw, child) -> None:
    client.force_login(sw)
    response = client.post(f"/children/{child.pk}/people/add/", {
        "relationship": "mother", "has_parental_responsibility": "on",
        "lives_with_child": "on", "first_name": "Maria", "last_name": "Example",
        "phone": "07700 900555", "email": "maria@example.com", "first_language": "English"})
    assert response.status_code == 302
    link = ChildPerson.objects.get(child=child)
    assert link.has_parental_responsibility
    assert "Maria Example" in client.get(f"/children/{child.pk}/people/").content.decode()


def test_team_manager_reallocates_and_the_history_keeps_both(client, tm, sw, org,
                                                            child) -> None:
    from tests.factories import UserFactory

    new_worker = UserFactory(team=org.team_a, authority=org.authority, full_name="Nell New")
    client.force_login(tm)
    response = client.post(f"/children/{child.pk}/allocation/change/", {
        "team": org.team_a.pk, "social_worker": new_worker.pk, "reason": "Caseload balance"})
    assert response.status_code == 302
    history = list(child.allocations.order_by("started_on", "id"))
    assert [a.social_worker for a in history] == [sw, new_worker]
    assert history[0].ended_on is not None
    assert history[1].ended_on is None
    page = client.get(f"/children/{child.pk}/allocation/").content.decode()
    assert "Nell New" in page
    assert "Caseload balance" in page


def test_social_worker_cannot_reallocate(client, sw, org, child) -> None:
    client.force_login(sw)
    assert client.get(f"/children/{child.pk}/allocation/change/").status_code == 403


@pytest.mark.parametrize("query", [{"q": "Example"}, {"q": "nobody-matches"}])
def test_a_search_and_the_children_it_lists_are_logged_in_one_statement(
        client, org, sw, child, other_team_child, query) -> None:
    """The search's own entry and its children's, in that order, each as the view wrote them
    one by one before (issue 13 §2: one INSERT and one commit, not two)."""
    from contextlib import nullcontext

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cpcases.audit.models import AccessEvent

    second = ChildFactory(authority=org.authority, first_name="Second", last_name="Example")
    Allocation.objects.create(child=second, team=org.team_a, started_on="2026-01-01")
    client.force_login(sw)

    def logged(*, batched: bool) -> tuple[list[tuple], int]:
        before = AccessEvent.objects.count()
        with pytest.MonkeyPatch.context() as patch:
            if not batched:
                patch.setattr("cpcases.children.views.one_round_trip", nullcontext)
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/children/search/", query).status_code == 200
        rows = AccessEvent.objects.order_by("id").values_list(
            "user_id", "child_id", "action", "path", "section", "detail", "at")[before:]
        inserts = sum("INSERT INTO" in q["sql"] for q in queries.captured_queries)
        times = [row[-1] for row in rows]
        assert times == sorted(times)
        return [row[:-1] for row in rows], inserts

    one, one_inserts = logged(batched=True)
    each, each_inserts = logged(batched=False)
    assert one == each
    assert one[0][1:] == (None, "search", f"/children/search/?q={query['q']}", "",
                          {"q": query["q"], "dob": ""})
    found = 2 if query["q"] == "Example" else 0
    assert len(one) == 1 + found
    assert (one_inserts, each_inserts) == ((1, 1) if not found else (1, 2))
