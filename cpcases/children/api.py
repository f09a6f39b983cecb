"""Children and people through the API, scoped exactly as the pages are."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cpcases.accounts.models import Team, User
from cpcases.accounts.roles import Capability, Role
from cpcases.audit.models import AccessAction
from cpcases.audit.services import access_record
from cpcases.children import hooks, selectors, services
from cpcases.children.models import Allocation, Child, ChildPerson, Person
from cpcases.core.api import problem
from cpcases.core.concurrency import EditConflict, conflict_body
from cpcases.core.filters import record_filters
from cpcases.core.kept_lists import KeptListMixin
from cpcases.core.serializing import DirectModelSerializer, written_at


class AllocationSerializer(DirectModelSerializer):
    team = serializers.StringRelatedField(allow_null=True)
    social_worker = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Allocation
        fields = ["id", "team", "social_worker", "started_on", "ended_on", "reason"]


class ChildListSerializer(serializers.ListSerializer):
    """The children API's list (`many=True`): children of `selectors.child_list`, which carry
    their current allocation as a JSON row, written out by `listed_children`; any others
    (none the API lists) as DRF reads them. Issue 13 §2: ChildSerializer's field-by-field
    reading of 50 children and their allocations was about 40 % of the list's CPU."""

    def to_representation(self, data: Any) -> list[Any]:
        if isinstance(data, list) and all(
                selectors.CURRENT_ALLOCATION_ROW in child.__dict__ for child in data):
            return listed_children(data)
        return super().to_representation(data)  # type: ignore[no-any-return]


class ChildSerializer(DirectModelSerializer):
    display_name = serializers.CharField(read_only=True)
    age = serializers.IntegerField(read_only=True, allow_null=True)
    household = serializers.StringRelatedField(allow_null=True)
    current_allocation = AllocationSerializer(read_only=True)

    class Meta:
        model = Child
        list_serializer_class = ChildListSerializer
        fields = [
            "id", "la_child_id", "display_name", "first_name", "last_name", "is_unborn",
            "date_of_birth", "expected_delivery_date", "age", "sex", "gender", "ethnicity",
            "disability", "first_language", "interpreter_needed", "address", "postcode",
            "legal_status", "nhs_number", "upn", "former_upn", "upn_unknown_reason",
            "date_of_death", "disabilities", "household", "cp_stage", "current_allocation",
            "version", "updated_at",
        ]
        read_only_fields = ["la_child_id", "household", "cp_stage", "version", "updated_at"]


def listed_children(children: Sequence[Child]) -> list[dict[str, Any]]:
    """ChildSerializer's representation of each child (with AllocationSerializer's of their
    current allocation), written out: the same keys in the same order and the same values
    DRF's fields write (text, choices among text, booleans and numbers as they are; dates
    and the time ISO 8601, the time in the current zone with UTC as "Z"; the household and
    the allocation's team and worker as `str()` names them), today and the zone looked up
    once for the page. The children must carry `current_allocation_row`
    (`selectors.child_list`). Pinned against DRF's own reading by
    tests/foundation/test_child_list_rows.py."""
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    written = []
    for child in children:
        allocation = child.__dict__[selectors.CURRENT_ALLOCATION_ROW]
        household = child.household
        born, due, died, updated = (child.date_of_birth, child.expected_delivery_date,
                                    child.date_of_death, child.updated_at)
        written.append({
            "id": child.id, "la_child_id": child.la_child_id,
            "display_name": child.display_name, "first_name": child.first_name,
            "last_name": child.last_name, "is_unborn": child.is_unborn,
            "date_of_birth": None if born is None else born.isoformat(),
            "expected_delivery_date": None if due is None else due.isoformat(),
            "age": child.age_on(today), "sex": child.sex, "gender": child.gender,
            "ethnicity": child.ethnicity, "disability": child.disability,
            "first_language": child.first_language,
            "interpreter_needed": child.interpreter_needed, "address": child.address,
            "postcode": child.postcode, "legal_status": child.legal_status,
            "nhs_number": child.nhs_number, "upn": child.upn, "former_upn": child.former_upn,
            "upn_unknown_reason": child.upn_unknown_reason,
            "date_of_death": None if died is None else died.isoformat(),
            "disabilities": list(child.disabilities),
            "household": None if household is None else str(household),
            "cp_stage": child.cp_stage,
            # [id, team, social worker, started_on, ended_on, reason]: JSON's ISO dates.
            "current_allocation": None if allocation is None else dict(
                zip(_ALLOCATION_FIELDS, allocation, strict=True)),
            "version": child.version, "updated_at": written_at(zone, updated),
        })
    return written


_ALLOCATION_FIELDS = ("id", "team", "social_worker", "started_on", "ended_on", "reason")


class ChildCreateSerializer(serializers.ModelSerializer):
    not_a_duplicate = serializers.BooleanField(
        default=False, write_only=True,
        help_text="Send true, after checking the likely duplicates a 409 answer listed, to "
                  "create the record anyway.")

    class Meta:
        model = Child
        fields = ["la_child_id", *services.CHILD_EDITABLE_FIELDS, "not_a_duplicate"]


