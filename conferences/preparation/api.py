"""Invitations, reports and exclusion requests through the API (under /api/v1/), with the
same services as the pages: a refused step answers 400 with the service's message, a step
the role may not take 403 (only the conference's chair decides an exclusion; a social worker
cannot countersign; a file of the wrong type is refused with the reason)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from conferences.models import (
    Conference,
    ConferenceReport,
    ExclusionDecision,
    ExclusionGround,
    ExclusionRequest,
    Invitation,
    InvitationResponse,
    InvitedHow,
    InviteeKind,
    ReportKind,
    ReportSharing,
    ShareHow,
    ShareRecipient,
)
from conferences.preparation import selectors
from conferences.preparation import services as preparation
from conferences.preparation.files import _CONTENT_TYPES
from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency
from cpcases.audit.models import AccessAction
from cpcases.audit.services import access_record
from cpcases.children.models import Person
from cpcases.core.filters import record_filters


def _conference(request: Request, pk: int) -> Conference:
    found = selectors.conference_for(request.user, pk)
    if found is None:
        raise NotFound("No conference found.")
    return found


def _one(queryset: QuerySet, pk: int | None, what: str, field: str | None = None) -> Any:
    """The record `pk` of `queryset`, or a 400 on its field (`field`, else `what`)."""
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field or what: f"No such {what}."})
    return found


# --- invitations --------------------------------------------------------------------------


class InvitationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = ["id", "conference", "kind", "person", "user", "child", "name", "agency",
                  "role", "email", "mobile", "has_parental_responsibility", "how_invited",
                  "invited_at", "response", "response_note", "advocacy_offered",
                  "advocacy_accepted", "observer_chair_consent", "observer_family_consent",
                  "note"]
        read_only_fields = fields


class InvitationCreateSerializer(serializers.Serializer):
    conference = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=InviteeKind.choices)
    name = serializers.CharField(required=False, allow_blank=True, default="")
    agency = serializers.ChoiceField(choices=Agency.choices, required=False, allow_blank=True,
                                     default="")
    role = serializers.CharField(required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    mobile = serializers.CharField(required=False, allow_blank=True, default="")
    person = serializers.IntegerField(required=False, allow_null=True, default=None)
    user = serializers.IntegerField(required=False, allow_null=True, default=None)
    child = serializers.IntegerField(required=False, allow_null=True, default=None)
    has_parental_responsibility = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    observer_chair_consent = serializers.BooleanField(required=False, default=False)
    observer_family_consent = serializers.BooleanField(required=False, default=False)


class ConferenceRefSerializer(serializers.Serializer):
    conference = serializers.IntegerField()


class MarkSentSerializer(serializers.Serializer):
    conference = serializers.IntegerField()
    invitations = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    how = serializers.ChoiceField(choices=InvitedHow.choices)


class RespondSerializer(serializers.Serializer):
    response = serializers.ChoiceField(choices=InvitationResponse.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AdvocacySerializer(serializers.Serializer):
    offered = serializers.BooleanField()
    accepted = serializers.BooleanField(required=False, allow_null=True, default=None)


class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """The invitation list of conferences the user may see."""

    serializer_class = InvitationSerializer
    filterset_class = record_filters(Invitation, child="conference__children",
                                     many=("child",), fields=["kind", "response"],
                                     conference="conference")

    def get_queryset(self) -> QuerySet[Invitation]:
        return selectors.invitations_for(self.request.user)

    @extend_schema(request=InvitationCreateSerializer, responses=InvitationSerializer)
    def create(self, request: Request) -> Response:
        data = InvitationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        conference = _conference(request, values.pop("conference"))
        person = _one(Person.objects.filter(authority_id=conference.authority_id),
                      values.pop("person"), "person")
        invitee = _one(User.objects.filter(authority_id=conference.authority_id),
                       values.pop("user"), "user")
        child = _one(conference.children.all(), values.pop("child"), "child")
        created = preparation.invitation_add(
            user=request.user, conference=conference, person=person, invitee_user=invitee,
            child=child, **values)
        return Response(InvitationSerializer(created).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, pk: str) -> Response:
        invitation = self.get_object()
        preparation.invitation_remove(user=request.user, invitation=invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ConferenceRefSerializer, responses=InvitationSerializer(many=True))
    @action(detail=False, methods=["post"], pagination_class=None)  # the added, not a page
    def prefill(self, request: Request) -> Response:
        """Add everyone with parental responsibility and the children the age guidance
        invites."""
        data = ConferenceRefSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conference = _conference(request, data.validated_data["conference"])
        added = preparation.invitations_prefill(user=request.user,
                                                conference=conference)
        return Response(InvitationSerializer(added, many=True).data)

    @extend_schema(request=ConferenceRefSerializer, responses=None)
    @action(detail=False, methods=["post"], url_path="complete-list", url_name="complete-list")
    def complete_list(self, request: Request) -> Response:
        data = ConferenceRefSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conference = _conference(request, data.validated_data["conference"])
        done = preparation.invitation_list_complete(user=request.user,
                                                                   conference=conference)
        return Response({"conference": done.pk,
                         "invitation_list_completed_at": done.invitation_list_completed_at})

    @extend_schema(request=MarkSentSerializer, responses=InvitationSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="mark-sent", url_name="mark-sent",
            pagination_class=None)
    def mark_sent(self, request: Request) -> Response:
        data = MarkSentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conference = _conference(request, data.validated_data["conference"])
        chosen = list(conference.invitations.filter(pk__in=data.validated_data["invitations"]))
        sent = preparation.invitations_mark_sent(
            user=request.user, conference=conference, invitations=chosen,
            how=data.validated_data["how"])
        return Response(InvitationSerializer(sent, many=True).data)

    @extend_schema(request=RespondSerializer, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str) -> Response:
        invitation = self.get_object()
        data = RespondSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = preparation.invitation_respond(
            user=request.user, invitation=invitation, response=data.validated_data["response"],
            note=data.validated_data["note"])
        return Response(InvitationSerializer(done).data)

    @extend_schema(request=AdvocacySerializer, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def advocacy(self, request: Request, pk: str) -> Response:
        invitation = self.get_object()
        data = AdvocacySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = preparation.invitation_record_advocacy(
            user=request.user, invitation=invitation, offered=data.validated_data["offered"],
            accepted=data.validated_data["accepted"])
        return Response(InvitationSerializer(done).data)


# --- reports ------------------------------------------------------------------------------


class SharingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportSharing
        fields = ["id", "recipient", "invitation", "name", "how", "shared_at", "shared_by",
                  "redacted", "note"]
        read_only_fields = fields


class ReportSerializer(serializers.ModelSerializer):
    """Metadata only: the document is fetched from `download`."""

    sharings = SharingSerializer(many=True, read_only=True)

    class Meta:
        model = ConferenceReport
        fields = ["id", "conference", "kind", "agency", "author", "author_name", "invitation",
                  "original_name", "size", "content_type", "includes_chronology",
                  "submitted_at", "countersigned_by", "countersigned_at",
                  "countersign_comments", "redacted_from", "sharings"]
        read_only_fields = fields


class ReportUploadSerializer(serializers.Serializer):
    conference = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    file = serializers.FileField()
    agency = serializers.ChoiceField(choices=Agency.choices, required=False, allow_blank=True,
                                     default="")
    author_name = serializers.CharField(required=False, allow_blank=True, default="")
    includes_chronology = serializers.BooleanField(required=False, default=False)
    redacted_from = serializers.IntegerField(required=False, allow_null=True, default=None)


class CountersignSerializer(serializers.Serializer):
    comments = serializers.CharField(required=False, allow_blank=True, default="")


class ShareSerializer(serializers.Serializer):
    recipient = serializers.ChoiceField(choices=ShareRecipient.choices)
    how = serializers.ChoiceField(choices=ShareHow.choices)
    name = serializers.CharField(required=False, allow_blank=True, default="")
    invitation = serializers.IntegerField(required=False, allow_null=True, default=None)
    shared_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ConferenceReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                              viewsets.GenericViewSet):
    """Reports to conferences the user may see. Upload as multipart/form-data: PDF or Word
    (.pdf, .doc, .docx), 10 MB at most."""

    serializer_class = ReportSerializer
    filterset_class = record_filters(ConferenceReport, child="conference__children",
                                     many=("child",), fields=["kind"],
                                     conference="conference")
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self) -> QuerySet[ConferenceReport]:
        return selectors.reports_for(self.request.user).prefetch_related("sharings")

    @extend_schema(request={"multipart/form-data": ReportUploadSerializer},
                   responses=ReportSerializer)
    def create(self, request: Request) -> Response:
        data = ReportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        conference = _conference(request, values.pop("conference"))
        redacted_from = _one(conference.reports.all(), values.pop("redacted_from"), "report",
                             field="redacted_from")
        created = preparation.report_upload(
            user=request.user, conference=conference, upload=values.pop("file"),
            redacted_from=redacted_from, **values)
        return Response(ReportSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, media): bytes for media in _CONTENT_TYPES.values()})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str) -> FileResponse:
        report = self.get_object()
        for child in report.conference.children.all():
            access_record(request=request, child_id=child.pk, action=AccessAction.VIEW,
                          section="api-conference-report-download",
                          detail={"conference": report.conference_id, "report": report.pk})
        try:
            handle = report.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("The file is missing") from exc
        return FileResponse(handle, as_attachment=True, filename=report.original_name,
                            content_type=report.content_type)

    @extend_schema(request=CountersignSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def countersign(self, request: Request, pk: str) -> Response:
        report = self.get_object()
        data = CountersignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = preparation.report_countersign(
            user=request.user, report=report, comments=data.validated_data["comments"])
        return Response(ReportSerializer(done).data)

    # 201: a sharing is recorded (issue 15 §4: the schema documents the status answered).
    @extend_schema(request=ShareSerializer, responses={201: SharingSerializer})
    @action(detail=True, methods=["post"])
    def share(self, request: Request, pk: str) -> Response:
        report = self.get_object()
        data = ShareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        invitation = _one(report.conference.invitations.all(), values.pop("invitation"),
                          "invitation")
        done = preparation.report_share(
            user=request.user, report=report, invitation=invitation,
            at=values.pop("shared_at"), **values)
        return Response(SharingSerializer(done).data, status=status.HTTP_201_CREATED)


# --- exclusion requests -------------------------------------------------------------------


class ExclusionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExclusionRequest
        fields = ["id", "conference", "invitation", "person", "name", "requested_by",
                  "requesting_agency", "grounds", "evidence", "requested_at", "late",
                  "decision", "decided_by", "decided_at", "reasons", "excluded_part",
                  "views_arrangement", "redacted_report", "report_provided_at"]
        read_only_fields = fields


class ExclusionCreateSerializer(serializers.Serializer):
    conference = serializers.IntegerField()
    invitation = serializers.IntegerField(required=False, allow_null=True, default=None)
    person = serializers.IntegerField(required=False, allow_null=True, default=None)
    grounds = serializers.ListField(child=serializers.ChoiceField(
        choices=ExclusionGround.choices), min_length=1)
    evidence = serializers.CharField()


class ExclusionDecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ExclusionDecision.choices)
    reasons = serializers.CharField()
    excluded_part = serializers.CharField(required=False, allow_blank=True, default="")
    views_arrangement = serializers.CharField(required=False, allow_blank=True, default="")


class ExclusionReportSerializer(serializers.Serializer):
    report = serializers.IntegerField()
    how = serializers.ChoiceField(choices=ShareHow.choices)


class ExclusionRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                              viewsets.GenericViewSet):
    """Requests to exclude a family member from a conference, and the chair's decisions."""

    serializer_class = ExclusionSerializer
    filterset_class = record_filters(ExclusionRequest, child="conference__children",
                                     many=("child",), fields=["decision"],
                                     conference="conference")

    def get_queryset(self) -> QuerySet[ExclusionRequest]:
        return selectors.exclusions_for(self.request.user)

    @extend_schema(request=ExclusionCreateSerializer, responses=ExclusionSerializer)
    def create(self, request: Request) -> Response:
        data = ExclusionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conference = _conference(request, data.validated_data["conference"])
        invitation = _one(conference.invitations.all(), data.validated_data["invitation"],
                          "invitation")
        person = _one(Person.objects.filter(
            child_links__child__in=conference.children.all()).distinct(),
            data.validated_data["person"], "person")
        created = preparation.exclusion_request_make(
            user=request.user, conference=conference, invitation=invitation, person=person,
            grounds=data.validated_data["grounds"], evidence=data.validated_data["evidence"])
        return Response(ExclusionSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ExclusionDecideSerializer, responses=ExclusionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        """Only the conference's chair; the decision is final (002 §12.13)."""
        exclusion = self.get_object()
        data = ExclusionDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = preparation.exclusion_decide(
            user=request.user, exclusion=exclusion, **data.validated_data)
        return Response(ExclusionSerializer(done).data)

    @extend_schema(request=ExclusionReportSerializer, responses=ExclusionSerializer)
    @action(detail=True, methods=["post"], url_path="provide-report",
            url_name="provide-report")
    def provide_report(self, request: Request, pk: str) -> Response:
        exclusion = self.get_object()
        data = ExclusionReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = _one(exclusion.conference.reports.all(), data.validated_data["report"],
                      "report")
        done = preparation.exclusion_provide_report(
            user=request.user, exclusion=exclusion, report=report,
            how=data.validated_data["how"])
        return Response(ExclusionSerializer(done).data)



