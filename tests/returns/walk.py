"""The returns pages for the permission walk (tests/foundation/test_permission_walk.py): no
route names a record; managers and the performance and data officer reach them, a social
worker is refused."""

from __future__ import annotations

from typing import Any


def access_rules(Access: Any, ANON: tuple[int, ...], API_ANON: tuple[int, ...]
                 ) -> dict[str, Any]:
    """Added to tests/foundation/test_permission_walk.ACCESS."""
    return {name: Access(path, insider="sm", outsider="sw", refused=(403,))
            for name, path in (("returns:index", "/returns/"),
                               ("returns:cin_census", "/returns/cin-census/"),
                               ("returns:annex_a", "/returns/annex-a/"),
                               ("returns:readiness", "/returns/readiness/"))}
