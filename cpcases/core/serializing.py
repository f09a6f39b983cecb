"""Reading rows into an API answer with less of DRF's per-field machinery (issue 13 §2).

DRF asks every field of every row for its value through `Field.get_attribute`: a generic walk
of the field's source (mappings, callables, errors turned into defaults or skips) that costs
more than the value itself on a page of 50 rows of 30 fields; and it builds every
serializer's fields afresh for each request (ModelSerializer's field mapping, deep copies),
which cost as much again. `DirectReadMixin` does the same reading with neither:

- Each field's source is walked with `getattr`, attribute after attribute, as DRF's
  `fields.get_attribute` walks it. Whatever that walk would treat specially (a mapping, a
  simple callable, a None on the way, an attribute or key error, a missing related row) is
  handed to the field's own `get_attribute`, so the answer is DRF's in every case. A
  primary-key related field reads the row's key column (`child_id`), as DRF's pk-only
  optimisation does; a method field calls the serializer's method; a field with its own
  `get_attribute` (a prefetched list) is asked through it.
- Each value goes through the field's own `to_representation`, but for a value it would give
  back as it is (text, a choice among text keys, a boolean, an integer); None stays None, as
  in `Serializer.to_representation`.
- What to do for each field is worked out once per serializer class, from a prototype built
  without context, when every field's representation is known not to depend on the context
  (DRF's plain fields, the serializer's own method fields, and nested serializers of this
  kind that qualify themselves; a field class may say so with `reads_without_context`).
  Otherwise it is worked out once per serializer instance from its own fields, as DRF would.

Pinned against DRF's own `to_representation` by tests/foundation/test_columns_first.py and
tests/deadlines/test_deadline_api.py.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.utils import timezone
from rest_framework import fields, relations, serializers
from rest_framework.fields import Field, SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

from cpcases.core.prefetched import PrefetchedListSerializer

# How a field's value is read.
WALK = 0  # getattr along source_attrs
PK = 1  # the row's key column of a primary-key related field (DRF's pk-only optimisation)
ASK = 2  # the field's own get_attribute
METHOD = 3  # the serializer's get_<name>(row)


class Step(NamedTuple):
    name: str
    how: int
    attrs: tuple[str, ...]  # WALK: the source; PK: the key column; METHOD: the method's name
    field: Field
    unchanged: type | None  # a value of exactly this type is its own representation
    method: str  # METHOD: the method's name; WALK: AWARE for a datetime written by `_iso`


Plan = tuple[tuple[Step, ...], bool]  # the steps; whether they hold per class

# Field methods whose result depends on nothing but the field's own arguments and the value.
_PLAIN_REPRESENTATIONS = {
    cls.to_representation for cls in (
        fields.CharField, fields.IntegerField, fields.BigIntegerField, fields.BooleanField,
        fields.ChoiceField, fields.DateField, fields.DateTimeField, fields.TimeField,
        fields.DecimalField, fields.FloatField, fields.UUIDField, fields.ReadOnlyField,
        fields.JSONField, fields.EmailField, fields.URLField, fields.DurationField,
        relations.StringRelatedField)}
_PLAIN_GETS = {Field.get_attribute, relations.RelatedField.get_attribute,
               relations.ManyRelatedField.get_attribute,
               PrefetchedListSerializer.get_attribute}

_PLANS: dict[type, Plan] = {}


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


def _without_context(field: Field) -> bool:
    """Whether the field reads and represents a value without its serializer's context (so
    that a prototype's field may serve every request)."""
    cls = type(field)
    if getattr(cls, "reads_without_context", False):
        return all(_without_context(f) for f in _inner(field))
    if isinstance(field, serializers.ListSerializer):
        return (cls.to_representation is serializers.ListSerializer.to_representation
                and cls.get_attribute in _PLAIN_GETS and _without_context(field.child))
    if isinstance(field, serializers.BaseSerializer):
        return isinstance(field, DirectReadMixin) and field._plan()[1] and not any(
            step.how == METHOD for step in field._plan()[0])
    if cls.get_attribute not in _PLAIN_GETS:
        return False
    if isinstance(field, relations.ManyRelatedField):
        return (cls.to_representation is relations.ManyRelatedField.to_representation
                and _without_context(field.child_relation))
    if isinstance(field, relations.PrimaryKeyRelatedField):
        return (cls.to_representation is relations.PrimaryKeyRelatedField.to_representation
                and field.pk_field is None)
    if isinstance(field, (fields.ListField, fields.DictField)):
        return (cls.to_representation in (fields.ListField.to_representation,
                                          fields.DictField.to_representation)
                and _without_context(field.child))
    return cls.to_representation in _PLAIN_REPRESENTATIONS


def _inner(field: Field) -> list[Field]:
    inner = getattr(field, "child_relation", None) or getattr(field, "child", None)
    return [inner] if inner is not None else []


