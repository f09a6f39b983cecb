"""Child protection plans, core group meetings and Child in Need plans through the API: scoped
as the pages are, every write through the same service (refusals 403, failed preconditions
400 with the message)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date, datetime, tzinfo
from typing import Any, TypeVar

from django.db.models import OuterRef, Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency
from cpcases.core.api import scoped_get, visible_child
from cpcases.core.choices import WordChoiceField, WordChoiceFilter
from cpcases.core.compiled import json_rows
from cpcases.core.concurrency import VersionedUpdateMixin
from cpcases.core.filters import record_filters
from cpcases.core.kept_lists import KeptListMixin
from cpcases.core.prefetched import PrefetchedListSerializer
from cpcases.core.serializing import (
    DirectModelSerializer,
    NotWrittenOut,
    WrittenRowsListSerializer,
    writes_plain_value,
    written_at,
)
from cpcases.plans import selectors, services
from cpcases.plans.choices import CATEGORY_WORDS
from cpcases.plans.models import (
    ActionStatus,
    Attendance,
    ChildProtectionPlan,
    CinAction,
    CinMeeting,
    CinMeetingKind,
    CinPlan,
    CoreGroupMeeting,
    CoreGroupMember,
    MeetingAttendance,
    PlanAction,
    PlanEndReason,
    PlanVersion,
    Recommendation,
    action_overdue,
)

T = TypeVar("T")


def _user(request: Request, user_id: int | None, field: str) -> User | None:
    """A user of the caller's authority; else 400 naming the request `field`."""
    if user_id is None:
        return None
    found = User.objects.filter(pk=user_id, authority_id=request.user.authority_id).first()
    if found is None:
        raise ValidationError({field: [f"There is no such user (id {user_id})."]})
    return found


def _plan(request: Request, plan_id: int) -> ChildProtectionPlan:
    return scoped_get(selectors.plans_visible(request.user), plan_id, what="plan")


# --- serializers out ------------------------------------------------------------------------


# A list's plans carry their members, actions and versions as JSON rows of their own query
# (issue 13 §2): three queries fewer a page, and no model instances made of those rows. They
# lead to no child but the plan's own (a version's core group meeting is a meeting of its
# plan), which the list logs, so the read audit has nothing to find in them.
ROWS = "json_rows_"


class _Rows(tuple):  # type: ignore[type-arg]
    """A nested list's JSON rows, as the list's query carried them."""


class RowsListSerializer(PrefetchedListSerializer):
    """A nested list (`many=True`) read from the JSON rows its row carries (`nested_rows`),
    each written by the child serializer's `from_rows`; else as PrefetchedListSerializer (a
    record read, a record just written)."""

    reads_without_context = True  # the row alone (cpcases.core.serializing)

    def get_attribute(self, instance: Any) -> Any:
        carried = ROWS + self.source_attrs[0]
        if carried in instance.__dict__:
            return _Rows(instance.__dict__[carried] or ())
        return super().get_attribute(instance)

    def to_representation(self, data: Any) -> list[Any]:
        if isinstance(data, _Rows):
            return self.child.from_rows(data)  # type: ignore[no-any-return,union-attr]
        return super().to_representation(data)  # type: ignore[no-any-return]


def nested_rows(serializer: Any, relation: str) -> dict[str, Any]:
    """The annotation carrying a plan's `relation` rows as `serializer` reads them (its
    `row_columns`, in its `row_order`): NULL for none."""
    related = ChildProtectionPlan._meta.get_field(relation).related_model
    rows = related._default_manager.filter(plan_id=OuterRef("pk"))  # type: ignore[union-attr]
    return {ROWS + relation: json_rows(rows, serializer.row_columns, serializer.row_order)}


