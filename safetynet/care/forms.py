"""The forms of 特困 care: a willingness survey, an admission, a discharge, leaving the queue, a care
agreement drawn up, signed, ended, a caregiver replaced."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from safetynet.care.models import CareAgreement, Placement, WillingnessSurvey
from safetynet.registry.forms import PlainForm, date_input

Version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31)


class SurveyForm(PlainForm):
    submission = forms.UUIDField(widget=forms.HiddenInput)
    surveyed_on = forms.DateField(label=capfirst(_("surveyed on")), widget=date_input())
    willing = forms.TypedChoiceField(
        label=capfirst(_("willing to enter centralised care")),
        choices=[("yes", _("yes")), ("no", _("no"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    consent_by = forms.ChoiceField(
        label=capfirst(_("consent given by")), choices=WillingnessSurvey.Consent.choices
    )
    consenter = forms.CharField(label=capfirst(_("name of who consented")), max_length=50, required=False)
    note = forms.CharField(label=capfirst(_("note")), max_length=300, required=False)
    evidence = forms.FileField(label=capfirst(_("signed form or photo")), required=False)
    campaign = forms.TypedChoiceField(
        label=capfirst(_("campaign")), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", "—")] + [(c.pk, c.name) for c in campaigns]


class AdmitForm(PlainForm):
    version = Version
    institution = forms.TypedChoiceField(label=capfirst(_("institution")), coerce=int)
    bed = forms.CharField(label=capfirst(_("bed")), max_length=20, required=False)
    admitted_on = forms.DateField(label=capfirst(_("admitted on")), widget=date_input())

    def __init__(self, *args, institutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].choices = [
            (i.pk, f"{i.name}（{i.division.name}）· {i.free}/{i.beds}") for i in institutions
        ]


class DischargeForm(PlainForm):
    version = Version
    discharged_on = forms.DateField(label=capfirst(_("discharged on")), widget=date_input())
    reason = forms.ChoiceField(label=capfirst(_("why discharged")), choices=Placement.Discharge.choices)
    note = forms.CharField(label=capfirst(_("note")), max_length=300, required=False)


class WithdrawForm(PlainForm):
    version = Version
    reason = forms.CharField(label=capfirst(_("reason")), max_length=300)


class AgreementForm(PlainForm):
    caregiver_kind = forms.ChoiceField(
        label=capfirst(_("caregiver is")), choices=CareAgreement.CaregiverKind.choices
    )
    caregiver_name = forms.CharField(label=capfirst(_("caregiver")), max_length=100)
    caregiver_phone = forms.CharField(label=capfirst(_("caregiver's phone")), max_length=20, required=False)
    caregiver_user = forms.TypedChoiceField(
        label=capfirst(_("caregiver's login")), coerce=int, required=False, empty_value=None
    )
    visiting_officer = forms.TypedChoiceField(
        label=capfirst(_("visiting officer")), coerce=int, required=False, empty_value=None
    )
    duties = forms.CharField(
        label=capfirst(_("duties")),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=_(
            "Daily care, meals, cleaning, heating kept safe, a visit at least weekly, "
            "reporting illness and hazards at once."
        ),
    )
    visit_every_days = forms.IntegerField(
        label=capfirst(_("visits at least every (days)")), min_value=1, max_value=31, initial=7
    )
    monthly_fee = forms.DecimalField(
        label=capfirst(_("monthly fee (yuan)")), min_value=0, max_digits=10, decimal_places=2, initial=0
    )
    starts_on = forms.DateField(label=capfirst(_("from")), widget=date_input())
    ends_on = forms.DateField(label=capfirst(_("until")), widget=date_input())

    def __init__(self, *args, caregivers=(), officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caregiver_user"].choices = [("", "—")] + [(u.pk, str(u)) for u in caregivers]
        self.fields["visiting_officer"].choices = [("", "—")] + [
            (u.pk, f"{u} · {u.get_role_display()}") for u in officers
        ]


class SignForm(PlainForm):
    version = Version
    signed_on = forms.DateField(label=capfirst(_("signed on")), widget=date_input())
    signature = forms.FileField(label=capfirst(_("signatures")))


class EndForm(PlainForm):
    version = Version
    ended_on = forms.DateField(label=capfirst(_("ended on")), widget=date_input())
    reason = forms.ChoiceField(label=capfirst(_("why ended")), choices=CareAgreement.EndReason.choices)
    note = forms.CharField(label=capfirst(_("note")), max_length=300, required=False)


class ReplaceForm(AgreementForm):
    version = Version
    evaluation = forms.CharField(label=capfirst(_("why the caregiver failed the evaluation")), max_length=300)
