"""The conference's record and outputs through the API, under /api/v1/conferences/{id}/
(issue 15 §3): the record, its distribution, the decisions summary, amendment requests, the
attendance, the observer, non-attendance letters and a plan linked to the decision.

`ConferenceOutputsActions` is mixed into conferences.api.ConferenceViewSet. Every write goes
through the same service as the page (conferences.outcomes.services), so the workflow's rules
cannot be bypassed: a refused step answers 400 with the service's message, a role that may
not take it 403 (cpcases.core.api). Each answer carries the state after the action.

The conference is looked up as the pages look it up (outcomes.selectors.conferences_visible):
chairs and business support keep the conferences they run after a child leaves the child
protection process, since the record and letters are written after the decision
(decisions §38).
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from conferences.models import Conference
from conferences.outcomes import selectors, services
from conferences.outcomes.api import AgencyViewInputSerializer, DecisionSerializer
from conferences.outcomes.day_api import QuoracySerializer
from conferences.outcomes.models import (
    AmendmentRequest,
    Attendance,
    AttendanceStatus,
    Audience,
    ConferenceDay,
    ConferenceRecord,
    Distribution,
    NonAttendanceLetter,
    ParticipantType,
    RecordSection,
)
from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency, Role
from cpcases.core.api import scoped_get
from cpcases.core.concurrency import StaleVersion, describe_conflict
from cpcases.plans.models import ChildProtectionPlan

# --- answers ---------------------------------------------------------------------------------


class DistributionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Distribution
        fields = ["id", "audience", "recipients", "sent_on", "sent_by", "created_at"]
        read_only_fields = fields


class AmendmentRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = AmendmentRequest
        fields = ["id", "requested_by", "received_on", "requested_on", "text",
                  "within_window", "logged_by", "created_at"]
        read_only_fields = fields


class ConferenceRecordSerializer(serializers.ModelSerializer):
    """The record of the conference (002 §22, 003), its sign-off, the letter and summary
    issued, and its distribution and amendment requests. Before anything is written: blank."""

    confidential_sections = serializers.ListField(
        child=serializers.ChoiceField(choices=RecordSection.choices), read_only=True,
        help_text="Sections left out of the parents' copy (003).")
    distributions = serializers.SerializerMethodField()
    amendment_requests = serializers.SerializerMethodField()

    class Meta:
        model = ConferenceRecord
        fields = ["conference", "version", *RecordSection.values, "confidential_sections",
                  "signed_off_at", "signed_off_by", "decision_letter_issued_at",
                  "summary_issued_at", "sent_to_professionals_on", "sent_to_family_on",
                  "distributions", "amendment_requests"]
        read_only_fields = fields

    @extend_schema_field(DistributionSerializer(many=True))
    def get_distributions(self, obj: ConferenceRecord) -> list[dict[str, Any]]:
        if obj.pk is None:
            return []
        return DistributionSerializer(obj.distributions.all(), many=True).data

    @extend_schema_field(AmendmentRequestSerializer(many=True))
    def get_amendment_requests(self, obj: ConferenceRecord) -> list[dict[str, Any]]:
        if obj.pk is None:
            return []
        return AmendmentRequestSerializer(obj.amendment_requests.all(), many=True).data


class AttendanceRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "version", "participant_type", "user", "name", "agency", "role",
                  "email", "status", "direct_contact", "report_sent"]
        read_only_fields = fields


class AttendanceAddedSerializer(serializers.Serializer):
    added = AttendanceRowSerializer(many=True)
    quoracy = QuoracySerializer()


class ObserverSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="observer_name")
    role = serializers.CharField(source="observer_role")
    chair_consent = serializers.BooleanField(source="observer_chair_consent")
    family_consent = serializers.BooleanField(source="observer_family_consent")

    class Meta:
        model = ConferenceDay
        fields = ["name", "role", "chair_consent", "family_consent"]
        read_only_fields = fields


class NonAttendanceLetterSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="attendance.name")
    agency = serializers.CharField(source="attendance.agency")
    role = serializers.CharField(source="attendance.role")

    class Meta:
        model = NonAttendanceLetter
        fields = ["id", "attendance", "name", "agency", "role", "issued_at", "issued_by"]
        read_only_fields = fields


class MonthCountSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The first day of the month.")
    count = serializers.IntegerField()


class AgencyNonAttendanceSerializer(serializers.Serializer):
    agency = serializers.ChoiceField(choices=Agency.choices)
    label = serializers.CharField()
    total = serializers.IntegerField()
    months = MonthCountSerializer(many=True)


class NonAttendanceReportSerializer(serializers.Serializer):
    months = serializers.ListField(child=serializers.DateField())
    agencies = AgencyNonAttendanceSerializer(many=True, help_text="Most first.")


class NonAttendanceLettersSerializer(serializers.Serializer):
    written_now = serializers.IntegerField(help_text="Letters written by this request.")
    letters = NonAttendanceLetterSerializer(many=True)


# --- requests --------------------------------------------------------------------------------


class RecordWriteSerializer(serializers.Serializer):
    """The whole record as the minute-taker writes it (PUT: every section, blank allowed)."""

    purpose = serializers.CharField(allow_blank=True)
    facts = serializers.CharField(allow_blank=True)
    opinions = serializers.CharField(allow_blank=True)
    child_views = serializers.CharField(allow_blank=True)
    parent_views = serializers.CharField(allow_blank=True)
    discussion = serializers.CharField(allow_blank=True)
    confidential_sections = serializers.ListField(
        child=serializers.ChoiceField(choices=RecordSection.choices), required=False,
        default=list)


class DistributionInputSerializer(serializers.Serializer):
    audience = serializers.ChoiceField(choices=Audience.choices,
                                       help_text="The family get the parents' copy (003).")
    recipients = serializers.CharField(help_text="Names, and how it was sent.")
    sent_on = serializers.DateField()


class AmendmentRequestInputSerializer(serializers.Serializer):
    requested_by = serializers.CharField(max_length=200)
    received_on = serializers.DateField(help_text="The day they received the record.")
    requested_on = serializers.DateField(help_text="The day of their written request.")
    text = serializers.CharField()


class AttendancePersonSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    participant_type = serializers.ChoiceField(choices=ParticipantType.choices,
                                               default=ParticipantType.PROFESSIONAL)
    agency = serializers.ChoiceField(choices=Agency.choices, required=False, allow_blank=True,
                                     default="")
    role = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=AttendanceStatus.choices,
                                     default=AttendanceStatus.PRESENT)
    direct_contact = serializers.BooleanField(default=False)
    report_sent = serializers.BooleanField(default=False)
    user = serializers.IntegerField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _require_agency(attrs)
        return attrs


class AttendanceAddSerializer(serializers.Serializer):
    people = AttendancePersonSerializer(many=True, allow_empty=False)


class AttendanceChangeSerializer(serializers.Serializer):
    """PATCH: only the fields sent change."""

    name = serializers.CharField(max_length=200, required=False)
    participant_type = serializers.ChoiceField(choices=ParticipantType.choices,
                                               required=False)
    agency = serializers.ChoiceField(choices=Agency.choices, required=False, allow_blank=True)
    role = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=AttendanceStatus.choices, required=False)
    direct_contact = serializers.BooleanField(required=False)
    report_sent = serializers.BooleanField(required=False)
    user = serializers.IntegerField(required=False, allow_null=True)


class ObserverInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    role = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    chair_consent = serializers.BooleanField()
    family_consent = serializers.BooleanField()


class NonAttendanceQuerySerializer(serializers.Serializer):
    since = serializers.DateField(required=False, help_text="Conferences on or after.")


class PlanLinkSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    plan = serializers.IntegerField(help_text="The child's current plan, started on the day "
                                              "of this conference in the plans app.")
    reasons = serializers.CharField()
    agency_views = AgencyViewInputSerializer(many=True, required=False, default=list)


# --- helpers ---------------------------------------------------------------------------------


def _require_agency(attrs: dict[str, Any]) -> None:
    if attrs.get("participant_type") == ParticipantType.PROFESSIONAL and \
            not attrs.get("agency"):
        raise ValidationError({"agency": ["Choose the professional's agency."]})


def _authority_user(conference: Conference, pk: int | None, field: str) -> User | None:
    if pk is None:
        return None
    found = User.objects.filter(authority_id=conference.authority_id, pk=pk,
                                is_active=True).first()
    if found is None:
        raise ValidationError({field: [f"There is no user {pk} in this authority."]})
    return found


def _version_read(request: Request, record: models.Model) -> int:
    """The `version` the caller read: none answers 400, an older one 409 naming the other
    person's changes (issue 12 §3, as cpcases.core.concurrency.VersionedUpdateMixin)."""
    raw = request.data.get("version") if hasattr(request.data, "get") else None
    if isinstance(raw, bool) or raw is None or not str(raw).isdigit():
        raise ValidationError({"version": ["Send the version of the record you read."]})
    read = int(raw)
    if read != record.version:  # type: ignore[attr-defined]
        raise StaleVersion(describe_conflict(record, read, request.data))
    return read