def _step(serializer: serializers.BaseSerializer, field: Field) -> Step:
    name, attrs = field.field_name, tuple(field.source_attrs)
    if isinstance(field, serializers.SerializerMethodField):
        return Step(name, METHOD, (), field, None, field.method_name)
    cls = type(field)
    if isinstance(field, relations.PrimaryKeyRelatedField) and field.pk_field is None and (
            cls.get_attribute is relations.RelatedField.get_attribute
            and cls.to_representation is relations.PrimaryKeyRelatedField.to_representation
            and len(attrs) == 1):
        model = getattr(getattr(serializer, "Meta", None), "model", None)
        try:
            column = model._meta.get_field(attrs[0]).attname if model else None
        except FieldDoesNotExist:
            column = None
        if column is not None:
            return Step(name, PK, (column,), field, None, "")
    walks = cls.get_attribute is Field.get_attribute or (
        # A related field without DRF's pk-only reading (StringRelatedField) reads the related
        # row itself through Field.get_attribute.
        cls.get_attribute is relations.RelatedField.get_attribute
        and cls.use_pk_only_optimization is relations.RelatedField.use_pk_only_optimization)
    if not walks or not attrs:
        return Step(name, ASK, attrs, field, None, "")
    return Step(name, WALK, attrs, field, _unchanged_type(field),
                AWARE if _iso_in_current_zone(field) else "")


AWARE = "aware"  # a WALK step's `method`: an aware datetime is written by `_iso`


def _iso_in_current_zone(field: Field) -> bool:
    """Whether the field writes a datetime as DRF's DateTimeField does by default: in the
    current time zone, ISO 8601, UTC as "Z" (then `_iso` writes an aware one the same)."""
    cls = type(field)
    return (cls.to_representation is fields.DateTimeField.to_representation
            and cls.enforce_timezone is fields.DateTimeField.enforce_timezone
            and cls.default_timezone is fields.DateTimeField.default_timezone
            and not hasattr(field, "format") and not hasattr(field, "timezone")
            and settings.USE_TZ and isinstance(api_settings.DATETIME_FORMAT, str)
            and api_settings.DATETIME_FORMAT.lower() == fields.ISO_8601)


def _iso(value: datetime, field: Field) -> Any:
    """DateTimeField.to_representation of an aware datetime, without its per-call lookups
    (a page's hundred datetimes cost a tenth of its serialization there)."""
    try:
        text = value.astimezone(timezone.get_current_timezone()).isoformat()
    except OverflowError:  # DRF's own answer (its error)
        return field.to_representation(value)
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def written_in(zone: tzinfo, value: datetime, field: Field) -> Any:
    """`field.to_representation(value)` for a field `_iso_in_current_zone` accepts and
    `zone` the current time zone, asked once by a caller writing many rows (issue 13 §2:
    asking it was half of `_iso`'s time); DRF's own answer for a naive value."""
    if type(value) is not datetime or value.utcoffset() is None:
        return field.to_representation(value)
    try:
        text = value.astimezone(zone).isoformat()
    except OverflowError:  # DRF's own answer (its error)
        return field.to_representation(value)
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# A model's DateTimeField as DRF writes it (the current time zone, ISO 8601, UTC as "Z"),
# for the lists that write their rows out (issue 13 §2).
WRITTEN_AT = serializers.DateTimeField(read_only=True)


def written_at(zone: tzinfo, value: datetime) -> Any:
    """`WRITTEN_AT.to_representation(value)`, `zone` the current time zone asked once by a
    caller writing many rows (`written_in`), DRF's own call where the settings write times
    otherwise."""
    if _WRITES_ISO_IN_ZONE:
        return written_in(zone, value, WRITTEN_AT)
    return WRITTEN_AT.to_representation(value)


def _simple_callable(value: Any) -> bool:
    """What DRF's walk would call (or refuse, for a builtin): functions, methods, partials."""
    return (inspect.isfunction(value) or inspect.ismethod(value) or inspect.isbuiltin(value)
            or isinstance(value, functools.partial))


class _Ask(Exception):
    """The walk met something DRF's walk treats specially: ask the field."""


def _walk(instance: Any, attrs: tuple[str, ...]) -> Any:
    value = instance
    for attr in attrs:
        if value is None or isinstance(value, Mapping):
            raise _Ask
        try:
            value = getattr(value, attr)
        except (AttributeError, KeyError, ObjectDoesNotExist):
            raise _Ask from None
        if callable(value) and _simple_callable(value):
            raise _Ask
    return value