class CoreGroupMemberSerializer(DirectModelSerializer):
    # Each row's columns, in Meta.fields' order; the relation's order, then the key (a
    # total order where Meta.ordering has none between two members of one agency and name).
    row_columns = ("id", "user_id", "name", "agency", "role", "email", "mobile",
                   "contact_frequency", "removed_on")
    row_order = ("agency", "name", "id")

    class Meta:
        model = CoreGroupMember
        list_serializer_class = RowsListSerializer
        fields = ["id", "user", "name", "agency", "role", "email", "mobile",
                  "contact_frequency", "removed_on"]

    @classmethod
    def from_rows(cls, rows: Iterable[list[Any]]) -> list[dict[str, Any]]:
        # Plain values as JSON gives them: text, numbers, ISO dates (as DateField writes).
        names = cls.Meta.fields
        return [dict(zip(names, row, strict=True)) for row in rows]


class PlanActionSerializer(DirectModelSerializer):
    who = serializers.CharField(source="who_label")

    row_columns = ("id", "who", "who_user_id", "who_user__full_name", "who_user__username",
                   "what", "by_when", "status", "completed_on")
    row_order = ("by_when", "id")

    class Meta:
        model = PlanAction
        list_serializer_class = RowsListSerializer
        fields = ["id", "who", "who_user", "what", "by_when", "status", "completed_on",
                  "overdue"]

    @classmethod
    def from_rows(cls, rows: Iterable[list[Any]]) -> list[dict[str, Any]]:
        if not rows:  # no today to ask (issue 13 §2: a page's plans mostly have no actions)
            return []
        today = timezone.localdate()
        return [{
            "id": pk,
            # PlanAction.who_label: str() of the user (full name, else username), else who.
            "who": (full_name or username) if who_user is not None else who,
            "who_user": who_user, "what": what, "by_when": by_when, "status": status,
            "completed_on": completed_on,
            "overdue": action_overdue(status, date.fromisoformat(by_when), today),
        } for pk, who, who_user, full_name, username, what, by_when, status, completed_on
            in rows]


class PlanVersionSerializer(DirectModelSerializer):
    category = WordChoiceField(CATEGORY_WORDS, read_only=True)

    row_columns = ("number", "reason", "meeting_id", "category", "outcomes", "contingency",
                   "actions", "members", "created_at")
    row_order = ("-number",)

    class Meta:
        model = PlanVersion
        list_serializer_class = RowsListSerializer
        fields = ["number", "reason", "meeting", "category", "outcomes", "contingency",
                  "actions", "members", "created_at"]

    @classmethod
    def from_rows(cls, rows: Iterable[list[Any]], zone: tzinfo | None = None
                  ) -> list[dict[str, Any]]:
        """`zone`: the current time zone, if the caller has it (a list's every plan)."""
        if not rows:
            return []
        category = cls._declared_fields["category"]
        names = cls.Meta.fields
        zone = zone or timezone.get_current_timezone()
        return [dict(zip(names, (
            *row[:3], category.to_representation(row[3]), *row[4:8],
            written_at(zone, datetime.fromisoformat(row[8]))), strict=True))
            for row in rows]




class PlanListSerializer(WrittenRowsListSerializer):
    """A page of plans read by the list's query (each carrying its nested lists as JSON
    rows) written plan by plan by `listed_plan`; any other plans (a record's, one just
    written, a list read otherwise) as DRF's ListSerializer writes them, by PlanSerializer.
    Issue 13 §2: the serializer's reading, field by field through the generic steps of
    DirectReadMixin, was a quarter of the list's CPU. Pinned against DRF's own reading
    (tests/plans/test_api_list_rows.py)."""

    def writes_as_drf(self) -> bool:
        return _listed_as_drf_writes_them()

    def write(self, row: Any, zone: tzinfo) -> dict[str, Any]:
        return listed_plan(row, zone)


class PlanSerializer(DirectModelSerializer):
    members = CoreGroupMemberSerializer(many=True, read_only=True)
    actions = PlanActionSerializer(many=True, read_only=True)
    versions = PlanVersionSerializer(many=True, read_only=True)
    category = WordChoiceField(CATEGORY_WORDS, read_only=True)

    class Meta:
        model = ChildProtectionPlan
        list_serializer_class = PlanListSerializer
        fields = ["id", "child", "conference", "started_on", "category", "lead_social_worker",
                  "first_core_group_on", "outcomes", "contingency", "previous_plans",
                  "ended_on", "end_reason", "end_note", "end_conference",
                  "stepdown_rationale", "members", "actions", "versions"]


