"""The team deadlines page's filters read without django-filter's form, for an ordinary
request (issue 13 §2).

A FilterSet deep-copies its filters and its form deep-copies every field on every request
(about 2 ms of CPU on the team page, more than PostgreSQL's answer), and the worker menu was
read through a model choice field. An ordinary request (the page as first shown, a status,
a rule, a person chosen from the menu) is read here: each value one of the choices the form
offers, or empty, cleaned to exactly what the form cleans it to, so the page's kept query
(deadlines.teampage) is the same one. Anything else (a child's name, a date, a child,
conference or plan id, a value no menu offers) returns None and the caller goes through
DeadlineFilter as before: its error messages and the form's own cleaning are never
imitated here. The filter controls are written by the same tag (`filter_controls`) from
stand-ins of the form's bound fields, pinned character for character against the form's
(tests/deadlines/test_team_filter.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.http import QueryDict

from cpcases.accounts.models import User
from cpcases.accounts.roles import Role
from cpcases.core import compiled
from deadlines.filters import DeadlineFilter, workers
from deadlines.models import Deadline

# The form's fields in its order; the page shows all but child, conference and plan.
_FIELDS = ("child", "child_name", "conference", "plan", "responsible", "rule_id", "status",
           "due_after", "due_before")
_SHOWN = ("child_name", "responsible", "rule_id", "status", "due_after", "due_before")
# Read here only when empty; any value of theirs goes the form's way.
_EMPTY_ONLY = ("child", "child_name", "conference", "plan", "due_after", "due_before")
_SELECTS = ("responsible", "rule_id", "status")
# What the form cleans each field to when it is empty (pinned against the form's).
_EMPTY_CLEANED: dict[str, Any] = {
    "child": None, "child_name": "", "conference": None, "plan": None, "responsible": None,
    "rule_id": "", "status": "", "due_after": None, "due_before": None}


@dataclass(frozen=True)
class _Field:
    """What the filter controls read of a form's bound field."""

    name: str
    label: str
    widget_type: str
    field: Any  # .choices
    raw: str | None
    errors: tuple[str, ...] = ()

    def value(self) -> str | None:
        return self.raw


@dataclass(frozen=True)
class _Choices:
    choices: tuple[tuple[Any, Any], ...]


@dataclass(frozen=True)
class _Form:
    fields: tuple[_Field, ...]

    def __iter__(self) -> Iterator[_Field]:
        return iter(self.fields)


@dataclass(frozen=True)
class PlainFilter:
    """An ordinary request's filters: their cleaned values (as the form's cleaned_data) and
    the form as the page shows it (`form`, `errors`: the template's FilterSet's names)."""

    cleaned: dict[str, Any]
    form: _Form
    errors: dict[str, Any] = field(default_factory=dict)


@cache
def _form_fields() -> dict[str, tuple[str, str, tuple[tuple[Any, Any], ...]]]:
    """Each shown field's label, widget type and (fixed) choices, from the form once per
    process."""
    form = DeadlineFilter(QueryDict(), queryset=Deadline.objects.none()).form
    found = {}
    for name in _SHOWN:
        bound = form[name]
        if name == "responsible":  # the menu's head; its people are read per request
            choices: tuple[tuple[Any, Any], ...] = (("", bound.field.empty_label),)
        else:
            choices = tuple(bound.field.choices) if name in _SELECTS else ()
        found[name] = (str(bound.label), bound.widget_type, choices)
    return found


def _workers_query(user: User) -> compiled.Compiled:
    """The worker menu's people (key, name, username), their SQL built once per scope."""
    role, team = user.role, user.team_id
    # A service is read only where `workers` reads it (a team manager's would be a query).
    service = (user.effective_service_id
               if role in (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE) else None)
    request = _Asking(user)
    # Its constants written in (no parameter left): PostgreSQL plans it once per connection,
    # where it planned it at every run (0.3 ms, three times its run: issue 13 §2).
    return compiled.cached(
        ("team deadlines workers", user.authority_id, role, team, service),
        lambda: compiled.constants_written_in(compiled.compile_once(
            workers(request).values_list("pk", "full_name", "username"), {})))


@dataclass(frozen=True)
class _Asking:
    """What `workers` reads of a request."""

    user: User


def plain_filters(data: QueryDict, user: User) -> PlainFilter | None:
    """The filters of `data` (the request's query, its status defaulted) when every value is
    empty or one the page's menus offer; None for anything the form must judge."""
    if any(data.get(name) not in (None, "") for name in _EMPTY_ONLY):
        return None
    fields = _form_fields()
    cleaned = dict(_EMPTY_CLEANED)
    for name in ("rule_id", "status"):
        value = data.get(name)
        if value not in (None, ""):
            if not any(value == choice for choice, _label in fields[name][2]):
                return None
            cleaned[name] = value
    people = _workers_query(user).rows({})
    # A person as the menu names them (User.__str__), their key as the option's value.
    menu = (*fields["responsible"][2], *((str(pk), full_name or username)
                                         for pk, full_name, username in people))
    responsible = data.get("responsible")
    if responsible not in (None, ""):
        chosen = next((pk for pk, _name, _username in people if str(pk) == responsible),
                      None)
        if chosen is None:
            return None
        cleaned["responsible"] = chosen
    shown = []
    for name in _SHOWN:
        label, widget_type, choices = fields[name]
        shown.append(_Field(name=name, label=label, widget_type=widget_type,
                            field=_Choices(menu if name == "responsible" else choices),
                            raw=data.get(name)))
    return PlainFilter(cleaned=cleaned, form=_Form(tuple(shown)))