def _duplicates_response(request: Request, found: list[Any]) -> Response:
    """409: the child may already have a record. Identifying details only; `in_scope` says
    whether the caller may open it, otherwise only with a reason (break-glass)."""
    access_record(request=request, child_id=None, action=AccessAction.SEARCH,
                  section="api-duplicate-check", detail={"results": [d.child.pk for d in found]})
    return problem(
        request, status.HTTP_409_CONFLICT,
        "This child may already have a record. Check these records; if none is the "
        "same child, send the request again with not_a_duplicate: true.",
        kind="duplicates",
        duplicates=[{
            "id": d.child.pk, "la_child_id": d.child.la_child_id,
            "display_name": d.child.display_name,
            "date_of_birth": d.child.date_of_birth, "postcode": d.child.postcode,
            "expected_delivery_date": d.child.expected_delivery_date,
            "reasons": list(d.reasons), "in_scope": d.in_scope} for d in found])


class ChildUpdateSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(
        help_text="The version you read; the update is refused if the record changed since.")

    class Meta:
        model = Child
        fields = [*services.CHILD_EDITABLE_FIELDS, "version"]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "first_name", "last_name", "date_of_birth", "address", "postcode",
                  "phone", "email", "first_language", "interpreter_needed", "version"]
        read_only_fields = ["version"]


class ChildPersonSerializer(serializers.ModelSerializer):
    person = PersonSerializer(read_only=True)

    class Meta:
        model = ChildPerson
        fields = ["id", "person", "relationship", "has_parental_responsibility",
                  "lives_with_child"]


class ChildAllocateSerializer(serializers.Serializer):
    team = serializers.IntegerField(help_text="A team of your authority (id)")
    social_worker = serializers.IntegerField(
        required=False, allow_null=True, default=None,
        help_text="A social worker of that team (id); none: allocated to the team only")
    reason = serializers.CharField(max_length=300)


class ChildFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name or child ID")
    date_of_birth = django_filters.DateFilter()

    class Meta:
        model = Child
        fields = ["q", "date_of_birth", "cp_stage", "la_child_id"]

    def search(self, queryset: QuerySet[Child], name: str, value: str) -> QuerySet[Child]:
        return selectors.search_filter(queryset, text=value)


def _conflict_response(request: Request, exc: EditConflict) -> Response:
    body = conflict_body(exc)
    return problem(request, status.HTTP_409_CONFLICT, body.pop("detail"), kind="conflict",
                   **body)


class ChildViewSet(KeptListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   mixins.CreateModelMixin, mixins.UpdateModelMixin,
                   viewsets.GenericViewSet):
    """Children the signed-in user may see. Reading one child is audit-logged."""

    filterset_class = ChildFilter
    ordering_fields = ["last_name", "date_of_birth", "updated_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Child]:
        return selectors.child_list(user=self.request.user)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action == "create":
            return ChildCreateSerializer
        if self.action == "partial_update":
            return ChildUpdateSerializer
        return ChildSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        child = selectors.child_for_view(request=request, child_id=int(kwargs["pk"]),
                                         section="api")
        return Response(ChildSerializer(child).data)

    @extend_schema(request=ChildCreateSerializer,
                   responses={201: ChildSerializer, 409: OpenApiTypes.OBJECT})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ChildCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if not data.pop("not_a_duplicate") and request.user.can(Capability.CREATE_CHILD):
            found = hooks.likely_duplicates(request.user, data)
            if found:
                return _duplicates_response(request, found)
        child = services.child_create(user=request.user, **data)
        return Response(ChildSerializer(child).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        child = selectors.child_for_view(request=request, child_id=int(kwargs["pk"]),
                                         section="api-edit")
        serializer = ChildUpdateSerializer(child, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        if version is None:
            raise ValidationError({"version": "Send the version you read."})
        try:
            services.child_update(user=request.user, child=child, expected_version=version,
                                  data=data)
        except EditConflict as exc:
            return _conflict_response(request, exc)
        child.refresh_from_db()
        return Response(ChildSerializer(child).data)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=ChildAllocateSerializer, responses={201: ChildSerializer},
                   description="Allocate the child to a team and social worker, or change the "
                               "allocation (managers): the current allocation ends today and "
                               "the child's open deadlines go to the new holders of their "
                               "roles (issue 9). Answers the child with `current_allocation` "
                               "as it is now.")
    @action(detail=True, methods=["post"], url_path="allocation", url_name="allocate")
    def allocate(self, request: Request, pk: str) -> Response:
        child = selectors.child_for_view(request=request, child_id=int(pk),
                                         section="api-allocate")
        data = ChildAllocateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        team = Team.objects.filter(pk=v["team"],
                                   service__authority_id=request.user.authority_id).first()
        if team is None:
            raise ValidationError({"team": ["There is no such team in your authority."]})
        worker = None
        if v["social_worker"] is not None:
            worker = User.objects.filter(pk=v["social_worker"], role=Role.SOCIAL_WORKER,
                                         is_active=True,
                                         authority_id=request.user.authority_id).first()
            if worker is None:
                raise ValidationError({"social_worker": ["There is no such social worker."]})
        services.child_allocate(user=request.user, child=child, team=team,
                                social_worker=worker, reason=v["reason"])
        # The child as this allocation left them, even if it moved them out of the
        # caller's own scope (a manager handing the case to another team).
        child.refresh_from_db()
        return Response(ChildSerializer(child).data, status=status.HTTP_201_CREATED)


class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet):
    """People around the children the user may see."""

    serializer_class = PersonSerializer
    filterset_class = record_filters(Person, child="child_links__child", many=("child",),
                                     fields=["last_name"])

    def get_queryset(self) -> QuerySet[Person]:
        return selectors.people_list(user=self.request.user)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        for link in person.child_links.all():
            access_record(request=request, child_id=link.child_id, action=AccessAction.VIEW,
                          section="api-person", detail={"person_id": person.pk})
        return Response(PersonSerializer(person).data)
