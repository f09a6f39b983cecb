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


class RuleError(ServiceError):
    """A statutory return rule refuses the data (the CIN census rules, RETURNS.md §3).

    The message is in plain words; `rule` (e.g. "8606") and `reference` (where the rule is
    published) are shown in small print on pages and given as fields in the API.
    """

    def __init__(self, message: str = "", *, field: str | None = None, rule: str,
                 reference: str = "") -> None:
        super().__init__(message, field=field)
        self.rule = rule
        self.reference = reference


class EntryWarning:
    """One query rule ("Q") the data breaks: accepted once the user confirms."""

    def __init__(self, message: str, *, field: str | None = None, rule: str = "") -> None:
        self.message = message
        self.field = field
        self.rule = rule

    def as_dict(self) -> dict[str, str | None]:
        return {"field": self.field, "message": self.message, "rule": self.rule}


class WarningsToConfirm(Exception):  # not an error: a question for the user
    """Query rules flag the data: nothing is saved until the user confirms.

    Deliberately not a ServiceError, so the per-app error translation lets it through: pages
    ask for a confirmation and keep what was typed; the API answers 409 with the warnings
    (resend with `confirm_warnings: true` to accept them).
    """

    def __init__(self, warnings: list[EntryWarning]) -> None:
        super().__init__("; ".join(w.message for w in warnings))
        self.warnings = warnings
