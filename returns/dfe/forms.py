"""The DfE API page's form: each refusal names its field (issue 16 point 7)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms

from cpcases.core.forms import Form as GovForm
from cpcases.core.forms import button_layout
from returns.dfe.models import DfeMode


class PayloadForm(GovForm):
    mode = forms.ChoiceField(
        label="Which children", widget=forms.RadioSelect,
        choices=[(DfeMode.FULL, "Every child the Department's API covers"),
                 (DfeMode.CHANGED, "Only children whose record changed since it was last "
                                   "sent")],
        error_messages={"required": "Choose which children the file should hold",
                        "invalid_choice": "Choose every child or only the changed ones"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"mode": DfeMode.CHANGED})
        super().__init__(*args, **kwargs)
        self.helper = button_layout(Field.radios("mode", legend_size=Size.SMALL),
                                    submit="Download the file")
