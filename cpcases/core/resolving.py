"""Each request path's URL resolution remembered per process (issue 13 §2).

Django resolves every request by walking the URL patterns in order until one matches: an
API list such as /api/v1/agency-view-requests/ tried about 130 patterns first (every
router's list, detail and format-suffix routes of the apps before it), each failing
include raising Resolver404 and copying its tried patterns into its parent's list: 0.1-0.25
ms of CPU a request, more than the floor's whole resolution (one pattern).

A path's resolution depends on nothing but the path and the patterns, which are fixed once
the URLconf is imported (no converter of the project's looks anything up: Django's own
`int`/`str`/`slug`/`path`/`uuid` and regular expressions only), so the project's patterns
sit in one resolver that keeps each path's match. The match it keeps is only ever read:
the root resolver above it builds a new ResolverMatch for every request from it (its own
kwargs dict, args, namespaces, route and tried list), as it does from any sub-resolver's
match. A path that matches nothing is not kept (each 404 walks the patterns again), and at
most `KEPT_PATHS` paths are (record pages' paths name ids: the oldest out).
"""

from __future__ import annotations

from typing import Any

from django.urls import URLResolver
from django.urls.resolvers import ResolverMatch, RoutePattern

# Enough for every list and page route and the records being worked on; a kept match is a
# few hundred bytes beside its path.
KEPT_PATHS = 2048


class RememberingResolver(URLResolver):
    """A resolver of `patterns` under no prefix, no namespace (as `include()` of them under
    ""), that keeps each matched path's ResolverMatch (module docstring)."""

    def __init__(self, patterns: list[Any]) -> None:
        super().__init__(RoutePattern("", is_endpoint=False), patterns)
        self._matches: dict[str, ResolverMatch] = {}

    def resolve(self, path: Any) -> ResolverMatch:
        path = str(path)  # as URLResolver.resolve: a reverse_lazy object
        found = self._matches.get(path)
        if found is None:
            found = super().resolve(path)  # Resolver404 goes up, not kept
            if len(self._matches) >= KEPT_PATHS:  # the oldest out
                self._matches.pop(next(iter(self._matches)), None)
            self._matches[path] = found
        return found


def resolved_once(patterns: list[Any]) -> list[Any]:
    """A URLconf's `urlpatterns`: `patterns` behind one RememberingResolver."""
    return [RememberingResolver(patterns)]
