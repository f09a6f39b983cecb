"""Errors raised by services; views and the API turn them into clear messages."""

from __future__ import annotations


class ServiceError(Exception):
    """A precondition failed: the message is shown to the user as it is.

    `field` names the form field the refusal is about (the page puts the message beside it
    and the error summary links to it); None for a refusal about the whole form.
    """

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotPermitted(ServiceError):
    """The user may not do this (role or scope)."""
