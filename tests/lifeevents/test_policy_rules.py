"""Every timescale of life on and off a plan is a rule of the policy, with its source, on the
policy page an administrator manages, and declared with its lifecycle."""

from __future__ import annotations

import html

import pytest

from deadlines.policy import LIFE_EVENT_RULES, LIFECYCLES

pytestmark = pytest.mark.django_db

LIFE_RULE_IDS = {
    "missing_escalation", "return_interview", "death_partnership_notification",
    "serious_case_review_consideration", "icpc_before_order_expiry", "icpc_after_cao",
    "complaint_chair_acknowledge", "complaint_chair_consider", "complaint_chair_reply",
    "appeal_panel", "appeal_outcome", "plan_end_views", "cin_review_next", "challenge_stage",
    "transfer_out_conference"}


def test_every_life_event_rule_is_in_the_policy_with_its_source_and_lifecycle():
    assert {r.rule_id for r in LIFE_EVENT_RULES} == LIFE_RULE_IDS
    for rule in LIFE_EVENT_RULES:
        assert rule.source.startswith(("002", "003")), rule.rule_id
        assert rule.rule_id in LIFECYCLES


def test_the_policy_page_lists_every_life_event_rule_with_its_source(client, admin_user):
    client.force_login(admin_user)
    page = html.unescape(client.get("/deadlines/policy/").content.decode())
    for rule in LIFE_EVENT_RULES:
        assert f'data-testid="rule-{rule.rule_id}"' in page
        assert rule.name in page
        assert rule.source in page
