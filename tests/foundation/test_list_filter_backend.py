"""A list asked without filter parameters skips building its FilterSet
(cpcases.core.filters.ListFilterBackend, issue 13 §2) only where the FilterSet would answer
the queryset unfiltered: pinned for every filter of every API list."""

from __future__ import annotations

import django_filters
import pytest
from django.http import QueryDict
from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver

from cpcases.children.models import Child
from cpcases.core.filters import filters_nothing_when_empty

pytestmark = pytest.mark.django_db


def _views(patterns: list, prefix: str = "") -> list[tuple[str, type]]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _views(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and hasattr(p.callback, "cls"):
            found.append((prefix + str(p.pattern), p.callback.cls))
    return found


def _filtersets() -> dict[type, str]:
    return {cls.filterset_class: path for path, cls in _views(get_resolver().url_patterns)
            if path.startswith("api/") and getattr(cls, "filterset_class", None)}


def test_every_api_lists_filterset_bound_to_nothing_answers_its_queryset(rf, sw) -> None:
    filtersets = _filtersets()
    assert len(filtersets) > 20
    request = rf.get("/")
    request.user = sw
    skipped = []
    for filterset_class, path in filtersets.items():
        if not filters_nothing_when_empty(filterset_class):
            skipped.append(path)
            continue
        model = filterset_class._meta.model
        queryset = model._default_manager.order_by("pk")
        filterset = filterset_class(data=QueryDict(), queryset=queryset, request=request)
        assert filterset.is_valid(), path
        assert str(filterset.qs.query) == str(queryset.query), path
    assert not skipped, f"lists that still build a FilterSet for nothing: {skipped}"


def test_a_filterset_that_may_filter_by_nothing_is_built() -> None:
    class Required(django_filters.FilterSet):
        first_name = django_filters.CharFilter(required=True)

        class Meta:
            model = Child
            fields = ["first_name"]

    class Own(django_filters.FilterSet):
        class Meta:
            model = Child
            fields = ["first_name"]

        def filter_queryset(self, queryset):  # type: ignore[no-untyped-def]
            return queryset.none()

    class Odd(django_filters.CharFilter):
        def filter(self, qs, value):  # type: ignore[no-untyped-def]
            return qs.none()

    class Custom(django_filters.FilterSet):
        first_name = Odd()

        class Meta:
            model = Child
            fields = ["first_name"]

    assert not filters_nothing_when_empty(Required)
    assert not filters_nothing_when_empty(Own)
    assert not filters_nothing_when_empty(Custom)
