"""The forms of the programmes' pages: recording that a household (or, for 特困, a member) receives a
programme from a decision, and ending it."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from safetynet.core.money import YuanField
from safetynet.programmes.rules import PROGRAMME_NAMES, RULES
from safetynet.registry.forms import PlainForm, date_input


class EnrolmentStartForm(PlainForm):
    # 临时救助 is paid once: not a programme one receives month by month.
    programme = forms.ChoiceField(label=capfirst(_("programme")), choices=[
        (code, name) for code, name in PROGRAMME_NAMES.items() if not RULES[code].once])
    person = forms.TypedChoiceField(label=capfirst(_("member")), required=False, coerce=int, empty_value=None,
                                    help_text=_("Only for extreme poverty assistance, decided per member."))
    since = forms.DateField(label=capfirst(_("since")), widget=date_input())
    amount = YuanField(label=capfirst(_("monthly amount (yuan)")), min_value=0, max_value=100000,
                       help_text=_("As the decision fixed it; payments read it and never recompute it."))
    decision = forms.CharField(label=capfirst(_("decision number")), max_length=60, required=False)

    def __init__(self, *args, members: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—")] + [(person.pk, person.name) for person in members]


class EnrolmentEndForm(PlainForm):
    until = forms.DateField(label=capfirst(_("until")), widget=date_input(),
                            help_text=_("The first day it no longer applies."))
    end_reason = forms.CharField(label=capfirst(_("why it ended")), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=1_000_000)
