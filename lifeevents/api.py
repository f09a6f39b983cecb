"""Missing episodes, deaths, legal orders, complaints, letters and plan-ending notices
through the API: scoped as the pages are, every write through the same service (refusals
403, failed preconditions 400 with the message)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cpcases.accounts.models import Team, User
from cpcases.accounts.roles import Capability
from cpcases.children.scoping import visible_children
from cpcases.core.api import scoped_get, visible_child
from cpcases.core.filters import record_filters
from cpcases.plans.selectors import plans_visible
from lifeevents import ending, restriction, selectors, services
from lifeevents.models import (
    AgencyViewRequest,
    CaseTransfer,
    ChildDeath,
    Complaint,
    ComplaintAbout,
    LegalOrder,
    Letter,
    MissingEpisode,
    MissingKind,
    OrderKind,
    PlanEndingNotice,
    ProfessionalChallenge,
    RecordRestriction,
    ReplyMethod,
    ReviewDecision,
)

T = TypeVar("T")


def _input(serializer_class: type[serializers.Serializer], request: Request
           ) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class _Scoped(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    model: Any = None
    related: tuple[str, ...] = ("child",)

    def get_queryset(self) -> QuerySet[Any]:
        return (self.model.objects.filter(child__in=visible_children(self.request.user))
                .select_related(*self.related).order_by("-id"))


# --- missing episodes -------------------------------------------------------------------------


class MissingEpisodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = MissingEpisode
        fields = ["id", "child", "kind", "last_seen_at", "last_seen_by", "reported_at",
                  "reported_by", "circumstances", "lead_social_worker", "found_at",
                  "found_note", "interview_offered_at", "interview_accepted",
                  "interview_note"]
        read_only_fields = fields


class MissingInSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MissingKind.choices, default=MissingKind.MISSING)
    last_seen_at = serializers.DateTimeField()
    last_seen_by = serializers.CharField(max_length=200)
    circumstances = serializers.CharField(required=False, allow_blank=True, default="")


class FoundInSerializer(serializers.Serializer):
    found_at = serializers.DateTimeField()
    found_note = serializers.CharField(required=False, allow_blank=True, default="")


class InterviewInSerializer(serializers.Serializer):
    offered_at = serializers.DateTimeField()
    accepted = serializers.BooleanField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MissingEpisodeViewSet(_Scoped):
    """Children missing or absent (003): the lead social worker is told at once."""

    model = MissingEpisode
    filterset_class = record_filters(MissingEpisode)
    serializer_class = MissingEpisodeSerializer

    @extend_schema(request=MissingInSerializer, responses={201: MissingEpisodeSerializer})
    def create(self, request: Request) -> Response:
        data = _input(MissingInSerializer, request)
        child = visible_child(request.user, data.pop("child"))
        episode = services.missing_episode_record(child=child, user=request.user,
                                                  **data)
        return Response(MissingEpisodeSerializer(episode).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=FoundInSerializer, responses=MissingEpisodeSerializer)
    @action(detail=True, methods=["post"])
    def found(self, request: Request, pk: str) -> Response:
        episode = services.missing_episode_found(
            episode=self.get_object(),
            user=request.user, **_input(FoundInSerializer, request))
        return Response(MissingEpisodeSerializer(episode).data)

    @extend_schema(request=InterviewInSerializer, responses=MissingEpisodeSerializer)
    @action(detail=True, methods=["post"])
    def interview(self, request: Request, pk: str) -> Response:
        episode = services.missing_return_interview_offer(
            episode=self.get_object(),
            user=request.user, **_input(InterviewInSerializer, request))
        return Response(MissingEpisodeSerializer(episode).data)


# --- deaths -----------------------------------------------------------------------------------


class ChildDeathSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChildDeath
        fields = ["id", "child", "died_on", "circumstances", "reported_by", "reported_at",
                  "senior_cp_manager", "deadlines_stopped", "partnership_notified_at",
                  "partnership_notified_by", "review_decision", "review_reasons",
                  "review_decided_at"]
        read_only_fields = fields


class DeathInSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    died_on = serializers.DateField()
    circumstances = serializers.CharField()


class PartnershipInSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=ReplyMethod.choices, default=ReplyMethod.EMAIL)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewInSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    reasons = serializers.CharField()


class ChildDeathViewSet(_Scoped):
    """A child's death (003): through the manager to the senior child protection manager."""

    model = ChildDeath
    filterset_class = record_filters(ChildDeath)
    serializer_class = ChildDeathSerializer

    @extend_schema(request=DeathInSerializer, responses={201: ChildDeathSerializer})
    def create(self, request: Request) -> Response:
        data = _input(DeathInSerializer, request)
        child = visible_child(request.user, data.pop("child"))
        death = services.child_death_record(child=child, user=request.user, **data)
        return Response(ChildDeathSerializer(death).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PartnershipInSerializer, responses=ChildDeathSerializer)
    @action(detail=True, methods=["post"], url_path="notify-partnership")
    def notify_partnership(self, request: Request, pk: str) -> Response:
        death = services.child_death_notify_partnership(
            death=self.get_object(),
            user=request.user, **_input(PartnershipInSerializer, request))
        return Response(ChildDeathSerializer(death).data)

    @extend_schema(request=ReviewInSerializer, responses=ChildDeathSerializer)
    @action(detail=True, methods=["post"], url_path="review-decision")
    def review_decision(self, request: Request, pk: str) -> Response:
        death = services.child_death_review_decide(
            death=self.get_object(),
            user=request.user, **_input(ReviewInSerializer, request))
        return Response(ChildDeathSerializer(death).data)


