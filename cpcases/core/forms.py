"""The shared form layer: error messages that name their field and say how to fix it, and an
error summary whose every link lands on an element that exists and takes focus.

GOV.UK error message patterns (design-system.service.gov.uk/components/error-message):
"Enter [the thing]" for text, "Select [the thing]" for choices, "[The date] must include a
month", "[The date] must be a real date". Every form of the service derives from `Form` or
`ModelForm` here, so a new field gets a message built from its label without anyone writing
one; a form may still set its own message for a field (ours are kept).

The summary's links follow the ids the GOV.UK templates of crispy-forms-gds give each input:
radios and checkboxes are `id_<name>_1, _2, ...` (the first option takes the focus), the day,
month and year boxes of a date `id_<name>_0, _1, _2` (the day box takes the focus).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.html import format_html, strip_tags

from cpcases.core.concurrency import apply_conflict
from cpcases.core.errors import RuleError, ServiceError

# Django's own messages, which name no field ("This field is required.").
_DATE_DEFAULT = "Enter the day, month and year"  # crispy-forms-gds's DateInputField
_DJANGO_DEFAULTS = {
    "required": {str(forms.Field.default_error_messages["required"]), _DATE_DEFAULT},
    "incomplete": {_DATE_DEFAULT},
    "invalid_choice": {str(forms.ChoiceField.default_error_messages["invalid_choice"]),
                       str(forms.ModelChoiceField.default_error_messages["invalid_choice"]),
                       str(forms.ModelMultipleChoiceField.default_error_messages[
                           "invalid_choice"])},
    "invalid": {str(forms.EmailField.default_error_messages.get("invalid", "")),
                str(forms.IntegerField.default_error_messages["invalid"]),
                str(forms.DecimalField.default_error_messages["invalid"]),
                str(forms.DateField.default_error_messages["invalid"]),
                str(forms.TimeField.default_error_messages["invalid"]),
                str(forms.FileField.default_error_messages["invalid"]),
                "Enter a valid value.",
                "Enter the day, month and year"},
    "empty": {str(forms.FileField.default_error_messages["empty"])},
}

# Words after which "the" would be wrong: "Enter what may be shared", "Select who ...".
_NO_ARTICLE = {"the", "a", "an", "your", "their", "his", "her", "its", "who", "what", "when",
               "where", "why", "how", "whether", "if", "any", "each", "every", "all", "one",
               "which", "by", "at", "other", "more", "some", "reasons", "notes"}

DATE_PARTS = ("day", "month", "year")


def field_name_phrase(label: Any, name: str) -> str:
    """'Date the concern was identified' -> 'the date the concern was identified'."""
    text = strip_tags(str(label or name.replace("_", " "))).strip()
    text = re.sub(r"\s*\((optional|if any)\)\s*$", "", text, flags=re.I)
    text = re.sub(r"^\d+\.\s*", "", text).rstrip("?:. ")
    # Lower the first letter unless the word is an acronym (CP, ICPC, S47).
    if len(text) > 1 and text[0].isupper() and not text[1].isupper() and text[1] != " ":
        text = text[0].lower() + text[1:]
    first = text.split(" ", 1)[0].lower()
    if first not in _NO_ARTICLE and not text[:1].isdigit():
        text = "the " + text
    return text


def _label(field: forms.Field, name: str) -> str:
    text = strip_tags(str(field.label or name.replace("_", " ").capitalize())).strip()
    text = re.sub(r"\s*\((optional|if any)\)\s*$", "", text, flags=re.I)
    return re.sub(r"^\d+\.\s*", "", text).rstrip(":. ")


def _is_choice(field: forms.Field) -> bool:
    widget = field.widget
    return isinstance(field, forms.ChoiceField | forms.ModelChoiceField | forms.FileField) or \
        isinstance(widget, forms.Select | forms.RadioSelect | forms.CheckboxSelectMultiple)


def _set(field: forms.Field, key: str, message: str) -> None:
    """Replace Django's message for `key`, never one the form set itself."""
    current = str(field.error_messages.get(key, ""))
    if not current or current in _DJANGO_DEFAULTS.get(key, set()):
        field.error_messages[key] = message


