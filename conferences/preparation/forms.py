"""Forms of the pages before the conference (GOV.UK through crispy-forms-gds). They collect
input only: the rules are in conferences.preparation.services."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout, Size
from django import forms

from conferences.models import (
    Conference,
    ConferenceKind,
    ConferenceReport,
    ExclusionDecision,
    ExclusionGround,
    Invitation,
    InvitationResponse,
    InvitedHow,
    InviteeKind,
    ReportKind,
    ShareHow,
    ShareRecipient,
)
from conferences.preparation.files import ALLOWED
from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency, Role
from cpcases.children.models import Child, Person
from cpcases.core.forms import Form as GovForm


def _helper(form: forms.Form, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.label_size = Size.SMALL
    helper.layout = Layout(*form.fields, Button("submit", submit))
    return helper


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return str(obj)


class InvitationForm(GovForm):
    person = PersonChoice(queryset=Person.objects.none(), required=False,
                          label="Person on the children's record",
                          help_text="Or leave blank and give the name below")
    child = forms.ModelChoiceField(queryset=Child.objects.none(), label="Child")
    name = forms.CharField(label="Full name", max_length=200, required=False)
    agency = forms.ChoiceField(choices=Agency.choices, label="Agency")
    role = forms.CharField(label="Role or relationship", max_length=200, required=False)
    email = forms.EmailField(label="Their own e-mail address", required=False,
                             help_text="Not a shared mailbox such as info@ or duty@")  # 004
    mobile = forms.CharField(label="Their own mobile number", max_length=40, required=False,
                             widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}))
    has_parental_responsibility = forms.BooleanField(label="Has parental responsibility",
                                                     required=False)
    note = forms.CharField(
        label="The chair's decision to invite a child under the age guidance", required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed only for a child under this authority's age guidance")  # 002 §13.10
    observer_chair_consent = forms.BooleanField(label="The chair has consented", required=False)
    observer_family_consent = forms.BooleanField(label="The family has consented",
                                                 required=False)

    FIELDS = {
        InviteeKind.FAMILY: ("person", "name", "role", "email", "mobile",
                             "has_parental_responsibility"),
        InviteeKind.CHILD: ("child", "note"),
        InviteeKind.PROFESSIONAL: ("name", "agency", "role", "email", "mobile"),
        InviteeKind.OBSERVER: ("name", "agency", "role", "email", "mobile",
                               "observer_chair_consent", "observer_family_consent"),
    }

    def __init__(self, *args: Any, kind: str, conference: Conference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in self.FIELDS[kind]:
                del self.fields[name]
        if "person" in self.fields:
            self.fields["person"].queryset = Person.objects.filter(
                child_links__child__in=conference.children.all()).distinct()
        if "child" in self.fields:
            self.fields["child"].queryset = conference.children.all()
        self.helper = _helper(self, "Add to the invitation list")


class SendForm(GovForm):
    """How each invitation went out: a parent by post, a professional by e-mail... one list
    per person, left at "Not sent yet" for those not sent."""

    def __init__(self, *args: Any, conference: Conference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unsent = list(conference.invitations.filter(invited_at__isnull=True)
                           .select_related("child").order_by("kind", "name"))
        for invitation in self.unsent:
            self.fields[f"how_{invitation.pk}"] = forms.ChoiceField(
                choices=[("", "Not sent yet"), *InvitedHow.choices], required=False,
                label=f"{invitation.name} ({invitation.get_kind_display().lower()})",
                help_text=("Professionals invited by email are sent it now, with a calendar "
                           "invitation attached"
                           if invitation.kind in (InviteeKind.PROFESSIONAL,
                                                  InviteeKind.OBSERVER) else ""))
        self.helper = _helper(self, "Record as sent")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.unsent and not self.methods():
            self.add_error(f"how_{self.unsent[0].pk}",
                           "Select how at least one invitation was sent")
        return data

    def methods(self) -> dict[int, str]:
        return {i.pk: self.cleaned_data[f"how_{i.pk}"] for i in self.unsent
                if self.cleaned_data.get(f"how_{i.pk}")}


class ResponseForm(GovForm):
    response = forms.ChoiceField(choices=InvitationResponse.choices, widget=forms.RadioSelect,
                                 label="Reply")
    response_note = forms.CharField(label="Note", required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text="For apologies: whether a report or a colleague "
                                              "is sent in their place")  # 002 §4.7
    advocacy_offered = forms.BooleanField(label="Advocacy has been offered",  # 002 §13.2
                                          required=False)
    advocacy_accepted = forms.ChoiceField(
        choices=[("", "Not yet known"), ("yes", "Accepted"), ("no", "Declined")],
        required=False, label="The child's answer")

    def __init__(self, *args: Any, invitation: Invitation, user: User,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # 002 §13.2: advocacy is offered through the social worker, who records it; the
        # boxes are not shown to anyone else (saving them would be refused).
        if invitation.kind != InviteeKind.CHILD or user.role not in (Role.SOCIAL_WORKER,
                                                                     Role.TEAM_MANAGER):
            del self.fields["advocacy_offered"]
            del self.fields["advocacy_accepted"]
        self.helper = _helper(self, "Save")


class ReportUploadForm(GovForm):
    kind = forms.ChoiceField(choices=ReportKind.choices, widget=forms.RadioSelect,
                             label="Which report?")
    agency = forms.ChoiceField(choices=Agency.choices, label="Agency", required=False)
    author_name = forms.CharField(label="Author", max_length=200, required=False)
    includes_chronology = forms.BooleanField(
        label="The report includes a chronology of significant events",  # 002 §15.1
        required=False)
    redacted_from = forms.ModelChoiceField(
        queryset=ConferenceReport.objects.none(), required=False,
        # 002 §12.8
        label="A redacted copy of", help_text="Only for a person excluded from the conference ")
    file = forms.FileField(label="The document", help_text=f"{ALLOWED}, 10 MB at most")

    def __init__(self, *args: Any, conference: Conference, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = [ReportKind.AGENCY]
        if user.role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER):
            kinds.insert(0, ReportKind.SOCIAL_WORKER)
        if conference.kind == ConferenceKind.TRANSFER_IN and user.role != Role.PARTNER:
            kinds.append(ReportKind.ORIGINATING)
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
        self.fields["redacted_from"].queryset = conference.reports.filter(
            kind=ReportKind.SOCIAL_WORKER, redacted_from__isnull=True)
        self.helper = _helper(self, "Upload")


class CountersignForm(GovForm):
    comments = forms.CharField(label="Your comments", required=False,  # 004
                               widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Countersign the report")


class ShareForm(GovForm):
    recipient = forms.ChoiceField(choices=ShareRecipient.choices, widget=forms.RadioSelect,
                                  label="Shared with")
    invitation = forms.ModelChoiceField(queryset=Invitation.objects.none(), required=False,
                                        label="Person on the invitation list")
    name = forms.CharField(label="Or their name", max_length=200, required=False)
    how = forms.ChoiceField(choices=ShareHow.choices, widget=forms.RadioSelect, label="How")
    note = forms.CharField(label="Note", required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, conference: Conference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invitation"].queryset = conference.invitations.all()
        self.helper = _helper(self, "Record the sharing")


class ExclusionForm(GovForm):
    invitation = forms.ModelChoiceField(queryset=Invitation.objects.none(),
                                        label="Family member to exclude")
    grounds = forms.MultipleChoiceField(choices=ExclusionGround.choices,
                                        widget=forms.CheckboxSelectMultiple,
                                        label="Grounds")  # 002 §12.3; 003
    evidence = forms.CharField(label="The information or evidence the request is based on",
                               widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, conference: Conference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invitation"].queryset = conference.invitations.filter(
            kind=InviteeKind.FAMILY)
        self.helper = _helper(self, "Send the request to the chair")


class ExclusionDecisionForm(GovForm):
    decision = forms.ChoiceField(choices=ExclusionDecision.choices, widget=forms.RadioSelect,
                                 label="Your decision (final:)")  # 002 §12.13
    reasons = forms.CharField(label="Your reasons, in writing",  # 002 §12.6
                              widget=forms.Textarea(attrs={"rows": 6}))
    excluded_part = forms.CharField(label="The part of the conference they are excluded from",
                                    required=False, widget=forms.Textarea(attrs={"rows": 2}))
    views_arrangement = forms.CharField(
        label="How they will give their views and hear the outcome",  # 002 §12.8; 003
        required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Record the decision")


class ExclusionReportForm(GovForm):
    report = forms.ModelChoiceField(queryset=ConferenceReport.objects.none(),
                                    label="Report provided")
    how = forms.ChoiceField(choices=ShareHow.choices, widget=forms.RadioSelect, label="How")

    def __init__(self, *args: Any, conference: Conference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = conference.reports.filter(kind=ReportKind.SOCIAL_WORKER)
        self.helper = _helper(self, "Record the report provided")
