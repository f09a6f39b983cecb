"""The permission walk's rules for the lifeevents routes, and the objects their paths name,
built for the walk's child (team A, allocated to sw) through the services."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from cpcases.children.models import Child
from lifeevents import services
from lifeevents.models import Letter, OrderKind


def _fixture(fixtures: Any, name: str) -> Any:
    return fixtures.getfixturevalue(name)


def walk_missing_episode(fixtures: Any, child: Child) -> int:
    return services.missing_episode_record(
        child=child, user=_fixture(fixtures, "sw"), last_seen_at=timezone.now(),
        last_seen_by="Walk").pk


def walk_missing_found_episode(fixtures: Any, child: Child) -> int:
    episode = services.missing_episode_record(
        child=child, user=_fixture(fixtures, "sw"), last_seen_at=timezone.now(),
        last_seen_by="Walk")
    return services.missing_episode_found(episode=episode, user=_fixture(fixtures, "sw"),
                                          found_at=timezone.now()).pk


def walk_child_death(fixtures: Any, child: Child) -> int:
    return services.child_death_record(child=child, user=_fixture(fixtures, "tm"),
                                       died_on=timezone.localdate(),
                                       circumstances="Walk").pk


def walk_cao_order(fixtures: Any, child: Child) -> int:
    return services.legal_order_record(child=child, user=_fixture(fixtures, "sw"),
                                       kind=OrderKind.CAO,
                                       starts_on=timezone.localdate()).pk


def _complaint(fixtures: Any, child: Child) -> Any:
    return services.complaint_receive(
        child=child, user=_fixture(fixtures, "tm"), complainant_name="Walk",
        complainant_relationship="Mother", about="process", details="Walk",
        received_on=timezone.localdate(), complainant_address="1 Walk Street")


def walk_complaint(fixtures: Any, child: Child) -> int:
    return _complaint(fixtures, child).pk


def walk_letter(fixtures: Any, child: Child) -> int:
    complaint = _complaint(fixtures, child)
    services.complaint_advance(complaint=complaint, user=_fixture(fixtures, "tm"),
                               step="respond", on=timezone.localdate(), text="Walk")
    return Letter.objects.get(object_id=complaint.pk).pk


def walk_transfer_out(fixtures: Any, child: Child) -> int:
    return services.transfer_out_record(
        child=child, user=_fixture(fixtures, "tm"), receiving_authority="Walkshire",
        notified_on=timezone.localdate(), reason="Walk").pk


def walk_plan_ending_notice(fixtures: Any, child: Child) -> int:
    from cpcases.plans import services as plans
    from tests.plans.walk import walk_plan

    sw = _fixture(fixtures, "sw")
    plan = plans.plan_end(plan=plans.current_plan(child) or _plan(fixtures, child, walk_plan),
                          ended_on=timezone.localdate(), reason="no_longer_at_risk", user=sw,
                          stepdown_rationale="Walk")
    return services.plan_ending_notify(plan=plan, user=sw).pk


def _plan(fixtures: Any, child: Child, build: Any) -> Any:
    from cpcases.plans.models import ChildProtectionPlan

    return ChildProtectionPlan.objects.get(pk=build(fixtures, child))


def _ended_plan(fixtures: Any, child: Child) -> Any:
    from cpcases.plans import services as plans
    from tests.plans.walk import walk_plan

    return plans.plan_end(plan=plans.current_plan(child) or _plan(fixtures, child, walk_plan),
                          ended_on=timezone.localdate(), reason="no_longer_at_risk",
                          user=_fixture(fixtures, "sw"), stepdown_rationale="Walk")


def walk_ended_plan(fixtures: Any, child: Child) -> int:
    return _ended_plan(fixtures, child).pk


def walk_agency_view_request(fixtures: Any, child: Child) -> int:
    """A review (with a health invitee who did not come) that ended the plan."""
    from conferences.models import Conference, ConferenceKind, Invitation, InviteeKind
    from lifeevents.ending import plan_end_views_seek

    plan = _ended_plan(fixtures, child)
    chair = _fixture(fixtures, "chair")
    review = Conference.objects.create(
        authority_id=child.authority_id, kind=ConferenceKind.REVIEW, date=plan.ended_on,
        start_time=timezone.now().time(), venue="Walk", chair=chair,
        minute_taker=_fixture(fixtures, "bso"))
    review.children.set([child])
    Invitation.objects.create(conference=review, kind=InviteeKind.PROFESSIONAL, name="Walk",
                              agency="health", email="walk@nhs.example", how_invited="email")
    views = plan_end_views_seek(plan=plan, conference=review, user=chair)
    return views.requests.get().pk  # type: ignore[union-attr]


def walk_record_restriction(fixtures: Any, child: Child) -> int:
    from lifeevents.restriction import record_restrict

    return record_restrict(child=child, user=_fixture(fixtures, "tm"), reason="Walk",
                           named=[_fixture(fixtures, "sw")]).pk


def walk_challenge(fixtures: Any, child: Child) -> int:
    return services.challenge_raise(child=child, user=_fixture(fixtures, "sw"),
                                    about="Walk", with_whom="Walk").pk


WALK_PLACEHOLDERS = {
    "ended_plan": walk_ended_plan, "agency_view_request": walk_agency_view_request,
    "record_restriction": walk_record_restriction,
    "challenge": walk_challenge,
    "plan_ending_notice": walk_plan_ending_notice,
    "missing_episode": walk_missing_episode, "missing_found_episode": walk_missing_found_episode,
    "child_death": walk_child_death, "cao_order": walk_cao_order,
    "complaint": walk_complaint, "letter": walk_letter, "transfer_out": walk_transfer_out,
}


def access_rules(Access: Any, ANON: tuple[int, ...], API_ANON: tuple[int, ...]
                 ) -> dict[str, Any]:
    """Added to tests/foundation/test_permission_walk.ACCESS."""
    api_actions = {
        "missing-episode": ("missing-episodes", "missing_episode", ("found", "interview")),
        "child-death": ("child-deaths", "child_death",
                        ("notify-partnership", "review-decision")),
        "legal-order": ("legal-orders", "cao_order", ("assessments-concluded", "end")),
        "complaint": ("complaints", "complaint", ("advance",)),
        "letter": ("letters", "letter", ()),
        "case-transfer": ("case-transfers", "transfer_out", ("their-conference",)),
        "professional-challenge": ("professional-challenges", "challenge",
                                   ("escalate", "resolve")),
        "agency-view-request": ("agency-view-requests", "agency_view_request", ("record",)),
        "record-restriction": ("record-restrictions", "record_restriction", ("lift",)),
    }
    rules: dict[str, Any] = {
        "lifeevents:child": Access("/life/child/{child}/"),
        "lifeevents:missing_new": Access("/life/child/{child}/missing/new/"),
        "lifeevents:death_new": Access("/life/child/{child}/death/new/", insider="tm",
                                       outsider="tm_b"),
        "lifeevents:order_new": Access("/life/child/{child}/orders/new/"),
        "lifeevents:complaint_new": Access("/life/child/{child}/complaints/new/",
                                           insider="tm", outsider="tm_b"),
        "lifeevents:transfer_new": Access("/life/child/{child}/transfer/", insider="tm",
                                          outsider="tm_b"),
        "lifeevents:transfer_out_new": Access("/life/child/{child}/transfer-out/",
                                              insider="tm", outsider="tm_b"),
        "lifeevents:transfers": Access("/life/transfers/", insider="tm", outsider="sw",
                                       refused=(403,)),
        "lifeevents:transfer_out_held": Access(
            "/life/transfers/{transfer_out}/their-conference/", insider="tm",
            outsider="tm_b"),
        "lifeevents:challenge_new": Access("/life/child/{child}/challenges/new/"),
        "lifeevents:challenge": Access("/life/challenges/{challenge}/"),
        "lifeevents:challenge_summary": Access("/life/challenges/summary/", insider="tm",
                                               outsider="sw", refused=(403,)),
        "lifeevents:missing_list": Access("/life/missing/", outsider="police",
                                          refused=(403,)),
        "lifeevents:missing_found": Access("/life/missing/{missing_episode}/found/"),
        "lifeevents:missing_interview": Access(
            "/life/missing/{missing_found_episode}/interview/"),
        "lifeevents:death": Access("/life/deaths/{child_death}/"),
        "lifeevents:death_notify": Access("/life/deaths/{child_death}/notify-partnership/",
                                          insider="hos", outsider="tm", refused=(403,)),
        "lifeevents:death_review": Access("/life/deaths/{child_death}/review/",
                                          insider="hos", outsider="tm", refused=(403,)),
        "lifeevents:order_concluded": Access(
            "/life/orders/{cao_order}/assessments-concluded/"),
        "lifeevents:order_end": Access("/life/orders/{cao_order}/end/"),
        "lifeevents:complaint": Access("/life/complaints/{complaint}/", insider="tm",
                                       outsider="tm_b"),
        "lifeevents:letter": Access("/life/letters/{letter}/"),
        "lifeevents:plan_notify": Access("/life/plans/{plan}/notify-ending/", ok=302,
                                         method="post"),
        "lifeevents:plan_ending": Access("/life/plans/{ended_plan}/ending/"),
        "lifeevents:agency_view_record": Access("/life/agency-views/{agency_view_request}/"),
        "lifeevents:restrict": Access("/life/child/{child}/restrict/", insider="tm",
                                      outsider="tm_b"),
        "lifeevents:unrestrict": Access("/life/child/{child}/unrestrict/", insider="tm",
                                        outsider="tm_b"),
        "lifeevents-api:plan-ending-notice-detail": Access(
            "/api/v1/plan-ending-notices/{plan_ending_notice}/"),
        "lifeevents-api:plan-ending-notice-list": Access(
            "/api/v1/plan-ending-notices/", outsider=None, refused=API_ANON),
        "lifeevents-api:case-transfer-out": Access(
            "/api/v1/case-transfers/out/", ok=405, outsider=None, refused=API_ANON),
    }
    for basename, (prefix, key, actions) in api_actions.items():
        rules[f"lifeevents-api:{basename}-list"] = Access(
            f"/api/v1/{prefix}/", outsider=None, refused=API_ANON)
        rules[f"lifeevents-api:{basename}-detail"] = Access(
            f"/api/v1/{prefix}/{{{key}}}/", insider="tm", outsider="tm_b")
        for name in actions:
            rules[f"lifeevents-api:{basename}-{name}"] = Access(
                f"/api/v1/{prefix}/{{{key}}}/{name}/", ok=405, outsider=None,
                refused=API_ANON)
    return rules
