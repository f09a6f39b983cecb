"""Forms of the conference day pages (GOV.UK through crispy-forms-gds). They collect input
only: the rules are in conferences.outcomes.services."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout, Size
from django import forms

from conferences.models import Conference, ConferenceKind
from conferences.outcomes.models import (
    INITIAL_OUTCOMES,
    REVIEW_OUTCOMES,
    Attendance,
    AttendanceStatus,
    Audience,
    DecisionOutcome,
    ExceptionalCircumstance,
    ParticipantType,
    ProceedGround,
    RecordSection,
    ReviewTrigger,
)
from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency, Role
from cpcases.core.forms import DateField
from cpcases.core.forms import Form as GovForm
from cpcases.plans.models import PlanCategory, PlanEndReason

DATE_HELP = "For example, 27 3 2027"


def _helper(form: forms.Form, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template writes the <form> and its CSRF token
    helper.label_size = Size.SMALL
    helper.legend_size = Size.SMALL  # a date's legend as bold as the labels around it
    helper.layout = Layout(*form.fields, Button("submit", submit))
    return helper


def _date(label: str, *, required: bool = True, help_text: str = DATE_HELP) -> DateField:
    return DateField(label=label, required=required, help_text=help_text,
                          require_all_fields=False)


def _text(label: str, *, required: bool = True, rows: int = 4, help_text: str = ""
          ) -> forms.CharField:
    return forms.CharField(label=label, required=required, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


class AttendanceForm(GovForm):
    name = forms.CharField(label="Name", max_length=200)
    participant_type = forms.ChoiceField(label="Who they are", choices=ParticipantType.choices,
                                         widget=forms.RadioSelect,
                                         initial=ParticipantType.PROFESSIONAL)
    agency = forms.ChoiceField(label="Agency (professionals)", required=False,
                               choices=[("", "Choose the agency"), *Agency.choices])
    role = forms.CharField(label="Role or relationship", required=False, max_length=200)
    status = forms.ChoiceField(label="Attendance", choices=AttendanceStatus.choices,
                               widget=forms.RadioSelect, initial=AttendanceStatus.PRESENT)
    direct_contact = forms.BooleanField(
        label="Their agency has had direct contact with the child and family", required=False,
        help_text="Counts towards quoracy")  # 002 §5.2
    report_sent = forms.BooleanField(label="They sent a written report", required=False)

    def __init__(self, *args: Any, submit: str = "Save attendance", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, submit)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("participant_type") == ParticipantType.PROFESSIONAL and \
                not data.get("agency"):
            self.add_error("agency", "Choose the professional's agency")
        return data

    @staticmethod
    def initial_for(attendance: Attendance) -> dict[str, Any]:
        return {f: getattr(attendance, f) for f in (
            "name", "participant_type", "agency", "role", "status", "direct_contact",
            "report_sent")}


class AttendanceRowForm(AttendanceForm):
    """One person in the rows of "Add people to the attendance" (the page has one button)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(*self.fields)


# Rows start at one and grow with "Add another person" (cpcases.core.forms.with_added_row);
# the first row must be filled in, further rows left empty are ignored.
AttendanceFormSet = forms.formset_factory(AttendanceRowForm, extra=0, min_num=1,
                                          validate_min=True)
AttendanceFormSet.row_noun = "Person"


class ObserverForm(GovForm):
    name = forms.CharField(label="Observer's name", max_length=200)
    role = forms.CharField(label="Observer's role", required=False, max_length=200)
    chair_consent = forms.BooleanField(label="The chair consents", required=False)
    family_consent = forms.BooleanField(label="The family consents", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Record the observer")


class StartForm(GovForm):
    proceed_ground = forms.ChoiceField(
        label="The exceptional ground on which you proceed", required=False,
        choices=ProceedGround.choices, widget=forms.RadioSelect,
        help_text="The conference is inquorate. An early review follows.")  # 002 §5.4
    proceed_reason = _text("Your reasons for proceeding", required=False)

    def __init__(self, *args: Any, quorate: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if quorate:
            # The exceptional ground is asked only of an inquorate conference.
            del self.fields["proceed_ground"], self.fields["proceed_reason"]
        self.helper = _helper(self, "Start the conference")


class AdjournForm(GovForm):
    new_date = _date("Date of the reconvened conference",
                     help_text="Usually within a month. " + DATE_HELP)  # 003
    start_time = forms.TimeField(label="Start time (optional)", required=False,
                                 help_text="Leave blank for the same time. For example, 10:00",
                                 widget=forms.TimeInput(format="%H:%M",
                                                        attrs={"class": "govuk-input--width-5"}))
    interim_plan = _text("Interim protection plan", rows=6,
                         help_text="Agreed with those present, or the review of the existing "
                                   "plan")  # 003

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Adjourn the conference")


class ScoresForm(GovForm):
    """One score per participant present (001)."""

    def __init__(self, *args: Any, participants: list[Attendance], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.participants = {f"score_{a.pk}": a for a in participants}
        for key, attendance in self.participants.items():
            label = attendance.name + (f" ({attendance.get_agency_display()})"
                                       if attendance.agency else "")
            self.fields[key] = forms.IntegerField(
                label=label, required=False, min_value=0, max_value=10,
                widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}))
        self.helper = _helper(self, "Save the scores")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.participants and all(data.get(k) is None for k in self.participants):
            raise forms.ValidationError("Enter at least one score")
        return data

    def scores(self) -> list[tuple[Attendance, int]]:
        return [(a, self.cleaned_data[k]) for k, a in self.participants.items()
                if self.cleaned_data.get(k) is not None]


class AttendanceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Attendance) -> str:
        return f"{obj.name} ({obj.get_agency_display() or obj.get_participant_type_display()})"


