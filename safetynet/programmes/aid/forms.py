"""The forms of the temporary aid pages. They read what clerks type; the services decide."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from safetynet.core.money import YuanField
from safetynet.programmes.models import AidPayment, TemporaryAid
from safetynet.registry.forms import PlainForm

EMERGENCY_CAUSES = [(c.value, c.label) for c in TemporaryAid.Cause][:5]
EXPENDITURE_CAUSES = [(c.value, c.label) for c in TemporaryAid.Cause][5:]


def _version():
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2_000_000_000)


def _money(label, required=True, help_text=""):
    # Any sign and size is read here: the service refuses what is wrong, in the clerk's words.
    return YuanField(label=label, required=required, help_text=help_text, max_digits=20)


class EmergencyForm(PlainForm):
    area = forms.ChoiceField(label=capfirst(_("where it happened")))
    cause = forms.ChoiceField(label=capfirst(_("cause")), choices=EMERGENCY_CAUSES)
    what = forms.CharField(
        label=capfirst(_("what happened")), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    reported_at = forms.DateTimeField(
        label=capfirst(_("reported at")),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Empty: now. The township pays within 24 hours of it."),
    )
    person = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**62)
    name = forms.CharField(
        label=capfirst(_("name")),
        max_length=50,
        required=False,
        help_text=_("A traveller: the name they give."),
    )
    id_number = forms.CharField(
        label=capfirst(_("ID number")),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    home_place = forms.CharField(label=capfirst(_("home place")), max_length=100, required=False)
    phone = forms.CharField(
        label=capfirst(_("phone")),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args, areas=(), chosen=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = list(areas)
        if chosen is not None:  # a registered person: the traveller's fields are theirs
            for name in ("name", "id_number", "home_place", "phone"):
                del self.fields[name]


class PaymentForm(PlainForm):
    approved_amount = _money(
        capfirst(_("approved in all (yuan)")),
        required=False,
        help_text=_("The township's approval, at most its cap; it may be paid in stages."),
    )
    amount = _money(capfirst(_("paid now (yuan)")))
    means = forms.ChoiceField(label=capfirst(_("how it was paid")), choices=AidPayment.Means.choices)
    from_reserve = forms.BooleanField(label=capfirst(_("from the township's reserve fund")), required=False)
    note = forms.CharField(
        label=capfirst(_("note")), max_length=200, required=False, help_text=_("In kind: what was given.")
    )
    version = _version()

    def __init__(self, *args, first=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not first:
            del self.fields["approved_amount"]


class PaperworkForm(PlainForm):
    registrar = forms.CharField(label=capfirst(_("registered by")), max_length=50)
    signatories = forms.CharField(
        label=capfirst(_("signed by")),
        max_length=200,
        help_text=_("The names, separated by commas: the person aided and the staff."),
    )
    note = forms.CharField(
        label=capfirst(_("note")), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = _version()

    def clean_signatories(self):
        text = self.cleaned_data["signatories"].replace("，", ",").replace("、", ",")
        return [name.strip() for name in text.split(",") if name.strip()]


class AmountReasonForm(PlainForm):
    amount = _money(capfirst(_("amount (yuan)")))
    reason = forms.CharField(
        label=capfirst(_("reasons")), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = _version()


class CountyDecisionForm(AmountReasonForm):
    stages = forms.IntegerField(
        label=capfirst(_("monthly stages through the county's payroll")),
        required=False,
        min_value=1,
        max_value=12,
        help_text=_(
            "Empty: the township pays it. 1 to 12: the county's payroll pays it monthly from this month."
        ),
    )
    field_order = ["amount", "stages", "reason", "version"]


class StagesStopForm(PlainForm):
    reason = forms.CharField(
        label=capfirst(_("why the stages are stopped")),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = _version()


class InvestigationForm(PlainForm):
    findings = forms.CharField(
        label=capfirst(_("investigation findings")), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = _version()


class ExpenditureForm(PlainForm):
    cause = forms.ChoiceField(label=capfirst(_("expense")), choices=EXPENDITURE_CAUSES)
    person = forms.TypedChoiceField(label=capfirst(_("applicant")), coerce=int)
    what = forms.CharField(
        label=capfirst(_("what the expense is")), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.name) for p in members]


class HeatingForm(PlainForm):
    area = forms.ChoiceField(label=capfirst(_("area")))
    season = forms.IntegerField(label=capfirst(_("winter starting in")), min_value=2022, max_value=2100)
    programmes = forms.MultipleChoiceField(
        label=capfirst(_("households receiving")),
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("dibao", _("Minimum living security")),
            ("tekun", _("Extreme poverty assistance")),
            ("edge", _("Near-minimum family")),
        ],
    )
    on = forms.DateField(
        label=capfirst(_("receiving on")), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    amount = _money(capfirst(_("per household (yuan)")))

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = list(areas)