def _quoracy(conference: Conference) -> dict[str, Any]:
    check = selectors.conference_quoracy(conference)
    return {"quorate": check.quorate, "message": check.message,
            "agencies_with_contact": list(check.agencies_with_contact)}


def _added(conference: Conference, rows: list[Attendance]) -> dict[str, Any]:
    return {"added": AttendanceRowSerializer(rows, many=True).data,
            "quoracy": _quoracy(conference)}


ATTENDANCE_ID = OpenApiParameter("attendance_id", OpenApiTypes.INT, OpenApiParameter.PATH,
                                 description="An attendance row of this conference.")


# --- the actions -----------------------------------------------------------------------------


class ConferenceOutputsActions:
    """@action methods for ConferenceViewSet (a GenericViewSet over conferences)."""

    request: Request
    kwargs: dict[str, Any]

    def get_object(self) -> Conference:
        """This mixin's actions look the conference up in the pages' scope (the module's
        docstring); the viewset's other actions keep theirs."""
        if getattr(self, "action", None) not in ConferenceOutputsActions.__dict__:
            return super().get_object()  # type: ignore[misc]
        conference = scoped_get(selectors.conferences_visible(user=self.request.user),
                                self.kwargs.get("pk"), what="conference")
        self.check_object_permissions(self.request, conference)  # type: ignore[attr-defined]
        return conference

    def _staff_conference(self) -> Conference:
        """For reads: a partner who attended sees the decisions summary only (as the pages)."""
        conference = self.get_object()
        if self.request.user.role == Role.PARTNER:
            raise PermissionDenied("A partner sees the decisions summary only.")
        return conference

    def _record(self, conference: Conference) -> ConferenceRecord:
        return selectors.record_for(conference) or ConferenceRecord(conference=conference)

    def _record_response(self, conference: Conference, code: int = status.HTTP_200_OK
                         ) -> Response:
        return Response(ConferenceRecordSerializer(self._record(conference)).data, status=code)

    # --- the record (002 §22) ---

    @extend_schema(summary="The record of the conference", request=None,
                   responses={200: ConferenceRecordSerializer})
    @action(detail=True, methods=["get"], url_path="record", url_name="record")
    def record_read(self, request: Request, pk: str) -> Response:
        """The record as written so far (blank before anything is), with its sign-off, letter,
        summary, distributions and amendment requests."""
        return self._record_response(self._staff_conference())

    @extend_schema(summary="Write the record (the minute-taker, before the chair's sign-off)",
                   request=RecordWriteSerializer, responses={200: ConferenceRecordSerializer})
    @record_read.mapping.put
    def record_write(self, request: Request, pk: str) -> Response:
        """The minute-taker, the chair or business support writes the record (002 §22.3):
        every section, and those left out of the parents' copy (003). Send the `version` read
        once the record exists. Refused after the chair's sign-off: log an amendment request."""
        conference = self.get_object()
        existing = selectors.record_for(conference)
        read = _version_read(request, existing) if existing is not None else None
        data = RecordWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.record_update(  # 002 §22.3; 003: confidential sections
            conference=conference, user=request.user,
            sections={key: values[key] for key in RecordSection.values},
            confidential_sections=values["confidential_sections"], version=read)
        return self._record_response(conference)

    @extend_schema(summary="Record the signed record's distribution to the professionals "
                           "or to the family",
                   request=DistributionInputSerializer,
                   responses={201: ConferenceRecordSerializer})
    @action(detail=True, methods=["post"], url_path="record/distributions",
            url_name="record-distributions")
    def record_distribute(self, request: Request, pk: str) -> Response:
        """The signed record sent to the professionals (002 §22.5) or to the family (the
        parents' copy, 003): meets `record_to_professionals` or `record_to_family`; the copy
        sent is kept as issued."""
        conference = self.get_object()
        data = DistributionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.record_distribute(conference=conference, user=request.user,
                                   **data.validated_data)  # 002 §22.5
        return self._record_response(conference, status.HTTP_201_CREATED)

    @extend_schema(summary="Circulate the decisions summary to everyone invited",
                   request=None, responses={201: ConferenceRecordSerializer})
    @action(detail=True, methods=["post"], url_path="decision-summaries",
            url_name="decision-summaries")
    def decision_summary_issue(self, request: Request, pk: str) -> Response:
        """003: decisions, category, lead social worker, core group and outline plan to everyone
        invited, once every child's decision is recorded; the summary is kept as issued."""
        conference = self.get_object()
        services.decisions_summary_issue(conference=conference, user=request.user)  # 003
        return self._record_response(conference, status.HTTP_201_CREATED)

    # --- amendment requests (002 §22.6) ---

    @extend_schema(summary="Requests to amend the record",
                   responses={200: AmendmentRequestSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="amendment-requests",
            url_name="amendment-requests", filter_backends=[])
    def amendment_request_list(self, request: Request, pk: str) -> Response:
        """The requests logged, each judged against the amendment window."""
        conference = self._staff_conference()
        rows = AmendmentRequest.objects.filter(record__conference=conference).order_by(
            "requested_on", "id")
        page = self.paginate_queryset(rows)  # type: ignore[attr-defined]
        return self.get_paginated_response(  # type: ignore[attr-defined]
            AmendmentRequestSerializer(page, many=True).data)

    @extend_schema(summary="Log a written request to amend the record",
                   request=AmendmentRequestInputSerializer,
                   responses={201: AmendmentRequestSerializer})
    @amendment_request_list.mapping.post
    def amendment_request_log(self, request: Request, pk: str) -> Response:
        """A written request after the sign-off, judged against `record_amendment_window` from
        the day the requester received the record (002 §22.6): `within_window` says."""
        conference = self.get_object()
        data = AmendmentRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        logged = services.record_amendment_log(conference=conference, user=request.user,
                                               **data.validated_data)
        return Response(AmendmentRequestSerializer(logged).data,
                        status=status.HTTP_201_CREATED)

    # --- attendance (002 §22.4) ---

    @extend_schema(summary="Who was invited and whether they came",
                   responses={200: AttendanceRowSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="attendance", url_name="attendance",
            filter_backends=[])
    def attendance_list(self, request: Request, pk: str) -> Response:
        """Every person invited and whether they came (002 §22.4), a page at a time."""
        conference = self._staff_conference()
        page = self.paginate_queryset(conference.attendances.all())  # type: ignore[attr-defined]
        return self.get_paginated_response(  # type: ignore[attr-defined]
            AttendanceRowSerializer(page, many=True).data)

    @extend_schema(summary="Add people to the attendance (all or none)",
                   request=AttendanceAddSerializer,
                   responses={201: AttendanceAddedSerializer})
    @attendance_list.mapping.post
    def attendance_add(self, request: Request, pk: str) -> Response:
        """Several people at once, all or none, as on the page; the answer has the rows added
        and the quoracy after them (002 §5.2)."""
        conference = self.get_object()
        data = AttendanceAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = []
        for index, person in enumerate(data.validated_data["people"]):
            values = dict(person)
            values["user"] = _authority_user(conference, values.pop("user"),
                                             f"people.{index}.user")
            rows.append(services.AttendanceData(**values))
        added = services.attendance_add_many(conference=conference, user=request.user,
                                             rows=rows)
        return Response(_added(conference, added), status=status.HTTP_201_CREATED)

    @extend_schema(summary="Copy the invitation list into the attendance",
                   request=None, responses={200: AttendanceAddedSerializer})
    @action(detail=True, methods=["post"], url_path="attendance/from-invitations",
            url_name="attendance-from-invitations")
    def attendance_from_invitations(self, request: Request, pk: str) -> Response:
        """One row per invitation not yet listed (replies of attending start present, apologies
        as apologies, the rest absent), and the lead social worker present."""
        conference = self.get_object()
        before = set(conference.attendances.values_list("pk", flat=True))
        services.attendance_prefill(conference=conference, user=request.user)
        added = list(conference.attendances.exclude(pk__in=before))
        return Response(_added(conference, added))

    @extend_schema(summary="One person's attendance", parameters=[ATTENDANCE_ID],
                   responses={200: AttendanceRowSerializer})
    @action(detail=True, methods=["get"], url_path=r"attendance/(?P<attendance_id>[0-9]{1,18})",
            url_name="attendance-detail")
    def attendance_read(self, request: Request, pk: str, attendance_id: str) -> Response:
        """The row with its `version`, to send back with a change."""
        conference = self._staff_conference()
        row = scoped_get(conference.attendances.all(), attendance_id, what="attendance")
        return Response(AttendanceRowSerializer(row).data)

    @extend_schema(summary="Change one person's attendance", parameters=[ATTENDANCE_ID],
                   request=AttendanceChangeSerializer,
                   responses={200: AttendanceRowSerializer})
    @attendance_read.mapping.patch
    def attendance_change(self, request: Request, pk: str, attendance_id: str) -> Response:
        """Only the fields sent change; send the row's `version`. Not after the sign-off."""
        conference = self.get_object()
        row = scoped_get(conference.attendances.all(), attendance_id, what="attendance")
        read = _version_read(request, row)
        data = AttendanceChangeSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {name: getattr(row, name) for name in (
            "name", "participant_type", "agency", "role", "email", "address", "status",
            "direct_contact", "report_sent")}
        values.update(data.validated_data)
        _require_agency(values)
        values["user"] = (_authority_user(conference, values.pop("user"), "user")
                          if "user" in data.validated_data else None)
        with transaction.atomic():
            services.attendance_update(attendance=row, user=request.user,
                                       data=services.AttendanceData(**values))
            # The service does not move the version (the page's `edits` does): moved here
            # only if nobody saved the row since it was read.
            if not Attendance.objects.filter(pk=row.pk, version=read).update(
                    version=models.F("version") + 1):
                raise StaleVersion(describe_conflict(Attendance.objects.get(pk=row.pk), read,
                                                     request.data))
        row.refresh_from_db()
        return Response(AttendanceRowSerializer(row).data)

    # --- the observer (002 §4.5) ---

    @extend_schema(summary="Record the conference's one observer, with the chair's and the "
                           "family's consent",
                   request=ObserverInputSerializer, responses={201: ObserverSerializer})
    @action(detail=True, methods=["post"], url_path="observers", url_name="observers")
    def observer_record(self, request: Request, pk: str) -> Response:
        """002 §4.5: at most one professional observer, with the prior consent of the chair and
        of the family; sending the same observer again updates the consents."""
        conference = self.get_object()
        data = ObserverInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        day = services.observer_record(conference=conference, user=request.user,
                                       **data.validated_data)
        return Response(ObserverSerializer(day).data, status=status.HTTP_201_CREATED)

    # --- non-attendance (001) ---

    @extend_schema(summary="Write to each professional who neither attended nor sent a "
                           "report",
                   request=None, responses={201: NonAttendanceLettersSerializer})
    @action(detail=True, methods=["post"], url_path="non-attendance-letters",
            url_name="non-attendance-letters")
    def non_attendance_letters_issue(self, request: Request, pk: str) -> Response:
        """001: the chair writes once to each professional who neither attended nor sent a
        report; the answer lists every letter written for this conference."""
        conference = self.get_object()
        written = services.non_attendance_letters_issue(conference=conference,
                                                        user=request.user)
        letters = NonAttendanceLetter.objects.filter(
            attendance__conference=conference).select_related("attendance").order_by(
            "attendance__name", "id")
        return Response({"written_now": len(written),
                         "letters": NonAttendanceLetterSerializer(letters, many=True).data},
                        status=status.HTTP_201_CREATED)

    @extend_schema(summary="Professionals who neither attended nor sent a report, per agency "
                           "and month",
                   parameters=[NonAttendanceQuerySerializer],
                   responses={200: NonAttendanceReportSerializer})
    @action(detail=False, methods=["get"], url_path="non-attendance",
            url_name="non-attendance", filter_backends=[], pagination_class=None)
    def non_attendance_report(self, request: Request) -> Response:
        """001: patterns of non-attendance across the conferences the user may see, for
        chairs and managers (as the page)."""
        if request.user.role not in selectors.NON_ATTENDANCE_ROLES:
            raise PermissionDenied("Only chairs and managers see the non-attendance report.")
        query = NonAttendanceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        months, rows = selectors.non_attendance_by_agency(
            user=request.user, since=query.validated_data.get("since"))
        return Response(NonAttendanceReportSerializer({"months": months, "agencies": [
            {"agency": r.agency, "label": r.label, "total": r.total,
             "months": [{"month": m, "count": r.months.get(m, 0)} for m in months]}
            for r in rows]}).data)

    # --- a plan recorded in the plans app, linked to the decision ---

    @extend_schema(summary="Record the decision for a child whose plan was already started "
                           "in the plans app, pointing at that plan",
                   request=PlanLinkSerializer, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"], url_path="plan-links", url_name="plan-links")
    def plan_link(self, request: Request, pk: str) -> Response:
        """The chair records the decision for a child whose plan was started in the plans app on
        the day of this conference: the decision points at that plan instead of starting a
        second one; the review is booked and the letter and record deadlines start."""
        conference = self.get_object()
        data = PlanLinkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        child = conference.children.filter(pk=values["child"]).first()
        if child is None:
            raise ValidationError({"child": ["That child is not a subject of this "
                                             "conference."]})
        plan = ChildProtectionPlan.objects.filter(pk=values["plan"], child=child).first()
        if plan is None:
            raise ValidationError({"plan": [f"That is not a plan of {child}."]})
        decision = services.child_decision_link_plan(
            conference=conference, child=child, user=request.user, plan=plan,
            reasons=values["reasons"],
            agency_views=[services.AgencyViewData(**v) for v in values["agency_views"]])
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)
