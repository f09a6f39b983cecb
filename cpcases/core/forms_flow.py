"""The one way a page submits a form to a service.

On a valid POST the service runs; a ServiceError (a failed precondition or permission) goes
into the form's error summary, so the page is shown again with everything the user typed; a
query rule's warnings (WarningsToConfirm) are shown with a box to confirm them
(cpcases.core.confirm).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from cpcases.core.confirm import ask
from cpcases.core.errors import NotPermitted, ServiceError, WarningsToConfirm
from cpcases.core.forms import add_service_error, humanise

T = TypeVar("T")


@dataclass(frozen=True)
class Saved(Generic[T]):
    value: T


def submit(request: HttpRequest, form: forms.Form,
           write: Callable[[dict[str, Any]], T]) -> Saved[T] | None:
    """`Saved(result)` once the service has written; None on GET, bad input or a refusal."""
    humanise(form)  # messages that name the field, for a form not built on core.forms
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return Saved(write(form.cleaned_data))
    except ServiceError as exc:
        add_service_error(form, exc)
        return None
    except WarningsToConfirm as exc:  # a query rule: shown with a box to confirm it
        ask(form, exc)
        return None


def run_for_form(form: forms.BaseForm, action: Callable[[], T]) -> T | None:
    """Call the service for a form the view has already checked: NotPermitted answers 403;
    another refusal goes to the form's error summary; a query rule's warnings are asked with
    the box to confirm them. None unless the service wrote."""
    try:
        return action()
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    except ServiceError as exc:
        add_service_error(form, exc)
        return None
    except WarningsToConfirm as exc:  # a query rule: shown with a box to confirm it
        ask(form, exc)
        return None
