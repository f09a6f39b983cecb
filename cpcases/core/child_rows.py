"""A child's rows of one model through SQL the ORM builds once per process (issue 13 §2).

A child-record tab asks the same few queries of every child; compiling each with the ORM
(joins, columns, conditions) cost more CPU than running it. `child_rows` builds a query
once per process for a stand-in child id, keeps its SQL text, and runs it for each child
with `Model.objects.raw()`: model instances as before (so the read audit still sees every
row loaded), without the compilation. Only SQL text is kept, never an answer.

The query may not use select_related (a raw query fills one model's columns): annotate the
related values it needs instead (`chair_name=F("chair__full_name")`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.db.models.query import RawQuerySet

from cpcases.core.presence import CHILD

M = TypeVar("M", bound=Model)

_SQL: dict[str, tuple[type[Model], str, tuple[object, ...]]] = {}


def child_rows(key: str, build: Callable[[int], QuerySet[M]], child_id: int) -> RawQuerySet:
    """`build(child_id)`'s rows, its SQL compiled once per process under `key` (one key per
    query: the caller's name for it). `build` must depend on nothing but the child's id."""
    if key not in _SQL:
        queryset = build(CHILD)
        if queryset.query.select_related:
            raise ValueError(f"{key}: a raw query cannot fill related rows")
        sql, params = queryset.query.sql_with_params()
        if CHILD not in params:
            raise ValueError(f"{key}: the child's id is not a parameter of its SQL")
        _SQL[key] = (queryset.model, sql, tuple(params))
    model, sql, params = _SQL[key]
    return model._default_manager.raw(sql, [_bind(p, child_id) for p in params])


def _bind(param: Any, child_id: int) -> Any:
    return child_id if param == CHILD else param
