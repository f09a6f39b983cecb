"""Role-aware navigation: each app adds its own entries through cpcases.core.navigation."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from cpcases.core.addresses import reversed_once
from cpcases.core.header import service_header as _service_header
from cpcases.core.navigation import items_for

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation_items(context: dict[str, Any], place: str = "service") -> list[dict[str, Any]]:
    request = context["request"]
    return items_for(request, place)


@register.simple_tag(takes_context=True)
def service_header(context: dict[str, Any]) -> SafeString:
    """Every page's header: the service navigation and the account line (cpcases.core.header)."""
    return _service_header(context)


@register.simple_tag
def fixed_url(name: str) -> SafeString:
    """`{% url name %}` for a route taking no arguments, reversed once per process for each
    script prefix and URLconf (every page's frame links two: issue 13 §2, reverse() on
    every page cost as much as the rest of the dialog). Escaped as `{% url %}` escapes."""
    return conditional_escape(reversed_once(name))
