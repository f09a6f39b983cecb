"""Break-glass opening of a record outside one's scope, and merging duplicate records."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.apps import apps
from django.core import mail

from cpcases.audit.models import AccessEvent
from cpcases.children.models import ChildPerson
from cpcases.children.scoping import can_view_child
from cpcases.core.errors import NotPermitted, ServiceError
from deadlines.models import Deadline, DeadlineStatus
from deadlines.services import deadline_set
from frontdoor import merge, services
from frontdoor.models import ChildMerge
from tests.factories import AllocationFactory, ChildFactory, PersonFactory
from tests.frontdoor.conftest import at, record_contact

pytestmark = pytest.mark.django_db


def test_break_glass_opening(sw, tm_b, other_team_child, django_capture_on_commit_callbacks):
    tm_b.email = "ben@example.org"
    tm_b.save()
    assert not can_view_child(sw, other_team_child.pk)
    with pytest.raises(ServiceError, match="reason"):
        services.break_glass_open(actor=sw, child=other_team_child, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        grant = services.break_glass_open(
            actor=sw, child=other_team_child,
            reason="Police called about this child out of hours")
    assert can_view_child(sw, other_team_child.pk)
    event = AccessEvent.objects.get(child_id=other_team_child.pk, section="break-glass")
    assert event.user == sw
    assert "out of hours" in event.detail["reason"]
    assert grant.holding_team == tm_b.team
    assert mail.outbox[0].to == ["ben@example.org"]
    assert "outside their caseload" in mail.outbox[0].body
    # The opening lasts for the day only.
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=1)):
        assert not can_view_child(sw, other_team_child.pk)


def test_break_glass_never_opens_a_restricted_record(sw_b, restricted_child):
    with pytest.raises(NotPermitted):
        services.break_glass_open(actor=sw_b, child=restricted_child,
                                  reason="I think I know this family")
    assert not can_view_child(sw_b, restricted_child.pk)


def test_partners_cannot_break_glass(police, other_team_child):
    with pytest.raises(NotPermitted):
        services.break_glass_open(actor=police, child=other_team_child,
                                  reason="Investigating an allegation")


def test_a_manager_merges_a_duplicate_every_linked_record_moves(org, sw, tm, duty_sw,
                                                                 duty_tm):
    # The front door met "Jon Smyth" as a new child; he is John Smith on team A's caseload.
    keep = ChildFactory(authority=org.authority, first_name="John", last_name="Smith",
                        nhs_number="9434765919")
    AllocationFactory(child=keep, team=org.team_a, social_worker=sw)
    contact = record_contact(duty_sw, at(2026, 12, 15, 9), new_children=[
        services.NewChild("Jon", "Smyth", dt.date(2016, 4, 2), nhs_number="")])
    duplicate = contact.children.get()
    # Both records' clocks: the same rule and subject twice after the merge.
    deadline_set(child=keep, rule_id="contact_decision", anchor=at(2026, 12, 15, 10),
                 subject=contact)
    mother = PersonFactory(authority=org.authority)
    ChildPerson.objects.create(child=duplicate, person=mother, relationship="mother")
    # The manager of team A takes the duplicate into scope first (moved to team A).
    from cpcases.children.services import child_allocate

    child_allocate(user=duty_tm, child=duplicate, team=org.team_a, social_worker=sw,
                   reason="Known to team A")
    with time_machine.travel(at(2026, 12, 15, 12), tick=False):
        record = merge.child_merge(actor=tm, keep=keep, duplicate=duplicate,
                                   reason="Same NHS number and mother")
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep
    assert list(contact.children.all()) == [keep]
    assert keep.people_links.get().person == mother
    assert not can_view_child(tm, duplicate.pk)
    # Deadlines de-duplicated: one open contact decision remains, the later one cancelled.
    open_ = Deadline.objects.filter(child=keep, rule_id="contact_decision",
                                    status=DeadlineStatus.OPEN)
    assert open_.count() == 1
    cancelled = Deadline.objects.get(pk__in=record.deadlines_cancelled)
    assert cancelled.status == DeadlineStatus.CANCELLED
    assert "merge" in cancelled.cancelled_reason
    # Audited, keeping what it replaced.
    assert ChildMerge.objects.get() == record
    assert record.merged_by == tm
    assert record.replaced["first_name"] == "Jon"
    assert record.moved["frontdoor.ContactChild"]
    events = apps.get_model("children", "ChildEvent").objects.filter(pgh_obj_id=duplicate.pk)
    assert events.filter(merged_into_id=keep.pk).exists()


def test_only_a_manager_merges(sw, tm, child, org):
    other = ChildFactory(authority=org.authority)
    AllocationFactory(child=other, team=org.team_a, social_worker=sw)
    with pytest.raises(NotPermitted):
        merge.child_merge(actor=sw, keep=child, duplicate=other, reason="Same")
    with pytest.raises(ServiceError, match="reason"):
        merge.child_merge(actor=tm, keep=child, duplicate=other, reason="")