# --- legal orders -----------------------------------------------------------------------------


class LegalOrderSerializer(serializers.ModelSerializer):
    looked_after = serializers.BooleanField(source="is_looked_after", read_only=True)

    class Meta:
        model = LegalOrder
        fields = ["id", "child", "kind", "starts_on", "ends_on", "legal_action_planned",
                  "assessments_concluded_on", "ended_on", "note", "looked_after"]
        read_only_fields = fields


class OrderInSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=OrderKind.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    legal_action_planned = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DateInSerializer(serializers.Serializer):
    on = serializers.DateField()


class LegalOrderViewSet(_Scoped):
    """Orders and accommodation (002 §3.2-3.3), with the looked-after flag."""

    model = LegalOrder
    filterset_class = record_filters(LegalOrder)
    serializer_class = LegalOrderSerializer

    @extend_schema(request=OrderInSerializer, responses={201: LegalOrderSerializer})
    def create(self, request: Request) -> Response:
        data = _input(OrderInSerializer, request)
        child = visible_child(request.user, data.pop("child"))
        order = services.legal_order_record(child=child, user=request.user, **data)
        return Response(LegalOrderSerializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DateInSerializer, responses=LegalOrderSerializer)
    @action(detail=True, methods=["post"], url_path="assessments-concluded")
    def assessments_concluded(self, request: Request, pk: str) -> Response:
        order = services.legal_order_assessments_concluded(
            order=self.get_object(),
            user=request.user,
            concluded_on=_input(DateInSerializer, request)["on"])
        return Response(LegalOrderSerializer(order).data)

    @extend_schema(request=DateInSerializer, responses=LegalOrderSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        order = services.legal_order_end(order=self.get_object(), user=request.user,
                                         ended_on=_input(DateInSerializer, request)["on"])
        return Response(LegalOrderSerializer(order).data)


# --- complaints -------------------------------------------------------------------------------


class ComplaintSerializer(serializers.ModelSerializer):
    next_steps = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = ["id", "child", "conference", "complainant_name", "complainant_relationship",
                  "reply_by", "about", "details", "received_on", "stage", "responded_on",
                  "chair_received_on", "chair_acknowledged_on", "chair_considered_on",
                  "chair_replied_on", "appeal_received_on", "panel_met_on",
                  "appeal_outcome_on", "outcome", "closed_on", "next_steps"]
        read_only_fields = fields

    def get_next_steps(self, obj: Complaint) -> list[str]:
        return services.complaint_next_steps(obj)


class ComplaintInSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    complainant_name = serializers.CharField(max_length=200)
    complainant_relationship = serializers.CharField(max_length=200)
    about = serializers.ChoiceField(choices=ComplaintAbout.choices)
    details = serializers.CharField()
    received_on = serializers.DateField()
    reply_by = serializers.ChoiceField(choices=ReplyMethod.choices, default=ReplyMethod.POST)
    complainant_email = serializers.EmailField(required=False, allow_blank=True, default="")
    complainant_address = serializers.CharField(required=False, allow_blank=True, default="")


class StepInSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=list(services.STEPS))
    on = serializers.DateField()
    text = serializers.CharField(required=False, allow_blank=True, default="")


