"""The demo records the Okoro conference with a booked review, never a second plan, and
running it again changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from conferences.models import Conference, ConferenceKind, ConferenceStatus
from conferences.outcomes.demo import seed_outcomes_demo
from conferences.outcomes.models import ChildDecision, ConferenceRecord
from cpcases.plans.models import ChildProtectionPlan
from deadlines.models import Deadline, DeadlineStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("plans_first", [True, False])
def test_okoro_conference_with_review_booked_and_a_second_run_changes_nothing(
        plans_first: bool) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    if plans_first:
        from cpcases.plans.demo import seed_plans_demo

        seed_plans_demo(io.StringIO())
    seed_outcomes_demo(io.StringIO())
    seed_outcomes_demo(io.StringIO())
    decisions = ChildDecision.objects.filter(child__last_name="Okoro")
    assert decisions.count() == 2
    assert ChildProtectionPlan.objects.filter(child__last_name="Okoro").count() == 2
    review = decisions.first().review_conference
    assert review.kind == ConferenceKind.REVIEW
    assert review.status == ConferenceStatus.BOOKED
    assert Conference.objects.filter(kind=ConferenceKind.REVIEW,
                                     children__last_name="Okoro").distinct().count() == 1
    assert Deadline.objects.filter(rule_id="first_review", child__last_name="Okoro",
                                   status=DeadlineStatus.OPEN).count() == 2
    record = ConferenceRecord.objects.get(conference=decisions.first().conference)
    assert record.signed_off_at is not None
    assert record.decision_letter_issued_at is not None
