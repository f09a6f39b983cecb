"""Which conferences and requests a user may see, as SQL built once per process (issue 13 §2).

A conference (or request) is seen by its children: at least one seen and none hidden, or for
the day's scope no child hidden. Said as an EXISTS of a seen child and a NOT EXISTS of a
hidden one, PostgreSQL tested the children's scope row by row (~35 ms for 1,500 conferences)
and the ORM rebuilt the nested subqueries at every request. Here each link table is read
once against the scope's set of children, hashed once (`all_children_seen`,
`any_child_hidden`), and the SQL is compiled by the ORM once for each scope (the callers
cache it, as cpcases.children.scoping caches the children's): only the SQL text is kept,
never which rows it finds, so every query asks the database afresh.
"""

from __future__ import annotations

from django.contrib.postgres.aggregates import BoolAnd
from django.db.models import Model, Q, QuerySet
from django.db.models.expressions import RawSQL

from cpcases.children.scoping import ScopeKey, child_in_scope

SqlParams = tuple[str, tuple[object, ...]]


def all_children_seen(links: QuerySet[Model], parent: str, seen: SqlParams) -> QuerySet[Model]:
    """The `parent` ids of the link rows (a conference's or a request's children) with at
    least one row, every one of whose `child_id` is in `seen`'s ids."""
    # The SQL is the ORM's own (the children's scope), its values passed as parameters.
    in_scope = Q(child_id__in=RawSQL(*seen))  # noqa: S611
    return (links.values(parent).annotate(all_seen=BoolAnd(in_scope))
            .filter(all_seen=True).values(parent))


def any_child_hidden(links: QuerySet[Model], parent: str, seen: SqlParams
                     ) -> QuerySet[Model]:
    """The `parent` ids of the link rows with a `child_id` not in `seen`'s ids (`parent` is
    never null, so `pk NOT IN` this is `NOT EXISTS` a hidden child)."""
    return links.exclude(child_id__in=RawSQL(*seen)).values(parent)  # noqa: S611


def of_one_child(links: QuerySet[Model], parent: str, child: object, key: ScopeKey
                 ) -> tuple[QuerySet[Model], SqlParams]:
    """The link rows of the `parent`s (conferences, requests) that have `child`, and the SQL
    of which of their children a user with the scope `key` sees, each scope rule asked of
    those children alone (`child_in_scope`). `all_children_seen` of these answers as of all
    the links for each parent of that child: its every link is among them, and each of its
    children is seen in the one as in the other. A child's tab then probes a few children's
    rows by index instead of hashing the scope's every child (issue 13 §2)."""
    theirs = links.filter(**{f"{parent}__in": links.filter(child_id=child).values(parent)})
    return theirs, compiled(child_in_scope(key, theirs.values("child_id")))


def compiled(queryset: QuerySet[Model]) -> SqlParams:
    """The SQL selecting the queryset's ids, for `pk__in=RawSQL(...)` (no sort: a subquery)."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


def scoped(model: type[Model], scope: SqlParams | None) -> QuerySet[Model]:
    """The model's rows whose id the scope's SQL selects; none for no scope."""
    if scope is None:
        return model._default_manager.none()
    return model._default_manager.filter(pk__in=RawSQL(*scope))  # noqa: S611
