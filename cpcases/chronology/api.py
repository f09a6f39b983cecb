"""Visits and the chronology under /api/v1/: scoped as the pages are, every write through
the same service (refusals 403, failed preconditions 400 with the message)."""

from __future__ import annotations

import functools
from datetime import datetime, tzinfo
from typing import Any, TypeVar

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.fields import Field
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency
from cpcases.audit.models import AccessAction
from cpcases.audit.services import access_record
from cpcases.children.models import Child
from cpcases.children.selectors import child_for_view
from cpcases.chronology import selectors, services
from cpcases.chronology.models import MANUAL_EVENT_TYPES, EventType, Visit, VisitLocation
from cpcases.chronology.views import csv_response
from cpcases.core.api import visible_child
from cpcases.core.filters import record_filters
from cpcases.core.kept_lists import KeptListMixin
from cpcases.core.serializing import (
    WRITTEN_AT,
    DirectModelSerializer,
    NotWrittenOut,
    WrittenRowsListSerializer,
    _iso_in_current_zone,
    writes_plain_value,
    written_in,
)

T = TypeVar("T")


# --- visits ---------------------------------------------------------------------------------


# The list's rows carry their visitor's name as a column of their own (issue 13 §2).
VISITOR_NAME = "visited_by_full_name"


class VisitorNameField(serializers.CharField):
    """The visitor's full name: the column a list's rows carry (`VISITOR_NAME`), else read
    from the visitor's row as before (a record read, a visit just recorded)."""

    reads_without_context = True  # the row alone (cpcases.core.serializing)

    def get_attribute(self, instance: Any) -> Any:
        if VISITOR_NAME in instance.__dict__:
            return instance.__dict__[VISITOR_NAME]
        return super().get_attribute(instance)


class VisitListSerializer(WrittenRowsListSerializer):
    """A page of visits read by the list's query (each carrying its visitor's name) written
    visit by visit by `listed_visit`; any other visits as DRF's ListSerializer writes them,
    by VisitSerializer. Issue 13 §2: reading field by field through DirectReadMixin's
    generic steps was a sixth of the list's CPU. Pinned against DRF's own reading
    (tests/chronology/test_visits_api_rows.py)."""

    def writes_as_drf(self) -> bool:
        return _listed_as_drf_writes_them()

    def write(self, row: Any, zone: tzinfo) -> dict[str, Any]:
        return listed_visit(row, zone)


class VisitSerializer(DirectModelSerializer):
    visited_by_name = VisitorNameField(source="visited_by.full_name", read_only=True)

    class Meta:
        model = Visit
        list_serializer_class = VisitListSerializer
        fields = ["id", "child", "visited_at", "visited_by", "visited_by_name", "location",
                  "child_seen", "seen_alone", "seen_with", "bedroom_seen", "access_refused",
                  "access_refused_details", "notes", "created_at"]
        read_only_fields = fields


# How `listed_visit` writes each of VisitSerializer's fields, by the column it reads (checked
# once against the serializer's fields: `_listed_as_drf_writes_them`). As they are: an
# integer or key (None as None), text (CharField's str() and a ChoiceField of text keys give
# it back unchanged; the visitor's name None as None), a boolean (None as None); a time as
# DateTimeField writes it.
_LISTED: tuple[tuple[str, str, type, type[Field]], ...] = (
    ("id", "id", int, serializers.BigIntegerField),
    ("child", "child_id", int, serializers.PrimaryKeyRelatedField),
    ("visited_at", "visited_at", datetime, serializers.DateTimeField),
    ("visited_by", "visited_by_id", int, serializers.PrimaryKeyRelatedField),
    ("visited_by_name", VISITOR_NAME, str, VisitorNameField),
    ("location", "location", str, serializers.ChoiceField),
    ("child_seen", "child_seen", bool, serializers.BooleanField),
    ("seen_alone", "seen_alone", bool, serializers.BooleanField),
    ("seen_with", "seen_with", str, serializers.CharField),
    ("bedroom_seen", "bedroom_seen", bool, serializers.BooleanField),
    ("access_refused", "access_refused", bool, serializers.BooleanField),
    ("access_refused_details", "access_refused_details", str, serializers.CharField),
    ("notes", "notes", str, serializers.CharField),
    ("created_at", "created_at", datetime, serializers.DateTimeField),
)
_COLUMNS = tuple((name, column, kind) for name, column, kind, _field in _LISTED)


