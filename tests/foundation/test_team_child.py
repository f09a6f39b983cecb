"""A team's children by allocation, kept by the database (decision 88): whatever writes the
allocations or the children's flags, the next list a team's user opens shows exactly the
children the scoping rules admit (cpcases.children.scoping)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from cpcases.children.models import Allocation, Child, TeamChild
from cpcases.children.scoping import visible_children
from tests.factories import AllocationFactory, ChildFactory


def _team_children(team: object) -> set[int]:
    return set(TeamChild.objects.filter(team=team).values_list("child_id", flat=True))


@pytest.mark.django_db
def test_an_allocation_puts_the_child_in_its_team_and_its_end_takes_it_out(org, sw, child):
    assert _team_children(org.team_a) == {child.pk}
    assert list(visible_children(sw)) == [child]
    child.allocations.update(ended_on=date(2026, 12, 1))
    assert _team_children(org.team_a) == set()
    assert list(visible_children(sw)) == []


@pytest.mark.django_db
def test_a_transfer_moves_the_child_to_the_receiving_team_at_once(org, sw, sw_b, child):
    child.allocations.update(ended_on=date(2026, 12, 1))
    AllocationFactory(child=child, team=org.team_b, social_worker=sw_b,
                      started_on=date(2026, 12, 1))
    assert _team_children(org.team_a) == set()
    assert _team_children(org.team_b) == {child.pk}
    assert list(visible_children(sw)) == []
    assert list(visible_children(sw_b)) == [child]


@pytest.mark.django_db
def test_restricting_a_record_takes_it_out_of_its_team_and_lifting_it_brings_it_back(
        org, sw, child):
    child.is_restricted = True
    child.save()
    assert _team_children(org.team_a) == set()
    assert list(visible_children(sw)) == []
    Child.objects.filter(pk=child.pk).update(is_restricted=False)  # a bulk write alike
    assert _team_children(org.team_a) == {child.pk}
    assert list(visible_children(sw)) == [child]


@pytest.mark.django_db
def test_a_merged_duplicate_leaves_its_team_and_the_record_kept_stays(org, sw, child):
    duplicate = ChildFactory(authority=org.authority, last_name="Example")
    AllocationFactory(child=duplicate, team=org.team_a)
    assert _team_children(org.team_a) == {child.pk, duplicate.pk}
    duplicate.merged_into = child
    duplicate.save()
    assert _team_children(org.team_a) == {child.pk}
    assert set(visible_children(sw)) == {child}


@pytest.mark.django_db
def test_a_child_moved_to_another_authority_is_not_seen_by_the_old_one(org, sw, child):
    from tests.factories import AuthorityFactory

    child.authority = AuthorityFactory(name="Elsewhere", slug="elsewhere")
    child.save()
    assert TeamChild.objects.get(child=child).authority_id == child.authority_id
    assert list(visible_children(sw)) == []


@pytest.mark.django_db
def test_a_deleted_child_leaves_no_row(org, child):
    child.delete()
    assert _team_children(org.team_a) == set()


@pytest.mark.django_db
def test_a_childs_other_edits_leave_its_row_as_it_was(org, child):
    kept = TeamChild.objects.get(child=child)
    child.first_name = "Alfred"
    child.save()
    assert TeamChild.objects.get(child=child) == kept
    assert _team_children(org.team_a) == {child.pk}


@pytest.mark.django_db
def test_raw_sql_and_bulk_loads_in_replica_mode_keep_the_table(org, child):
    """The triggers fire whatever writes (ENABLE ALWAYS): a bulk load with the audit
    triggers off (session_replication_role = replica) keeps the table too."""
    newcomer = ChildFactory(authority=org.authority)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "INSERT INTO children_allocation (child_id, team_id, started_on, reason, "
            "created_at, updated_at) VALUES (%s, %s, %s, '', now(), now())",
            [newcomer.pk, org.team_a.pk, date(2026, 12, 1)])
        cursor.execute("UPDATE children_allocation SET ended_on = %s WHERE child_id = %s",
                       [date(2026, 12, 2), child.pk])
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert _team_children(org.team_a) == {newcomer.pk}


@pytest.mark.django_db
def test_the_table_is_exactly_the_current_unrestricted_unmerged_allocations(
        org, child, other_team_child, restricted_child):
    rows = set(TeamChild.objects.values_list("child_id", "team_id", "authority_id"))
    expected = {(a.child_id, a.team_id, a.child.authority_id) for a in Allocation.objects.filter(
        ended_on__isnull=True, child__is_restricted=False, child__merged_into__isnull=True)}
    assert rows == expected
    assert restricted_child.pk not in {child_id for child_id, _, _ in rows}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["restriction", "transfer"])
def test_a_restriction_and_a_transfer_made_at_once_leave_the_record_out_of_every_team(
        org, sw_b, child, first):
    """Two transactions at the same moment: one restricts the record, the other moves it to
    team B, either starting first and holding its transaction open while the other runs.
    Whichever commits last works the child out from what the first committed, so the
    restricted record is in no team's list. (Without the lock on the child's row, the
    transfer begun first inserted team B's row, unseen by the restriction's trigger.)"""

    def restrict() -> None:
        Child.objects.filter(pk=child.pk).update(is_restricted=True)

    def transfer() -> None:
        Allocation.objects.filter(child=child).update(ended_on=date(2026, 12, 1))
        Allocation.objects.create(child=child, team=org.team_b, social_worker=sw_b,
                                  started_on=date(2026, 12, 1))

    one, other = (restrict, transfer) if first == "restriction" else (transfer, restrict)
    started = threading.Event()
    errors: list[BaseException] = []

    def hold_open() -> None:
        try:
            with transaction.atomic():
                one()
                started.set()
                threading.Event().wait(0.5)  # the other starts meanwhile
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            started.set()
            connection.close()

    def then() -> None:
        try:
            started.wait(10)
            with transaction.atomic():
                other()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=hold_open), threading.Thread(target=then)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert Allocation.objects.get(child=child, ended_on__isnull=True).team == org.team_b
    assert Child.objects.get(pk=child.pk).is_restricted
    assert TeamChild.objects.filter(child=child).count() == 0
    assert list(visible_children(sw_b)) == []
