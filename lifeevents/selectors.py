"""Reads for life on and off a plan, always within the user's scope."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import MANAGEMENT_LADDER, Role
from cpcases.audit.models import AccessAction
from cpcases.audit.services import access_record
from cpcases.children.models import Child
from cpcases.children.scoping import visible_children
from cpcases.core.compiled import prepared_cursor
from cpcases.plans.models import PlanEndReason
from deadlines.models import Deadline, DeadlineStatus
from lifeevents.models import (
    CHALLENGE_STAGES,
    SHORT_ORDER_KINDS,
    AgencyViewRequest,
    CaseTransfer,
    ChildDeath,
    Complaint,
    LegalOrder,
    Letter,
    MissingEpisode,
    ProfessionalChallenge,
    RecordRestriction,
)

# The census's ReasonForClosure (RETURNS.md) for a plan's end reason: RC2 died, RC5
# transferred to another authority; the others are services ceased (RC7).
CENSUS_CLOSURE = {PlanEndReason.DIED: "RC2", PlanEndReason.TRANSFERRED: "RC5",
                  PlanEndReason.NO_LONGER_AT_RISK: "RC7", PlanEndReason.REACHED_18: "RC7",
                  PlanEndReason.LEFT_UK: "RC7"}


def census_closure_reason(end_reason: str) -> str:
    return CENSUS_CLOSURE.get(end_reason, "")  # type: ignore[call-overload]


def sees_missing_list(user: User) -> bool:
    return getattr(user, "role", None) in (Role.SOCIAL_WORKER, *MANAGEMENT_LADDER)


def missing_now(*, user: User) -> QuerySet[MissingEpisode]:
    """Children in the user's scope who are missing now, longest missing first."""
    return (MissingEpisode.objects.filter(child__in=visible_children(user),
                                          found_at__isnull=True)
            .select_related("child", "reported_by", "lead_social_worker")
            .order_by("last_seen_at", "id"))


def open_missing_count(user: User) -> int:
    return missing_now(user=user).count() if sees_missing_list(user) else 0


def _for_view(request: HttpRequest, queryset: QuerySet, pk: int, section: str) -> object:
    """An object of a child the user may see; refusals logged and answered 404."""
    found = queryset.filter(pk=pk).select_related("child").first()
    if found is None or not visible_children(request.user).filter(pk=found.child_id).exists():
        if found is not None:
            access_record(request=request, child_id=found.child_id,
                          action=AccessAction.REFUSED, section=section)
        raise Http404("Not found")
    access_record(request=request, child_id=found.child_id, action=AccessAction.VIEW,
                  section=section)
    return found


def episode_for_view(*, request: HttpRequest, pk: int, section: str = "missing"
                     ) -> MissingEpisode:
    return _for_view(request, MissingEpisode.objects.all(), pk, section)  # type: ignore


def death_for_view(*, request: HttpRequest, pk: int, section: str = "death") -> ChildDeath:
    return _for_view(request, ChildDeath.objects.all(), pk, section)  # type: ignore


def order_for_view(*, request: HttpRequest, pk: int, section: str = "orders") -> LegalOrder:
    return _for_view(request, LegalOrder.objects.all(), pk, section)  # type: ignore


def complaint_for_view(*, request: HttpRequest, pk: int, section: str = "complaints"
                       ) -> Complaint:
    return _for_view(request, Complaint.objects.all(), pk, section)  # type: ignore


def view_request_for_view(*, request: HttpRequest, pk: int, section: str = "plan-ending"
                          ) -> AgencyViewRequest:
    """An absent agency's view asked for before a plan ends, if the user sees the child."""
    found = AgencyViewRequest.objects.filter(pk=pk).select_related(
        "views__plan__child").first()
    child_id = found.views.plan.child_id if found else None
    if found is None or not visible_children(request.user).filter(pk=child_id).exists():
        if found is not None:
            access_record(request=request, child_id=child_id, action=AccessAction.REFUSED,
                          section=section)
        raise Http404("Not found")
    access_record(request=request, child_id=child_id, action=AccessAction.VIEW,
                  section=section)
    return found


def letter_for_view(*, request: HttpRequest, pk: int, section: str = "letters") -> Letter:
    return _for_view(request, Letter.objects.all(), pk, section)  # type: ignore


def looked_after_history(child: Child, orders: Iterable[LegalOrder] | None = None
                         ) -> list[LegalOrder]:
    """`orders`: all the child's legal orders when the caller has them already."""
    return [o for o in (child.legal_orders.all() if orders is None else orders)
            if o.is_looked_after]


def is_looked_after(child: Child, on: date | None = None, *,
                    orders: Iterable[LegalOrder] | None = None) -> bool:
    on = on or timezone.localdate()
    return any(o.in_force_on(on) for o in looked_after_history(child, orders))


def epo_or_police_protection_within_six_months(child: Child, on: date) -> bool:
    """Annex A list 7: an EPO or police protection in the six months before `on`."""
    since = on - relativedelta(months=6)
    for order in child.legal_orders.filter(kind__in=SHORT_ORDER_KINDS, starts_on__lte=on):
        end = order.ended_on or order.ends_on or order.starts_on
        if end >= since:
            return True
    return False