def listed_visit(visit: Any, zone: tzinfo) -> dict[str, Any]:
    """VisitSerializer's representation of a visit the list's query read (its columns and
    its visitor's name in its __dict__), written directly (`_LISTED`); `zone`: the current
    time zone. Raises NotWrittenOut for a visit not read so, or a value of another type."""
    row = visit.__dict__
    written: dict[str, Any] = {}
    for name, column, kind in _COLUMNS:
        try:
            value = row[column]
        except KeyError:  # a column not read: not the list's query
            raise NotWrittenOut from None
        if value is None:
            written[name] = None
        elif type(value) is not kind:
            raise NotWrittenOut
        elif kind is datetime:
            written[name] = written_in(zone, value, WRITTEN_AT)
        else:
            written[name] = value
    return written


@functools.cache
def _listed_as_drf_writes_them() -> bool:
    """Whether `listed_visit` writes every field of VisitSerializer as DRF does: the same
    fields in the same order, each of the kind `_LISTED` names, read from the row as DRF
    reads it (else every visit is written by VisitSerializer, as before)."""
    fields = VisitSerializer().fields
    if list(fields) != [name for name, *_ in _LISTED] or not _iso_in_current_zone(
            WRITTEN_AT):
        return False
    for name, column, _kind, field_class in _LISTED:
        field = fields[name]
        if type(field) is not field_class:
            return False
        if field_class is VisitorNameField:
            if field.source != "visited_by.full_name":
                return False
            continue
        if field.source != name or column not in (name, f"{name}_id"):
            return False
        if not writes_plain_value(field):
            return False
    return True


class VisitCreateSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    visited_at = serializers.DateTimeField()
    visited_by = serializers.IntegerField(required=False, allow_null=True,
                                          help_text="Defaults to you")
    location = serializers.ChoiceField(choices=VisitLocation.choices,
                                       default=VisitLocation.HOME)
    child_seen = serializers.BooleanField()
    seen_alone = serializers.BooleanField(required=False, allow_null=True, default=None)
    seen_with = serializers.CharField(required=False, allow_blank=True, default="")
    bedroom_seen = serializers.BooleanField(default=False)
    access_refused = serializers.BooleanField(default=False)
    access_refused_details = serializers.CharField(required=False, allow_blank=True,
                                                   default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class VisitViewSet(KeptListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Statutory visits to the children the user may see (not partner professionals, who
    see each visit in the chronology). Filter with ?child=<id>."""

    serializer_class = VisitSerializer
    filterset_class = record_filters(Visit, fields=["child_seen", "access_refused"])
    ordering_fields = ["visited_at"]

    def get_queryset(self) -> QuerySet[Visit]:
        if getattr(self, "swagger_fake_view", False):  # the schema is built signed out
            return Visit.objects.none()
        visits = selectors.visits_visible(user=self.request.user)
        if self.action == "list":
            # Issue 13 §2: a page names each child by id only, and of the visitor shows the
            # name alone: one column, not their whole row made into a User. A subquery, not
            # a join: the list's ids and count are then chosen from the visits alone, and
            # the name read for the page's rows only (the visitor is required, so no visit
            # is lost as none was by select_related's join).
            visitor = User.objects.filter(pk=OuterRef("visited_by_id")).order_by().values(
                "full_name")
            return visits.select_related(None).annotate(**{VISITOR_NAME: Subquery(visitor)})
        return visits

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        visit = self.get_object()
        access_record(request=request, child_id=visit.child_id, action=AccessAction.VIEW,
                      section="api-visit", detail={"visit_id": visit.pk})
        return Response(VisitSerializer(visit).data)

    @extend_schema(request=VisitCreateSerializer, responses={201: VisitSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = VisitCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        child = visible_child(request.user, data.pop("child"))
        visitor_id = data.pop("visited_by", None)
        if visitor_id is not None:
            data["visited_by"] = User.objects.filter(
                pk=visitor_id, authority_id=request.user.authority_id).first()
            if data["visited_by"] is None:
                raise ValidationError(
                    {"visited_by": [f"There is no such user (id {visitor_id})."]})
        visit = services.visit_record(user=request.user, child=child, **data)
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


# --- the chronology -------------------------------------------------------------------------


class ChronologyItemSerializer(serializers.Serializer):
    event_date = serializers.DateField()
    event_time = serializers.TimeField(allow_null=True)
    event_type = serializers.CharField()
    event_type_label = serializers.CharField()
    significant_event = serializers.CharField()
    source = serializers.CharField()
    agency = serializers.CharField()
    agency_label = serializers.CharField()
    who_involved = serializers.CharField()
    decisions_actions_outcome = serializers.CharField()
    child_seen = serializers.BooleanField(allow_null=True)
    child_views = serializers.CharField()
    author_comments = serializers.CharField()
    author = serializers.CharField()
    automatic = serializers.BooleanField()


class EntryCreateSerializer(serializers.Serializer):
    event_date = serializers.DateField()
    event_time = serializers.TimeField(required=False, allow_null=True, default=None)
    event_type = serializers.ChoiceField(choices=[(t.value, t.label)
                                                  for t in MANUAL_EVENT_TYPES])
    significant_event = serializers.CharField()
    source = serializers.CharField(max_length=200)
    who_involved = serializers.CharField(required=False, allow_blank=True, default="")
    decisions_actions_outcome = serializers.CharField(required=False, allow_blank=True,
                                                      default="")
    child_seen = serializers.BooleanField()
    child_views = serializers.CharField(required=False, allow_blank=True, default="")
    author_comments = serializers.CharField(required=False, allow_blank=True, default="")


FILTERS = [
    OpenApiParameter("agency", OpenApiTypes.STR, enum=Agency.values,
                     description="Only entries contributed by this agency"),
    OpenApiParameter("event_type", OpenApiTypes.STR, enum=EventType.values,
                     description="Only events of this type"),
]


def _filters(request: Request) -> dict[str, str]:
    agency = request.query_params.get("agency", "")
    event_type = request.query_params.get("event_type", "")
    if agency and agency not in Agency.values:
        raise ValidationError({"agency": f"Unknown agency {agency!r}."})
    if event_type and event_type not in EventType.values:
        raise ValidationError({"event_type": f"Unknown event type {event_type!r}."})
    return {"agency": agency, "event_type": event_type}


def _child(request: Request, child_id: int, section: str) -> Child:
    return child_for_view(request=request, child_id=child_id, section=section)


class ChronologyView(APIView):
    """The child's merged multi-agency chronology in event-date order (GET), and a new
    entry by a member of the child's core group (POST)."""

    @extend_schema(parameters=FILTERS, responses=ChronologyItemSerializer(many=True))
    def get(self, request: Request, child_id: int) -> Response:
        child = _child(request, child_id, "api-chronology")
        items = selectors.chronology(child=child, **_filters(request))
        return Response(ChronologyItemSerializer(items, many=True).data)

    @extend_schema(request=EntryCreateSerializer, responses={201: ChronologyItemSerializer})
    def post(self, request: Request, child_id: int) -> Response:
        child = _child(request, child_id, "api-chronology-add")
        incoming = EntryCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        entry = services.chronology_entry_add(user=request.user, child=child,
                                              **incoming.validated_data)
        item = next(i for i in selectors.chronology(child=child)
                    if i.origin == f"entry:{entry.pk:010d}")
        return Response(ChronologyItemSerializer(item).data, status=status.HTTP_201_CREATED)


class CsvRenderer(BaseRenderer):
    """Lets a client ask for text/csv; the view itself writes the body."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: dict[str, Any] | None = None) -> bytes:
        return data.encode() if isinstance(data, str) else str(data).encode()


class ChronologyCsvView(APIView):
    """The chronology as CSV (DD/MM/YY dates, the agreed heading), logged as an export."""

    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(parameters=FILTERS, responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request: Request, child_id: int) -> HttpResponse:
        child = _child(request, child_id, "api-chronology-export")
        filters = _filters(request)
        return csv_response(request, child, selectors.chronology(child=child, **filters),
                            filters)
