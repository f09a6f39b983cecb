from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Fieldset, Layout, Size
from django import forms

from cpcases.accounts.models import Team, User
from cpcases.accounts.roles import Role
from cpcases.children.identifiers import Disability, normalise_nhs_number
from cpcases.children.models import Child, Person, Relationship
from cpcases.children.services import CHILD_EDITABLE_FIELDS
from cpcases.core.forms import DateField
from cpcases.core.forms import Form as GovForm
from cpcases.core.forms import ModelForm as GovModelForm


def _helper(*fields: Any, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template writes the <form> (and its CSRF token)
    helper.label_size = Size.SMALL
    helper.layout = Layout(*fields, Button("submit", submit))
    return helper


def date_field(label: str, *, required: bool = False, hint: str = "For example, 27 3 2019"
               ) -> DateField:
    """The GOV.UK date input: separate day, month and year boxes (no native date picker)."""
    return DateField(label=label, required=required, help_text=hint,
                          require_all_fields=False)


class ChildForm(GovModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    date_of_birth = date_field("Date of birth")
    expected_delivery_date = date_field("Expected date of delivery",
                                        hint="Only for an unborn child. For example, 20 2 2027")
    date_of_death = date_field("Date of death", hint="Only if the child has died")
    disabilities = forms.MultipleChoiceField(
        choices=Disability.choices, required=False, widget=forms.CheckboxSelectMultiple,
        label="Disabilities", help_text="Choose \"No disability\" on its own, or every "
        "disability that applies")

    # Typed as printed ("943 476 5919"): spaces are taken out before the model's checks
    # (10 digits, modulus 11) run on the saved value.
    nhs_number = forms.CharField(max_length=13, required=False, label="NHS number",
                                 help_text="10 digits, for example 943 476 5919")
    # Shown only once likely duplicates have been found (the page lists them above).
    not_a_duplicate = forms.BooleanField(
        required=False, label="None of these is the same child: save this record")

    class Meta:
        model = Child
        fields = list(CHILD_EDITABLE_FIELDS)
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        labels = {"is_unborn": "This is an unborn child (recorded as Baby until born)"}

    def __init__(self, *args: Any, duplicates: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        confirm = ["not_a_duplicate"] if duplicates else []
        self.helper = _helper(*confirm,
            Fieldset("first_name", "last_name", "is_unborn", "date_of_birth",
                     "expected_delivery_date", legend="Name and birth", legend_size=Size.MEDIUM),
            Fieldset("sex", "gender", "ethnicity", "disability", "first_language",
                     "interpreter_needed", legend="Identity and needs",
                     legend_size=Size.MEDIUM),
            Fieldset("address", "postcode", "legal_status", legend="Address and legal status",
                     legend_size=Size.MEDIUM),
            Fieldset("nhs_number", "upn", "former_upn", "upn_unknown_reason", "disabilities",
                     "date_of_death", legend="Identifiers and census details",
                     legend_size=Size.MEDIUM),
            "version", submit="Save changes")

    def clean_nhs_number(self) -> str:
        return normalise_nhs_number(self.cleaned_data.get("nhs_number", ""))

    def clean_upn(self) -> str:
        return (self.cleaned_data.get("upn") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("is_unborn") and not data.get("expected_delivery_date"):
            self.add_error("expected_delivery_date",
                           "Enter the expected date of delivery for an unborn child")
        if not data.get("is_unborn") and not data.get("date_of_birth"):
            self.add_error("date_of_birth", "Enter the child's date of birth")
        # CIN census rule 8750: an unborn child's sex is U (returns.rules).
        if data.get("is_unborn") and data.get("sex") not in (None, "", "U"):
            self.add_error("sex", "Select \"Not known\" for an unborn baby: the sex is "
                                  "recorded after the birth")
        return data


class ChildCreateForm(ChildForm):
    la_child_id = forms.CharField(label="Local authority child ID", max_length=32)

    def __init__(self, *args: Any, user: User, duplicates: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, duplicates=duplicates, **kwargs)
        self.fields["team"] = forms.ModelChoiceField(
            queryset=Team.objects.filter(service__authority_id=user.authority_id),
            initial=user.team_id, label="Team")
        confirm = ["not_a_duplicate"] if duplicates else []
        self.helper = _helper(*confirm, "la_child_id", "team",
                              *self.helper.layout.fields[len(confirm):-2],
                              submit="Create record")


class AllocationForm(GovForm):
    team = forms.ModelChoiceField(queryset=Team.objects.none())
    social_worker = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    reason = forms.CharField(max_length=300, label="Reason for the change")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(
            service__authority_id=user.authority_id)
        self.fields["social_worker"].queryset = User.objects.filter(
            authority_id=user.authority_id, role=Role.SOCIAL_WORKER, is_active=True)
        self.helper = _helper("team", "social_worker", "reason", submit="Change allocation")


class PersonForm(GovModelForm):
    relationship = forms.ChoiceField(choices=Relationship.choices)
    has_parental_responsibility = forms.BooleanField(required=False,
                                                     label="Has parental responsibility")
    lives_with_child = forms.BooleanField(required=False, initial=True,
                                          label="Lives in the child's household")

    date_of_birth = date_field("Date of birth", hint="If known. For example, 27 3 1990")

    class Meta:
        model = Person
        fields = ["first_name", "last_name", "date_of_birth", "address", "postcode", "phone",
                  "email", "first_language", "interpreter_needed"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("relationship", "has_parental_responsibility",
                              "lives_with_child", "first_name", "last_name", "date_of_birth",
                              "address", "postcode", "phone", "email", "first_language",
                              "interpreter_needed", submit="Add person")


class SearchForm(GovForm):
    q = forms.CharField(label="Name or child ID", required=False)
    date_of_birth = date_field("Date of birth")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.form_method = "get"
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout("q", "date_of_birth", Button("search", "Search"))
