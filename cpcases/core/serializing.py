"""Reading model rows into an API answer with less of DRF's per-field machinery (issue 13 §2).

DRF asks every field of every row for its value through `Field.get_attribute`: a generic walk
of the field's source (mappings, callables, errors turned into defaults or skips) that costs
more than the value itself on a page of 50 rows of 30 fields. For a field that reads one
concrete column of the row's model, that walk always ends in `getattr(row, column)`: this
mixin does just that, and leaves every other field (properties, related and nested fields,
dotted sources, method fields) to DRF. Each value still goes through the field's own
`to_representation` (but for a value it would give back as it is: text, a choice among text
keys, a boolean, an integer), and None stays None, as in `Serializer.to_representation`: the
answer is the same.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from rest_framework import fields, serializers
from rest_framework.fields import Field, SkipField
from rest_framework.relations import PKOnlyObject

ReadPlan = list[tuple[str, "str | None", Field, "type | None"]]


def _unchanged_type(field: Field) -> type | None:
    """The type of value the field's `to_representation` gives back unchanged (str for text
    and for a choice among text keys, bool, int), so that it need not be called."""
    to_repr = type(field).to_representation
    if to_repr is fields.CharField.to_representation:  # str(value)
        return str
    if to_repr is fields.ChoiceField.to_representation and all(
            type(key) is str for key in field.choice_strings_to_values.values()):
        return str  # choice_strings_to_values.get(str(value), value): the same text
    if to_repr is fields.BooleanField.to_representation:  # True/False as they are
        return bool
    if to_repr is fields.IntegerField.to_representation:  # int(value)
        return int
    return None


def _column(model: type[models.Model], field: Field) -> str | None:
    """The model attribute a plain field reads, or None when DRF must read it."""
    if type(field).get_attribute is not Field.get_attribute or len(field.source_attrs) != 1:
        return None
    try:
        model_field = model._meta.get_field(field.source_attrs[0])
    except FieldDoesNotExist:
        return None
    if not model_field.concrete or model_field.is_relation:
        return None
    return model_field.attname if model_field.attname == field.source_attrs[0] else None


class ColumnsFirstMixin:
    """For a ModelSerializer: plain model columns read directly (module docstring)."""

    def _read_plan(self) -> ReadPlan:
        plan: ReadPlan | None = self.__dict__.get("_columns_first_plan")
        if plan is None:
            model = self.Meta.model  # type: ignore[attr-defined]
            plan = [(field.field_name, _column(model, field), field, _unchanged_type(field))
                    for field in self._readable_fields]  # type: ignore[attr-defined]
            self.__dict__["_columns_first_plan"] = plan
        return plan

    def to_representation(self, instance: Any) -> dict[str, Any]:
        ret: dict[str, Any] = {}
        for name, column, field, unchanged in self._read_plan():
            if column is not None:
                attribute = getattr(instance, column)
                if type(attribute) is unchanged:
                    ret[name] = attribute
                    continue
            else:
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
            check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check is None else field.to_representation(attribute)
        return ret


class ColumnsFirstModelSerializer(ColumnsFirstMixin, serializers.ModelSerializer):
    pass
