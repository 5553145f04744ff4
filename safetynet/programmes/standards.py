"""The kinds of standard the programmes are decided with: what each measures, in which unit, within
which bounds a value is plausible, and whether it differs between urban and rural residents.

A standard's values are dated rows (models.Standard); this table says what a row may hold, so that
an absurd amount or an unknown kind is refused with its reason before anything is saved.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class StandardKind:
    code: str
    label: object
    unit: object
    low: Decimal  # the smallest plausible value (inclusive)
    high: Decimal  # the largest plausible value (inclusive)
    by_urban_rural: bool  # a value for urban residents and one for rural
    whole: bool = False  # whole numbers only (a switch)


YUAN_MONTH = _("yuan per person per month")
YUAN_YEAR = _("yuan per person per year")
YUAN = _("yuan")
TIMES = _("times")

_D = Decimal

KINDS = {kind.code: kind for kind in (
    StandardKind("dibao", _("Minimum living standard"), YUAN_MONTH, _D(50), _D(5000), True),
    StandardKind("tekun_basic_ratio",
                 _("Basic living of persons in extreme poverty, times the minimum living standard"),
                 TIMES, _D("1.0"), _D(5), True),
    StandardKind("tekun_care_full", _("Care for persons in extreme poverty: self-care completely lost"),
                 YUAN_MONTH, _D(0), _D(10000), False),
    StandardKind("tekun_care_partial", _("Care for persons in extreme poverty: self-care partly lost"),
                 YUAN_MONTH, _D(0), _D(10000), False),
    StandardKind("tekun_care_self", _("Care for persons in extreme poverty: self-caring"),
                 YUAN_MONTH, _D(0), _D(10000), False),
    StandardKind("edge_multiple", _("Near-minimum families: income below this multiple of the standard"),
                 TIMES, _D("1.0"), _D(5), False),
    StandardKind("disposable_income", _("Per-capita disposable income of the previous year"),
                 YUAN_YEAR, _D(1000), _D(500000), True),
    StandardKind("rigid_expense_ratio",
                 _("Rigid-expense hardship: rigid expenses above this share of income"),
                 TIMES, _D("0.01"), _D(10), False),
    StandardKind("addon_elderly", _("Add-on for members aged 60 or more, as a share of the standard"),
                 TIMES, _D(0), _D(1), False),
    StandardKind("addon_minor", _("Add-on for minors, as a share of the standard"),
                 TIMES, _D(0), _D(1), False),
    StandardKind("addon_severe_disability", _("Add-on for severe disability, as a share of the standard"),
                 TIMES, _D(0), _D(1), False),
    StandardKind("addon_serious_illness", _("Add-on for serious illness, as a share of the standard"),
                 TIMES, _D(0), _D(1), False),
    StandardKind("asset_financial_months",
                 _("Financial assets per person: at most this many months of the standard"),
                 TIMES, _D(0), _D(240), False),
    StandardKind("temp_township_cap", _("Temporary aid the township approves itself, at most"),
                 YUAN, _D(0), _D(100000), False),
    # A switch, not an amount: 1 where the county has devolved 低保 decisions to its townships.
    StandardKind("devolved", _("Minimum living security decided by the townships (1: yes, 0: no)"),
                 _("1 or 0"), _D(0), _D(1), False, whole=True),
    StandardKind("temp_cap_months", _("Temporary aid: at most this many months of the standard per person"),
                 TIMES, _D(0), _D(60), False),
)}
