"""What a browser would send back from a page's form, unchanged: for walks that submit every
form of the service without knowing its fields."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db import models
from django.http import HttpResponse

HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')


def hidden_inputs(response: HttpResponse) -> dict[str, str]:
    """The hidden inputs every POST form carries (form_token, record_version)."""
    found = dict(HIDDEN.findall(response.content.decode()))
    found.pop("csrfmiddlewaretoken", None)
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    return "" if value is None else str(value)


def form_data(form: forms.BaseForm) -> dict[str, Any]:
    """The form's fields as drawn (bound data, or initial values), as POST data."""
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()
        widget = bound.field.widget
        name = bound.html_name
        if isinstance(widget, forms.MultiWidget):
            parts = value if isinstance(value, list | tuple) else widget.decompress(value)
            for index, part in enumerate(parts):
                data[f"{name}_{index}"] = _plain(part)
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
        elif isinstance(widget, forms.SelectMultiple | forms.CheckboxSelectMultiple):
            data[name] = [_plain(v) for v in value or []]
        elif value is not None:
            data[name] = _plain(value)
    return data


def page_data(response: HttpResponse) -> dict[str, Any]:
    """Everything the page's form would send as it is."""
    form = response.context["form"]
    if form.is_bound:
        data = {key: values if len(values) > 1 else values[0]
                for key, values in form.data.lists()}
    else:
        data = form_data(form)
    return {**data, **hidden_inputs(response)}
