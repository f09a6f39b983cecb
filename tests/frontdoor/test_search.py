"""Find any child across the authority: fuzzy names, identifiers, who holds the case, never
the case itself; restricted records never found by those not allowed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from cpcases.children.models import POSTCODE_KEY, Child, RestrictedAccess, postcode_key
from frontdoor.selectors import (
    SearchCriteria,
    authority_search,
    likely_duplicates,
)
from tests.factories import AllocationFactory, ChildFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def john(org, sw_b):
    child = ChildFactory(authority=org.authority, first_name="John", last_name="Smith",
                         date_of_birth=dt.date(2015, 6, 1), postcode="AN9 9ZZ",
                         nhs_number="9434765919", la_child_id="LA777")
    AllocationFactory(child=child, team=org.team_b, social_worker=sw_b)
    return child


def _names(results):
    return [c.display_name for c in results]


def test_fuzzy_search_finds_john_smith_for_jon_smyth_in_another_team(sw, john, org):
    ChildFactory(authority=org.authority, first_name="Mary", last_name="Jones")
    results = authority_search(user=sw, criteria=SearchCriteria(name="Jon Smyth"))
    assert _names(results) == ["John Smith"]
    found = results[0]
    # Who holds the case, and that it is outside the searcher's scope.
    assert found.current_allocations[0].team == org.team_b
    assert found.in_scope is False


def test_search_tolerates_transposed_names(sw, john):
    assert _names(authority_search(user=sw, criteria=SearchCriteria(name="Smith John"))) == [
        "John Smith"]


@pytest.mark.parametrize("criteria", [
    SearchCriteria(nhs_number="943 476 5919"), SearchCriteria(la_child_id="la777"),
    SearchCriteria(postcode="an99zz"), SearchCriteria(date_of_birth=dt.date(2015, 6, 1)),
])
def test_search_by_identifiers(sw, john, criteria):
    assert _names(authority_search(user=sw, criteria=criteria)) == ["John Smith"]


def test_search_by_postcode_b1_1aa_finds_b1_1aa_through_its_index(sw, org):
    ChildFactory(authority=org.authority, first_name="Bea", last_name="Brum",
                 postcode="B1 1AA")
    ChildFactory(authority=org.authority, first_name="Cal", last_name="Other",
                 postcode="B11 1AA")
    for typed in ("b1 1aa", "B11AA", " b 1 1 a a "):
        assert _names(authority_search(user=sw, criteria=SearchCriteria(postcode=typed))) \
            == ["Bea Brum"], typed
    # The filter is the indexed expression, so the planner can use child_postcode_key.
    query = Child.objects.alias(postcode_key=POSTCODE_KEY).filter(
        postcode_key=postcode_key("b1 1aa"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    assert "child_postcode_key" in plan


def test_restricted_records_never_appear_to_those_not_allowed(sw, sw_b, restricted_child,
                                                              chair):
    criteria = SearchCriteria(name="Rosa Restricted")
    # sw_b is in another team; the chair is not named; sw is allocated but not named either.
    for user in (sw_b, chair, sw):
        assert authority_search(user=user, criteria=criteria) == []
    RestrictedAccess.objects.create(child=restricted_child, user=sw)
    assert _names(authority_search(user=sw, criteria=criteria)) == ["Rosa Restricted"]


def test_partners_cannot_search_the_authority(police, john):
    assert authority_search(user=police, criteria=SearchCriteria(name="John Smith")) == []


def test_likely_duplicates_same_nhs_number_same_birth_and_similar_name_same_address(
        sw, john, org):
    by_nhs = likely_duplicates(user=sw, nhs_number="9434765919")
    assert [d.child for d in by_nhs] == [john]
    by_name = likely_duplicates(user=sw, first_name="Jon", last_name="Smith",
                                date_of_birth=dt.date(2015, 6, 1))
    assert by_name[0].reasons == ("Same date of birth and a similar name",)
    ChildFactory(authority=org.authority, first_name="Amy", last_name="Lee",
                 address="5 Low Road", postcode="AN9 9ZZ")
    by_address = likely_duplicates(user=sw, postcode="AN9 9ZZ", address="5 low road")
    assert [d.child.first_name for d in by_address] == ["Amy"]
    assert likely_duplicates(user=sw, first_name="Zed", last_name="Quux",
                             date_of_birth=dt.date(2015, 6, 1)) == []
