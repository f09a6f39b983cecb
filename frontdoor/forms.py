"""The front door's forms (GOV.UK Design System through crispy-forms-gds). Each names the
field in its error, and a refused submission shows the page again with everything typed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crispy_forms_gds.layout import Field, Fieldset, Size
from django import forms
from django.core.exceptions import ValidationError

from cpcases.accounts.models import User
from cpcases.accounts.roles import Role
from cpcases.children.identifiers import validate_nhs_number
from cpcases.children.models import Household, Relationship, Sex
from cpcases.core.forms import Form as GovForm
from cpcases.core.forms import ModelForm as GovModelForm
from cpcases.core.forms import button_layout as _helper
from frontdoor.models import (
    AssessmentFactor,
    AssessmentOutcome,
    ClosureReason,
    Consent,
    ContactDecision,
    PrimaryNeed,
    ReferralSource,
)
from strategy.forms import TimeField, combine, date_field
from strategy.models import Urgency


def _radios(name: str) -> Field:
    return Field.radios(name, legend_size=Size.SMALL, small=True)


class ContactForm(GovForm):
    received_date = date_field("Date the contact was received")
    received_time = TimeField(label="Time the contact was received")
    source = forms.ChoiceField(choices=[("", "Choose the source"), *ReferralSource.choices],
                               label="Who made the contact")
    referrer_name = forms.CharField(max_length=200, required=False, label="Referrer's name")
    referrer_organisation = forms.CharField(max_length=200, required=False,
                                            label="Referrer's organisation")
    referrer_contact = forms.CharField(max_length=200, required=False,
                                       label="Referrer's phone or e-mail")
    concern = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}),
                              label="What the concern is")
    consent = forms.ChoiceField(choices=Consent.choices, widget=forms.RadioSelect,
                                label="Consent")
    existing_children = forms.CharField(
        required=False, label="Children already known: their child IDs",
        help_text="Separate IDs with commas. Use Find a child to look them up")
    first_name = forms.CharField(max_length=100, required=False, label="First name")
    last_name = forms.CharField(max_length=100, required=False, label="Last name")
    date_of_birth = date_field("Date of birth", required=False)
    is_unborn = forms.BooleanField(required=False, label="This is an unborn child")
    expected_delivery_date = date_field("Expected date of delivery", required=False,
                                        hint="Only for an unborn child. For example, 20 4 2027")
    sex = forms.ChoiceField(choices=Sex.choices, initial=Sex.UNKNOWN, label="Sex")
    nhs_number = forms.CharField(max_length=12, required=False, label="NHS number",
                                 validators=[validate_nhs_number])
    address = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    postcode = forms.CharField(max_length=10, required=False)
    not_a_duplicate = forms.BooleanField(
        required=False, label="None of these is the same child: create a new record")

    def __init__(self, *args: Any, duplicates: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        extra = ["not_a_duplicate"] if duplicates else []
        self.helper = _helper(
            Fieldset("received_date", "received_time", "source", "referrer_name",
                     "referrer_organisation", "referrer_contact", legend="The contact",
                     legend_size=Size.MEDIUM),
            Fieldset("concern", _radios("consent"), legend="The concern",
                     legend_size=Size.MEDIUM),
            Fieldset("existing_children", legend="Children already known",
                     legend_size=Size.MEDIUM),
            Fieldset("first_name", "last_name", "date_of_birth", "is_unborn",
                     "expected_delivery_date", "sex", "nhs_number", "address", "postcode",
                     *extra, legend="A child not yet known", legend_size=Size.MEDIUM),
            submit="Record the contact")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("last_name") or data.get("first_name"):
            if not data.get("last_name"):
                self.add_error("last_name", "Enter the child's last name")
            if data.get("is_unborn") and not data.get("expected_delivery_date"):
                self.add_error("expected_delivery_date",
                               "Enter the expected date of delivery for an unborn child")
            if not data.get("is_unborn") and not data.get("date_of_birth"):
                self.add_error("date_of_birth", "Enter the child's date of birth")
        elif not data.get("existing_children"):
            self.add_error("existing_children",
                           "Enter the child ID of a known child, or the new child's name")
        return data

    def received_at(self) -> datetime:
        return combine(self.cleaned_data["received_date"], self.cleaned_data["received_time"])

    def child_ids(self) -> list[str]:
        return [i.strip() for i in self.cleaned_data.get("existing_children", "").split(",")
                if i.strip()]


class DecisionForm(GovForm):
    decision = forms.ChoiceField(choices=ContactDecision.choices, widget=forms.RadioSelect,
                                 label="Decision")
    urgency = forms.ChoiceField(choices=[("", "Not a strategy discussion"), *Urgency.choices],
                                required=False, label="Urgency of the strategy discussion",
                                help_text="Only for an immediate strategy discussion")
    primary_need = forms.ChoiceField(choices=[("", "Not yet known"), *PrimaryNeed.choices],
                                     required=False, label="Primary need (for a referral)")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             label="Reasons for the decision")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_radios("decision"), "urgency", "primary_need", "reason",
                              submit="Record the decision")


class AllocateForm(GovForm):
    social_worker = forms.ModelChoiceField(queryset=User.objects.none(),
                                           label="Social worker to complete the assessment")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["social_worker"].queryset = User.objects.filter(
            authority_id=user.authority_id, role=Role.SOCIAL_WORKER, is_active=True
        ).order_by("full_name")
        self.helper = _helper("social_worker", submit="Allocate the assessment")


class CloseForm(GovForm):
    closure_date = date_field("Date the case closed")
    reason = forms.ChoiceField(choices=ClosureReason.choices, widget=forms.RadioSelect,
                               label="Reason for closure")
    no_further_action = forms.BooleanField(
        required=False, label="The referral needed no further action (no assessment)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("closure_date", _radios("reason"), "no_further_action",
                              submit="Close the referral")


class CompleteForm(GovForm):
    factors = forms.MultipleChoiceField(choices=AssessmentFactor.choices,
                                        widget=forms.CheckboxSelectMultiple,
                                        label="Factors identified at the assessment")
    primary_need = forms.ChoiceField(choices=[("", "Choose"), *PrimaryNeed.choices],
                                     label="Primary need")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}),
                              label="Summary of the assessment")
    outcome = forms.ChoiceField(choices=AssessmentOutcome.choices, widget=forms.RadioSelect,
                                label="Outcome")
    completed_on = date_field("Date completed")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("factors", "primary_need", "summary", _radios("outcome"),
                              "completed_on", submit="Complete the assessment")

    def clean_factors(self) -> list[str]:
        factors = self.cleaned_data["factors"]
        if "21" in factors and len(factors) > 1:  # census rule 8869
            raise ValidationError("Choose \"No factors identified\" on its own")
        return factors


class AuthoriseForm(GovForm):
    urgency = forms.ChoiceField(choices=[("", "Not a strategy discussion"), *Urgency.choices],
                                required=False, label="Urgency of the strategy discussion",
                                help_text="Only when the outcome is a strategy discussion")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("urgency", submit="Authorise the assessment")


class NewInformationForm(GovForm):
    received_date = date_field("Date the information arrived")
    received_time = TimeField(label="Time the information arrived")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}),
                              label="What the new information is")
    urgency = forms.ChoiceField(choices=Urgency.choices, widget=forms.RadioSelect,
                                label="Urgency of the strategy discussion")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("received_date", "received_time", "summary",
                              _radios("urgency"), submit="Record the new information")

    def received_at(self) -> datetime:
        return combine(self.cleaned_data["received_date"], self.cleaned_data["received_time"])


class SearchForm(GovForm):
    name = forms.CharField(required=False, label="Name",
                           help_text="Spelling need not be exact")
    date_of_birth = date_field("Date of birth or expected date of delivery", required=False)
    postcode = forms.CharField(required=False, max_length=10)
    nhs_number = forms.CharField(required=False, max_length=12, label="NHS number")
    upn = forms.CharField(required=False, max_length=13, label="Unique pupil number")
    la_child_id = forms.CharField(required=False, max_length=32, label="Child ID")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("name", "date_of_birth", "postcode", "nhs_number", "upn",
                              "la_child_id", submit="Search")


class BreakGlassForm(GovForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}),
                             label="Why you need to open this record",
                             help_text="Your reason is recorded and the manager of the team "
                                       "holding the case is told")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("reason", submit="Open the record")


class MergeForm(GovForm):
    duplicate_id = forms.CharField(max_length=32, label="Child ID of the duplicate record",
                                   help_text="Its records move to this one; it is kept, "
                                             "marked as merged")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                             label="Why these records are the same child")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("duplicate_id", "reason", submit="Merge the records")


class HouseholdForm(GovModelForm):
    class Meta:
        model = Household
        fields = ["name", "address", "postcode"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("name", "address", "postcode", submit="Save the household")


class ChildPersonForm(GovForm):
    relationship = forms.ChoiceField(choices=Relationship.choices,
                                     label="Relationship to the child")
    has_parental_responsibility = forms.BooleanField(required=False,
                                                     label="Has parental responsibility")
    lives_with_child = forms.BooleanField(required=False,
                                          label="Lives in the child's household")
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False, label="E-mail")
    address = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    postcode = forms.CharField(max_length=10, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Fieldset("relationship", "has_parental_responsibility", "lives_with_child",
                     legend="How they relate to the child", legend_size=Size.MEDIUM),
            Fieldset("phone", "email", "address", "postcode", legend="Contact details",
                     legend_size=Size.MEDIUM),
            "version", submit="Save changes")
