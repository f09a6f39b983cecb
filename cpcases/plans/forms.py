"""Forms for the plan pages: GOV.UK date inputs (day, month, year), radios, one form per page
with the template writing the <form> tag (helper.form_tag = False)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fieldset, Layout, Size
from django import forms
from django.db.models import QuerySet

from cpcases.accounts.models import User
from cpcases.accounts.roles import Agency, Role
from cpcases.core.forms import DateField
from cpcases.core.forms import Form as GovForm
from cpcases.plans.models import (
    ActionStatus,
    Attendance,
    ChildProtectionPlan,
    CinMeetingKind,
    PlanAction,
    PlanCategory,
    PlanEndReason,
    Recommendation,
)
from cpcases.plans.services import ActionData, MemberData


def date_field(label: str, *, required: bool = True,
               hint: str = "For example, 27 3 2027") -> DateField:
    return DateField(label=label, required=required, help_text=hint,
                          require_all_fields=False)


def _helper(*fields: Any, submit: str | None = None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template writes the <form> (and its CSRF token)
    helper.disable_csrf = True
    helper.label_size = Size.SMALL
    helper.layout = Layout(*fields, *([Button("submit", submit)] if submit else []))
    return helper


def _users(authority_id: int) -> QuerySet[User]:
    return User.objects.filter(authority_id=authority_id, is_active=True).exclude(
        role=Role.ADMINISTRATOR)


def _text(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class PlanStartForm(GovForm):
    started_on = date_field("Date of the conference that made the plan")
    category = forms.ChoiceField(choices=PlanCategory.choices, widget=forms.RadioSelect,
                                 label="Category", help_text="One category only")  # 003
    lead_social_worker = forms.ModelChoiceField(queryset=User.objects.none())
    first_core_group_on = date_field("Date of the first core group", required=False,
                                     hint="As set by the conference")
    outcomes = forms.CharField(required=False, widget=_text(), label="Outline plan: outcomes")
    contingency = forms.CharField(required=False, widget=_text(), label="Contingency plan")

    def __init__(self, *args: Any, authority_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_social_worker"].queryset = _users(authority_id).filter(
            role__in=(Role.SOCIAL_WORKER, Role.TEAM_MANAGER))
        self.helper = _helper("started_on", Field.radios("category", legend_size=Size.SMALL),
                              "lead_social_worker", "first_core_group_on", "outcomes",
                              "contingency", submit="Start the plan")


class ActionForm(GovForm):
    who_user = forms.ModelChoiceField(queryset=User.objects.none(), required=False,
                                      label="Who (a user of this system)")
    who = forms.CharField(max_length=200, required=False,
                          label="Or who (a person or agency)")
    what = forms.CharField(required=False, widget=_text(2), label="What")
    by_when = date_field("By when", required=False)

    def __init__(self, *args: Any, authority_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["who_user"].queryset = _users(authority_id)
        self.helper = _helper("who_user", "who", "what", "by_when")

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(f) for f in ("who_user", "who", "what", "by_when"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.is_blank:
            return data
        if not data.get("who_user") and not data.get("who"):
            self.add_error("who", "Say who is to do it")
        if not data.get("what"):
            self.add_error("what", "Say what is to be done")
        if not data.get("by_when"):
            self.add_error("by_when", "Enter the date it is to be done by")
        return data

    def action(self) -> ActionData:
        d = self.cleaned_data
        return ActionData(what=d["what"], by_when=d["by_when"], who=d.get("who") or "",
                          who_user=d.get("who_user"))


class ActionEditForm(ActionForm):
    status = forms.ChoiceField(choices=ActionStatus.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, action: PlanAction | None = None, **kwargs: Any) -> None:
        if action is not None and "initial" not in kwargs:
            kwargs["initial"] = {"who_user": action.who_user, "who": action.who,
                                 "what": action.what, "by_when": action.by_when,
                                 "status": action.status}
        super().__init__(*args, **kwargs)
        for name in ("what", "by_when"):
            self.fields[name].required = True
        self.helper = _helper("who_user", "who", "what", "by_when",
                              Field.radios("status", legend_size=Size.SMALL, inline=True),
                              submit="Save the action")


class NewActionForm(ActionForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("who_user", "who", "what", "by_when", submit="Add the action")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.is_blank:
            self.add_error("what", "Say what is to be done")
        return data


class MemberForm(GovForm):
    user = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="User of this system (optional)",
        help_text="A partner professional named here sees the child and this plan")
    name = forms.CharField(max_length=200, required=False,
                           help_text="Needed if they are not a user of this system")
    agency = forms.ChoiceField(choices=Agency.choices)
    role = forms.CharField(max_length=200, required=False, label="Role",
                           help_text="For example, class teacher, health visitor, mother")
    email = forms.EmailField(required=False, label="Their own e-mail address",
                             help_text="Not a generic team address")  # 004
    mobile = forms.CharField(max_length=40, required=False)
    contact_frequency = forms.CharField(max_length=200, required=False,
                                        label="How often they see the child")

    def __init__(self, *args: Any, authority_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _users(authority_id)
        self.helper = _helper("user", "name", "agency", "role", "email", "mobile",
                              "contact_frequency", submit="Add to the core group")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("user") and not data.get("name"):
            self.add_error("name", "Enter the member's name or choose a user")
        return data

    def member(self) -> MemberData:
        d = self.cleaned_data
        return MemberData(name=d.get("name") or "", agency=d["agency"], role=d["role"],
                          email=d["email"], mobile=d["mobile"],
                          contact_frequency=d["contact_frequency"], user=d.get("user"))


class CoreGroupMeetingForm(GovForm):
    """Attendance per member and a status per action are built from the plan."""

    held_on = date_field("Date of the meeting")
    minutes = forms.CharField(required=False, widget=_text(6))
    outcomes = forms.CharField(required=False, widget=_text(), label="Outcomes for the child",
                               help_text="The plan as the core group leaves it")
    contingency = forms.CharField(required=False, widget=_text(), label="Contingency plan")
    recommendation = forms.ChoiceField(
        choices=[("", "No recommendation at this meeting"), *Recommendation.choices],
        required=False, widget=forms.RadioSelect, label="Recommendation to the review",
        help_text="Before a review conference the core group agrees its recommendation")  # 001
    recommendation_reasons = forms.CharField(required=False, widget=_text(3),
                                             label="Reasons for the recommendation")

    def __init__(self, *args: Any, plan: ChildProtectionPlan, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"outcomes": plan.outcomes,
                                      "contingency": plan.contingency})
        super().__init__(*args, **kwargs)
        self.members = list(plan.members.filter(removed_on__isnull=True))
        self.actions = list(plan.actions.select_related("who_user"))
        attendance_fields, action_fields = [], []
        for member in self.members:
            name = f"attendance_{member.pk}"
            self.fields[name] = forms.ChoiceField(
                choices=Attendance.choices, widget=forms.RadioSelect,
                label=f"{member.name} ({member.get_agency_display()})",
                error_messages={"required": f"Record whether {member.name} attended"})
            attendance_fields.append(Field.radios(name, legend_size=Size.SMALL, inline=True,
                                                  small=True))
        for action in self.actions:
            name = f"action_{action.pk}"
            self.fields[name] = forms.ChoiceField(
                choices=ActionStatus.choices, widget=forms.RadioSelect, initial=action.status,
                label=f"{action.who_label}: {action.what} (by {action.by_when:%d/%m/%Y})")
            action_fields.append(Field.radios(name, legend_size=Size.SMALL, inline=True,
                                              small=True))
        self.helper = _helper(
            "held_on",
            Fieldset(*attendance_fields, legend="Attendance", legend_size=Size.MEDIUM),
            Fieldset(*action_fields, legend="Actions", legend_size=Size.MEDIUM),
            Fieldset("outcomes", "contingency", "minutes", legend="The plan and minutes",
                     legend_size=Size.MEDIUM),
            Fieldset(Field.radios("recommendation", legend_size=Size.SMALL),
                     "recommendation_reasons", legend="Before a review",
                     legend_size=Size.MEDIUM))

    def attendance(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data[f"attendance_{m.pk}"] for m in self.members}

    def action_updates(self) -> dict[int, str]:
        return {a.pk: self.cleaned_data[f"action_{a.pk}"] for a in self.actions
                if self.cleaned_data.get(f"action_{a.pk}")}


# New actions start at one row and grow with "Add another action" (with_added_row).
NewActionFormSet = forms.formset_factory(ActionForm, extra=1)
NewActionFormSet.row_noun = "New action"


class DistributedForm(GovForm):
    distributed_on = date_field("Date the minutes and plan were distributed")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("distributed_on", submit="Record the distribution")


class ReviseForm(GovForm):
    outcomes = forms.CharField(required=False, widget=_text(6), label="Outcomes for the child")
    contingency = forms.CharField(required=False, widget=_text(), label="Contingency plan")
    reason = forms.CharField(max_length=300, label="Why the plan is changing")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("outcomes", "contingency", "reason", "version",
                              submit="Save a new version")


class LeadSocialWorkerForm(GovForm):
    """A new lead social worker (003); the lead's open deadlines move to them (issue 9)."""

    lead_social_worker = forms.ModelChoiceField(
        queryset=User.objects.none(), label="New lead social worker",
        error_messages={"required": "Choose the new lead social worker"})
    reason = forms.CharField(max_length=300, label="Why the lead social worker changes",
                             error_messages={"required": "Enter why the lead social worker "
                                                         "changes"})

    def __init__(self, *args: Any, authority_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_social_worker"].queryset = User.objects.filter(
            authority_id=authority_id, is_active=True,
            role__in=[Role.SOCIAL_WORKER, Role.TEAM_MANAGER]).order_by("full_name")
        self.helper = _helper("lead_social_worker", "reason",
                              submit="Change the lead social worker")


