"""The search page's query, built once per process with each word a parameter (issue 13 §2:
children.selectors.child_search), finds exactly what the ORM's own search finds: the same
children in the same order, for every role's scope, restricted records and openings
included, whatever the words hold (LIKE's own characters, quotes, case, letters beyond
ASCII)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.children.models import (
    BreakGlassAccess,
    Child,
    CpStage,
    InvolvementKind,
    PartnerInvolvement,
    RestrictedAccess,
)
from cpcases.children.scoping import visible_children
from cpcases.children.selectors import _LISTED, SEARCH_LIMIT, child_search, search_filter
from tests.factories import AllocationFactory, ChildFactory

pytestmark = pytest.mark.django_db

NAMES = [("Alfie", "Example"), ("Amélie", "Ström"), ("Straße", "Öztürk"), ("50%", "Off"),
         ("Under_score", "Under"), ("Back\\slash", "Slash"), ("O'Brien", "Quote"),
         ("Percy", "100% Pure"), ("Una", "X_Y"), ("ALFRED", "example"), ("Mary Ann", "Smith")]

WORDS = ["", "alf", "ALF", "example", "Alfie Example", "am", "AMÉLIE", "ström", "STRÖM",
         "straße", "STRASSE", "öz", "%", "50%", "_", "r_s", "Under_", "\\", "k\\s", "'",
         "o'b", "100%", "x_y", "X%Y", "ry an", "Mary Ann", "nobody", "la001", "LA001",
         "la0", "a e", "a a a a a a a a a", "a a a a a a a a"]


@pytest.fixture
def children(org, sw, sw_b, police) -> list[Child]:
    found = []
    for i, (first, last) in enumerate(NAMES):
        child = ChildFactory(authority=org.authority, first_name=first, last_name=last,
                             la_child_id=f"LA{i:03d}", date_of_birth=dt.date(2015, 1, 1 + i % 2),
                             cp_stage=CpStage.PLAN if i % 3 else CpStage.NONE,
                             is_restricted=i in (4, 7))
        AllocationFactory(child=child, team=org.team_a if i % 4 else org.team_b,
                          social_worker=sw if i % 4 else sw_b)
        found.append(child)
    # A restricted child sw is named on, and one opened with a stated reason today.
    RestrictedAccess.objects.create(child=found[4], user=sw)
    BreakGlassAccess.objects.create(child=found[8], user=sw, reason="Duty call",
                                    opened_on=timezone.localdate())
    for child in found[::2]:  # the partner's children
        PartnerInvolvement.objects.create(child=child, user=police,
                                          kind=InvolvementKind.STRATEGY)
    # More matches than the page lists: the first SEARCH_LIMIT by name.
    for i in range(SEARCH_LIMIT + 5):
        child = ChildFactory(authority=org.authority, first_name=f"Many{i:03d}",
                             last_name=f"Manyson{(i * 7) % 60:03d}", la_child_id=f"M{i}",
                             cp_stage=CpStage.PLAN)
        AllocationFactory(child=child, team=org.team_a, social_worker=sw)
    return found


def _orm_search(user: User, text: str, date_of_birth: dt.date | None) -> list[tuple]:
    """The search as the view asked the ORM for it before its SQL was kept."""
    found = search_filter(visible_children(user).only(*_LISTED), text=text,
                          date_of_birth=date_of_birth)[:SEARCH_LIMIT]
    return [tuple(getattr(c, f) for f in _LISTED) for c in found]


@pytest.mark.parametrize("persona", ["sw", "tm", "sw_b", "sm", "chair", "police"])
def test_the_kept_search_finds_what_the_orm_finds(request, children, persona) -> None:
    user = request.getfixturevalue(persona)
    for words in [*WORDS, "many", "MANYSON0"]:
        for date_of_birth in (None, dt.date(2015, 1, 2)):
            if not words and date_of_birth is None:
                continue
            kept = [tuple(getattr(c, f) for f in _LISTED)
                    for c in child_search(user=user, text=words,
                                          date_of_birth=date_of_birth)]
            assert kept == _orm_search(user, words, date_of_birth), (persona, words)


def test_the_kept_search_lists_the_first_fifty_by_name_and_hides_restricted_records(
        sw, tm, children) -> None:
    assert len(child_search(user=sw, text="many")) == SEARCH_LIMIT
    names = [c.last_name for c in child_search(user=sw, text="many")]
    assert names == sorted(names)
    # Restricted records: the one sw is named on is found, the other is not; tm sees neither.
    assert [c.pk for c in child_search(user=sw, text="under")] == [children[4].pk]
    assert child_search(user=sw, text="pure") == []
    assert child_search(user=tm, text="under") == []
    # A record opened with a stated reason today is found by the user who opened it.
    assert [c.pk for c in child_search(user=sw, text="x_y")] == [children[8].pk]


def test_a_word_is_matched_as_written_not_as_a_pattern(sw, children) -> None:
    """LIKE's own characters in a word match only themselves."""
    assert [c.first_name for c in child_search(user=sw, text="%")] == ["50%"]
    assert [c.first_name for c in child_search(user=sw, text="_")] == ["Under_score", "Una"]
    assert [c.first_name for c in child_search(user=sw, text="k\\s")] == ["Back\\slash"]


def test_a_user_who_sees_no_children_finds_none_without_a_query(
        admin_user, children, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        assert child_search(user=admin_user, text="alfie") == []


def test_the_words_are_parameters_of_one_kept_query(sw, children) -> None:
    """Another word, the same number of words: the same SQL, its words not in the text."""
    from cpcases.children.scoping import scope_key
    from cpcases.core import compiled

    compiled.clear()
    child_search(user=sw, text="alfie")
    child_search(user=sw, text="ström")
    kept = [k for k in compiled._CACHE if isinstance(k, tuple) and k[0] == "child_search"]
    # The scope of any social worker of the team (decision 96): the user's id a parameter.
    assert kept == [("child_search", scope_key(compiled.as_any_user(sw)), 1, False)]
    sql = compiled._CACHE[kept[0]].sql
    assert "alfie" not in sql.lower()
    assert "ström" not in sql.lower()


def test_two_managers_share_the_search_and_a_sealed_record_is_found_by_its_named_one_only(
        org, tm, restricted_child):
    """The search is compiled once for every manager of a team, the manager's id its
    parameter (decision 96): a sealed record named to one manager is found by that one."""
    from cpcases.accounts.roles import Role
    from cpcases.core import compiled
    from tests.factories import RestrictedAccessFactory, UserFactory

    other_tm = UserFactory(username="tm2", role=Role.TEAM_MANAGER, authority=org.authority,
                           team=org.team_a)
    RestrictedAccessFactory(child=restricted_child, user=tm)
    compiled.clear()
    sealed = [restricted_child.pk]
    for manager, found in ((tm, sealed), (other_tm, []), (tm, sealed)):
        assert [c.pk for c in child_search(user=manager, text="Rosa")] == found, manager
    assert len([key for key in compiled._CACHE if key[0] == "child_search"]) == 1
