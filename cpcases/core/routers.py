"""API routers whose record URLs accept only ids (issue 12 §7): `/api/v1/children/abc/` and
an id too large for PostgreSQL's bigint answer 404 from the URL resolver, before any view
could fail on them. A viewset with its own lookup (e.g. policy rules by rule id) keeps it."""

from __future__ import annotations

from typing import Any

from rest_framework.routers import DefaultRouter, SimpleRouter

ID_PATTERN = "[0-9]{1,18}"  # bigint holds every 18-digit number


class IdRouter(SimpleRouter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._default_value_pattern = ID_PATTERN


class IdDefaultRouter(DefaultRouter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._default_value_pattern = ID_PATTERN