def child_letters(child: Child) -> QuerySet[Letter]:
    return Letter.objects.filter(child=child).select_related("sent_by")


def named_deadlines(deadlines: QuerySet, authority_id: int) -> list[dict[str, object]]:
    """Deadlines with their rule's name under the authority's policy, for the pages."""
    from deadlines.selectors import effective_rules

    listed = list(deadlines.select_related("responsible"))
    if not listed:  # the policy's rules (four queries) only to name some (issue 13 §2)
        return []
    rules = effective_rules(authority_id)
    return [{"name": rules[d.rule_id].name if d.rule_id in rules else d.rule_id,
             "deadline": d} for d in listed]


def transfer_for_view(*, request: HttpRequest, pk: int, section: str = "transfer"
                      ) -> CaseTransfer:
    return _for_view(request, CaseTransfer.objects.all(), pk, section)  # type: ignore


def transfers_for_manager(*, user: User) -> QuerySet[CaseTransfer]:
    """Transfers from or to the manager's team (service, for service managers and heads of
    service), or of a child they see."""
    from django.db.models import Q

    if user.role == Role.TEAM_MANAGER:
        teams = Q(from_team_id=user.team_id) | Q(to_team_id=user.team_id)
    else:
        service = user.effective_service_id
        teams = Q(from_team__service_id=service) | Q(to_team__service_id=service)
    return (CaseTransfer.objects.filter(teams | Q(child__in=visible_children(user)))
            .filter(child__authority_id=user.authority_id)
            .select_related("child", "from_team", "to_team", "from_worker", "to_worker")
            .order_by("-transferred_on", "-id"))


def visible_ids(user: User, child_ids: list[int]) -> list[int]:
    return list(visible_children(user).filter(pk__in=child_ids).values_list("pk", flat=True))


def challenge_for_view(*, request: HttpRequest, pk: int, section: str = "challenge"
                       ) -> ProfessionalChallenge:
    return _for_view(request, ProfessionalChallenge.objects.all(), pk, section)  # type: ignore


def challenge_summary(*, user: User, on: date | None = None) -> dict[str, object]:
    """003: the use of the procedure and its outcomes, six-monthly: challenges raised in the
    six months to `on` about children the manager sees, by the highest stage reached."""
    on = on or timezone.localdate()
    since = on - relativedelta(months=6)
    challenges = list(ProfessionalChallenge.objects.filter(
        child__in=visible_children(user), raised_on__gt=since, raised_on__lte=on)
        .select_related("child", "raised_by"))
    by_stage = {stage: {"resolved": 0, "open": 0} for stage in CHALLENGE_STAGES}
    for c in challenges:
        by_stage[c.stage]["resolved" if c.resolved_on else "open"] += 1
    return {"since": since, "on": on, "total": len(challenges),
            "by_stage": [(s, CHALLENGE_STAGES[s], v) for s, v in by_stage.items()],
            "reported": [c for c in challenges if c.reported_to_partnership_on],
            "challenges": challenges}


# --- the child's tab ---------------------------------------------------------------------------

# What the tab lists, each of the child's own rows: (name, table's model, further condition).
# The deadlines' condition takes the open status and the tab's rules as its parameters.
TAB_LISTS: tuple[tuple[str, type[Model], str], ...] = (
    ("death", ChildDeath, ""), ("orders", LegalOrder, ""), ("episodes", MissingEpisode, ""),
    ("letters", Letter, ""), ("complaints", Complaint, ""),
    ("challenges", ProfessionalChallenge, ""), ("transfers", CaseTransfer, ""),
    ("restriction", RecordRestriction, " AND lifted_at IS NULL"),
    ("deadlines", Deadline, " AND status = %s AND rule_id = ANY(%s)"),
)


def child_tab_lists(child_id: int, deadline_rules: Iterable[str]) -> set[str]:
    """The names (TAB_LISTS) of the tab's lists that have rows for the child, in one query,
    so the tab reads only those (issue 13 §2: most children have no missing episode,
    order, complaint, challenge, transfer, letter or restriction; eight queries asked to
    learn each was empty). Only the SQL text is kept: every call asks afresh."""
    params: list[object] = []
    for _name, _model, condition in TAB_LISTS:
        params.append(child_id)
        if condition.count("%s") == 2:  # the deadlines'
            params += [DeadlineStatus.OPEN.value, list(deadline_rules)]
    with prepared_cursor(connection) as cursor:  # planned once per connection
        cursor.execute(_tab_lists_sql(), params)
        row = cursor.fetchone()
    return {name for (name, _model, _condition), has in zip(TAB_LISTS, row, strict=True)
            if has}


@lru_cache(maxsize=1)
def _tab_lists_sql() -> str:
    quote = connection.ops.quote_name
    # Table and column names from the models; every value a parameter.
    tests = (f"EXISTS (SELECT 1 FROM {quote(model._meta.db_table)} "  # noqa: S608
             f"WHERE {quote(model._meta.get_field('child').column)} = %s{condition})"
             for _name, model, condition in TAB_LISTS)
    return "SELECT " + ", ".join(tests)
