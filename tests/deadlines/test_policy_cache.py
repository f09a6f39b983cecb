"""The policy snapshot cache (issue 13 §2): one query while nothing changed, and any change to
the policy, however written, seen by the very next read (deadlines.selectors.policy_snapshot,
migration 0017's triggers)."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.db import connection, transaction

from cpcases.accounts.roles import Role
from deadlines import selectors, services
from deadlines.models import AuthorityPolicy, ClosureDay, PolicyProfile, PolicyRule, RuleOverride
from deadlines.policy import NATIONAL

# A Wednesday: the next working day is Thursday unless that is a closure day.
WEDNESDAY = dt.date(2030, 1, 9)
THURSDAY = WEDNESDAY + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _empty_cache():
    selectors.clear_policy_cache()
    yield
    selectors.clear_policy_cache()


def _offset(org, rule_id: str = "assessment") -> int:
    return selectors.effective_rule(org.authority, rule_id).offset


def test_a_second_read_is_one_query(org, django_assert_num_queries):
    first = selectors.effective_rules(org.authority)
    with django_assert_num_queries(1):  # the policy version
        again = selectors.effective_rules(org.authority)
    with django_assert_num_queries(1):
        calendar = selectors.policy_snapshot(org.authority.pk).calendar
    assert again == first
    assert calendar.add_working_days(WEDNESDAY, 1) == THURSDAY


def test_callers_get_their_own_dict(org):
    rules = selectors.effective_rules(org.authority)
    rules.pop("assessment")
    assert "assessment" in selectors.effective_rules(org.authority)


def test_an_override_is_seen_at_once(org, admin_user):
    assert _offset(org) == 45
    services.policy_override_rule(authority=org.authority, rule_id="assessment",
                                  user=admin_user, reason="Local procedure", offset=40)
    assert _offset(org) == 40
    services.policy_remove_override(authority=org.authority, rule_id="assessment",
                                    user=admin_user)
    assert _offset(org) == 45


def test_queryset_update_and_bulk_delete_are_seen_at_once(org, admin_user):
    services.policy_override_rule(authority=org.authority, rule_id="assessment",
                                  user=admin_user, reason="Local procedure", offset=40)
    assert _offset(org) == 40
    RuleOverride.objects.filter(authority=org.authority).update(offset=30)  # no signals
    assert _offset(org) == 30
    RuleOverride.objects.filter(authority=org.authority).delete()
    assert _offset(org) == 45
    PolicyRule.objects.filter(profile__slug=NATIONAL, rule_id="assessment").update(offset=44)
    assert _offset(org) == 44


def test_a_profile_change_is_seen_at_once(org):
    assert selectors.icpc_delay_role(org.authority) == Role.HEAD_OF_SERVICE
    PolicyProfile.objects.filter(slug=NATIONAL).update(icpc_delay_role=Role.TEAM_MANAGER)
    assert selectors.icpc_delay_role(org.authority) == Role.TEAM_MANAGER
    other = PolicyProfile.objects.exclude(slug=NATIONAL).first()
    AuthorityPolicy.objects.create(authority=org.authority, profile=other)
    assert selectors.authority_profile(org.authority) == other
    assert selectors.effective_rule(org.authority, "assessment").profile_name == other.name


def test_a_closure_day_is_seen_at_once(org):
    def next_working_day() -> dt.date:
        return selectors.policy_snapshot(org.authority.pk).calendar.add_working_days(
            WEDNESDAY, 1)

    assert next_working_day() == THURSDAY
    ClosureDay.objects.create(authority=org.authority, date=THURSDAY, reason="Closed")
    assert next_working_day() == THURSDAY + dt.timedelta(days=1)
    ClosureDay.objects.filter(authority=org.authority).delete()
    assert next_working_day() == THURSDAY


def test_raw_sql_is_seen_at_once(org):
    assert _offset(org) == 45
    with connection.cursor() as cursor:
        cursor.execute("UPDATE deadlines_policyrule SET \"offset\" = 43 "
                       "WHERE rule_id = 'assessment'")
    assert _offset(org) == 43


def test_a_rolled_back_change_leaves_nothing_behind(org, admin_user):
    assert _offset(org) == 45

    def change_then_undo() -> None:
        with transaction.atomic():
            services.policy_override_rule(authority=org.authority, rule_id="assessment",
                                          user=admin_user, reason="Tried", offset=10)
            assert _offset(org) == 10  # cached under the uncommitted version
            raise RuntimeError("undo")

    with pytest.raises(RuntimeError):
        change_then_undo()
    assert _offset(org) == 45
    # A later change never takes the rolled-back change's number.
    services.policy_override_rule(authority=org.authority, rule_id="assessment",
                                  user=admin_user, reason="Kept", offset=20)
    assert _offset(org) == 20


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_process_is_seen_at_once(org):
    assert _offset(org) == 45
    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"], port=settings["PORT"] or None,
                         dbname=settings["NAME"], user=settings["USER"],
                         password=settings["PASSWORD"] or None, autocommit=True) as other:
        other.execute("UPDATE deadlines_policyrule SET \"offset\" = 42 "
                      "WHERE rule_id = 'assessment'")
    assert _offset(org) == 42