STEPDOWN_CIN, STEPDOWN_NONE = "cin", "none"


class PlanEndForm(GovForm):
    ended_on = date_field("Date of the review conference that ended the plan")
    reason = forms.ChoiceField(choices=PlanEndReason.choices, widget=forms.RadioSelect,
                               label="Why the plan is ending")
    stepdown = forms.ChoiceField(
        choices=[(STEPDOWN_CIN, "Start a Child in Need plan"),
                 (STEPDOWN_NONE, "No Child in Need plan: record the rationale")],
        widget=forms.RadioSelect, required=False, label="Step-down",
        help_text="A Child in Need plan for at least 3 months, unless the rationale for none "
                  "is recorded. Not needed if the child moved, died, turned 18 or left "  # 001
                  "the UK.")
    stepdown_rationale = forms.CharField(required=False, widget=_text(),
                                         label="Rationale for no Child in Need plan",
                                         help_text="The head of service sees it")  # 001
    cin_first_meeting_on = date_field("Date of the first Child in Need meeting",
                                      required=False)
    note = forms.CharField(required=False, widget=_text(3), label="Notes",
                           help_text="For example, exceptional circumstances for ending at "
                                     "the first review")  # 003

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("ended_on", Field.radios("reason", legend_size=Size.SMALL),
                              Field.radios("stepdown", legend_size=Size.SMALL),
                              "stepdown_rationale", "cin_first_meeting_on", "note",
                              submit="End the plan")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("reason") == PlanEndReason.NO_LONGER_AT_RISK:
            if not data.get("stepdown"):
                self.add_error("stepdown", "Choose whether a Child in Need plan follows")
            elif data["stepdown"] == STEPDOWN_NONE and not data.get("stepdown_rationale"):
                self.add_error("stepdown_rationale",
                               "Give the rationale for no Child in Need plan")
        return data


class CinStartForm(GovForm):
    started_on = date_field("Date the Child in Need plan starts")
    first_meeting_on = date_field("Date of the first Child in Need meeting", required=False)
    summary = forms.CharField(required=False, widget=_text(), label="What the plan is for")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("started_on", "first_meeting_on", "summary",
                              submit="Start the Child in Need plan")


class CinMeetingForm(GovForm):
    held_on = date_field("Date of the meeting")
    kind = forms.ChoiceField(choices=CinMeetingKind.choices, widget=forms.RadioSelect,
                             label="Meeting or review", initial=CinMeetingKind.MEETING)
    notes = forms.CharField(required=False, widget=_text(5))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("held_on", Field.radios("kind", legend_size=Size.SMALL),
                              "notes", submit="Record the meeting")


class CinActionForm(GovForm):
    who = forms.CharField(max_length=200)
    what = forms.CharField(widget=_text(2))
    by_when = date_field("By when")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("who", "what", "by_when", submit="Add the action")


class CinEndForm(GovForm):
    ended_on = date_field("Date the Child in Need plan ended")
    reason = forms.CharField(widget=_text(3))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("ended_on", "reason", submit="End the Child in Need plan")