class ComplaintViewSet(_Scoped):
    """Complaints about a conference and the appeals ladder (003 "Complaints")."""

    model = Complaint
    filterset_class = record_filters(Complaint, conference="conference")
    serializer_class = ComplaintSerializer

    @extend_schema(request=ComplaintInSerializer, responses={201: ComplaintSerializer})
    def create(self, request: Request) -> Response:
        data = _input(ComplaintInSerializer, request)
        child = visible_child(request.user, data.pop("child"))
        complaint = services.complaint_receive(child=child, user=request.user, **data)
        return Response(ComplaintSerializer(complaint).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StepInSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: str) -> Response:
        complaint = services.complaint_advance(
            complaint=self.get_object(),
            user=request.user, **_input(StepInSerializer, request))
        return Response(ComplaintSerializer(complaint).data)


# --- letters and plan-ending notices ----------------------------------------------------------


class LetterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Letter
        fields = ["id", "child", "kind", "recipient_name", "recipient_email",
                  "recipient_address", "method", "subject", "body", "sent_at", "sent_by"]
        read_only_fields = fields


class LetterViewSet(_Scoped):
    """Letters as sent (never regenerated)."""

    model = Letter
    filterset_class = record_filters(Letter)
    serializer_class = LetterSerializer


def _plan_ended_letters(notice: Any) -> QuerySet[Letter]:
    """The letters a plan-ending notice sent (newest first); `notice` a pk or OuterRef."""
    return Letter.objects.filter(kind="plan_ended", object_id=notice).order_by(
        "-sent_at", "-id")


class PlanEndingNoticeSerializer(serializers.ModelSerializer):
    letters = serializers.SerializerMethodField()
    census_closure_reason = serializers.SerializerMethodField()

    class Meta:
        model = PlanEndingNotice
        fields = ["id", "plan", "icpc", "sent_at", "sent_by", "census_closure_reason",
                  "letters"]
        read_only_fields = fields

    def get_letters(self, obj: PlanEndingNotice) -> list[int]:
        annotated = getattr(obj, "letter_ids", None)  # the list's one query (get_queryset)
        if annotated is not None:
            return list(annotated)
        return list(_plan_ended_letters(obj.pk).values_list("id", flat=True))

    def get_census_closure_reason(self, obj: PlanEndingNotice) -> str:
        return selectors.census_closure_reason(obj.plan.end_reason)


class PlanEndingInSerializer(serializers.Serializer):
    plan = serializers.IntegerField()


class PlanEndingNoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                              viewsets.GenericViewSet):
    """Everyone invited to the ICPC told that the plan has ended (003)."""

    serializer_class = PlanEndingNoticeSerializer
    filterset_class = record_filters(PlanEndingNotice, child="plan__child", plan="plan")

    def get_queryset(self) -> QuerySet[PlanEndingNotice]:
        return (PlanEndingNotice.objects.filter(plan__in=plans_visible(self.request.user))
                .select_related("plan").order_by("-id")
                .annotate(letter_ids=ArraySubquery(
                    _plan_ended_letters(OuterRef("pk")).values("id"))))

    @extend_schema(request=PlanEndingInSerializer, responses={201: PlanEndingNoticeSerializer})
    def create(self, request: Request) -> Response:
        plan_id = _input(PlanEndingInSerializer, request)["plan"]
        plan = scoped_get(plans_visible(request.user), plan_id, what="plan")
        notice = services.plan_ending_notify(plan=plan, user=request.user)
        return Response(PlanEndingNoticeSerializer(notice).data,
                        status=status.HTTP_201_CREATED)