# The columns `listed_plan` writes as they are (checked once against PlanSerializer's
# fields: `_listed_as_drf_writes_them`): integers and keys, text.
_NUMBERS = ("id", "child_id", "conference_id", "lead_social_worker_id", "previous_plans",
            "end_conference_id")
_TEXTS = ("outcomes", "contingency", "end_reason", "end_note", "stepdown_rationale")


def listed_plan(plan: Any, zone: tzinfo) -> dict[str, Any]:
    """PlanSerializer's representation of a plan the list's query read (its columns and its
    nested lists' JSON rows in its __dict__), written directly: text and integer columns as
    they are (CharField's str(), IntegerField's int() and a ChoiceField of text keys give
    them back unchanged; a related field its key, None as None), days as DateField writes
    them (ISO), the category as its word, the nested lists by their `from_rows` (`zone`:
    the current time zone, for the versions' times). Raises NotWrittenOut for a plan not
    read so."""
    row = plan.__dict__
    try:
        members, actions, versions = (row[ROWS + "members"], row[ROWS + "actions"],
                                      row[ROWS + "versions"])
        started_on, first_core_group_on, ended_on = (
            row["started_on"], row["first_core_group_on"], row["ended_on"])
        category = row["category"]
        numbers = [row[column] for column in _NUMBERS]
        texts = [row[column] for column in _TEXTS]
    except KeyError:  # a column not read: not the list's query
        raise NotWrittenOut from None
    for value in numbers:
        if value is not None and type(value) is not int:
            raise NotWrittenOut
    for value in texts:
        if type(value) is not str:
            raise NotWrittenOut
    for day in (started_on, first_core_group_on, ended_on):
        if day is not None and type(day) is not date:
            raise NotWrittenOut
    pk, child, conference, lead, previous_plans, end_conference = numbers
    outcomes, contingency, end_reason, end_note, stepdown_rationale = texts
    return {
        "id": pk, "child": child, "conference": conference,
        "started_on": None if started_on is None else started_on.isoformat(),
        "category": _CATEGORY.to_representation(category),
        "lead_social_worker": lead,
        "first_core_group_on": (None if first_core_group_on is None
                                else first_core_group_on.isoformat()),
        "outcomes": outcomes, "contingency": contingency, "previous_plans": previous_plans,
        "ended_on": None if ended_on is None else ended_on.isoformat(),
        "end_reason": end_reason, "end_note": end_note, "end_conference": end_conference,
        "stepdown_rationale": stepdown_rationale,
        "members": CoreGroupMemberSerializer.from_rows(members or ()),
        "actions": PlanActionSerializer.from_rows(actions or ()),
        "versions": PlanVersionSerializer.from_rows(versions or (), zone),
    }


_CATEGORY: WordChoiceField = PlanSerializer._declared_fields["category"]  # type: ignore[assignment]


@functools.cache
def _listed_as_drf_writes_them() -> bool:
    """Whether `listed_plan` writes every field of PlanSerializer as DRF does: the same
    fields in the same order, each of the kind `listed_plan` assumes (else every plan is
    written by PlanSerializer, as before)."""
    fields = PlanSerializer().fields
    if list(fields) != list(PlanSerializer.Meta.fields) or list(fields) != [
            "id", "child", "conference", "started_on", "category", "lead_social_worker",
            "first_core_group_on", "outcomes", "contingency", "previous_plans", "ended_on",
            "end_reason", "end_note", "end_conference", "stepdown_rationale", "members",
            "actions", "versions"]:
        return False
    kinds = {
        "id": serializers.BigIntegerField, "child": serializers.PrimaryKeyRelatedField,
        "conference": serializers.PrimaryKeyRelatedField,
        "started_on": serializers.DateField, "category": WordChoiceField,
        "lead_social_worker": serializers.PrimaryKeyRelatedField,
        "first_core_group_on": serializers.DateField, "outcomes": serializers.CharField,
        "contingency": serializers.CharField, "previous_plans": serializers.IntegerField,
        "ended_on": serializers.DateField, "end_reason": serializers.ChoiceField,
        "end_note": serializers.CharField, "end_conference": serializers.PrimaryKeyRelatedField,
        "stepdown_rationale": serializers.CharField, "members": RowsListSerializer,
        "actions": RowsListSerializer, "versions": RowsListSerializer}
    for name, kind in kinds.items():
        field = fields[name]
        if type(field) is not kind or field.source != name or not writes_plain_value(field):
            return False
    return True


