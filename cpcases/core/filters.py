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

MAX_ID = 2**63 - 1  # ids are bigints: a larger number is bad input (400), not a crash


class _IdFilter(django_filters.NumberFilter):
    """`?name=<id>`: records whose `field_name` is that record (distinct across joins)."""

    field_class = forms.IntegerField

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
