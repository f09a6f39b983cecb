"""The front door through the API, scoped exactly as the pages are and written through the
same services (refusals 403, failed preconditions 400 with the message; a record outside the
user's scope is 404)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cpcases.accounts.models import User
from cpcases.accounts.roles import Role
from cpcases.audit.middleware import client_ip
from cpcases.audit.models import AccessAction
from cpcases.audit.services import access_record
from cpcases.children import households
from cpcases.children.models import (
    BreakGlassAccess,
    Child,
    ChildPerson,
    Household,
    Person,
    Relationship,
    Sex,
)
from cpcases.children.scoping import visible_children
from cpcases.children.services import person_add_to_child
from cpcases.core.api import scoped_get, visible_child
from cpcases.core.concurrency import VersionedUpdateMixin
from cpcases.core.filters import record_filters
from frontdoor import merge, selectors, services
from frontdoor.models import (
    Assessment,
    AssessmentFactor,
    AssessmentOutcome,
    ChildMerge,
    ClosureReason,
    Consent,
    Contact,
    ContactDecision,
    NewInformation,
    PrimaryNeed,
    Referral,
    ReferralSource,
)
from strategy.models import Urgency

T = TypeVar("T")


class ChildSummarySerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Child
        fields = ["id", "la_child_id", "display_name", "date_of_birth",
                  "expected_delivery_date"]


# --- contacts ----------------------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    children = ChildSummarySerializer(many=True, read_only=True)
    team = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Contact
        fields = ["id", "team", "received_at", "source", "referrer_name",
                  "referrer_organisation", "referrer_contact", "concern", "consent",
                  "children", "decision", "decision_reason", "urgency", "decided_at"]
        read_only_fields = fields


class NewChildSerializer(serializers.Serializer):
    first_name = serializers.CharField(allow_blank=True, default="")
    last_name = serializers.CharField()
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    is_unborn = serializers.BooleanField(default=False)
    expected_delivery_date = serializers.DateField(required=False, allow_null=True)
    sex = serializers.ChoiceField(choices=Sex.choices, default=Sex.UNKNOWN)
    postcode = serializers.CharField(allow_blank=True, default="")
    address = serializers.CharField(allow_blank=True, default="")
    nhs_number = serializers.CharField(allow_blank=True, default="")


class ContactCreateSerializer(serializers.Serializer):
    received_at = serializers.DateTimeField()
    source = serializers.ChoiceField(choices=ReferralSource.choices)
    concern = serializers.CharField()
    consent = serializers.ChoiceField(choices=Consent.choices)
    referrer_name = serializers.CharField(allow_blank=True, default="")
    referrer_organisation = serializers.CharField(allow_blank=True, default="")
    referrer_contact = serializers.CharField(allow_blank=True, default="")
    children = serializers.ListField(child=serializers.IntegerField(), default=list,
                                     help_text="Ids of children already known")
    new_children = NewChildSerializer(many=True, default=list)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ContactDecision.choices)
    reason = serializers.CharField(allow_blank=True, default="")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    primary_need = serializers.ChoiceField(choices=PrimaryNeed.choices, required=False)


class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Contacts of the user's front-door team and about children they may see."""

    serializer_class = ContactSerializer
    filterset_class = record_filters(Contact, child="children", many=("child",),
                                     fields=["decision"])

    def get_queryset(self) -> QuerySet[Contact]:
        return (selectors.contacts_visible(user=self.request.user)
                .select_related("team").prefetch_related("children"))

    @extend_schema(request=ContactCreateSerializer, responses={201: ContactSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ContactCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        ids = v.pop("children")
        known = list(selectors.searchable_children(request.user).filter(pk__in=ids))
        if len(known) != len(set(ids)):
            raise ValidationError({"children": "No such child."})
        contact = services.contact_record(
            actor=request.user, children=known,
            new_children=[services.NewChild(**c) for c in v.pop("new_children")],
            **v)
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer, responses=ContactSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        contact = self.get_object()
        if not services.may_decide_contact(request.user, contact):
            # 003 "Making Contact": the team manager decides.
            raise PermissionDenied("Only a manager of the front-door team that received the "
                                   "contact decides it.")
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.contact_decide(actor=request.user, contact=contact,
                                **{"urgency": "", "primary_need": "", **data.validated_data})
        contact.refresh_from_db()
        return Response(ContactSerializer(contact).data)


# --- referrals and assessments ------------------------------------------------------------------


class ReferralSerializer(serializers.ModelSerializer):
    class Meta:
        model = Referral
        fields = ["id", "child", "contact", "referral_date", "source", "primary_need",
                  "no_further_action", "acknowledged_at", "closure_date", "closure_reason"]
        read_only_fields = fields


class AllocateSerializer(serializers.Serializer):
    social_worker = serializers.IntegerField()


class CloseSerializer(serializers.Serializer):
    closure_date = serializers.DateField()
    reason = serializers.ChoiceField(choices=ClosureReason.choices)
    no_further_action = serializers.BooleanField(default=False)


class AssessmentSerializer(serializers.ModelSerializer):
    factors = serializers.ListField(child=serializers.ChoiceField(
        choices=AssessmentFactor.choices), read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "referral", "child", "social_worker", "allocated_at", "started_on",
                  "factors", "summary", "outcome", "completed_on", "authorised_by",
                  "authorised_at"]
        read_only_fields = fields


class CompleteSerializer(serializers.Serializer):
    factors = serializers.ListField(child=serializers.ChoiceField(
        choices=AssessmentFactor.choices))
    summary = serializers.CharField(allow_blank=True, default="")
    outcome = serializers.ChoiceField(choices=AssessmentOutcome.choices)
    completed_on = serializers.DateField()
    primary_need = serializers.ChoiceField(choices=PrimaryNeed.choices)


class AuthoriseSerializer(serializers.Serializer):
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)


class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    serializer_class = ReferralSerializer
    filterset_class = record_filters(Referral, contact="contact")

    def get_queryset(self) -> QuerySet[Referral]:
        return selectors.referrals_visible(user=self.request.user)

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        referral = services.referral_acknowledge(actor=request.user,
                                                 referral=self.get_object())
        return Response(ReferralSerializer(referral).data)

    @extend_schema(request=AllocateSerializer, responses={201: AssessmentSerializer})
    @action(detail=True, methods=["post"])
    def allocate(self, request: Request, pk: str | None = None) -> Response:
        data = AllocateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        worker = User.objects.filter(pk=data.validated_data["social_worker"],
                                     authority_id=request.user.authority_id,
                                     role=Role.SOCIAL_WORKER).first()
        if worker is None:
            raise ValidationError({"social_worker": "No such social worker."})
        assessment = services.assessment_allocate(actor=request.user,
                                                  referral=self.get_object(), social_worker=worker)
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CloseSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        data = CloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        referral = services.referral_close(actor=request.user,
                                           referral=self.get_object(), **data.validated_data)
        return Response(ReferralSerializer(referral).data)


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    serializer_class = AssessmentSerializer
    filterset_class = record_filters(Assessment, referral="referral")

    def get_queryset(self) -> QuerySet[Assessment]:
        return selectors.assessments_visible(user=self.request.user)

    @extend_schema(request=CompleteSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        data = CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = services.assessment_complete(
            actor=request.user,
            assessment=self.get_object(), **data.validated_data)
        return Response(AssessmentSerializer(assessment).data)

    @extend_schema(request=AuthoriseSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def authorise(self, request: Request, pk: str | None = None) -> Response:
        data = AuthoriseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = services.assessment_authorise(actor=request.user,
                                                   assessment=self.get_object(),
                                                   urgency=data.validated_data.get("urgency", ""))
        return Response(AssessmentSerializer(assessment).data)


class NewInformationSerializer(serializers.ModelSerializer):
    urgency = serializers.ChoiceField(choices=Urgency.choices)

    class Meta:
        model = NewInformation
        fields = ["id", "child", "received_at", "summary", "urgency"]
        extra_kwargs = {"child": {"queryset": Child.objects.all()}}


class NewInformationViewSet(mixins.ListModelMixin, mixins.CreateModelMixin,
                            viewsets.GenericViewSet):
    """New information on an open case: records the concern (a strategy discussion due)."""

    serializer_class = NewInformationSerializer
    filterset_class = record_filters(NewInformation)

    def get_queryset(self) -> QuerySet[NewInformation]:
        return NewInformation.objects.filter(child__in=visible_children(self.request.user))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = NewInformationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        info = services.new_information_record(
            actor=request.user,
            child=visible_child(request.user, v.pop("child").pk), **v)
        return Response(NewInformationSerializer(info).data, status=status.HTTP_201_CREATED)


# --- find any child, duplicates, break-glass, merge -----------------------------------------------


class SearchResultSerializer(serializers.ModelSerializer):
    """Identifying details and who holds the case: never case content."""

    display_name = serializers.CharField(read_only=True)
    held_by_team = serializers.SerializerMethodField()
    held_by_social_worker = serializers.SerializerMethodField()
    in_scope = serializers.BooleanField(read_only=True,
                                        help_text="Open without a reason (break-glass)")

    class Meta:
        model = Child
        fields = ["id", "la_child_id", "display_name", "date_of_birth",
                  "expected_delivery_date", "postcode", "held_by_team",
                  "held_by_social_worker", "in_scope"]

    def get_held_by_team(self, child: Child) -> str:
        current = child.current_allocations
        return str(current[0].team) if current else ""

    def get_held_by_social_worker(self, child: Child) -> str:
        current = child.current_allocations
        worker = current[0].social_worker if current else None
        return worker.full_name if worker else ""


class ChildSearchViewSet(viewsets.GenericViewSet):
    """Find any child across the authority (the best 50 matches; names fuzzily)."""

    serializer_class = SearchResultSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Child]:
        return selectors.searchable_children(self.request.user)

    @extend_schema(parameters=[
        OpenApiParameter("name", str), OpenApiParameter("postcode", str),
        OpenApiParameter("nhs_number", str), OpenApiParameter("upn", str),
        OpenApiParameter("la_child_id", str),
        OpenApiParameter("date_of_birth", OpenApiTypes.DATE)],
        responses=SearchResultSerializer(many=True))
    def list(self, request: Request) -> Response:
        if not selectors.may_search_authority(request.user):
            raise PermissionDenied("You cannot search the authority's records.")
        dob = serializers.DateField(required=False, allow_null=True).run_validation(
            request.query_params.get("date_of_birth") or None)
        criteria = selectors.SearchCriteria(
            name=request.query_params.get("name", ""), date_of_birth=dob,
            postcode=request.query_params.get("postcode", ""),
            nhs_number=request.query_params.get("nhs_number", ""),
            upn=request.query_params.get("upn", ""),
            la_child_id=request.query_params.get("la_child_id", ""))
        results = selectors.authority_search(user=request.user, criteria=criteria)
        access_record(request=request, child_id=None, action=AccessAction.SEARCH,
                      section="api-authority-search", detail={"results": len(results)})
        return Response(SearchResultSerializer(results, many=True).data)


class DuplicateSerializer(serializers.Serializer):
    child = ChildSummarySerializer()
    reasons = serializers.ListField(child=serializers.CharField())


class DuplicateViewSet(viewsets.GenericViewSet):
    """Likely duplicates of a child about to be recorded."""

    serializer_class = DuplicateSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Child]:
        return selectors.searchable_children(self.request.user)

    @extend_schema(parameters=[
        OpenApiParameter("first_name", str), OpenApiParameter("last_name", str),
        OpenApiParameter("date_of_birth", OpenApiTypes.DATE),
        OpenApiParameter("nhs_number", str), OpenApiParameter("postcode", str),
        OpenApiParameter("address", str)], responses=DuplicateSerializer(many=True))
    def list(self, request: Request) -> Response:
        q = request.query_params
        dob = serializers.DateField(required=False, allow_null=True).run_validation(
            q.get("date_of_birth") or None)
        found = selectors.likely_duplicates(
            user=request.user, first_name=q.get("first_name", ""),
            last_name=q.get("last_name", ""), date_of_birth=dob,
            nhs_number=q.get("nhs_number", ""), postcode=q.get("postcode", ""),
            address=q.get("address", ""))
        return Response(DuplicateSerializer(found, many=True).data)


class BreakGlassSerializer(serializers.ModelSerializer):
    class Meta:
        model = BreakGlassAccess
        fields = ["id", "child", "reason", "opened_at", "opened_on"]
        read_only_fields = ["opened_at", "opened_on"]
        extra_kwargs = {"child": {"queryset": Child.objects.all()}}


class BreakGlassViewSet(mixins.ListModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    """Open a record outside one's scope with a reason; one's own openings."""

    serializer_class = BreakGlassSerializer
    filterset_class = record_filters(BreakGlassAccess)

    def get_queryset(self) -> QuerySet[BreakGlassAccess]:
        return BreakGlassAccess.objects.filter(user_id=self.request.user.pk)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = BreakGlassSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        child = scoped_get(selectors.searchable_children(request.user),
                           data.validated_data["child"].pk, what="child")
        grant = services.break_glass_open(
            actor=request.user, child=child,
            reason=data.validated_data["reason"], path=request.get_full_path(),
            ip_address=client_ip(request))
        return Response(BreakGlassSerializer(grant).data, status=status.HTTP_201_CREATED)


class MergeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChildMerge
        fields = ["id", "kept", "merged", "merged_by", "merged_at", "reason", "replaced",
                  "moved", "deadlines_cancelled"]
        read_only_fields = ["merged_by", "merged_at", "replaced", "moved",
                            "deadlines_cancelled"]
        extra_kwargs = {"kept": {"queryset": Child.objects.all()},
                        "merged": {"queryset": Child.objects.all()}}


class MergeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Merges of duplicate records (managers)."""

    serializer_class = MergeSerializer
    filterset_class = record_filters(ChildMerge, child="kept")

    def get_queryset(self) -> QuerySet[ChildMerge]:
        return ChildMerge.objects.filter(kept__in=visible_children(self.request.user))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        record = merge.child_merge(actor=request.user, keep=v["kept"],
                                   duplicate=v["merged"], reason=v["reason"])
        return Response(MergeSerializer(record).data, status=status.HTTP_201_CREATED)


# --- households and people around the child -------------------------------------------------------


class HouseholdSerializer(serializers.ModelSerializer):
    children = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    child = serializers.IntegerField(write_only=True, required=False,
                                     help_text="The child the new household is recorded for")

    class Meta:
        model = Household
        fields = ["id", "name", "address", "postcode", "children", "child", "version"]


class HouseholdViewSet(VersionedUpdateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       mixins.CreateModelMixin, mixins.UpdateModelMixin,
                       viewsets.GenericViewSet):
    serializer_class = HouseholdSerializer
    filterset_class = record_filters(Household, child="children", many=("child",))
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Household]:
        return households.households_visible(self.request.user).prefetch_related("children")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = HouseholdSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        if "child" not in v:
            raise ValidationError({"child": "Name the child the household is for."})
        household = households.household_create(
            actor=request.user,
            child=visible_child(request.user, v.pop("child")), **v)
        return Response(HouseholdSerializer(household).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        household = self.get_object()
        data = HouseholdSerializer(household, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        if "child" in v:  # move another child into this household
            households.child_set_household(
                actor=request.user,
                child=visible_child(request.user, v.pop("child")), household=household)
        households.household_update(actor=request.user, household=household, data=v)
        return Response(HouseholdSerializer(household).data)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)


class PersonDataSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["first_name", "last_name", "date_of_birth", "address", "postcode", "phone",
                  "email", "first_language", "interpreter_needed"]


class ChildPersonLinkSerializer(serializers.ModelSerializer):
    relationship = serializers.ChoiceField(choices=Relationship.choices)
    person_id = serializers.IntegerField(required=False, allow_null=True,
                                         help_text="An existing person; or give `person`")
    person = PersonDataSerializer(required=False, help_text="A new person")

    class Meta:
        model = ChildPerson
        fields = ["id", "child", "person_id", "person", "relationship",
                  "has_parental_responsibility", "lives_with_child", "version"]
        extra_kwargs = {"child": {"queryset": Child.objects.all()}}


class ChildPersonViewSet(VersionedUpdateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         mixins.CreateModelMixin, mixins.UpdateModelMixin,
                         mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Who is around each child: parents, carers, people with parental responsibility."""

    serializer_class = ChildPersonLinkSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_class = record_filters(ChildPerson, person="person")

    def get_queryset(self) -> QuerySet[ChildPerson]:
        return ChildPerson.objects.filter(
            child__in=visible_children(self.request.user)).select_related("person")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ChildPersonLinkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        child = visible_child(request.user, v.pop("child").pk)
        person_id, person_data = v.pop("person_id", None), v.pop("person", None)
        person = None
        if person_id:
            person = Person.objects.filter(pk=person_id,
                                           authority_id=request.user.authority_id).first()
            if person is None:
                raise ValidationError({"person_id": "No such person."})
        elif not person_data:
            raise ValidationError({"person": "Give an existing person or a new one."})
        link = person_add_to_child(user=request.user, child=child, person=person,
                     **v, **(person_data or {}))
        return Response(ChildPersonLinkSerializer(link).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        link = self.get_object()
        data = ChildPersonLinkSerializer(link, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        link = households.child_person_update(
            actor=request.user, link=link,
            relationship=v.get("relationship", link.relationship),
            has_parental_responsibility=v.get("has_parental_responsibility",
                                                       link.has_parental_responsibility),
            lives_with_child=v.get("lives_with_child", link.lives_with_child))
        return Response(ChildPersonLinkSerializer(link).data)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        households.child_person_remove(actor=request.user, link=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
