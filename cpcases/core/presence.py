"""Which of a child's related tables have rows, in one query whose SQL is built once per
process (issue 13 §2).

A child-record tab reads several kinds of record, and for most children several of them are
empty (no merges, no contacts, no legal orders…). Asking each with its own ORM query cost
the query's compilation (0.3 to 0.5 ms of CPU) even to learn there was nothing. `any_rows`
asks them all at once, as `EXISTS` subqueries built by the ORM once per process with a
stand-in for the child's id; the caller then reads only the kinds that have rows. Only SQL
text is kept, never an answer: every call asks the database afresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.apps import apps
from django.db import connection

from cpcases.core.compiled import prepared_cursor

# A child id no row has: it stands for the child's while the SQL is built.
CHILD = -914_271_163


@dataclass(frozen=True)
class Rows:
    """The rows of `model` ("app_label.Model") whose `child` lookup is the child's pk; there
    "are rows" when there are at least `at_least` of them."""

    model: str
    child: str = "child"
    at_least: int = 1


def _exists_sql(rows: Rows) -> tuple[str, tuple[object, ...]] | None:
    """`EXISTS` the `at_least`-th row for the stand-in child; None when the model is not
    installed or its SQL does not carry the child as a parameter."""
    try:
        model = apps.get_model(rows.model)
    except LookupError:
        return None
    found = model._base_manager.filter(**{rows.child: CHILD}).order_by().values("pk")
    sql, params = found[rows.at_least - 1:rows.at_least].query.sql_with_params()
    if CHILD not in params:
        return None
    return f"EXISTS ({sql})", tuple(params)


@lru_cache(maxsize=64)
def _probe(groups: tuple[tuple[Rows, ...], ...]
           ) -> tuple[str, tuple[object, ...], tuple[int, ...]]:
    """(SQL of one row of booleans, its parameters, the groups it answers for): one column
    per group, true when any of its tables has rows. A group that cannot be asked (a model
    not installed) is left out and always said to have rows."""
    columns: list[str] = []
    params: list[object] = []
    asked: list[int] = []
    for index, group in enumerate(groups):
        parts = [_exists_sql(rows) for rows in group]
        if not parts or any(part is None for part in parts):
            continue
        columns.append(" OR ".join(sql for sql, _ in parts))  # type: ignore[misc]
        params.extend(p for _, ps in parts for p in ps)  # type: ignore[misc]
        asked.append(index)
    return (f"SELECT {', '.join(columns)}" if columns else "", tuple(params), tuple(asked))


def any_rows(child_id: int, groups: Sequence[Sequence[Rows]]) -> list[bool]:
    """For each group of tables, whether any has rows for the child (one query; none when
    no group can be asked)."""
    key = tuple(tuple(group) for group in groups)
    sql, params, asked = _probe(key)
    answers = [True] * len(key)
    if sql:
        with prepared_cursor(connection) as cursor:  # planned once per connection
            cursor.execute(sql, [child_id if p == CHILD else p for p in params])
            for index, has in zip(asked, cursor.fetchone(), strict=True):
                answers[index] = bool(has)
    return answers
