"""Forms for the life-event pages: GOV.UK date inputs, a 24-hour time box, radios; the
template writes the <form> tag."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms

from cpcases.accounts.models import Team, User
from cpcases.accounts.roles import Role
from cpcases.core.forms import Form as GovForm
from cpcases.plans.forms import date_field
from lifeevents.models import (
    ComplaintAbout,
    LetterMethod,
    MissingKind,
    OrderKind,
    ReviewDecision,
)
from strategy.forms import TimeField, combine


def _helper(*fields: Any, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.label_size = Size.SMALL
    helper.layout = Layout(*fields, Button("submit", submit))
    return helper


def _text(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class _MomentForm(GovForm):
    """A date and a time, combined into `<prefix>_at` for the service."""

    moments: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in self.moments:
            day, at = data.pop(f"{name}_date", None), data.pop(f"{name}_time", None)
            if day is not None and at is not None:
                data[f"{name}_at"] = combine(day, at)
        return data


class MissingForm(_MomentForm):
    moments = ("last_seen",)
    kind = forms.ChoiceField(choices=MissingKind.choices, widget=forms.RadioSelect,
                             label="Is the child missing or absent?")
    last_seen_date = date_field("Date last seen")
    last_seen_time = TimeField(label="Time last seen")
    last_seen_by = forms.CharField(label="Who last saw the child", max_length=200,
                                   help_text="Name and agency, or relationship to the child")
    circumstances = forms.CharField(required=False, widget=_text(),
                                    label="Circumstances and what has been done so far")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.radios("kind", legend_size=Size.SMALL), "last_seen_date",
                              "last_seen_time", "last_seen_by", "circumstances",
                              submit="Record and tell the lead social worker")


class FoundForm(_MomentForm):
    moments = ("found",)
    found_date = date_field("Date found")
    found_time = TimeField(label="Time found")
    found_note = forms.CharField(required=False, widget=_text(3),
                                 label="Where and how the child was found")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("found_date", "found_time", "found_note",
                              submit="Record the child as found")


class InterviewForm(_MomentForm):
    moments = ("offered",)
    offered_date = date_field("Date the return interview was offered")
    offered_time = TimeField(label="Time offered")
    accepted = forms.TypedChoiceField(
        choices=[("", "Not known yet"), ("yes", "Accepted"), ("no", "Declined")],
        coerce=lambda v: {"yes": True, "no": False}.get(v), empty_value=None,
        required=False, widget=forms.RadioSelect, label="Did the child accept?")
    note = forms.CharField(required=False, widget=_text(3), label="Notes")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("offered_date", "offered_time",
                              Field.radios("accepted", legend_size=Size.SMALL), "note",
                              submit="Record the offer")


class DeathForm(GovForm):
    died_on = date_field("Date of death")
    circumstances = forms.CharField(widget=_text(), label="Circumstances, as far as known")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("died_on", "circumstances",
                              submit="Record the death and tell the senior manager")


class PartnershipNoticeForm(GovForm):
    method = forms.ChoiceField(choices=[(LetterMethod.EMAIL, "E-mail"),
                                        (LetterMethod.POST, "Post")],
                               widget=forms.RadioSelect, label="How to send the notice")
    note = forms.CharField(required=False, widget=_text(3), label="Anything to add")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.radios("method", legend_size=Size.SMALL), "note",
                              submit="Send the notice to the partnership's chair")


class ReviewDecisionForm(GovForm):
    decision = forms.ChoiceField(choices=ReviewDecision.choices, widget=forms.RadioSelect,
                                 label="Review decision")
    reasons = forms.CharField(widget=_text(), label="Reasons")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.radios("decision", legend_size=Size.SMALL), "reasons",
                              submit="Record the decision")


class OrderForm(GovForm):
    kind = forms.ChoiceField(choices=OrderKind.choices, widget=forms.RadioSelect,
                             label="Order or accommodation")
    starts_on = date_field("Start date")
    ends_on = date_field("Expiry or end date", required=False,
                         hint="Required for an emergency protection order or police "
                              "protection. For example, 27 3 2027")
    legal_action_planned = forms.BooleanField(
        required=False, label="Further legal action is planned",
        help_text="The initial conference is then due before the order expires")
    note = forms.CharField(required=False, widget=_text(3), label="Notes")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.radios("kind", legend_size=Size.SMALL), "starts_on",
                              "ends_on", "legal_action_planned", "note",
                              submit="Record the order")


class OrderDateForm(GovForm):
    on = date_field("Date")

    def __init__(self, *args: Any, label: str = "Date", submit: str = "Save",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].label = label
        self.helper = _helper("on", submit=submit)


class ComplaintForm(GovForm):
    complainant_name = forms.CharField(label="Complainant's name", max_length=200)
    complainant_relationship = forms.CharField(label="Relationship to the child",
                                               max_length=200)
    about = forms.ChoiceField(choices=ComplaintAbout.choices, widget=forms.RadioSelect,
                              label="What the complaint is about")
    details = forms.CharField(widget=_text(), label="The complaint")
    received_on = date_field("Date received")
    reply_by = forms.ChoiceField(choices=[(LetterMethod.POST, "Post"),
                                          (LetterMethod.EMAIL, "E-mail")],
                                 widget=forms.RadioSelect, label="How to reply")
    complainant_email = forms.EmailField(required=False, label="E-mail address")
    complainant_address = forms.CharField(required=False, widget=_text(3),
                                          label="Postal address")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("complainant_name", "complainant_relationship",
                              Field.radios("about", legend_size=Size.SMALL), "details",
                              "received_on", Field.radios("reply_by", legend_size=Size.SMALL),
                              "complainant_email", "complainant_address",
                              submit="Record the complaint")


class ComplaintStepForm(GovForm):
    step = forms.ChoiceField(widget=forms.RadioSelect, label="What happened")
    on = date_field("Date it happened")
    text = forms.CharField(required=False, widget=_text(6), label="Letter text",
                           help_text="Needed for a response, the chair's letters and the "
                                     "appeal outcome: it is kept as sent")

    def __init__(self, *args: Any, steps: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = steps
        self.helper = _helper(Field.radios("step", legend_size=Size.SMALL), "on", "text",
                              submit="Record this step")


class TransferForm(GovForm):
    to_team = forms.ModelChoiceField(queryset=Team.objects.none(), label="New team")
    to_worker = forms.ModelChoiceField(queryset=User.objects.none(),
                                       label="New social worker",
                                       help_text="Also the plan's lead social worker")
    reason = forms.CharField(widget=_text(3), label="Why the case is moving")
    handover_note = forms.CharField(required=False, widget=_text(), label="Handover note")

    def __init__(self, *args: Any, authority_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_team"].queryset = Team.objects.filter(
            service__authority_id=authority_id)
        self.fields["to_worker"].queryset = User.objects.filter(
            authority_id=authority_id, role__in=[Role.SOCIAL_WORKER, Role.TEAM_MANAGER],
            is_active=True, team__isnull=False).select_related("team")
        self.fields["to_worker"].label_from_instance = lambda u: f"{u} ({u.team})"
        self.helper = _helper("to_team", "to_worker", "reason", "handover_note",
                              submit="Transfer the case")


class TransferOutForm(GovForm):
    receiving_authority = forms.CharField(label="Receiving authority", max_length=200)
    notified_on = date_field("Date they were told of the move")
    receiving_contact = forms.CharField(required=False, label="Contact name", max_length=200)
    receiving_email = forms.EmailField(required=False, label="Contact e-mail address")
    receiving_address = forms.CharField(required=False, widget=_text(3), label="Address")
    reason = forms.CharField(widget=_text(3), label="Reason")
    handover_note = forms.CharField(required=False, widget=_text(), label="Handover note")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("receiving_authority", "notified_on", "receiving_contact",
                              "receiving_email", "receiving_address", "reason",
                              "handover_note", submit="Record the transfer out")


class ChallengeForm(GovForm):
    about = forms.CharField(widget=_text(), label="The decision or practice you challenge")
    with_whom = forms.CharField(label="Who made it (you have spoken to them)", max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("about", "with_whom", submit="Raise the challenge")


class ChallengeStepForm(GovForm):
    action = forms.ChoiceField(choices=[("escalate", "Not resolved: go to the next stage"),
                                        ("resolve", "Resolved: record the outcome")],
                               widget=forms.RadioSelect, label="What happened at this stage")
    text = forms.CharField(widget=_text(), label="Why not resolved, or the outcome")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.radios("action", legend_size=Size.SMALL), "text",
                              submit="Record")


class AgencyViewForm(GovForm):
    """003: an absent agency's written view before the plan ends."""

    view = forms.CharField(widget=_text(5), label="Their view",
                           help_text="What the agency said, in their words where possible")
    received_on = date_field("Date received")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("view", "received_on", submit="Record their view")


class RestrictForm(GovForm):
    """A manager marks a record restricted: why, and who may see it."""

    reason = forms.CharField(widget=_text(4), label="Why the record is restricted",
                             help_text="For example, a family member works for the council")
    named = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False,
        label="Who may see the record",
        help_text="You will be able to see it too. Anyone else must give a reason to open it.")

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["named"].queryset = people if people is not None else User.objects.none()
        self.fields["named"].label_from_instance = (
            lambda u: f"{u.full_name or u.username} ({u.role_label})")
        self.helper = _helper("reason", Field.checkboxes("named", legend_size=Size.SMALL),
                              submit="Restrict the record")


class UnrestrictForm(GovForm):
    reason = forms.CharField(widget=_text(3), label="Why the restriction is lifted")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("reason", submit="Lift the restriction")
