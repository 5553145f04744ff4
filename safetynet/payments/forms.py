"""The forms of the payroll pages: drafting a month, importing the bank's result, recording an
account, the county's payroll setting. Services check everything again; these read the input."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from safetynet.core.text import refuse_control_characters
from safetynet.payments.banks import bank_choices
from safetynet.payments.models import FundSource, PayeeAccount

MAX_RESULT_BYTES = 200 * 1024 * 1024  # a million lines of a bank's result file fit well within this


class MonthField(forms.DateField):
    """A month typed as 2026-12 (a month input) or a date in it: its first day."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def clean(self, value):
        day = super().clean(value)
        return day.replace(day=1) if isinstance(day, datetime.date) else day


class DraftForm(forms.Form):
    county = forms.ChoiceField(label=_("county"))
    month = MonthField(label=_("month"))

    def __init__(self, *args, counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = list(counties)


class ResultForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31)
    file = forms.FileField(label=_("the bank's result file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_RESULT_BYTES:
            raise forms.ValidationError(_("The file is larger than 200 MB."))
        return upload


class AccountForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind of account"), choices=PayeeAccount.Kind.choices)
    bank = forms.ChoiceField(label=_("bank"), choices=bank_choices)
    number = forms.CharField(label=_("account number"), max_length=40, validators=[refuse_control_characters])
    holder_name = forms.CharField(
        label=_("account holder"), max_length=100, required=False, validators=[refuse_control_characters]
    )
    reason = forms.CharField(
        label=_("why (a new account replaces the open one)"),
        max_length=200,
        required=False,
        validators=[refuse_control_characters],
    )


class SettingForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31)
    draft_day = forms.IntegerField(label=_("drafted on day"), min_value=1, max_value=28)
    bank = forms.ChoiceField(label=_("bank"), choices=bank_choices)
    fund_dibao = forms.ChoiceField(label=_("minimum living security charged to"), choices=FundSource.choices)
    fund_tekun = forms.ChoiceField(
        label=_("extreme poverty assistance charged to"), choices=FundSource.choices
    )


class HouseholdPayeeForm(forms.Form):
    """Who is paid the household's benefits: the head, or another adult member (a guardian …)."""

    person = forms.TypedChoiceField(label=_("paid to"), coerce=int)
    reason = forms.CharField(label=_("reason"), max_length=200, validators=[refuse_control_characters])
    # The naming in force when the form was read (none: the head), sent back to detect a change.
    version = forms.IntegerField(label=_("version"), widget=forms.HiddenInput, required=False, min_value=1,
                                 max_value=2**62)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = list(people)
