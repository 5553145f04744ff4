"""The facts of one household that the rules (programmes.rules) are evaluated on, worked out from
the registry as of a day, each with how it was found. The batch (to come) works out the same facts
for every household in SQL; tests hold the two to the same answers.

The definitions, as of day D:
- members counted: joined on or before D, not left by D, living together, not excluded (art. 7);
- the period: the 365 days ending on D; each income item counts for the part of its own period
  that falls in it, after its deduction; items of people not counted are not counted; income not
  counted (art. 13) is left out; income per month = the period's total / 12, not below zero;
- figures of money are rounded half up to the fen;
- financial assets: savings, bonds, shares, other securities, savings insurance and other
  financial assets (CAMS 101–106) not exempt; vehicles: those not exempt (304);
- add-ons (分类施保), per member counted, the highest that applies, as a share of the standard:
  aged 60 or more, under 18, disability grade 1 or 2, a serious illness.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from safetynet.programmes.selectors import household_enrolments, standard_at
from safetynet.registry.selectors import asset_list, household_members, income_list

PERIOD_DAYS = 365
# The days an explanation may be asked for: the registry's dates, and far enough ahead for a plan.
EARLIEST_DAY, LATEST_DAY = datetime.date(1950, 1, 1), datetime.date(2199, 12, 31)
FINANCIAL_ASSETS = {"101", "102", "103", "104", "105", "106"}
VEHICLE = "304"
FEN = Decimal("0.01")


def fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, ROUND_HALF_UP)


def _age(born: datetime.date, on: datetime.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def counted_membership(membership, on: datetime.date) -> bool:
    return (membership.joined_on <= on and (membership.left_on is None or membership.left_on > on)
            and membership.co_living and not membership.exclusion)


def household_facts(*, actor, household, on: datetime.date) -> dict:
    """{"facts": {name: value}, "members": [...], "income": [...], "standards": {name: Standard}}:
    the facts the rules read, and what each came from, for the explanation."""
    start = on - datetime.timedelta(days=PERIOD_DAYS - 1)
    memberships = list(household_members(household=household, include_past=True))
    counted = [m for m in memberships if counted_membership(m, on)]
    counted_ids = {m.person_id for m in counted}

    income_rows, total = [], Decimal(0)
    for item in income_list(actor=actor, household=household):
        overlap = (min(item.period_end, on) - max(item.period_start, start)).days + 1
        length = (item.period_end - item.period_start).days + 1
        counts = (not item.excluded and overlap > 0 and length > 0
                  and (item.person_id is None or item.person_id in counted_ids))
        share = fen((item.amount - item.deduction_amount) * overlap / length) if counts else Decimal(0)
        total += share
        income_rows.append({"item": item, "counted": share, "counts": counts,
                            "days": max(overlap, 0), "of_days": length})
    income_month = fen(max(total, Decimal(0)) / 12)
    members = len(counted)

    county, residence = household.village_id[:6], household.urban_rural
    standards = {
        "standard": standard_at(kind="dibao", county=county, urban_rural=residence, on=on),
        "edge_multiple": standard_at(kind="edge_multiple", county=county, on=on),
        "asset_months": standard_at(kind="asset_financial_months", county=county, on=on),
        "addon_elderly": standard_at(kind="addon_elderly", county=county, on=on),
        "addon_minor": standard_at(kind="addon_minor", county=county, on=on),
        "addon_severe_disability": standard_at(kind="addon_severe_disability", county=county, on=on),
        "addon_serious_illness": standard_at(kind="addon_serious_illness", county=county, on=on),
    }
    value = {name: (row.value if row else None) for name, row in standards.items()}

    assets = [a for a in asset_list(actor=actor, household=household)
              if not a.exempt and (a.person_id is None or a.person_id in counted_ids)]
    financial = sum((a.value for a in assets if a.asset_type in FINANCIAL_ASSETS), Decimal(0))
    vehicles = sum(1 for a in assets if a.asset_type == VEHICLE)

    member_rows, addons = [], Decimal(0)
    for membership in memberships:
        person = membership.person
        rates = []
        if membership in counted:
            age = _age(person.birth_date, on)
            for applies, name in ((age >= 60, "addon_elderly"), (age < 18, "addon_minor"),
                                  (person.disability_grade in (1, 2), "addon_severe_disability"),
                                  (bool(person.serious_illness), "addon_serious_illness")):
                if applies and value[name] is not None:
                    rates.append(value[name])
        addon = fen(max(rates) * value["standard"]) if rates and value["standard"] is not None else Decimal(0)
        addons += addon
        if membership.left_on is None or membership.left_on > on:  # past members stay unnamed here
            member_rows.append({"membership": membership, "counted": membership in counted, "addon": addon})

    facts = {
        "members": members,
        "income_month": income_month,
        "per_capita_income": fen(income_month / members) if members else None,
        "standard": value["standard"],
        "edge_multiple": value["edge_multiple"],
        "financial_assets": financial,
        "asset_months": value["asset_months"],
        "vehicles": vehicles,
        "addons": addons,
    }
    return {"facts": facts, "members": member_rows, "income": income_rows, "standards": standards,
            "period": (start, on)}


def household_explanation(*, actor, household, on: datetime.date) -> dict:
    """Each programme's rule over the household's facts: every condition and figure, and the versions."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from safetynet.programmes.rules import RULES

    if not EARLIEST_DAY <= on <= LATEST_DAY:
        raise ValidationError({"on": _("Choose a day between %(first)s and %(last)s.")
                               % {"first": EARLIEST_DAY.isoformat(), "last": LATEST_DAY.isoformat()}})

    found = household_facts(actor=actor, household=household, on=on)
    receiving = {e.programme: e for e in household_enrolments(household=household, on=on)}
    results = [{**rule.explain(found["facts"]), "enrolment": receiving.get(rule.programme)}
               for rule in RULES.values()]
    return {**found, "on": on, "results": results}
