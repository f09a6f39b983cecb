"""The error summary for a form and any formsets on the same page (one list, page order)."""

from __future__ import annotations

from typing import Any

from django import template

from cpcases.core.forms import error_links as _error_links

register = template.Library()


@register.inclusion_tag("gds/layout/error_summary.html")
def error_summary(form: Any, *formsets: Any) -> dict[str, Any]:
    return {"form": form, "formsets": formsets}


@register.simple_tag(takes_context=True)
def summary_links(context: Any) -> list[tuple[str, str]]:
    """The links of the summary being drawn (crispy-forms-gds's tag passes no formsets)."""
    return _error_links(context.get("form"), context.get("formsets") or ())
