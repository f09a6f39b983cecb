"""Role-aware navigation: each app adds its own entries through cpcases.core.navigation."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

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
