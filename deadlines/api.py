"""Deadlines and the timescale policy through the API, scoped exactly as the pages are."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, tzinfo
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cpcases.accounts.roles import Capability, Role
from cpcases.children.scoping import visible_children_sql
from cpcases.core import compiled
from cpcases.core.concurrency import VersionedUpdateMixin
from cpcases.core.filters import TotalOrderingFilter
from cpcases.core.paging import page_number_to_read
from cpcases.core.serializing import DirectModelSerializer, written_at
from deadlines import mywork, presentation, selectors, services, teampage
from deadlines.filters import DeadlineFilter
from deadlines.models import Deadline, DeadlineStatus, RuleOverride
from deadlines.policy import RULE_IDS, Direction, Unit
from deadlines.presentation import State


class DeadlineSerializer(DirectModelSerializer):
    """A deadline with what people see on the pages: the rule's name, the status in the one
    vocabulary (deadlines.presentation.State), the working-day countdown, and what to do
    where. Read without DRF's generic walk (cpcases.core.serializing: a page of 50 spent
    more there than on the values); pinned by tests/deadlines/test_deadline_api.py."""

    responsible = serializers.StringRelatedField(allow_null=True)
    delay_authorised_by = serializers.StringRelatedField(allow_null=True)
    subject_type = serializers.SerializerMethodField()
    rule_name = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(choices=State.choices, source="countdown.state",
                                    read_only=True)
    state_label = serializers.CharField(source="countdown.label", read_only=True)
    countdown = serializers.CharField(source="countdown.text", read_only=True,
                                      help_text='"Due today", "3 working days left", '
                                                '"2 working days overdue", "5 hours left"')
    working_days = serializers.IntegerField(
        source="countdown.working_days", read_only=True, allow_null=True,
        help_text="Working days left (negative: overdue); null for hour rules and closed "
                  "deadlines")
    hours = serializers.IntegerField(
        source="countdown.hours", read_only=True, allow_null=True,
        help_text="Hour rules: hours left (negative: overdue)")
    action = serializers.CharField(read_only=True, help_text="What to do")
    action_url = serializers.CharField(read_only=True, help_text="The page where it is done")

    class Meta:
        model = Deadline
        fields = ["id", "child", "rule_id", "rule_name", "subject_type", "object_id",
                  "anchor_date", "anchor_at", "due_date", "due_at", "responsible", "status",
                  "state", "state_label", "countdown", "working_days", "hours", "action",
                  "action_url", "met_at", "cancelled_at", "cancelled_reason",
                  "delay_authorised_by", "delay_authorised_at", "delay_reason"]

    def get_subject_type(self, obj: Deadline) -> str | None:
        return _subject_type(obj.content_type_id)


def _subject_type(content_type_id: int | None) -> str | None:
    if not content_type_id:
        return None
    # A list's rows carry no content type row (mywork.slim): Django's cache has them.
    return ContentType.objects.get_for_id(content_type_id).model


def _moment(zone: tzinfo, value: datetime | None) -> str | None:
    """A DateTimeField's value as DRF writes it (`written_at`, `zone` the current time
    zone asked once a page)."""
    return None if value is None else written_at(zone, value)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _text(value: Any) -> str | None:
    """A CharField's (a StringRelatedField's) value as DRF writes it."""
    return None if value is None else str(value)


# ChoiceField's answer: the choice whose text the value is (the value itself if none).
_STATES = {str(value): value for value, _label in State.choices}
_STATUSES = {str(value): value for value, _label in DeadlineStatus.choices}


def deadline_rows(deadlines: Iterable[Deadline]) -> list[dict[str, Any]]:
    """`DeadlineSerializer(deadlines, many=True).data` written out, for deadlines decorated
    by presentation.present (issue 13 §2: the serializer's walk over 25 fields cost a
    list of 50 about 1 ms, more than the rows' own making). The same keys in the same order
    and the same values and types; pinned against the serializer by
    tests/deadlines/test_deadline_api.py. The serializer stays for a record, the schema and
    anything else."""
    rows = []
    zone = timezone.get_current_timezone()
    for d in deadlines:
        countdown = d.countdown  # type: ignore[attr-defined]
        state, working_days, hours = countdown.state, countdown.working_days, countdown.hours
        rows.append({
            "id": d.pk, "child": d.child_id, "rule_id": _text(d.rule_id),
            "rule_name": _text(d.rule_name),  # type: ignore[attr-defined]
            "subject_type": _subject_type(d.content_type_id),
            "object_id": None if d.object_id is None else int(d.object_id),
            "anchor_date": _day(d.anchor_date), "anchor_at": _moment(zone, d.anchor_at),
            "due_date": _day(d.due_date), "due_at": _moment(zone, d.due_at),
            "responsible": _text(d.responsible),
            "status": None if d.status is None else _STATUSES.get(str(d.status), d.status),
            "state": None if state is None else _STATES.get(str(state), state),
            "state_label": _text(countdown.label), "countdown": _text(countdown.text),
            "working_days": None if working_days is None else int(working_days),
            "hours": None if hours is None else int(hours),
            "action": _text(d.action),  # type: ignore[attr-defined]
            "action_url": _text(d.action_url),  # type: ignore[attr-defined]
            "met_at": _moment(zone, d.met_at), "cancelled_at": _moment(zone, d.cancelled_at),
            "cancelled_reason": _text(d.cancelled_reason),
            "delay_authorised_by": _text(d.delay_authorised_by),
            "delay_authorised_at": _moment(zone, d.delay_authorised_at),
            "delay_reason": _text(d.delay_reason)})
    return rows


class DeadlineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Deadlines of the children the signed-in user may see, paged; filter by child,
    conference, plan, responsible person, rule, status and due range."""

    serializer_class = DeadlineSerializer
    filterset_class = DeadlineFilter
    ordering_fields = ["due_date", "status", "rule_id", "child__last_name"]

    ORDER = ("due_date", "id")  # the list's order when `?ordering=` asks none
    _kept_tried = False  # list() asked for the kept rows: filter_queryset does not again

    def get_queryset(self) -> QuerySet[Deadline]:
        # Only the columns the serializer reads (issue 13 §2): a page of 50 built whole
        # children and users, hundreds of columns a row.
        # The scope asked of each child's row (decision 88): PostgreSQL walks the index.
        visible = selectors.deadlines_visible(user=self.request.user, rules=True)
        return mywork.slim(visible).order_by(*self.ORDER)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # (No docstring: the OpenAPI schema would take it for the operation's description.)
        # The kept query's page (`_kept_rows`) without building the queryset first (the
        # user's scope through the ORM, about 0.3 ms of CPU a request): it is built only
        # where the kept SQL is first compiled or the filter backends answer.
        rows = self._kept_rows(self.get_queryset)
        if rows is None:
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(rows)  # type: ignore[arg-type]
        # The kept query's rows, presented: written out as the serializer writes them.
        return self.get_paginated_response(deadline_rows(page or []))

    def filter_queryset(self, queryset: QuerySet[Deadline]) -> Any:
        rows = None if self._kept_tried else self._kept_rows(lambda: queryset)
        return super().filter_queryset(queryset) if rows is None else rows

    def _kept_rows(self, queryset: Callable[[], QuerySet[Deadline]]
                   ) -> compiled.CountedRows | None:
        """A list's page and count from the kept query (deadlines.teampage, issue 13 §2: one
        query, its SQL compiled once per process for the filters and sort) where the list
        is asked plainly; None for the filter backends (invalid filters answer 400 there,
        an odd page number 404). `queryset()` is get_queryset's, asked only if needed."""
        self._kept_tried = True
        request, paginator = self.request, self.paginator
        if self.action != "list" or paginator is None:
            return None
        params = request.query_params
        number = page_number_to_read(params.get(paginator.page_query_param))
        size = paginator.get_page_size(request)
        # DRF's ordering filter reads only the view's fields of the queryset it is given.
        ordering = tuple(TotalOrderingFilter().get_ordering(request, Deadline.objects.none(),
                                                            self) or self.ORDER)
        query = None
        # The first page's statement planned once (teampage.one_page).
        page = (size, 0) if number == 1 else None
        if size and number and set(params) <= (
                {paginator.page_query_param, "ordering", *DeadlineFilter.base_filters}):
            if set(params).isdisjoint(DeadlineFilter.base_filters):
                query = _unfiltered_narrow(request.user, queryset, ordering) or \
                    teampage.unfiltered_query(user=request.user, request=request,
                                              ordering=ordering, page=page)
            else:
                query = teampage.kept_query(user=request.user, ordering=ordering,
                                            found=DeadlineFilter(params, queryset=queryset(),
                                                                 request=request),
                                            page=page)
        if query is None:
            return None
        return compiled.CountedRows(query, teampage.values(request.user, timezone.now()),
                                    offset=(number - 1) * size, limit=size)

    def paginate_queryset(self, queryset: QuerySet[Deadline]) -> list[Deadline] | None:
        page = super().paginate_queryset(queryset)
        if page is None:
            return None
        # A kept query's rows come with the policy's version (teampage.api_slim): the
        # presentation reads the policy without asking it again.
        with selectors.policy_read_once():
            if page and hasattr(page[0], "policy_version"):
                teampage.note_policy_version(page)
            return presentation.present(page)

    def get_object(self) -> Deadline:
        return presentation.present([super().get_object()])[0]


# Orderings compile_narrow does not take (another table's column): the team page's query.
# By ordering alone: the refusal depends on the list's shape, which every user's scope gives
# alike (keyed by the scope too, the set grew by a user and a day for good).
_NOT_NARROW: set[tuple[str, ...]] = set()


# The orders of the deadlines' index (Deadline.Meta, deadline_due), read either way.
_INDEX_ORDERS = frozenset({("due_date", "id"), ("-due_date", "-id")})
# Roles whose children are a team's, a service's or every child on a plan: enough of the
# authority's deadlines that the first rows of the index in scope come soon (a partner's
# few children could be the last of the authority's every deadline).
_WIDE_SCOPES = frozenset({Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.SERVICE_MANAGER,
                          Role.HEAD_OF_SERVICE, Role.CP_CHAIR, Role.BUSINESS_SUPPORT})


def _unfiltered_narrow(user: Any, queryset: Callable[[], QuerySet[Deadline]],
                       ordering: tuple[str, ...]) -> compiled.Compiled | None:
    """The list without filters, its page and count from the deadlines' narrow rows in one
    WITH query (compiled.compile_narrow): the team page's query (narrow_page) counts in a
    subquery of its own, the children's scope evaluated twice (issue 13 §2). None where the
    order is not of the deadline's own columns, or no child is in sight, and where the
    team page's query is quicker: in the index's order for a wide scope, its page's ids
    are the first rows of the index in scope and its count an index-only pass (about
    4.7 → 2 ms in PostgreSQL for a team's 7,500), where the window sorts them all."""
    scope = visible_children_sql(user, rules=True)  # decision 88
    if scope is None or ordering in _NOT_NARROW or (
            ordering in _INDEX_ORDERS and user.role in _WIDE_SCOPES):
        return None
    key = ("deadlines_api", scope, ordering)
    query = compiled.kept(key)
    if query is None:
        built = compiled.compile_narrow(queryset().order_by(*ordering), ordering, {})
        if built is None:
            _NOT_NARROW.add(ordering)
            return None
        query = compiled.cached(key, lambda: built)
    return query


class MyWorkGroupSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=[(g.key, g.title) for g in mywork.GROUPS])
    title = serializers.CharField()
    count = serializers.IntegerField()
    items = DeadlineSerializer(many=True, help_text="The first few, soonest first")
    show_all_url = serializers.CharField()


