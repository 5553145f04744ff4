"""The funds pages' forms: the year of the statistics and balances, the ledger's filters, and a
township's reserve fund topped up, returned or counted."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from safetynet.core.money import YuanField
from safetynet.payments.funds.selectors import FIRST_YEAR, LAST_YEAR, LEDGER_KINDS, RESERVE_KINDS
from safetynet.registry.forms import PlainForm

# An id the database can hold (bigint), far past any record: a 20-digit number is refused here, not
# by the database.
MAX_ID = 2**62


def this_year() -> int:
    return timezone.localdate().year


class YearForm(PlainForm):
    year = forms.IntegerField(
        label=capfirst(_("year")), min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False
    )

    def chosen_year(self) -> int:
        """The year asked for, or this year when none (or none that can be) was asked."""
        if self.is_bound and self.is_valid() and self.cleaned_data["year"] is not None:
            return self.cleaned_data["year"]
        return this_year()


class BalanceForm(YearForm):
    by = forms.ChoiceField(
        label=capfirst(_("group by")),
        required=False,
        choices=[
            ("programme", _("programme")),
            ("county", _("county")),
            ("month", _("month")),
            ("household", _("household")),
        ],
    )
    field_order = ["by", "year"]

    def chosen_by(self) -> str:
        if self.is_bound and self.is_valid() and self.cleaned_data["by"]:
            return self.cleaned_data["by"]
        return "programme"


class MonthField(forms.CharField):
    """A month as 2026-09 (what <input type="month"> sends): its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-09"})

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        if len(text) > 7:
            raise forms.ValidationError(_("Enter a month such as 2026-09."), code="invalid")
        try:
            month = datetime.datetime.strptime(text, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(_("Enter a month such as 2026-09."), code="invalid") from None
        if not FIRST_YEAR <= month.year <= LAST_YEAR:
            raise forms.ValidationError(_("Enter a month such as 2026-09."), code="invalid")
        return month


class LedgerFilterForm(PlainForm):
    kind = forms.ChoiceField(
        label=capfirst(_("kind")), required=False, choices=[("", _("all kinds")), *LEDGER_KINDS]
    )
    month = MonthField(label=capfirst(_("booked in month")), required=False)
    household = forms.IntegerField(
        label=capfirst(_("household number")), required=False, min_value=1, max_value=MAX_ID
    )
    run = forms.IntegerField(
        label=capfirst(_("payroll run number")), required=False, min_value=1, max_value=MAX_ID
    )

    def filters(self) -> dict:
        """The selector's keyword arguments (call after is_valid)."""
        data = self.cleaned_data
        return {
            "kind": data.get("kind") or "",
            "month": data.get("month"),
            "household_id": data.get("household"),
            "run_id": data.get("run"),
        }


class ReserveMoveForm(PlainForm):
    """A top-up from the county or money returned to it."""

    kind = forms.ChoiceField(
        label=capfirst(_("movement")),
        choices=[
            (RESERVE_KINDS.TOP_UP, _("top-up from the county")),
            (RESERVE_KINDS.RETURNED, _("returned to the county")),
        ],
    )
    amount = YuanField(label=capfirst(_("amount (yuan)")))
    note = forms.CharField(label=capfirst(_("note")), max_length=200, required=False)


class ReserveCountForm(PlainForm):
    """The money found when the reserve was counted; a difference from the balance needs a note."""

    counted = YuanField(label=capfirst(_("money counted (yuan)")))
    note = forms.CharField(
        label=capfirst(_("note")),
        max_length=200,
        required=False,
        help_text=_("Say why when the money counted differs from the balance."),
    )