# --- serializers in -------------------------------------------------------------------------


class CoreGroupMemberInSerializer(serializers.Serializer):
    user = serializers.IntegerField(required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=200, required=False, default="")
    agency = serializers.ChoiceField(choices=Agency.choices, default=Agency.OTHER)
    role = serializers.CharField(max_length=200, required=False, default="")
    email = serializers.EmailField(required=False, default="")
    mobile = serializers.CharField(max_length=40, required=False, default="")
    contact_frequency = serializers.CharField(max_length=200, required=False, default="")


class PlanActionInSerializer(serializers.Serializer):
    who = serializers.CharField(max_length=200, required=False, default="")
    who_user = serializers.IntegerField(required=False, allow_null=True, default=None)
    what = serializers.CharField()
    by_when = serializers.DateField()


class PlanStartSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    started_on = serializers.DateField()
    # Issue 15 §5: a word (`neglect`); the old code (`NEG`) is accepted until 1.3.0.
    category = WordChoiceField(CATEGORY_WORDS)
    lead_social_worker = serializers.IntegerField()
    first_core_group_on = serializers.DateField(required=False, allow_null=True, default=None)
    outcomes = serializers.CharField(required=False, default="", allow_blank=True)
    contingency = serializers.CharField(required=False, default="", allow_blank=True)
    core_group_members = CoreGroupMemberInSerializer(many=True, required=False, default=list)
    actions = PlanActionInSerializer(many=True, required=False, default=list)


class PlanEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField()
    reason = serializers.ChoiceField(choices=PlanEndReason.choices)
    start_cin_plan = serializers.BooleanField(default=False)
    stepdown_rationale = serializers.CharField(required=False, default="", allow_blank=True)
    cin_first_meeting_on = serializers.DateField(required=False, allow_null=True,
                                                 default=None)
    note = serializers.CharField(required=False, default="", allow_blank=True)


class PlanReviseSerializer(serializers.Serializer):
    outcomes = serializers.CharField(required=False, allow_null=True, default=None,
                                     allow_blank=True)
    contingency = serializers.CharField(required=False, allow_null=True, default=None,
                                        allow_blank=True)
    reason = serializers.CharField(max_length=300)
    expected_version = serializers.IntegerField(
        required=False, allow_null=True, default=None,
        help_text="The plan's version you read: refused if someone revised it since.")


def _member(request: Request, data: dict[str, Any], field: str = "user"
            ) -> services.MemberData:
    return services.MemberData(**{**data, "user": _user(request, data.get("user"), field)})


def _action(request: Request, data: dict[str, Any], field: str = "who_user"
            ) -> services.ActionData:
    return services.ActionData(**{**data, "who_user": _user(request, data.get("who_user"),
                                                            field)})


class LeadChangeSerializer(serializers.Serializer):
    lead_social_worker = serializers.IntegerField()
    reason = serializers.CharField()


class PlanFilter(record_filters(ChildProtectionPlan)):  # type: ignore[misc]
    """?child=<id> (only children you may see) and ?category=<word> (the old code accepted
    until 1.3.0)."""

    category = WordChoiceFilter(words=CATEGORY_WORDS)

    class Meta:
        model = ChildProtectionPlan
        fields = ["child", "category"]


# A plan's columns a list neither shows nor needs for the read audit (its child and
# conference are read): not read at all (issue 13 §2: two datetimes a row to convert).
_NOT_SHOWN = ("created_at", "updated_at", "created_by", "updated_by", "version", "authority",
              "ended_by")