def humanise(form: forms.BaseForm) -> None:
    """Give every field of `form` messages that name the field and say what to do."""
    if getattr(form, "_humanised", False):
        return
    for name, field in form.fields.items():
        label = _label(field, name)
        phrase = field_name_phrase(field.label, name)
        if isinstance(field, DateInputField):
            _humanise_date(field, label, phrase)
            continue
        if label.endswith("?"):
            _set(field, "required", f"Answer the question: {label}")
        elif isinstance(field, forms.BooleanField):
            _set(field, "required", f"Confirm {phrase}")
        elif isinstance(field, forms.FileField):
            _set(field, "required", f"Select {phrase}")
            _set(field, "empty", f"{label} is empty: select a file that has something in it")
        elif _is_choice(field):
            _set(field, "required", f"Select {phrase}")
        else:
            _set(field, "required", f"Enter {phrase}")
        _set(field, "invalid_choice", "Choose " + phrase + " from the options shown")
        if isinstance(field, forms.EmailField):
            _set(field, "invalid", f"Enter {phrase} in the correct format, like "
                                   "name@example.org")
        elif isinstance(field, forms.IntegerField | forms.DecimalField):
            _set(field, "invalid", f"{label} must be a number")
        elif isinstance(field, forms.TimeField):
            _set(field, "invalid", f"Enter {phrase} as hours and minutes, like 14:30")
        elif getattr(field, "format_hint", None):
            _set(field, "invalid", f"Enter {phrase} {field.format_hint}")
        else:
            _set(field, "invalid", f"Enter {phrase} in the form shown")
    form._humanised = True  # type: ignore[attr-defined]


def _humanise_date(field: DateInputField, label: str, phrase: str) -> None:
    _set(field, "required", f"Enter {phrase}")
    _set(field, "incomplete", f"Enter {phrase}")
    field.error_messages["real"] = f"{label} must be a real date"
    for part, sub in zip(DATE_PARTS, field.fields, strict=True):
        sub.error_messages["incomplete"] = f"{label} must include a {part}"
        sub.validators = [RegexValidator(r"^\s*[0-9]+\s*$", f"{label} must be a real date")]


class DateField(DateInputField):
    """The GOV.UK date input (day, month, year) whose messages say which date is wrong."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("require_all_fields", False)
        super().__init__(**kwargs)

    def compress(self, data_list: Sequence[Any]) -> date | None:
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            value = date(day=int(day), month=int(month), year=int(year))
        except (ValueError, OverflowError) as exc:
            raise ValidationError(self.error_messages.get("real", "Enter a real date"),
                                  code="invalid") from exc
        if value.year < 1900:
            raise ValidationError(self.error_messages.get("real", "Enter a real date"),
                                  code="invalid")
        return value


class GovFormMixin:
    """Messages from the labels, set just before validation so that fields a form adds in
    its own __init__ (one per child, say) get them too."""

    def full_clean(self) -> None:
        humanise(self)  # type: ignore[arg-type]
        super().full_clean()  # type: ignore[misc]
        # A save over someone else's is refused here, whatever the page (issue 12 §3).
        apply_conflict(self)  # type: ignore[arg-type]


class Form(GovFormMixin, forms.Form):
    pass


class ModelForm(GovFormMixin, forms.ModelForm):
    pass


def add_service_error(form: forms.BaseForm, exc: ServiceError) -> None:
    """A service's refusal goes beside the field it is about, when it names one the form has;
    otherwise to the top of the form. A census rule's refusal carries its number in small
    print (secondary text) after the plain-words message."""
    field = getattr(exc, "field", None)
    message: str = str(exc)
    if isinstance(exc, RuleError):
        message = format_html(
            '{} <span class="govuk-!-font-size-16 govuk-!-font-weight-regular '
            'app-rule-number">(census rule {})</span>', message, exc.rule)
    form.add_error(field if field in form.fields else None, message)


# --- the error summary ------------------------------------------------------------------


def _is_multiple_inputs(bound: forms.BoundField) -> bool:
    widget = bound.field.widget
    return isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


def field_anchor(bound: forms.BoundField) -> str:
    """The id of the element that takes the focus for this field."""
    if _is_multiple_inputs(bound):
        # crispy-forms-gds numbers the options from 1 (templates/gds/layout/radio_item.html).
        return f"id_{bound.html_name}_1"
    if isinstance(bound.field.widget, forms.MultiWidget):
        return f"{bound.auto_id}_0"
    return bound.auto_id


def _field_errors(bound: forms.BoundField) -> list[tuple[str, str]]:
    """(anchor, message) for a field; a date's part errors link to that part."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    if isinstance(bound.field, forms.MultiValueField):
        for index, sub in enumerate(bound.field.fields):
            for message in getattr(sub.widget, "errors", []) or []:
                if str(message) not in seen and str(message) in bound.errors:
                    seen.add(str(message))
                    out.append((f"{bound.auto_id}_{index}", str(message)))
    for message in bound.errors:
        if str(message) not in seen:
            seen.add(str(message))
            out.append((field_anchor(bound), str(message)))
    return out