class QueueItemSerializer(serializers.Serializer):
    action = serializers.CharField()
    who = serializers.CharField()
    url = serializers.CharField()
    when = serializers.CharField()


class QueueSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    count = serializers.IntegerField()
    items = QueueItemSerializer(many=True)
    show_all_url = serializers.CharField()


class TeamBreachesSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    items = DeadlineSerializer(many=True)
    show_all_url = serializers.CharField()


class MyWorkSerializer(serializers.Serializer):
    groups = MyWorkGroupSerializer(many=True)
    queues = QueueSerializer(many=True)
    team_breaches = TeamBreachesSerializer(allow_null=True)


class MyWorkView(APIView):
    """"My work", as on the home page: the user's open deadlines in the same groups
    (overdue, due today, due this week, later) with counts and the first items, their role's
    queues, and for managers the team's breaches."""

    @extend_schema(responses=MyWorkSerializer)
    def get(self, request: Request) -> Response:
        return Response(my_work_data(mywork.my_work(user=request.user)))


def my_work_data(work: mywork.MyWork) -> dict[str, Any]:
    """MyWorkSerializer's representation of the work, written out (issue 13 §2: DRF's walk
    over its nested fields cost about half as much as finding the work): the same keys in
    the same order and the same values (tests/deadlines/test_my_work_page.py); the deadlines
    by their own serializer."""
    breaches = None
    if work.breaches_url:
        breaches = {"count": work.breach_count, "items": _deadlines(work.breaches),
                    "show_all_url": work.breaches_url}
    return {
        "groups": [{"key": g.key, "title": g.title, "count": g.count,
                    "items": _deadlines(g.items), "show_all_url": g.show_all_url}
                   for g in work.groups],
        "queues": [{"key": q.key, "title": q.title, "count": q.count,
                    "items": [{"action": i.action, "who": i.who, "url": i.url,
                               "when": i.when} for i in q.items],
                    "show_all_url": q.show_all_url} for q in work.queues],
        "team_breaches": breaches}


