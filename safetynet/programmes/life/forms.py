"""The forms of the pages of assistance in payment: starting a review, the home visit, the county's
decision, handing a household over to another county, confirming a transfer's amounts."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from safetynet.programmes.life.services import PHASE_OUT_MONTHS, STARTED_FOR
from safetynet.programmes.models import Review
from safetynet.registry.forms import PlainForm, date_input


class ReviewStartForm(PlainForm):
    reason = forms.ChoiceField(
        label=capfirst(_("why reviewed")), choices=[(r.value, r.label) for r in STARTED_FOR]
    )
    what = forms.CharField(
        label=capfirst(_("what changed")), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    person = forms.TypedChoiceField(
        label=capfirst(_("member concerned")),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("For a death or refused work: the member it is about."),
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—")] + [(m.pk, m.name) for m in members]


class VisitForm(PlainForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31)
    first = forms.CharField(label=capfirst(_("first visitor")), max_length=30)
    second = forms.CharField(label=capfirst(_("second visitor")), max_length=30)
    visited_on = forms.DateField(label=capfirst(_("visited on")), widget=date_input())
    findings = forms.CharField(
        label=capfirst(_("findings of the home visit")),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecideForm(PlainForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31)
    outcome = forms.ChoiceField(
        label=capfirst(_("outcome")), choices=[(o.value, o.label) for o in Review.Outcome if o.value]
    )
    amount = forms.DecimalField(
        label=capfirst(_("new monthly amount (yuan)")),
        required=False,
        max_digits=8,
        decimal_places=2,
        min_value=0,
        help_text=_("For an adjustment or a reduced share."),
    )
    effective = forms.DateField(
        label=capfirst(_("from")),
        required=False,
        widget=date_input(),
        help_text=_("The first day of a month; by default next month."),
    )
    months = forms.IntegerField(
        label=capfirst(_("phase-out months")), required=False, min_value=1, max_value=PHASE_OUT_MONTHS
    )
    overpaid_from = forms.DateField(
        label=capfirst(_("paid without entitlement from")),
        required=False,
        widget=date_input(),
        help_text=_("Fraud only: the first month to recover."),
    )
    reasons = forms.CharField(
        label=capfirst(_("reasons")), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class HandOverForm(PlainForm):
    village = forms.CharField(
        label=capfirst(_("village or community moved to (code)")),
        max_length=12,
        min_length=12,
        help_text=_("The 12-digit code of the village in the other county."),
    )
    note = forms.CharField(
        label=capfirst(_("note")), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmForm(PlainForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31)

    def __init__(self, *args, continued=(), **kwargs):
        super().__init__(*args, **kwargs)
        for enrolment in continued:
            self.fields[f"amount_{enrolment.pk}"] = forms.DecimalField(
                label=f"{enrolment.get_programme_display()}"
                + (f" · {enrolment.person.name}" if enrolment.person_id else ""),
                max_digits=8,
                decimal_places=2,
                min_value=0,
                initial=enrolment.amount,
            )

    def amounts(self) -> dict:
        return {
            name.removeprefix("amount_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("amount_")
        }


class WorkOfferForm(PlainForm):
    person = forms.TypedChoiceField(label=capfirst(_("member")), coerce=int)
    offered = forms.CharField(label=capfirst(_("work offered")), max_length=200)
    offered_on = forms.DateField(label=capfirst(_("offered on")), widget=date_input())
    accepted = forms.TypedChoiceField(
        label=capfirst(_("answer")),
        coerce=lambda v: v == "yes",
        choices=[("no", _("refused")), ("yes", _("accepted"))],
        widget=forms.RadioSelect,
    )
    good_reason = forms.CharField(
        label=capfirst(_("good reason for refusing")),
        max_length=200,
        required=False,
        help_text=_("Illness, caring for a relative …: such a refusal does not count."),
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(m.pk, m.name) for m in members]
