"""Routes that moved answer for one release with a clear deprecation (issue 15 §5; docs/api.md
"Versions"): every answer, errors too, carries

- `Deprecation: true` (RFC 9745's header: this route is deprecated),
- `Sunset: <HTTP date>` (RFC 8594: when it stops answering — the release after next),
- `Link: <successor path>; rel="successor-version"` (where to go instead),

and the schema marks its operations `deprecated: true` (`deprecated_viewset`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.request import Request
from rest_framework.response import Response

# One release: v1.2.0 deprecates, v1.3.0 (not before this date) removes.
SUNSET = "Sat, 31 Jul 2027 00:00:00 GMT"


def mark_deprecated(response: Any, successor: str) -> Any:
    response["Deprecation"] = "true"
    response["Sunset"] = SUNSET
    response["Link"] = f'<{successor}>; rel="successor-version"'
    return response


class DeprecatedRoutes:
    """Mixed into a viewset whose routes moved from the path segment `moved_from` to
    `moved_to` (e.g. "/conference-days/" → "/conferences/"): each answer names the same
    route under the new segment as its successor."""

    moved_from: str
    moved_to: str

    def finalize_response(self, request: Request, response: Response, *args: Any,
                          **kwargs: Any) -> Response:
        response = super().finalize_response(  # type: ignore[misc]
            request, response, *args, **kwargs)
        successor = request.path.replace(self.moved_from, self.moved_to, 1)
        return mark_deprecated(response, successor)


def deprecated_viewset(actions: Iterable[str]) -> Any:
    """Class decorator: every named action's operation is `deprecated: true` in the schema."""
    return extend_schema_view(**{name: extend_schema(deprecated=True) for name in actions})
