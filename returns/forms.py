"""The returns pages' forms: each refusal names its field (issue 16 point 7)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.utils import timezone

from cpcases.core.forms import Form as GovForm
from cpcases.core.forms import button_layout as _helper
from returns.periods import (
    ANNEX_A_LISTS,
    SUPPORTED_CENSUS_YEARS,
    PeriodError,
    annex_a_window,
    census_period,
    default_census_year,
)
from strategy.forms import date_field


class CensusForm(GovForm):
    year = forms.IntegerField(
        label="Census year", min_value=1900, max_value=9999,
        help_text="The year the census period ends on 31 March: 2026 for the return covering "
                  "1 April 2025 to 31 March 2026",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}))

    def __init__(self, *args: Any, submit: str = "Start the export", **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": default_census_year()})
        super().__init__(*args, **kwargs)
        self.helper = _helper("year", submit=submit)

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        try:
            census_period(year)
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return year


def _radios(name: str) -> Field:
    return Field.radios(name, legend_size=Size.SMALL)


class AnnexAForm(GovForm):
    list_number = forms.TypedChoiceField(
        label="List", coerce=int, widget=forms.RadioSelect,
        choices=list(ANNEX_A_LISTS.items()),
        error_messages={"invalid_choice": "Choose list 1, 3, 4, 5, 6 or 7: other lists are "
                                          "not available yet"})
    end = date_field("Last day of the period")
    months = forms.TypedChoiceField(
        label="Length of the period", coerce=int, widget=forms.RadioSelect,
        choices=[(6, "6 months"), (12, "12 months")],
        error_messages={"invalid_choice": "The period must be 6 or 12 months"})
    file_format = forms.ChoiceField(
        label="File type", widget=forms.RadioSelect,
        choices=[("xlsx", "Excel spreadsheet (.xlsx)"), ("csv", "Comma-separated values (.csv)")],
        error_messages={"invalid_choice": "Choose Excel or comma-separated values"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"list_number": 5, "months": 6, "file_format": "xlsx",
                                      "end": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.helper = _helper(_radios("list_number"), "end", _radios("months"),
                              _radios("file_format"), submit="Start the export")

    def clean_end(self) -> dt.date:
        end = self.cleaned_data["end"]
        if end is not None and end > timezone.localdate():
            raise forms.ValidationError("The last day of the period must be today or in the "
                                        "past")
        return end

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("end") and data.get("months"):
            try:
                annex_a_window(data["end"], data["months"])
            except PeriodError as exc:
                self.add_error("months" if exc.field == "months" else "end", str(exc))
        return data


SUPPORTED_YEARS_TEXT = " and ".join(str(y) for y in SUPPORTED_CENSUS_YEARS)
