"""Forms for the strategy pages: GOV.UK date inputs, HH:MM times, repeated rows as formsets."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fieldset, Layout, Size
from django import forms
from django.utils import timezone

from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency, Role
from cpcases.children.models import Child
from cpcases.core.forms import DateField
from cpcases.core.forms import Form as GovForm
from strategy.models import (
    Attendance,
    DiscussionFormat,
    NextStep,
    ParticipantRole,
    S47Outcome,
    Urgency,
)
from strategy.services import S47

TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def date_field(label: str, *, required: bool = True,
               hint: str = "For example, 27 3 2026") -> DateField:
    return DateField(label=label, required=required, help_text=hint,
                          require_all_fields=False)


class TimeField(forms.CharField):
    """A simple HH:MM box (24-hour clock)."""

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


def _helper(*fields: Any, submit: str | None = None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template writes the <form> (and its CSRF token)
    helper.disable_csrf = True
    helper.label_size = Size.SMALL
    helper.legend_size = Size.SMALL  # a date's legend as bold as the labels around it
    items = list(fields) + ([Button("submit", submit)] if submit else [])
    helper.layout = Layout(*items)
    return helper


OUTCOME_CHOICES = [(S47, "Initiate a Section 47 enquiry"),
                   *[(v, label) for v, label in NextStep.choices]]


class StrategyDiscussionForm(GovForm):
    children = forms.ModelMultipleChoiceField(
        queryset=Child.objects.none(), widget=forms.CheckboxSelectMultiple,
        # 002 §2.2
        label="Children discussed", help_text="Consider all the children of the household")
    concern_date = date_field("Date the concern was identified")
    concern_time = TimeField(label="Time the concern was identified")
    urgency = forms.ChoiceField(choices=Urgency.choices, widget=forms.RadioSelect,
                                label="Urgency",
                                help_text="Sets the timescale for holding the discussion")  # 000
    format = forms.ChoiceField(choices=DiscussionFormat.choices, widget=forms.RadioSelect,
                               label="Meeting or phone calls")
    held_date = date_field("Date the discussion was held")
    held_time = TimeField(label="Time the discussion was held")
    late_reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        label="If it was held late, why",
        help_text="Any delay must be explained and recorded")  # 000
    minimum_not_met_reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        label="If the minimum attendance was not met, why",
        help_text="The minimum is the social worker, their manager, health and police")  # 003
    information_shared = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))
    criminal_investigation = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        label="Conduct and timing of any criminal investigation")
    shareable_with_family = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        label="What may be shared with the family")

    def __init__(self, *args: Any, household: list[Child], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.household = household
        self.fields["children"].queryset = Child.objects.filter(
            pk__in=[c.pk for c in household])
        outcome_fields = []
        for child in household:
            name = f"outcome_{child.pk}"
            # One compact list per child (not six radios each): a household of four would
            # otherwise be 24 radios long.
            self.fields[name] = forms.ChoiceField(
                choices=[("", "Choose the decision"), *OUTCOME_CHOICES], required=False,
                label=f"Decision for {child.display_name}",
                help_text="Only for a child discussed")
            outcome_fields.append(name)
        self.helper = _helper(
            Fieldset(Field.checkboxes("children", legend_size=Size.SMALL, small=True),
                     "concern_date", "concern_time",
                     Field.radios("urgency", legend_size=Size.SMALL, small=True),
                     legend="The concern", legend_size=Size.MEDIUM),
            Fieldset(Field.radios("format", legend_size=Size.SMALL, small=True), "held_date",
                     "held_time", "late_reason", legend="The discussion",
                     legend_size=Size.MEDIUM),
            Fieldset("information_shared", "criminal_investigation", "shareable_with_family",
                     legend="What was discussed", legend_size=Size.MEDIUM),
            Fieldset(*outcome_fields, legend="Section 47 decision for each child",
                     legend_size=Size.MEDIUM),
            Fieldset("minimum_not_met_reason", legend="Attendance", legend_size=Size.MEDIUM))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for child in data.get("children") or []:
            if not data.get(f"outcome_{child.pk}"):
                self.add_error(f"outcome_{child.pk}",
                               f"Select the decision for {child.display_name}: a Section 47 "
                               f"enquiry or another next step")
        return data

    def concern_identified_at(self) -> datetime:
        return combine(self.cleaned_data["concern_date"], self.cleaned_data["concern_time"])

    def held_at(self) -> datetime:
        return combine(self.cleaned_data["held_date"], self.cleaned_data["held_time"])

    def outcomes(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data[f"outcome_{c.pk}"] for c in self.cleaned_data["children"]}


class ParticipantForm(GovForm):
    name = forms.CharField(max_length=200, required=False)
    agency = forms.ChoiceField(choices=Agency.choices, required=False)
    role = forms.ChoiceField(choices=ParticipantRole.choices, required=False,
                             label="Part in the discussion")
    job_title = forms.CharField(max_length=200, required=False)
    attendance = forms.ChoiceField(choices=Attendance.choices, initial=Attendance.PRESENT,
                                   required=False)
    user = forms.ModelChoiceField(queryset=User.objects.none(), required=False,
                                  label="User of this system (optional)",
                                  help_text="A partner professional named here sees the "
                                            "children and this discussion")

    def __init__(self, *args: Any, authority_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            authority_id=authority_id, is_active=True).exclude(role=Role.ADMINISTRATOR)
        self.helper = _helper("name", "agency", "role", "job_title", "attendance", "user")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("name") or data.get("user"):
            if not data.get("name") and data.get("user"):
                data["name"] = data["user"].full_name
            for f in ("agency", "role"):
                if not data.get(f):
                    self.add_error(f, f"Select the {self.fields[f].label.lower()} of "
                                      f"{data['name']}")
        return data


ACTION_PARTS = {"who": "who does it", "what": "what they do", "by_when": "by when"}


class ActionForm(GovForm):
    who = forms.CharField(max_length=200, required=False)
    what = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    by_when = date_field("By when", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("who", "what", "by_when")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if any(data.get(f) for f in ("who", "what", "by_when")):
            for f in ("who", "what", "by_when"):
                if not data.get(f):
                    self.add_error(f, f"Enter {ACTION_PARTS[f]}: an action says who does "
                                      "what by when")
        return data


# Rows start at one and grow with "Add another" (cpcases.core.forms.with_added_row).
ParticipantFormSet = forms.formset_factory(ParticipantForm, extra=1)
ParticipantFormSet.row_noun = "Participant"
ActionFormSet = forms.formset_factory(ActionForm, extra=1)
ActionFormSet.row_noun = "Action"


class S47OutcomeForm(GovForm):
    outcome = forms.ChoiceField(
        choices=[(v, label) for v, label in S47Outcome.choices if v],
        widget=forms.RadioSelect)
    next_step = forms.ChoiceField(
        required=False, widget=forms.RadioSelect, label="Next step if not substantiated",
        choices=[(v, label) for v, label in NextStep.choices if v != NextStep.CONTINUE_S47])
    outcome_date = date_field("Date of the outcome")
    reasons = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.radios("outcome", legend_size=Size.SMALL),
                              Field.radios("next_step", legend_size=Size.SMALL),
                              "outcome_date", "reasons", submit="Record the outcome")


YES_NO = [("yes", "Yes"), ("no", "No")]


class ThresholdForm(GovForm):
    harm_evidenced = forms.ChoiceField(
        choices=YES_NO, widget=forms.RadioSelect,
        label="1. Can the concerns be evidenced to have an impact (significant harm) on the "
              "child?")
    attributable_to_parental_care = forms.ChoiceField(
        choices=YES_NO, widget=forms.RadioSelect,
        label="2. Are the concerns attributable to parental care?")
    harm_likely = forms.ChoiceField(
        choices=YES_NO, widget=forms.RadioSelect,
        label="3. Can it be evidenced that significant harm is likely?")
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))
    iro = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Duty IRO (optional)",
        help_text="If you held a threshold discussion with the duty IRO, who records "
                  "its outcome")  # 004

    def __init__(self, *args: Any, authority_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["iro"].queryset = User.objects.filter(
            authority_id=authority_id, role=Role.CP_CHAIR, is_active=True)
        self.helper = _helper(
            Fieldset(*(Field.radios(f, legend_size=Size.SMALL, inline=True)
                       for f in ("harm_evidenced", "attributable_to_parental_care",
                                 "harm_likely")),
                     legend="Significant Harm Checklist", legend_size=Size.MEDIUM),
            "rationale", "iro", submit="Record the decision")

    def answers(self) -> dict[str, bool]:
        return {f: self.cleaned_data[f] == "yes"
                for f in ("harm_evidenced", "attributable_to_parental_care", "harm_likely")}


class IroOutcomeForm(GovForm):
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}),
                              label="Outcome of the threshold discussion")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("outcome", submit="Record on the child's file")


class ConsultationRequestForm(GovForm):
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}),
                               label="What would you like to discuss with a CP chair?")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("question", submit="Send the request to business support")


class AssignChairForm(GovForm):
    chair = forms.ModelChoiceField(queryset=User.objects.none(), label="CP chair")

    def __init__(self, *args: Any, authority_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = User.objects.filter(
            authority_id=authority_id, role=Role.CP_CHAIR, is_active=True)
        self.helper = _helper("chair", submit="Assign the chair")


class ConsultationRecordForm(GovForm):
    held_date = date_field("Date the consultation was held")
    held_time = TimeField(label="Time it was held")
    social_worker_took_part = forms.BooleanField(required=False,
                                                 label="The social worker took part")
    manager_took_part = forms.BooleanField(required=False, label="Their manager took part")
    danger_statements_developed = forms.BooleanField(
        required=False, label="Danger statements have been developed with the family")
    mapping_shared_with_family = forms.BooleanField(
        required=False, label="The assessment (mapping) has been shared with the family")
    network_safety_plan = forms.BooleanField(
        required=False, label="The network has been engaged to develop a safety plan")
    recommendation = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}),
                                     help_text="Advice to the team: not a decision")  # 000
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                           label="Other notes")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "held_date", "held_time",
            Fieldset("social_worker_took_part", "manager_took_part",
                     legend="Who took part (both are required)", legend_size=Size.SMALL),
            Fieldset("danger_statements_developed", "mapping_shared_with_family",
                     "network_safety_plan", legend="Chair's checks", legend_size=Size.SMALL),
            "recommendation", "note", submit="Record the consultation")

    def held_at(self) -> datetime:
        return combine(self.cleaned_data["held_date"], self.cleaned_data["held_time"])


class ConcernForm(GovForm):
    """A "concern identified" record (issue 9): when, how urgent, what."""

    identified_date = date_field("Date the concern was identified")
    identified_time = TimeField(
        label="Time the concern was identified",
        error_messages={"required": "Enter the time the concern was identified"})
    urgency = forms.ChoiceField(
        choices=Urgency.choices, widget=forms.RadioSelect, label="How urgent is it?",
        error_messages={"required": "Choose how urgent the concern is"},
        help_text="Sets when the strategy discussion is due: immediate protection 1 working "
                  "day, child protection concerns 3, a complex case at most 5")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}),
                              label="What is the concern?",
                              error_messages={"required": "Describe the concern"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("identified_date", "identified_time",
                              Field.radios("urgency", legend_size=Size.SMALL),
                              "summary", submit="Record the concern")

    def identified_at(self) -> datetime:
        return combine(self.cleaned_data["identified_date"],
                       self.cleaned_data["identified_time"])


class ConsultationHeldForm(GovForm):
    held_date = date_field("Date the consultation was held")
    held_time = TimeField(label="Time it was held",
                          error_messages={"required": "Enter the time it was held"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("held_date", "held_time", submit="Mark as held")

    def held_at(self) -> datetime:
        return combine(self.cleaned_data["held_date"], self.cleaned_data["held_time"])
