"""Forms of inspections and hazards: assigning an inspection, calling one off, a major hazard's
rectification plan, a hazard reported without an inspection."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from safetynet.institutions.inspections import checklists
from safetynet.institutions.models import Hazard
from safetynet.registry.forms import PlainForm, date_input


class AssignForm(PlainForm):
    inspector = forms.TypedChoiceField(label=capfirst(_("inspector")), coerce=int)
    checklist = forms.ChoiceField(label=capfirst(_("checklist")))
    due_on = forms.DateField(label=capfirst(_("to inspect by")), widget=date_input())
    campaign = forms.TypedChoiceField(
        label=capfirst(_("campaign")), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, inspectors=(), campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].choices = [
            (user.pk, f"{user} · {user.get_role_display()}") for user in inspectors
        ]
        self.fields["checklist"].choices = [
            (code, title) for code, (title, _items) in checklists.CHECKLISTS.items()
        ]
        self.fields["campaign"].choices = [("", "—")] + [(c.pk, c.name) for c in campaigns]


class CancelForm(PlainForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31)
    reason = forms.CharField(label=capfirst(_("reason")), max_length=200)


class PlanForm(PlainForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31)
    plan_owner = forms.CharField(label=capfirst(_("person responsible")), max_length=50)
    plan_funds = forms.DecimalField(
        label=capfirst(_("funds (yuan)")), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    plan_measures = forms.CharField(
        label=capfirst(_("measures")), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    plan_deadline = forms.DateField(label=capfirst(_("rectified by")), widget=date_input())


class HazardForm(PlainForm):
    grade = forms.ChoiceField(label=capfirst(_("grade")), choices=Hazard.Grade.choices)
    category = forms.ChoiceField(label=capfirst(_("category")), choices=Hazard.Category.choices)
    description = forms.CharField(
        label=capfirst(_("description")), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
