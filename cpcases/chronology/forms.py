"""Forms for the visit, the chronology entry and the chronology's filters."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fieldset, Layout, Size
from django import forms
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency
from cpcases.chronology.models import MANUAL_EVENT_TYPES, EventType, VisitLocation
from cpcases.chronology.services import VISITING_ROLES
from cpcases.core.forms import DateField
from cpcases.core.forms import Form as GovForm

TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
YES_NO = [("yes", "Yes"), ("no", "No")]


def yes_no(label: str, *, required: bool = True, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, widget=forms.RadioSelect, required=required,
        coerce=lambda v: v == "yes", empty_value=None, help_text=help_text)


def date_field(label: str, *, hint: str = "For example, 27 3 2026") -> DateField:
    """The GOV.UK date input: separate day, month and year boxes."""
    return DateField(label=label, required=True, help_text=hint,
                          require_all_fields=False)


class TimeField(forms.CharField):
    """An HH:MM box (24-hour clock)."""

    format_hint = "as hours and minutes, like 14:30"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "24-hour clock, for example 14:30")
        kwargs.setdefault("max_length", 5)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> time | None:
        value = super().clean(value)
        if not value:
            return None
        match = TIME_RE.match(value.strip())
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return time(int(match.group(1)), int(match.group(2)))


def combine(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def _helper(*fields: Any, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template writes the <form> (and its CSRF token)
    helper.label_size = Size.SMALL
    helper.layout = Layout(*fields, Button("submit", submit))
    return helper


def _radios(name: str) -> Field:
    return Field.radios(name, legend_size=Size.SMALL, small=True, inline=True)


class VisitForm(GovForm):
    visit_date = date_field("Date of the visit")
    visit_time = TimeField(label="Time of the visit")
    visited_by = forms.ModelChoiceField(queryset=User.objects.none(), label="Visited by")
    location = forms.ChoiceField(choices=VisitLocation.choices, widget=forms.RadioSelect,
                                 label="Where the visit took place",
                                 help_text="Normally the home where the child lives")  # 003
    access_refused = yes_no("Was access refused?")
    access_refused_details = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        label="If access was refused, what happened",
        help_text="The manager and the core group are told")  # 003
    child_seen = yes_no("Was the child seen?")
    seen_alone = yes_no("Was the child seen alone?", required=False,
                        help_text="Only if the child was seen")
    seen_with = forms.CharField(required=False, max_length=300,
                                label="If not alone, who the child was seen with")
    bedroom_seen = yes_no("Was the child's bedroom or sleeping place seen?")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("visited_by", user.pk)
        super().__init__(*args, **kwargs)
        self.fields["visited_by"].queryset = User.objects.filter(
            authority_id=user.authority_id, role__in=VISITING_ROLES, is_active=True)
        self.helper = _helper(
            Fieldset("visit_date", "visit_time", "visited_by",
                     Field.radios("location", legend_size=Size.SMALL, small=True),
                     legend="The visit", legend_size=Size.MEDIUM),
            Fieldset(_radios("access_refused"), "access_refused_details",
                     _radios("child_seen"), _radios("seen_alone"), "seen_with",
                     _radios("bedroom_seen"), "notes",
                     legend="What happened", legend_size=Size.MEDIUM),
            submit="Save the visit")

    def visited_at(self) -> datetime:
        return combine(self.cleaned_data["visit_date"], self.cleaned_data["visit_time"])

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"visited_at": self.visited_at(), "visited_by": data["visited_by"],
                "location": data["location"], "child_seen": bool(data["child_seen"]),
                "seen_alone": data["seen_alone"], "seen_with": data["seen_with"],
                "bedroom_seen": bool(data["bedroom_seen"]),
                "access_refused": bool(data["access_refused"]),
                "access_refused_details": data["access_refused_details"],
                "notes": data["notes"]}


class EntryForm(GovForm):
    event_date = date_field("Date of the event",
                            hint="When it happened, not when you are recording it. "
                                 "For example, 27 3 2026")
    event_time = TimeField(label="Time of the event (if known)", required=False)
    event_type = forms.ChoiceField(
        choices=[(t.value, t.label) for t in MANUAL_EVENT_TYPES], label="Type of event")
    significant_event = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Significant event",
        help_text="The significant piece of information, for example a police log of a "
                  "reported incident, or a report from school that the child arrived hungry")
    source = forms.CharField(max_length=200, label="Professional or agency record",
                             help_text="The record the information comes from, for example "
                                       "police record or health visiting record")
    who_involved = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                   label="Who was involved")
    decisions_actions_outcome = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        label="Decisions, actions and outcome")
    child_seen = yes_no("Was the child seen?")
    child_views = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  label="The child's views",
                                  help_text="What the child said, or what was observed")
    author_comments = forms.CharField(required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}),
                                      label="Your comments")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "event_date", "event_time", "event_type", "significant_event", "source",
            "who_involved", "decisions_actions_outcome", _radios("child_seen"),
            "child_views", "author_comments", submit="Add to the chronology")

    def clean_event_date(self) -> Any:
        day = self.cleaned_data["event_date"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("The date of the event must be today or in the past")
        return day

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["child_seen"] = bool(data["child_seen"])
        return data


class FilterForm(GovForm):
    agency = forms.ChoiceField(choices=[("", "All agencies"), *Agency.choices],
                               required=False, label="Agency")
    event_type = forms.ChoiceField(choices=[("", "All events"), *EventType.choices],
                                   required=False, label="Type of event")

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"agency": "", "event_type": ""}
        return {"agency": self.cleaned_data["agency"],
                "event_type": self.cleaned_data["event_type"]}