# --- transfers --------------------------------------------------------------------------------


class CaseTransferSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseTransfer
        fields = ["id", "child", "kind", "transferred_on", "reason", "handover_note",
                  "from_team", "to_team", "from_worker", "to_worker", "deadlines_moved",
                  "actions_moved", "receiving_authority", "receiving_contact",
                  "receiving_email", "receiving_address", "their_conference_on"]
        read_only_fields = fields


class TransferInSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    to_team = serializers.IntegerField()
    to_worker = serializers.IntegerField()
    reason = serializers.CharField()
    handover_note = serializers.CharField(required=False, allow_blank=True, default="")


class TransferOutInSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    receiving_authority = serializers.CharField(max_length=200)
    notified_on = serializers.DateField()
    reason = serializers.CharField()
    receiving_contact = serializers.CharField(required=False, allow_blank=True, default="")
    receiving_email = serializers.EmailField(required=False, allow_blank=True, default="")
    receiving_address = serializers.CharField(required=False, allow_blank=True, default="")
    handover_note = serializers.CharField(required=False, allow_blank=True, default="")


class CaseTransferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """Case transfers: within the authority (deadlines move with the case) and out of it."""

    serializer_class = CaseTransferSerializer
    filterset_class = record_filters(CaseTransfer)

    def get_queryset(self) -> QuerySet[CaseTransfer]:
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):
            return CaseTransfer.objects.none()
        if not user.can(Capability.ALLOCATE):
            return CaseTransfer.objects.filter(child__in=visible_children(user)).order_by("-id")
        return selectors.transfers_for_manager(user=user)

    @extend_schema(request=TransferInSerializer, responses={201: CaseTransferSerializer})
    def create(self, request: Request) -> Response:
        data = _input(TransferInSerializer, request)
        child = visible_child(request.user, data.pop("child"))
        team = Team.objects.filter(pk=data.pop("to_team"),
                                   service__authority_id=request.user.authority_id).first()
        worker = User.objects.filter(pk=data.pop("to_worker"),
                                     authority_id=request.user.authority_id).first()
        if team is None or worker is None:
            raise ValidationError({"to_team" if team is None else "to_worker": [
                "Choose a team and a worker of this authority."]})
        transfer = services.case_transfer(child=child, user=request.user,
                                          to_team=team, to_worker=worker, **data)
        return Response(CaseTransferSerializer(transfer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TransferOutInSerializer, responses={201: CaseTransferSerializer})
    @action(detail=False, methods=["post"])
    def out(self, request: Request) -> Response:
        data = _input(TransferOutInSerializer, request)
        child = visible_child(request.user, data.pop("child"))
        transfer = services.transfer_out_record(child=child, user=request.user, **data)
        return Response(CaseTransferSerializer(transfer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DateInSerializer, responses=CaseTransferSerializer)
    @action(detail=True, methods=["post"], url_path="their-conference")
    def their_conference(self, request: Request, pk: str) -> Response:
        transfer = services.transfer_out_conference_held(
            transfer=self.get_object(),
            user=request.user, held_on=_input(DateInSerializer, request)["on"])
        return Response(CaseTransferSerializer(transfer).data)


# --- professional challenge -------------------------------------------------------------------


class ProfessionalChallengeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProfessionalChallenge
        fields = ["id", "child", "raised_by", "agency", "about", "with_whom", "raised_on",
                  "stage", "outcome", "resolved_on", "reported_to_partnership_on"]
        read_only_fields = fields


class ChallengeInSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    about = serializers.CharField()
    with_whom = serializers.CharField(max_length=200)


class ChallengeNoteSerializer(serializers.Serializer):
    text = serializers.CharField()


class ProfessionalChallengeViewSet(_Scoped):
    """Professional challenges (003): five stages, each with its time from the policy."""

    model = ProfessionalChallenge
    filterset_class = record_filters(ProfessionalChallenge)
    serializer_class = ProfessionalChallengeSerializer
    related = ("child", "raised_by")

    @extend_schema(request=ChallengeInSerializer,
                   responses={201: ProfessionalChallengeSerializer})
    def create(self, request: Request) -> Response:
        data = _input(ChallengeInSerializer, request)
        child = visible_child(request.user, data.pop("child"))
        challenge = services.challenge_raise(child=child, user=request.user, **data)
        return Response(ProfessionalChallengeSerializer(challenge).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=ChallengeNoteSerializer, responses=ProfessionalChallengeSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: str) -> Response:
        challenge = services.challenge_escalate(
            challenge=self.get_object(),
            user=request.user,
            note=_input(ChallengeNoteSerializer, request)["text"])
        return Response(ProfessionalChallengeSerializer(challenge).data)

    @extend_schema(request=ChallengeNoteSerializer, responses=ProfessionalChallengeSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        challenge = services.challenge_resolve(
            challenge=self.get_object(),
            user=request.user,
            outcome=_input(ChallengeNoteSerializer, request)["text"])
        return Response(ProfessionalChallengeSerializer(challenge).data)


# --- views of absent agencies before a plan ends (003 "Discontinuing") ------------------------


class AgencyViewRequestSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="views.plan.child_id", read_only=True)
    plan = serializers.IntegerField(source="views.plan_id", read_only=True)
    conference = serializers.IntegerField(source="views.conference_id", read_only=True)

    class Meta:
        model = AgencyViewRequest
        fields = ["id", "child", "plan", "conference", "name", "agency", "letter", "view",
                  "received_on", "recorded_by"]
        read_only_fields = fields


class AgencyViewInSerializer(serializers.Serializer):
    view = serializers.CharField()
    received_on = serializers.DateField()


class AgencyViewRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                               viewsets.GenericViewSet):
    """The agencies invited to the review that ended a plan who were not there, asked for
    their views in writing; recording the last one meets the deadline (003)."""

    serializer_class = AgencyViewRequestSerializer
    filterset_class = record_filters(AgencyViewRequest, child="views__plan__child",
                                     plan="views__plan")

    def get_queryset(self) -> QuerySet[AgencyViewRequest]:
        return (AgencyViewRequest.objects.filter(
            views__plan__child__in=visible_children(self.request.user))
            .select_related("views__plan").order_by("-id"))

    @extend_schema(request=AgencyViewInSerializer, responses=AgencyViewRequestSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request: Request, pk: str) -> Response:
        asked = ending.agency_view_record(request=self.get_object(), user=request.user,
                                          **_input(AgencyViewInSerializer, request))
        return Response(AgencyViewRequestSerializer(asked).data)


# --- restricted records -----------------------------------------------------------------------


class RecordRestrictionSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecordRestriction
        fields = ["id", "child", "reason", "named", "marked_by", "marked_at", "lifted_at",
                  "lifted_by", "lift_reason"]
        read_only_fields = fields


class RestrictInSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    reason = serializers.CharField()
    named = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


class LiftInSerializer(serializers.Serializer):
    reason = serializers.CharField()


class RecordRestrictionViewSet(_Scoped):
    """A manager of the child's team restricts the record to named people, or lifts it."""

    model = RecordRestriction
    filterset_class = record_filters(RecordRestriction)
    serializer_class = RecordRestrictionSerializer
    related = ("child", "marked_by")

    @extend_schema(request=RestrictInSerializer, responses={201: RecordRestrictionSerializer})
    def create(self, request: Request) -> Response:
        data = _input(RestrictInSerializer, request)
        child = visible_child(request.user, data["child"])
        named = list(User.objects.filter(pk__in=data["named"]))
        if len(named) != len(set(data["named"])):
            raise ValidationError({"named": "Name only active staff of this council."})
        marked = restriction.record_restrict(child=child, user=request.user,
                                             reason=data["reason"], named=named)
        return Response(RecordRestrictionSerializer(marked).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=LiftInSerializer, responses=RecordRestrictionSerializer)
    @action(detail=True, methods=["post"])
    def lift(self, request: Request, pk: str) -> Response:
        current = self.get_object()
        lifted = restriction.record_unrestrict(child=current.child, user=request.user,
                                               **_input(LiftInSerializer, request))
        return Response(RecordRestrictionSerializer(lifted).data)