def _deadlines(deadlines: list[Deadline]) -> list[dict[str, Any]]:
    return deadline_rows(deadlines)


class RuleSerializer(serializers.Serializer):
    rule_id = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    anchor = serializers.CharField(read_only=True)
    offset = serializers.IntegerField(min_value=0)
    unit = serializers.ChoiceField(choices=Unit.choices)
    direction = serializers.ChoiceField(choices=Direction.choices)
    responsible_role = serializers.CharField(read_only=True)
    source = serializers.CharField(max_length=200)
    reminder_before = serializers.IntegerField(min_value=0)
    service_manager_after = serializers.IntegerField(min_value=0)
    head_of_service_after = serializers.IntegerField(min_value=0)
    variants = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    profile_name = serializers.CharField(read_only=True)
    overridden = serializers.BooleanField(read_only=True)
    override_reason = serializers.CharField(read_only=True)
    version = serializers.IntegerField(
        read_only=True, help_text="Of the authority's own value (0 while it has none): send "
                                  "it back with a PATCH")


class RuleOverrideSerializer(serializers.Serializer):
    offset = serializers.IntegerField(min_value=0, required=False)
    unit = serializers.ChoiceField(choices=Unit.choices, required=False)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    source = serializers.CharField(max_length=200, required=False)
    reminder_before = serializers.IntegerField(min_value=0, required=False)
    service_manager_after = serializers.IntegerField(min_value=0, required=False)
    head_of_service_after = serializers.IntegerField(min_value=0, required=False)
    variants = serializers.DictField(
        child=serializers.IntegerField(min_value=0), required=False,
        help_text="Named alternatives, e.g. the strategy discussion's urgency values")
    reason = serializers.CharField(help_text="Why the authority changes this rule")