class DirectReadMixin:
    """For a Serializer: DRF's representation, read without its generic walk (module
    docstring)."""

    def _plan(self) -> Plan:
        plan: Plan | None = self.__dict__.get("_direct_plan")
        if plan is None:
            plan = _PLANS.get(type(self))
            if plan is None:
                plan = _class_plan(type(self))
            if not plan[1]:  # fields of this instance
                plan = (tuple(_step(self, f) for f in self._readable_fields), False)  # type: ignore[attr-defined]
            self.__dict__["_direct_plan"] = plan
        return plan

    def to_representation(self, instance: Any) -> dict[str, Any]:
        ret: dict[str, Any] = {}
        mapping = isinstance(instance, Mapping)
        for name, how, attrs, field, unchanged, method in self._plan()[0]:
            try:
                if how == WALK:
                    if mapping:
                        raise _Ask
                    if len(attrs) == 1:
                        try:
                            value = getattr(instance, attrs[0])
                        except (AttributeError, KeyError, ObjectDoesNotExist):
                            raise _Ask from None
                        if callable(value) and _simple_callable(value):
                            raise _Ask
                    else:
                        value = _walk(instance, attrs)
                    if value is None:
                        ret[name] = None
                    elif type(value) is unchanged:
                        ret[name] = value
                    elif (method == AWARE and type(value) is datetime
                          and value.utcoffset() is not None):
                        ret[name] = _iso(value, field)
                    else:
                        ret[name] = field.to_representation(value)
                    continue
                if how == PK:
                    if mapping:
                        raise _Ask
                    try:
                        value = getattr(instance, attrs[0])
                    except AttributeError:
                        raise _Ask from None
                    ret[name] = None if value is None else getattr(value, "pk", value)
                    continue
                if how == METHOD:
                    ret[name] = getattr(self, method)(instance)
                    continue
                own = field  # ASK: a field whose reading needs no context, or this instance's
            except _Ask:
                # What the walk handed over: this instance's own field reads it, as DRF does.
                own = self._own_field(name)
            try:
                attribute = own.get_attribute(instance)
            except SkipField:
                continue
            check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check is None else own.to_representation(attribute)
        return ret

    def _own_field(self, name: str) -> Field:
        """This instance's own field, bound to it (built only when a field is asked)."""
        return self.fields[name]  # type: ignore[attr-defined,no-any-return]


def _class_plan(cls: type) -> Plan:
    """The steps of a serializer class, from a prototype without context, if they may serve
    every instance; else (): each instance works out its own."""
    plan: Plan = ((), False)
    if _builds_fields_alike(cls):
        prototype = cls()
        readable = list(prototype._readable_fields)
        if all(isinstance(f, serializers.SerializerMethodField) or _without_context(f)
               for f in readable):
            plan = (tuple(_step(prototype, f) for f in readable), True)
    _PLANS[cls] = plan
    return plan


def _builds_fields_alike(cls: type) -> bool:
    """Whether every instance of the class has the same fields: no __init__ or get_fields
    of its own (which might shape them by the context or arguments)."""
    for klass in cls.__mro__:
        if klass in (serializers.ModelSerializer, serializers.Serializer):
            return True
        if "__init__" in vars(klass) or "get_fields" in vars(klass):
            return False
    return False


class DirectModelSerializer(DirectReadMixin, serializers.ModelSerializer):
    pass


def writes_plain_value(field: Field) -> bool:
    """Whether `field` writes a value as a list's writer writes it (issue 13 §2; checked once
    a process for each field a writer writes): no key field of its own, big integers as
    numbers, choices keyed by text, dates in ISO 8601, times as `written_in` writes them."""
    if isinstance(field, serializers.PrimaryKeyRelatedField) and field.pk_field:
        return False
    if isinstance(field, serializers.BigIntegerField) and getattr(
            field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING):
        return False
    if isinstance(field, serializers.ChoiceField) and not all(
            type(key) is str for key in field.choice_strings_to_values.values()):
        return False
    if isinstance(field, serializers.DateTimeField):
        return _iso_in_current_zone(field)
    if isinstance(field, serializers.DateField):
        written = getattr(field, "format", api_settings.DATE_FORMAT)
        return isinstance(written, str) and written.lower() == fields.ISO_8601
    return True


class NotWrittenOut(Exception):
    """A row a list's writer does not write (not read by the list's query, or a value of
    another type): the serializer writes it (`WrittenRowsListSerializer`)."""


class WrittenRowsListSerializer(serializers.ListSerializer):
    """A page of rows read by a list's query, written row by row by `write(row, zone)` (the
    current time zone asked once a page) while `writes_as_drf()` holds (the writer's check,
    once a process, that the serializer's fields are those it writes); any other rows, or a
    row the writer refuses (`NotWrittenOut`), as DRF's ListSerializer writes them. Issue 13
    §2: the plans' and visits' lists (decision 86), each pinned against DRF's own reading."""

    # What each list gives (its methods): the writer's check and the writer.
    writes_as_drf: Callable[[], bool]
    write: Callable[[Any, tzinfo], dict[str, Any]]

    def to_representation(self, data: Any) -> list[Any]:
        if isinstance(data, list) and self.writes_as_drf():
            zone = timezone.get_current_timezone()
            try:
                return [self.write(row, zone) for row in data]
            except NotWrittenOut:
                pass
        return super().to_representation(data)  # type: ignore[no-any-return]


_WRITES_ISO_IN_ZONE = _iso_in_current_zone(WRITTEN_AT)