def first_anchor(form: forms.BaseForm) -> str:
    fields = form.visible_fields()
    return field_anchor(fields[0]) if fields else ""


def error_links(form: forms.BaseForm | None,
                formsets: Iterable[forms.BaseFormSet] = ()) -> list[tuple[str, str]]:
    """Every error of a submission, in page order, with the id it links to."""
    links: list[tuple[str, str]] = []
    if form is not None and form.is_bound:
        top = first_anchor(form)
        for message in form.non_field_errors():
            links.append((top, str(message)))
        for bound in form.hidden_fields():
            links.extend((top, str(m)) for m in bound.errors)
        for bound in form.visible_fields():
            links.extend(_field_errors(bound))
    for formset in formsets or ():
        if not formset.is_bound:
            continue
        noun = getattr(formset, "row_noun", "Row")
        for message in formset.non_form_errors():
            target = first_anchor(formset.forms[0]) if formset.forms else ""
            links.append((target, str(message)))
        for number, row in enumerate(formset.forms, start=1):
            top = first_anchor(row)
            links.extend((top, f"{noun} {number}: {m}") for m in row.non_field_errors())
            for bound in row.visible_fields():
                links.extend((anchor, f"{noun} {number}: {m}")
                             for anchor, m in _field_errors(bound))
    return links


# --- repeating rows ---------------------------------------------------------------------

ADD_ROW = "add-row"


def with_added_row(data: Any, *prefixes: str) -> tuple[Any, str | None]:
    """Rows of a formset start at one and grow with an "Add another" button, which works
    without JavaScript: the button (name="add-row", value=<formset prefix>) submits the form,
    and the page comes back with everything typed kept and one more empty row.

    Returns the data to bind (a copy with one more row when a button was pressed) and the
    prefix that grew, or None for an ordinary submission.
    """
    if data is None:
        return None, None
    prefix = data.get(ADD_ROW)
    if prefix not in prefixes:
        return data, None
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        data[key] = str(int(data.get(key) or 0) + 1)
    except ValueError:
        data[key] = "1"
    return data, prefix


def seed_added_row(data: Any, prefix: str, form_class: type[forms.BaseForm]) -> None:
    """Give the row "Add another" just made the defaults a new form shows (a preselected
    radio): a bound row shows only what was posted, and nothing was posted for it."""
    row = int(data[f"{prefix}-TOTAL_FORMS"]) - 1
    for name, field in form_class.base_fields.items():
        if field.initial not in (None, "") and not callable(field.initial):
            data.setdefault(f"{prefix}-{row}-{name}", str(field.initial))


def quiet(*items: Any) -> None:
    """Show bound forms and formsets with what was typed but without judging it yet (after
    "Add another", before the user has asked to save)."""
    from django.forms.utils import ErrorDict, ErrorList

    for item in items:
        if isinstance(item, forms.BaseFormSet):
            item._errors = []
            item._non_form_errors = ErrorList()
            for row in item.forms:
                row._errors = ErrorDict()
        else:
            item._errors = ErrorDict()


def button_layout(*fields: Any, submit: str) -> FormHelper:
    """A crispy helper for a form drawn inside the page's own <form>: small labels, the
    fields in order, one submit button."""
    helper = FormHelper()
    helper.form_tag = False
    helper.label_size = Size.SMALL
    helper.layout = Layout(*fields, Button("submit", submit))
    return helper
