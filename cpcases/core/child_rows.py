"""A child's rows of one model through SQL the ORM builds once per process (issue 13 §2).

A child-record tab asks the same few queries of every child; compiling each with the ORM
(joins, columns, conditions) cost more CPU than running it. `child_rows` compiles `build`'s
query once per process for a stand-in child id (cpcases.core.compiled) and runs it, prepared,
for each child: model instances as the ORM makes them (so the read audit still sees every
row loaded), with their select_related rows and annotations. Only SQL text is kept, never an
answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db.models import Model, QuerySet

from cpcases.core import compiled
from cpcases.core.presence import CHILD

M = TypeVar("M", bound=Model)


def child_rows(key: str, build: Callable[[int], QuerySet[M]], child_id: int) -> list[M]:
    """`build(child_id)`'s rows, its SQL compiled once per process under `key` (one key per
    query: the caller's name for it). `build` must depend on nothing but the child's id."""
    query = compiled.cached(("child_rows", key), lambda: _compile(key, build))
    return query.instances({"child": child_id})  # type: ignore[return-value]


def _compile(key: str, build: Callable[[int], QuerySet[M]]) -> compiled.Compiled:
    query = compiled.compile_once(build(CHILD), {"child": CHILD})
    if not any(name == "child" for _, name in query.slots):
        raise ValueError(f"{key}: the child's id is not a parameter of its SQL")
    return query
