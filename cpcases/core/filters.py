"""Filters by child and by natural parent on every API list (issue 15 §3; docs/api.md).

`record_filters(Model, child="plan__child", plan="plan", fields=[...])` makes a FilterSet
whose `?child=<id>` and `?<parent>=<id>` narrow the viewset's list, which is already scoped to
what the caller may see. They take an id (never a model choice): an id that does not exist
and one outside the caller's scope both answer an empty list, so a filter never reveals that
a record exists (issue 15 §1). `?child=` also keeps only children the caller may see, so a
list of records about several children (a strategy discussion, a contact) never confirms
that a child outside the caller's scope is in one of them.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Model, QuerySet
from django_filters import filters as builtin_filters
from django_filters.filterset import BaseFilterSet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter

MAX_ID = 2**63 - 1  # ids are bigints: a larger number is bad input (400), not a crash


class _IdFilter(django_filters.NumberFilter):
    """`?name=<id>`: records whose `field_name` is that record (distinct across joins)."""

    field_class = forms.IntegerField
    empty_is_no_filter = True  # filter() answers qs itself for no value (ListFilterBackend)

    def __init__(self, *args: Any, visible_children: bool = False, many: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, distinct=many, min_value=1, max_value=MAX_ID, **kwargs)
        self.visible_children = visible_children

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if value in (None, ""):
            return qs
        if self.visible_children:
            from cpcases.children.scoping import visible_children  # children imports core

            request = getattr(self.parent, "request", None)
            user = getattr(request, "user", None)
            if user is None or not visible_children(user).filter(pk=value).exists():
                return qs.none()
        return super().filter(qs, value)


def record_filters(model: type[Model], *, child: str | None = "child",
                   fields: list[str] | tuple[str, ...] = (), many: tuple[str, ...] = (),
                   scoped_child: bool = True, **parents: str) -> type[django_filters.FilterSet]:
    """A FilterSet for `model`'s API list: `child` (the path to the child; None: no child
    filter), each parent `name=path`, and the plain `fields` (model fields, as
    `filterset_fields` gives). `many`: filter names whose path crosses a to-many relation
    (answered distinct). `scoped_child=False` where the list has its own scope of children
    (the returns': the children the caller runs returns for) and has one child per record."""
    declared: dict[str, Any] = {}
    if child:
        declared["child"] = _IdFilter(
            field_name=child, visible_children=scoped_child, many="child" in many,
            label="Only records about this child (id); none for a child you cannot see.")
    for name, path in parents.items():
        declared[name] = _IdFilter(field_name=path, many=name in many,
                                   label=f"Only records of this {name.replace('_', ' ')} (id).")
    meta = type("Meta", (), {"model": model, "fields": [*fields, *declared]})
    return type(f"{model.__name__}Filter", (django_filters.FilterSet,),
                {**declared, "Meta": meta})


# Query parameters that are never a filter's: the page, DRF's ordering, the format.
NOT_FILTERS = frozenset({"page", "ordering", "format"})


class ListFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend, but a list asked with none of its filters' parameters is not
    filtered by a FilterSet built for nothing (issue 13 §2: its form, fields and cleaning
    cost about a millisecond on every list request). Only where that is exactly what the
    FilterSet would answer (`filters_nothing_when_empty`): the queryset itself."""

    def filter_queryset(self, request: Any, queryset: QuerySet[Any], view: Any
                        ) -> QuerySet[Any]:
        if not (set(request.query_params) - NOT_FILTERS):
            filterset_class = self.get_filterset_class(view, queryset)
            if filterset_class is None or filters_nothing_when_empty(filterset_class):
                return queryset
        return super().filter_queryset(request, queryset, view)


_NOTHING_WHEN_EMPTY: dict[type, bool] = {}


def filters_nothing_when_empty(filterset_class: type[BaseFilterSet]) -> bool:
    """Whether the FilterSet, bound to no parameters, is always valid and answers its
    queryset unfiltered: django-filter's own FilterSet machinery, and every filter one that
    skips an empty value (django-filter's own filters and method filters do; a filter class of
    ours says so with `empty_is_no_filter`) and is not required."""
    found = _NOTHING_WHEN_EMPTY.get(filterset_class)
    if found is None:
        found = all(getattr(filterset_class, name) is getattr(BaseFilterSet, name)
                    for name in ("__init__", "qs", "is_valid", "errors", "filter_queryset",
                                 "get_form_class", "form")) and all(
            not f.extra.get("required") and (
                f.method is not None
                or type(f).filter.__module__ == builtin_filters.__name__
                or getattr(type(f), "empty_is_no_filter", False))
            for f in filterset_class.base_filters.values())
        _NOTHING_WHEN_EMPTY[filterset_class] = found
    return found


class TotalOrderingFilter(OrderingFilter):
    """DRF's `?ordering=`, with the id last where the fields asked for can tie: a page's
    boundary then falls between the same rows on every request (no row on two pages, none on
    neither), and a list's page read through its kept query is the filter backends' page."""

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> list[str] | None:
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not any(field.lstrip("-") in ("pk", "id") for field in ordering):
            return [*ordering, "pk"]
        return ordering