class PlanViewSet(KeptListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                  viewsets.GenericViewSet):
    """Child protection plans of children the user may see; a partner professional sees only
    the plans whose core group they are in."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter

    def get_queryset(self) -> QuerySet[ChildProtectionPlan]:
        plans = selectors.plans_visible(self.request.user)
        if self.action == "list":
            # Issue 13 §2: a page names each child and lead social worker by id only, so
            # their rows are not joined; the nested lists come with the plans, as JSON rows
            # of their own query, and so do the children of each plan's conference, for the
            # read audit. (A record read before a write keeps the relations a service may
            # use and change.)
            return plans.select_related(None).defer(*_NOT_SHOWN).annotate(
                **selectors.conference_children_shown(),
                **nested_rows(CoreGroupMemberSerializer, "members"),
                **nested_rows(PlanActionSerializer, "actions"),
                **nested_rows(PlanVersionSerializer, "versions"))
        # The members in the list's order: Meta.ordering, then the key (two members of one
        # agency and name had come in whatever order PostgreSQL met them).
        return plans.prefetch_related(
            Prefetch("members", CoreGroupMember.objects.order_by(
                *CoreGroupMemberSerializer.row_order)), "actions__who_user", "versions")

    @extend_schema(request=PlanStartSerializer, responses=PlanSerializer)
    def create(self, request: Request) -> Response:
        data = PlanStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        child = visible_child(request.user, v.pop("child"))
        lead = _user(request, v.pop("lead_social_worker"), "lead_social_worker")
        members = [_member(request, m, f"core_group_members.{i}.user")
                   for i, m in enumerate(v.pop("core_group_members"))]
        actions = [_action(request, a, f"actions.{i}.who_user")
                   for i, a in enumerate(v.pop("actions"))]
        plan = services.plan_start(
            child=child, lead_social_worker=lead,
            core_group_members=members, actions=actions, user=request.user, **v)
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanEndSerializer, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        data = PlanEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_end(plan=self.get_object(), user=request.user,
                                 **data.validated_data)
        return Response(PlanSerializer(plan).data)

    @extend_schema(request=PlanReviseSerializer, responses={201: PlanVersionSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str) -> Response:
        data = PlanReviseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.plan_revise(plan=self.get_object(), user=request.user,
                                       **data.validated_data)
        return Response(PlanVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LeadChangeSerializer, responses=PlanSerializer)
    @action(detail=True, methods=["post"], url_path="lead", url_name="lead")
    def lead(self, request: Request, pk: str) -> Response:
        """A new lead social worker; the lead's open deadlines move to them (issue 9)."""
        data = LeadChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lead = _user(request, data.validated_data["lead_social_worker"], "lead_social_worker")
        plan = services.plan_change_lead_social_worker(plan=self.get_object(),
                                                       user=request.user, lead_social_worker=lead,
                                                       reason=data.validated_data["reason"])
        return Response(PlanSerializer(plan).data)

    @extend_schema(request=PlanActionInSerializer, responses={201: PlanActionSerializer})
    @action(detail=True, methods=["post"], url_path="actions", url_name="add-action")
    def add_action(self, request: Request, pk: str) -> Response:
        data = PlanActionInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.plan_action_add(plan=self.get_object(), user=request.user,
                                           action=_action(request, dict(data.validated_data)))
        return Response(PlanActionSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CoreGroupMemberInSerializer, responses={201: PlanSerializer},
                   description="Add someone to the core group (003 \"Core Group\"): a user "
                               "of the system (`user`) or a named professional or family "
                               "member. Answers the plan with its core group as it is now.")
    @action(detail=True, methods=["post"], url_path="members", url_name="add-member")
    def add_member(self, request: Request, pk: str) -> Response:
        data = CoreGroupMemberInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.core_group_member_add(plan=self.get_object(), user=request.user,
                                       member=_member(request, dict(data.validated_data)))
        return Response(PlanSerializer(self.get_queryset().get(pk=pk)).data,
                        status=status.HTTP_201_CREATED)


# --- core group meetings --------------------------------------------------------------------


class CoreGroupAttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingAttendance
        fields = ["member", "attendance"]


