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
