"""Errors raised by services; views and the API turn them into clear messages."""

from __future__ import annotations


class ServiceError(Exception):
    """A precondition failed: the message is shown to the user as it is."""


class NotPermitted(ServiceError):
    """The user may not do this (role or scope)."""