class CoreGroupMeetingSerializer(serializers.ModelSerializer):
    attendance = CoreGroupAttendanceSerializer(many=True, read_only=True)

    class Meta:
        model = CoreGroupMeeting
        fields = ["id", "plan", "held_on", "is_first", "minutes", "recommendation",
                  "recommendation_reasons", "distributed_on", "attendance"]


class CoreGroupAttendanceInSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    attendance = serializers.ChoiceField(choices=Attendance.choices)


class PlanActionUpdateInSerializer(serializers.Serializer):
    action = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ActionStatus.choices)


class CoreGroupMeetingCreateSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    held_on = serializers.DateField()
    attendance = CoreGroupAttendanceInSerializer(many=True)
    minutes = serializers.CharField(required=False, default="", allow_blank=True)
    action_updates = PlanActionUpdateInSerializer(many=True, required=False, default=list)
    new_actions = PlanActionInSerializer(many=True, required=False, default=list)
    outcomes = serializers.CharField(required=False, allow_null=True, default=None,
                                     allow_blank=True)
    contingency = serializers.CharField(required=False, allow_null=True, default=None,
                                        allow_blank=True)
    recommendation = serializers.ChoiceField(choices=Recommendation.choices, required=False,
                                             default="", allow_blank=True)
    recommendation_reasons = serializers.CharField(required=False, default="",
                                                   allow_blank=True)


class PlanDistributedSerializer(serializers.Serializer):
    distributed_on = serializers.DateField()


class CoreGroupMeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                              viewsets.GenericViewSet):
    serializer_class = CoreGroupMeetingSerializer
    filterset_class = record_filters(CoreGroupMeeting, child="plan__child", plan="plan")

    def get_queryset(self) -> QuerySet[CoreGroupMeeting]:
        return CoreGroupMeeting.objects.filter(
            plan__in=selectors.plans_visible(self.request.user)).prefetch_related("attendance")

    @extend_schema(request=CoreGroupMeetingCreateSerializer, responses=CoreGroupMeetingSerializer)
    def create(self, request: Request) -> Response:
        data = CoreGroupMeetingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        plan = _plan(request, v.pop("plan"))
        meeting = services.core_group_meeting_record(plan=plan, user=request.user,
            attendance={a["member"]: a["attendance"] for a in v.pop("attendance")},
            action_updates={a["action"]: a["status"] for a in v.pop("action_updates")},
            new_actions=[_action(request, a, f"new_actions.{i}.who_user")
                         for i, a in enumerate(v.pop("new_actions"))], **v)
        return Response(CoreGroupMeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanDistributedSerializer, responses=CoreGroupMeetingSerializer)
    @action(detail=True, methods=["post"])
    def distributed(self, request: Request, pk: str) -> Response:
        data = PlanDistributedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = services.core_group_plan_distributed(meeting=self.get_object(),
                                                       user=request.user, **data.validated_data)
        return Response(CoreGroupMeetingSerializer(meeting).data)


# --- Child in Need plans --------------------------------------------------------------------


class CinMeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = CinMeeting
        fields = ["id", "held_on", "kind", "notes"]


class CinActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CinAction
        fields = ["id", "who", "what", "by_when", "status"]


class CinPlanSerializer(serializers.ModelSerializer):
    meetings = CinMeetingSerializer(many=True, read_only=True)
    actions = CinActionSerializer(many=True, read_only=True)

    class Meta:
        model = CinPlan
        fields = ["id", "child", "from_plan", "conference", "started_on", "planned_end_on",
                  "first_meeting_on", "lead_professional", "summary", "ended_on",
                  "end_reason", "meetings", "actions"]


class CinMeetingInSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=CinMeetingKind.choices,
                                   default=CinMeetingKind.MEETING)
    notes = serializers.CharField(required=False, default="", allow_blank=True)


class CinActionInSerializer(serializers.Serializer):
    who = serializers.CharField(max_length=200)
    what = serializers.CharField()
    by_when = serializers.DateField()


class CinEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField()
    reason = serializers.CharField()


class CinPlanCreateSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    started_on = serializers.DateField()
    first_meeting_on = serializers.DateField(required=False, allow_null=True, default=None)
    summary = serializers.CharField(required=False, default="", allow_blank=True)


class CinPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    serializer_class = CinPlanSerializer
    filterset_class = record_filters(CinPlan, from_plan="from_plan")

    def get_queryset(self) -> QuerySet[CinPlan]:
        return selectors.cin_plans_visible(self.request.user).prefetch_related("meetings",
                                                                              "actions")

    @extend_schema(request=CinPlanCreateSerializer, responses=CinPlanSerializer)
    def create(self, request: Request) -> Response:
        data = CinPlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        child = visible_child(request.user, v.pop("child"))
        cin_plan = services.cin_plan_start(child=child, user=request.user, **v)
        return Response(CinPlanSerializer(cin_plan).data, status=status.HTTP_201_CREATED)

    def _now(self, pk: str, code: int = status.HTTP_200_OK) -> Response:
        return Response(CinPlanSerializer(self.get_queryset().get(pk=pk)).data, status=code)

    @extend_schema(request=CinMeetingInSerializer, responses={201: CinPlanSerializer},
                   description="Record a Child in Need meeting or review (003 "
                               "\"Discontinuing\"): meets the step-down meeting or review "
                               "deadline. Answers the plan with its meetings as they are now.")
    @action(detail=True, methods=["post"], url_path="meetings", url_name="add-meeting")
    def add_meeting(self, request: Request, pk: str) -> Response:
        data = CinMeetingInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.cin_meeting_record(cin_plan=self.get_object(), user=request.user,
                                    **data.validated_data)
        return self._now(pk, status.HTTP_201_CREATED)

    @extend_schema(request=CinActionInSerializer, responses={201: CinPlanSerializer},
                   description="Add an action to the Child in Need plan. Answers the plan "
                               "with its actions as they are now.")
    @action(detail=True, methods=["post"], url_path="actions", url_name="add-action")
    def add_action(self, request: Request, pk: str) -> Response:
        data = CinActionInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.cin_action_add(cin_plan=self.get_object(), user=request.user,
                                **data.validated_data)
        return self._now(pk, status.HTTP_201_CREATED)

    @extend_schema(request=CinEndSerializer, responses=CinPlanSerializer,
                   description="End the Child in Need plan: its open meeting and review "
                               "deadlines are cancelled. Answers the ended plan.")
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        data = CinEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.cin_plan_end(cin_plan=self.get_object(), user=request.user,
                              **data.validated_data)
        return self._now(pk)


# --- plan actions ---------------------------------------------------------------------------


class PlanActionDetailSerializer(PlanActionSerializer):
    class Meta(PlanActionSerializer.Meta):
        fields = ["id", "plan", *PlanActionSerializer.Meta.fields[1:], "version"]


class PlanActionUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        help_text="The version you read; the update is refused (409) if the action changed "
                  "since.")
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    what = serializers.CharField(required=False)
    by_when = serializers.DateField(required=False)
    who = serializers.CharField(max_length=200, required=False, allow_blank=True)
    who_user = serializers.IntegerField(required=False, allow_null=True)


class PlanActionViewSet(VersionedUpdateMixin, mixins.ListModelMixin,
                        mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The actions of the plans the user may see; the lead social worker and their managers
    change one (status, what, by when, who) as the plan page's "Edit an action" does."""

    serializer_class = PlanActionDetailSerializer
    filterset_class = record_filters(PlanAction, child="plan__child", plan="plan",
                                     fields=["status"])
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[PlanAction]:
        return PlanAction.objects.filter(
            plan__in=selectors.plans_visible(self.request.user)).select_related(
                "who_user").order_by("by_when", "id")

    @extend_schema(request=PlanActionUpdateSerializer, responses=PlanActionDetailSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        data = PlanActionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v.pop("version")
        if "who_user" in v:
            v["who_user"] = _user(request, v["who_user"], "who_user")
        updated = services.plan_action_update(action=found, user=request.user, **v)
        return Response(PlanActionDetailSerializer(updated).data)
