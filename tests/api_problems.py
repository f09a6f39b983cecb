"""Assertions on the API's error shape (RFC 9457 problem details; docs/api.md)."""

from __future__ import annotations

from typing import Any

PROBLEM_MEMBERS = {"type", "title", "status", "detail", "instance"}


def problem_of(response: Any, status: int | None = None) -> dict[str, Any]:
    """The problem-details body of a 4xx answer, checked for the shape every 4xx has."""
    if status is not None:
        assert response.status_code == status, (response.status_code, response.content[:500])
    assert 400 <= response.status_code < 500, response.status_code
    assert response["Content-Type"].startswith("application/problem+json"), (
        response["Content-Type"])
    body = response.json()
    missing = PROBLEM_MEMBERS - set(body)
    assert not missing, f"problem details without {sorted(missing)}: {body}"
    assert body["status"] == response.status_code
    assert isinstance(body["detail"], str)
    assert body["detail"]
    for error in body.get("errors", []):
        assert {"field", "message", "code"} <= set(error), error
    return body


def field_errors(response: Any) -> dict[str | None, list[str]]:
    """{field: [messages]} of a 400 answer (field None: about the whole request)."""
    found: dict[str | None, list[str]] = {}
    for error in problem_of(response, 400).get("errors", []):
        found.setdefault(error["field"], []).append(error["message"])
    return found
