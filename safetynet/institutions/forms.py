"""The institution form: the offices fill every field, an institution's staff its heating and CO
alarms."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from safetynet.institutions.models import Institution
from safetynet.institutions.services import STAFF_FIELDS
from safetynet.registry.forms import PlainForm, date_input


class InstitutionForm(PlainForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)
    division = forms.CharField(
        label=capfirst(_("township or village (code)")),
        min_length=9,
        max_length=12,
        help_text=_("The 9-digit code of the township or the 12-digit code of the village."),
    )
    name = forms.CharField(label=capfirst(_("institution name")), max_length=100)
    kind = forms.ChoiceField(label=capfirst(_("kind of institution")), choices=Institution.Kind.choices)
    address = forms.CharField(label=capfirst(_("address")), max_length=200)
    operator = forms.CharField(label=capfirst(_("operated by")), max_length=100, required=False)
    head = forms.CharField(label=capfirst(_("person in charge")), max_length=50, required=False)
    phone = forms.CharField(label=capfirst(_("phone")), max_length=20, required=False)
    licence_number = forms.CharField(
        label=capfirst(_("licence or registration number")), max_length=50, required=False
    )
    licence_valid_until = forms.DateField(
        label=capfirst(_("licence valid until")), required=False, widget=date_input()
    )
    beds = forms.IntegerField(label=capfirst(_("beds")), min_value=0, max_value=100_000, initial=0)
    residents = forms.IntegerField(label=capfirst(_("residents")), min_value=0, max_value=100_000, initial=0)
    staff = forms.IntegerField(label=capfirst(_("staff")), min_value=0, max_value=100_000, initial=0)
    heating = forms.ChoiceField(label=capfirst(_("heating")), choices=Institution.Heating.choices)
    co_alarms = forms.IntegerField(label=capfirst(_("CO alarms")), min_value=0, max_value=100_000, initial=0)
    co_rooms_heated = forms.IntegerField(
        label=capfirst(_("rooms heated by fuel")),
        min_value=0,
        max_value=100_000,
        initial=0,
        help_text=_("Rooms heated by gas, coal or wood."),
    )
    co_rooms_covered = forms.IntegerField(
        label=capfirst(_("rooms with a CO alarm")), min_value=0, max_value=100_000, initial=0
    )
    co_last_tested = forms.DateField(
        label=capfirst(_("CO alarms last tested")), required=False, widget=date_input()
    )
    fire_facilities = forms.CharField(
        label=capfirst(_("fire facilities")),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    active = forms.BooleanField(label=capfirst(_("in operation")), required=False, initial=True)

    def __init__(self, *args, staff_only: bool = False, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if staff_only:
            for name in list(self.fields):
                if name not in (*STAFF_FIELDS, "version"):
                    del self.fields[name]
        elif editing:
            del self.fields["division"]
