"""Role-aware navigation: each app adds its own entries through cpcases.core.navigation."""

from __future__ import annotations

from typing import Any

from django import template

from cpcases.core.navigation import items_for

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation_items(context: dict[str, Any], place: str = "service") -> list[dict[str, Any]]:
    request = context["request"]
    return items_for(request, place)
