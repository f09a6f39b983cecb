"""Related lists a list endpoint prefetched into plain lists (issue 13 §2).

`prefetch_related("members")` builds a queryset per row to hold each row's related objects
(Django's manager machinery: a clone and a filter per row and relation), which on a page of
50 rows cost more than the query itself. `Prefetch(..., to_attr=...)` sets a plain list
instead; `PrefetchedListSerializer` reads that list where a list endpoint left it, and the
relation itself everywhere else (a record just written, a single record), so the answer is the
same either way.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

PREFIX = "prefetched_"


def prefetched(relation: str, queryset: QuerySet[Any] | None = None) -> Prefetch:
    """Prefetch `relation` into the plain list PrefetchedListSerializer reads."""
    return Prefetch(relation, queryset=queryset, to_attr=PREFIX + relation)


class PrefetchedListSerializer(serializers.ListSerializer):
    """A nested list (`many=True`) that reads a `prefetched(...)` list when there is one."""

    def get_attribute(self, instance: Any) -> Any:
        if self.source_attrs and len(self.source_attrs) == 1:
            found = getattr(instance, PREFIX + self.source_attrs[0], None)
            if found is not None:
                return found
        return super().get_attribute(instance)


class PrefetchedManyRelatedField(serializers.ManyRelatedField):
    """A to-many relation's keys (`many=True`), read from a `prefetched(...)` list when the
    list endpoint left one, and from the relation itself everywhere else."""

    reads_without_context = True  # the row and its keys only (cpcases.core.serializing)

    def get_attribute(self, instance: Any) -> Any:
        if self.source_attrs and len(self.source_attrs) == 1:
            found = getattr(instance, PREFIX + self.source_attrs[0], None)
            if found is not None:
                return found
        return super().get_attribute(instance)


class PrefetchedKeyField(serializers.PrimaryKeyRelatedField):
    """The field ModelSerializer builds for a to-many relation's keys, reading them as
    `PrefetchedManyRelatedField` (see `PrefetchedRelationsMixin`)."""

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> serializers.ManyRelatedField:
        # RelatedField.many_init, with the list field's class ours.
        shared = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return PrefetchedManyRelatedField(child_relation=cls(*args, **kwargs), **shared)


class PrefetchedRelationsMixin:
    """For a ModelSerializer: the to-many relations it lists by key read a list endpoint's
    `prefetched(...)` lists, as PrefetchedListSerializer does for nested lists."""

    def build_relational_field(self, field_name: str, relation_info: Any
                               ) -> tuple[type[serializers.Field], dict[str, Any]]:
        field_class, field_kwargs = super().build_relational_field(  # type: ignore[misc]
            field_name, relation_info)
        if relation_info.to_many and field_class is serializers.PrimaryKeyRelatedField:
            field_class = PrefetchedKeyField
        return field_class, field_kwargs
