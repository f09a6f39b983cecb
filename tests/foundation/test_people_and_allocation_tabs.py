"""The People and Allocation tabs and the summary's allocation, read through SQL built once
(issue 13 §2; cpcases.core.compiled): the same people, allocations and order as before."""

from __future__ import annotations

import datetime as dt
import re

from cpcases.children.models import Relationship
from tests.factories import AllocationFactory, ChildPersonFactory, PersonFactory


def _cells(html: str, row_start: str) -> list[str]:
    return re.findall(rf"{row_start}(.*?)</tr>", html, flags=re.S)


def test_the_people_tab_lists_each_person_by_relationship_with_their_details(
        client, sw, child, org):
    father = PersonFactory(authority=org.authority, first_name="Frank", last_name="Father",
                           email="frank@example.org")
    mother = PersonFactory(authority=org.authority, first_name="Mary", last_name="Mother",
                           date_of_birth=dt.date(1990, 3, 4))
    ChildPersonFactory(child=child, person=mother, relationship=Relationship.MOTHER)
    ChildPersonFactory(child=child, person=father, relationship=Relationship.FATHER,
                       has_parental_responsibility=False)
    client.force_login(sw)
    page = client.get(f"/children/{child.pk}/people/").content.decode()
    assert page.index("Frank Father") < page.index("Mary Mother")  # father before mother
    assert "Born 04/03/1990" in page
    assert "frank@example.org" in page


def test_the_allocation_tab_shows_the_history_newest_first_and_the_summary_the_current(
        client, sw, sw_b, tm, child, org):
    current = child.allocations.get()
    current.ended_on = dt.date(2026, 2, 1)
    current.save()
    AllocationFactory(child=child, team=org.team_b, social_worker=sw_b,
                      started_on=dt.date(2026, 2, 1), ended_on=dt.date(2026, 3, 1),
                      created_by=tm, reason="Moved <team>")
    AllocationFactory(child=child, team=org.team_a, social_worker=sw,
                      started_on=dt.date(2026, 3, 1), reason="Back")
    client.force_login(sw)
    history = client.get(f"/children/{child.pk}/allocation/").content.decode()
    starts = re.findall(r"(\d\d/\d\d/2026)</td><td class=\"govuk-table__cell\">", history)
    assert starts[:3] == ["01/03/2026", "01/02/2026", "05/01/2026"]
    assert history.count("Current</strong>") == 1
    assert "Moved &lt;team&gt;" in history
    assert tm.full_name in history
    summary = client.get(f"/children/{child.pk}/").content.decode()
    assert sw.full_name in summary
    assert org.team_a.name in summary
