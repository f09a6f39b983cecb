"""Forms of the request-and-booking pages (GOV.UK through crispy-forms-gds). They collect
input only: the rules are in conferences.services."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout, Size
from django import forms
from django.db.models import QuerySet

from conferences.models import ConferenceKind
from cpcases.accounts.models import User
from cpcases.accounts.roles import Role
from cpcases.children.models import Child
from cpcases.core.forms import DateField
from cpcases.core.forms import Form as GovForm


def _helper(form: forms.Form, submit: str, *, secondary: bool = False) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template writes the <form> (and its CSRF token)
    helper.label_size = Size.SMALL
    button = (Button.secondary("submit", submit) if secondary
              else Button("submit", submit))
    helper.layout = Layout(*form.fields, button)
    return helper


class ChildChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Child) -> str:
        return f"{obj.display_name} (ID {obj.la_child_id})"


class RequestForm(GovForm):
    children = ChildChoiceField(
        queryset=Child.objects.none(), widget=forms.CheckboxSelectMultiple,
        label="Children the conference is for",
        help_text="All children of the household are considered")  # 002 §2.2
    had_plan_before = ChildChoiceField(
        queryset=Child.objects.none(), widget=forms.CheckboxSelectMultiple, required=False,
        label="Children who have had a child protection plan before",
        help_text="A second conference needs the service manager's agreement")
    reason = forms.CharField(label="Reason for the conference",
                             widget=forms.Textarea(attrs={"rows": 6}))
    kind = forms.ChoiceField(
        label="Kind of conference", widget=forms.RadioSelect, initial=ConferenceKind.INITIAL,
        required=False,
        choices=[(k.value, k.label) for k in (ConferenceKind.INITIAL, ConferenceKind.PRE_BIRTH,
                                              ConferenceKind.TRANSFER_IN)],
        help_text="Pre-birth: include the baby, recorded with the expected date of delivery. "
                  "Transfer-in: a child on another authority's plan who has moved here")  # 003
    transfer_agreed_on = DateField(
        label="Transfer-in: date the authorities agreed, or you were told of the move",
        required=False, require_all_fields=False, help_text="For example, 15 3 2027")
    originating_authority = forms.CharField(label="Transfer-in: the originating authority",
                                            required=False, max_length=200)

    def __init__(self, *args: Any, choices: QuerySet[Child], submit: str = "Save draft",
                 with_kind: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["children"].queryset = choices
        self.fields["had_plan_before"].queryset = choices
        if not with_kind:
            del self.fields["kind"]
        self.helper = _helper(self, submit)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = set(data.get("children") or [])
        if any(c not in chosen for c in data.get("had_plan_before") or []):
            self.add_error("had_plan_before", "Choose only children the conference is for")
        return data


class NoteForm(GovForm):
    note = forms.CharField(label="Comments (optional)", required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, submit: str, label: str | None = None,
                 required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["note"].label = label
        self.fields["note"].required = required
        self.helper = _helper(self, submit)


class BookingForm(GovForm):
    date = DateField(label="Date of the conference", help_text="For example, 27 3 2027",
                          require_all_fields=False)
    start_time = forms.TimeField(label="Start time", help_text="For example, 10:00",
                                 widget=forms.TimeInput(format="%H:%M",
                                                        attrs={"class": "govuk-input--width-5"}))
    venue = forms.CharField(label="Venue", required=False, max_length=300,
                            help_text="The room and address, or leave blank for an online "
                                      "conference")
    online_link = forms.URLField(label="Online meeting link", required=False, max_length=500,
                                  assume_scheme="https")
    chair = forms.ModelChoiceField(queryset=User.objects.none(), label="Chair",
                                   help_text="Independent of the case")  # 002 §11.2
    minute_taker = forms.ModelChoiceField(queryset=User.objects.none(), label="Minute-taker")
    # Issue 9 point 5: a date that makes preparation deadlines impossible is booked only with
    # a reason; the page lists those deadlines first.
    impossible_reason = forms.CharField(
        label="Reason for booking a date that makes deadlines impossible", required=False,
        help_text="Only needed when the date leaves no time for the preparation deadlines",
        widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: User, submit: str = "Book the conference",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = User.objects.filter(authority_id=user.authority_id, is_active=True)
        self.fields["chair"].queryset = people.filter(role=Role.CP_CHAIR)
        self.fields["minute_taker"].queryset = people.filter(role=Role.BUSINESS_SUPPORT)
        self.helper = _helper(self, submit)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("venue") or "").strip() and not data.get("online_link"):
            self.add_error("venue", "Enter the venue or the online meeting link")
        return data


class DelayRequestForm(GovForm):
    latest_date = DateField(label="Hold the conference by",
                                 help_text="The latest date asked for. For example, 27 3 2027",
                                 require_all_fields=False)
    danger_statement_1 = forms.CharField(label="Danger statement 1",
                                         widget=forms.Textarea(attrs={"rows": 3}))
    danger_statement_2 = forms.CharField(label="Danger statement 2 (optional)", required=False,
                                         widget=forms.Textarea(attrs={"rows": 3}))
    danger_statement_3 = forms.CharField(label="Danger statement 3 (optional)", required=False,
                                         widget=forms.Textarea(attrs={"rows": 3}))
    rationale = forms.CharField(
        label="Rationale", widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Briefly, why the children are likely to be at risk of significant harm, "
                  "and why the conference cannot be held on time")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Ask for authorisation")


class DelayDecisionForm(GovForm):
    decision = forms.ChoiceField(choices=[("authorise", "Authorise the delay"),
                                          ("refuse", "Refuse")],
                                 widget=forms.RadioSelect, label="Your decision")
    note = forms.CharField(label="Comments", required=False,
                           help_text="Required when refusing",
                           widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Record the decision")
