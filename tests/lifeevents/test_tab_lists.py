"""The life-events tab reads only the lists that have rows (issue 13 §2): one query says
which, `lifeevents.selectors.child_tab_lists`; it must say what each list's own query finds,
for every child of the demo (a child missing now, with orders, a complaint, a restriction,
letters and open deadlines, and children with none)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpcases.children.models import Child
from deadlines.models import Deadline, DeadlineStatus
from lifeevents import selectors
from lifeevents.models import (
    CaseTransfer,
    ChildDeath,
    Complaint,
    LegalOrder,
    Letter,
    MissingEpisode,
    ProfessionalChallenge,
    RecordRestriction,
)
from lifeevents.views import LIFE_RULES

pytestmark = pytest.mark.django_db


def _lists(child: Child) -> set[str]:
    """What each list's own query finds (the tab's queries, as they were)."""
    found = {
        "death": ChildDeath.objects.filter(child=child).exists(),
        "orders": LegalOrder.objects.filter(child=child).exists(),
        "episodes": MissingEpisode.objects.filter(child=child).exists(),
        "letters": Letter.objects.filter(child=child).exists(),
        "complaints": Complaint.objects.filter(child=child).exists(),
        "challenges": ProfessionalChallenge.objects.filter(child=child).exists(),
        "transfers": CaseTransfer.objects.filter(child=child).exists(),
        "restriction": RecordRestriction.objects.filter(child=child,
                                                        lifted_at__isnull=True).exists(),
        "deadlines": Deadline.objects.filter(child=child, rule_id__in=LIFE_RULES,
                                             status=DeadlineStatus.OPEN).exists(),
    }
    return {name for name, has in found.items() if has}


def test_the_tabs_lists_with_rows_are_those_each_lists_query_finds() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    seen: set[str] = set()
    for child in Child.objects.all():
        with CaptureQueriesContext(connection) as queries:
            has = selectors.child_tab_lists(child.pk, LIFE_RULES)
        assert len(queries) == 1
        assert has == _lists(child), child
        seen |= has
    # The demo has rows in most lists, and children with none.
    assert {"episodes", "orders", "complaints", "restriction", "letters", "deadlines"} <= seen
    assert any(not selectors.child_tab_lists(c.pk, LIFE_RULES) for c in Child.objects.all())
