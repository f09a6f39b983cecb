"""The returns pages for the permission walk (tests/foundation/test_permission_walk.py):
managers and the performance and data officer reach the returns, a social worker is refused;
the child's census checks are a tab of the record (no placeholder beyond the child)."""

from __future__ import annotations

from typing import Any


def access_rules(Access: Any, ANON: tuple[int, ...], API_ANON: tuple[int, ...]
                 ) -> dict[str, Any]:
    """Added to tests/foundation/test_permission_walk.ACCESS."""
    rules = {name: Access(path, insider="sm", outsider="sw", refused=(403,))
            for name, path in (("returns:index", "/returns/"),
                               ("returns:cin_census", "/returns/cin-census/"),
                               ("returns:annex_a", "/returns/annex-a/"),
                               ("returns:readiness", "/returns/readiness/"))}
    # Performance figures (issue 16 point 6): managers and the officer; a social worker is
    # refused. The drill-down of one figure stands for them all (its key is a slug).
    rules.update({name: Access(path, insider="sm", outsider="sw", refused=(403,))
                  for name, path in (("performance:index", "/performance/"),
                                     ("performance:figure", "/performance/contacts/"),
                                     ("performance-api:figures", "/api/v1/performance/"))})
    # The DfE API page; checking the census again (a button: POST only). Issue 16.
    rules["returns:dfe"] = Access("/returns/dfe/", insider="sm", outsider="sw",
                                  refused=(403,))
    rules["returns:readiness_refresh"] = Access("/returns/readiness/refresh/", insider="sm",
                                                outsider="sw", ok=302, refused=(403,),
                                                method="post")
    rules["returns-api:readiness-list"] = Access("/api/v1/returns/readiness/", insider="sm",
                                                 outsider="sw", refused=(403,))
    rules["returns-api:dfe-payload-detail"] = Access("/api/v1/returns/dfe-payload/{child}/",
                                                     insider="sm", outsider="sw",
                                                     refused=(403,))
    # The child's census checks: the case holder, like every tab of the record.
    rules["returns:child"] = Access("/returns/child/{child}/")
    return rules