class PolicyRuleViewSet(VersionedUpdateMixin, viewsets.ViewSet):
    """The timescale rules in force in the user's authority. Administrators may override one
    (PATCH, with a reason); everyone else reads."""

    lookup_field = "rule_id"
    lookup_value_regex = "[a-z0-9_]+"
    serializer_class = RuleSerializer

    @extend_schema(responses=RuleSerializer(many=True))
    def list(self, request: Request) -> Response:
        rules = selectors.effective_rules(request.user.authority_id).values()
        return Response(RuleSerializer(rules, many=True).data)

    @extend_schema(responses=RuleSerializer)
    def retrieve(self, request: Request, rule_id: str) -> Response:
        if rule_id not in RULE_IDS:
            raise NotFound("No such rule.")
        return Response(RuleSerializer(
            selectors.effective_rule(request.user.authority_id, rule_id)).data)

    def get_versioned_record(self) -> RuleOverride | None:
        return RuleOverride.objects.filter(authority_id=self.request.user.authority_id,
                                           rule_id=self.kwargs.get("rule_id")).first()

    @extend_schema(request=RuleOverrideSerializer, responses=RuleSerializer)
    def partial_update(self, request: Request, rule_id: str, **kwargs: Any) -> Response:
        if not request.user.can(Capability.MANAGE_POLICY):
            raise PermissionDenied("Only administrators may change the policy.")
        if rule_id not in RULE_IDS:
            raise NotFound("No such rule.")
        serializer = RuleOverrideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("reason")
        services.policy_override_rule(authority=request.user.authority, rule_id=rule_id,
                                      user=request.user, reason=reason, **data)
        return Response(RuleSerializer(
            selectors.effective_rule(request.user.authority_id, rule_id)).data)
