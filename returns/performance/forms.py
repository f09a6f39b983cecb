"""The period form of the performance pages: each refusal names its field (issue 16)."""

from __future__ import annotations

from typing import Any

from django import forms

from cpcases.core.forms import Form as GovForm
from cpcases.core.forms import button_layout
from returns.performance.periods import Period, default_period, performance_period
from returns.periods import PeriodError


def _month_field(label: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=20,
                           help_text="For example, 4/2026 or April 2026",
                           widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}))


class PeriodForm(GovForm):
    from_month = _month_field("Start month")
    to_month = _month_field("End month")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        default = default_period()
        kwargs.setdefault("initial", {"from_month": f"{default.start:%B %Y}",
                                      "to_month": f"{default.end:%B %Y}"})
        super().__init__(*args, **kwargs)
        self.helper = button_layout("from_month", "to_month", submit="Show the figures")
        self.period: Period = default

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            self.period = performance_period(data.get("from_month"), data.get("to_month"))
        except PeriodError as exc:
            self.add_error(exc.field, str(exc))
        return data
