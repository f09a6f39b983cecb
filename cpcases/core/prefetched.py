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

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Model, OuterRef, Prefetch, QuerySet
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS, PKOnlyObject

PREFIX = "prefetched_"


def prefetched(relation: str, queryset: QuerySet[Any] | None = None) -> Prefetch:
    """Prefetch `relation` into the plain list PrefetchedListSerializer reads."""
    return Prefetch(relation, queryset=queryset, to_attr=PREFIX + relation)


KEYS = "prefetched_keys_"


def prefetched_keys(model: type[Model], relation: str) -> dict[str, ArraySubquery]:
    """An annotation for `model`'s rows: the keys of a many-to-many `relation`'s rows, in the
    order the relation gives them (the related model's ordering, then key), as an array
    column of the row's own query: no query of its own, no related rows built (a list that
    shows those rows by key only). `keys_of` and PrefetchedManyRelatedField read it."""
    field = model._meta.get_field(relation)
    through = field.remote_field.through  # type: ignore[union-attr]
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()  # type: ignore[union-attr]
    ordering = [f"-{target}__{o[1:]}" if o.startswith("-") else f"{target}__{o}"
                for o in field.related_model._meta.ordering]  # type: ignore[union-attr]
    keys = (through.objects.filter(**{source: OuterRef("pk")})
            .order_by(*ordering, f"{target}_id").values(f"{target}_id"))
    return {KEYS + relation: ArraySubquery(keys)}


def keys_of(instance: Any, relation: str) -> list[Any] | None:
    """The keys `prefetched_keys` gave the row; None when its query had no such column."""
    keys = getattr(instance, KEYS + relation, None)
    return None if keys is None else list(keys)


class PrefetchedListSerializer(serializers.ListSerializer):
    """A nested list (`many=True`) that reads a `prefetched(...)` list when there is one."""

    def get_attribute(self, instance: Any) -> Any:
        if self.source_attrs and len(self.source_attrs) == 1:
            found = getattr(instance, PREFIX + self.source_attrs[0], None)
            if found is not None:
                return found
        return super().get_attribute(instance)


class PrefetchedManyRelatedField(serializers.ManyRelatedField):
    """A to-many relation's keys (`many=True`), read from a `prefetched_keys(...)` array or a
    `prefetched(...)` list when the list endpoint left one, and from the relation itself
    everywhere else."""

    reads_without_context = True  # the row and its keys only (cpcases.core.serializing)

    def get_attribute(self, instance: Any) -> Any:
        if self.source_attrs and len(self.source_attrs) == 1:
            keys = keys_of(instance, self.source_attrs[0])
            if keys is not None:  # the child field answers a row's .pk
                return [PKOnlyObject(pk=key) for key in keys]
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