class DecisionForm(GovForm):
    outcome = forms.ChoiceField(label="Decision", widget=forms.RadioSelect)
    category = forms.ChoiceField(label="Category (a plan has exactly one)", required=False,
                                 choices=PlanCategory.choices, widget=forms.RadioSelect)
    reasons = _text("Reasons for the decision")
    recommendations = _text("Recommendations", required=False)
    outline_plan = _text("Outline plan", required=False, rows=5)
    contingency = _text("Contingency plan", required=False)
    lead_social_worker = forms.ModelChoiceField(queryset=User.objects.none(), required=False,
                                                label="Lead social worker",
                                                empty_label="Choose the lead social worker")
    core_group = AttendanceChoiceField(queryset=Attendance.objects.none(), required=False,
                                       widget=forms.CheckboxSelectMultiple,
                                       label="Core group members")
    first_core_group_on = _date("Date of the first core group", required=False)
    review_on = _date("Date of the next review conference", required=False)
    cin_first_meeting_on = _date("Date of the first Child in Need meeting", required=False)
    end_reason = forms.ChoiceField(label="Why the plan ends", required=False,
                                   choices=PlanEndReason.choices, widget=forms.RadioSelect)
    exceptional_circumstance = forms.ChoiceField(
        label="Exceptional circumstance (ending at the first review)", required=False,
        choices=ExceptionalCircumstance.choices, widget=forms.RadioSelect,
        help_text="A plan is not removed at the first review except in these cases")  # 003
    transfer_conference_on = _date("Date of the receiving authority's transfer conference",
                                   required=False)
    start_cin_plan = forms.BooleanField(label="Step down to a Child in Need plan",
                                        required=False)
    stepdown_rationale = _text("If no Child in Need plan follows: why", required=False)  # 001

    def __init__(self, *args: Any, conference: Conference, present: list[Attendance],
                 review_default: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        review = conference.kind == ConferenceKind.REVIEW
        outcomes = REVIEW_OUTCOMES if review else INITIAL_OUTCOMES
        self.fields["outcome"].choices = [(o, DecisionOutcome(o).label) for o in outcomes]
        self.fields["lead_social_worker"].queryset = User.objects.filter(
            authority_id=conference.authority_id, is_active=True,
            role__in=(Role.SOCIAL_WORKER, Role.TEAM_MANAGER)).order_by("full_name")
        self.fields["core_group"].queryset = Attendance.objects.filter(
            pk__in=[a.pk for a in present])
        if review_default:
            self.fields["review_on"].help_text = (
                f"Leave blank for {review_default}, the latest the policy allows. " + DATE_HELP)
        if review:
            for name in ("outline_plan", "contingency", "core_group", "first_core_group_on"):
                del self.fields[name]
        else:
            for name in ("end_reason", "exceptional_circumstance", "transfer_conference_on",
                         "start_cin_plan", "stepdown_rationale"):
                del self.fields[name]
        # 002 §17.3: each agency's view; dissent recorded.
        self.agencies = sorted({a.agency for a in present if a.agency})
        labels = dict(Agency.choices)
        for agency in self.agencies:
            self.fields[f"view_{agency}"] = forms.CharField(
                label=f"View of {labels[agency].lower()}", required=False,
                widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[f"dissent_{agency}"] = forms.BooleanField(
                label=f"{labels[agency]} dissents from the decision", required=False)
        self.helper = _helper(self, "Record the decision")


class RecordForm(GovForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    confidential_sections = forms.MultipleChoiceField(
        label="Sections to leave out of the parents' copy", required=False,
        choices=RecordSection.choices, widget=forms.CheckboxSelectMultiple,
        help_text="Confidential material may be excluded from the parents' copy")  # 003

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in RecordSection.choices:
            self.fields[key] = _text(label, required=False, rows=5)
        self.fields["confidential_sections"] = self.fields.pop("confidential_sections")
        self.fields["version"] = self.fields.pop("version")
        self.helper = _helper(self, "Save the record")


class DistributeForm(GovForm):
    audience = forms.ChoiceField(label="Sent to", choices=Audience.choices,
                                 widget=forms.RadioSelect,
                                 help_text="The family receive the parents' copy")  # 003
    recipients = _text("Recipients", rows=3, help_text="Names, and how it was sent")
    sent_on = _date("Date sent")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Record the distribution")


class AmendmentForm(GovForm):
    requested_by = forms.CharField(label="Who asked", max_length=200)
    received_on = _date("Date they received the record")
    requested_on = _date("Date of their written request")
    text = _text("Amendment requested")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Log the request")


class BringForwardForm(GovForm):
    on = _date("New date of the review conference")
    trigger = forms.ChoiceField(label="Why it is brought forward",
                                choices=ReviewTrigger.choices, widget=forms.RadioSelect)
    reason = _text("Reasons")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Bring the review forward")
