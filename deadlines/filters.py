"""The one filter of deadline lists, shared by the team page and /api/v1/deadlines/: child,
conference, plan, responsible person, rule, status (the vocabulary of
deadlines.presentation) and due range. It narrows a queryset the caller has already scoped
to the user; it never widens it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import Role
from deadlines.models import Deadline
from deadlines.policy import NATIONAL_RULES
from deadlines.presentation import STATE_FILTER_CHOICES, state_filter

SORTS = {
    "due": ("due_date", "due_at", "id"),
    "-due": ("-due_date", "-due_at", "-id"),
    "child": ("child__last_name", "child__first_name", "due_date", "id"),
    "-child": ("-child__last_name", "-child__first_name", "due_date", "id"),
    "rule": ("rule_id", "due_date", "id"),
    "-rule": ("-rule_id", "due_date", "id"),
    "responsible": ("responsible__full_name", "due_date", "id"),
    "-responsible": ("-responsible__full_name", "due_date", "id"),
}
# The team page's columns and the sort each header asks for (MOJ sortable-table headers).
SORT_COLUMNS: list[tuple[str, str | None]] = [
    ("What to do", "rule"), ("Child", "child"), ("Due", "due"), ("Responsible", "responsible")]


def workers(request: Any) -> QuerySet[User]:
    """The people a manager may filter by: their team's (team manager) or service's."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return User.objects.none()
    people = User.objects.filter(authority_id=user.authority_id, is_active=True)
    if user.role == Role.TEAM_MANAGER and user.team_id:
        people = people.filter(team_id=user.team_id)
    elif user.role in (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE):
        service = user.effective_service_id
        people = people.filter(Q(team__service_id=service) | Q(service_id=service))
    return people.order_by("full_name", "id")


def _subject(model: type) -> ContentType:
    return ContentType.objects.get_for_model(model)


class DeadlineFilter(django_filters.FilterSet):
    child = django_filters.NumberFilter(field_name="child_id", label="Child (ID number)")
    child_name = django_filters.CharFilter(method="filter_child_name",
                                           label="Child's name or ID")
    conference = django_filters.NumberFilter(method="filter_conference",
                                             label="Conference (ID number)")
    plan = django_filters.NumberFilter(method="filter_plan", label="Plan (ID number)")
    responsible = django_filters.ModelChoiceFilter(queryset=workers, label="Responsible",
                                                   empty_label="Anyone")
    rule_id = django_filters.ChoiceFilter(
        choices=[(r.rule_id, r.name) for r in NATIONAL_RULES], label="What is due",
        empty_label="Anything")
    status = django_filters.ChoiceFilter(choices=STATE_FILTER_CHOICES, method="filter_status",
                                         label="Status", empty_label="Any status")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte",
                                          label="Due on or after")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte",
                                           label="Due on or before")

    class Meta:
        model = Deadline
        fields: list[str] = []

    def list_worker_choices(self) -> None:
        """The worker menu of the team page from one plain query (issue 13 §2): the page's
        loop over a model field's lazy choices asks their number (a COUNT) and then reads
        them through a server-side cursor. Validation still goes through the queryset."""
        field = self.form.fields["responsible"]
        choice = field.iterator(field).choice
        head = [("", field.empty_label)] if field.empty_label is not None else []
        if field.null_label is not None:
            head.append((field.null_value, field.null_label))
        # An option is the person's key and name (User.__str__): only those columns read.
        people = field.queryset.only("pk", "full_name", "username")
        # Django's own setter: django-filters' wraps the list in a model choice iterator.
        forms.ChoiceField.choices.fset(  # type: ignore[attr-defined]
            field, [*head, *(choice(person) for person in people)])

    def filter_child_name(self, queryset: QuerySet[Deadline], name: str, value: str
                          ) -> QuerySet[Deadline]:
        words = value.split()
        for word in words:
            queryset = queryset.filter(Q(child__la_child_id__iexact=word)
                                       | Q(child__first_name__icontains=word,
                                           child__is_restricted=False)
                                       | Q(child__last_name__icontains=word,
                                           child__is_restricted=False))
        return queryset

    def filter_conference(self, queryset: QuerySet[Deadline], name: str, value: int
                          ) -> QuerySet[Deadline]:
        from conferences.models import Conference

        return queryset.filter(content_type=_subject(Conference), object_id=value)

    def filter_plan(self, queryset: QuerySet[Deadline], name: str, value: int
                    ) -> QuerySet[Deadline]:
        """The plan's own deadlines and those of its core group meetings."""
        from cpcases.plans.models import ChildProtectionPlan, CoreGroupMeeting

        meetings = CoreGroupMeeting.objects.filter(plan_id=value).values("pk")
        return queryset.filter(
            Q(content_type=_subject(ChildProtectionPlan), object_id=value)
            | Q(content_type=_subject(CoreGroupMeeting), object_id__in=meetings))

    # The moment a status is judged at: now, unless set (a compiled query's markers).
    now: datetime | None = None
    today: date | None = None

    def filter_status(self, queryset: QuerySet[Deadline], name: str, value: str
                      ) -> QuerySet[Deadline]:
        return queryset.filter(state_filter(value, now=self.now or timezone.now(),
                                            today=self.today))
