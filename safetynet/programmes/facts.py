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
  aged 60 or more, under 18, disability grade 1 or 2, a serious illness;
- rigid expenses: those of members counted or of the whole household, incurred in the period (the
  last twelve months) and in its last 90 days (the last three months);
- for the rules decided per person (特困), every current member not excluded and whose status is
  normal (living with the household or not: a person in an institution is still its member): their
  own income and assets as above; a sole such member's include the household's items without a
  member; supporters are able unless art. 8 says otherwise (see `supporter_able`), and so is each
  other member counted as living together aged 18 to 59 whose disability does not take the capacity
  to work.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from safetynet.programmes.selectors import household_enrolments, standard_at
from safetynet.registry.codes import WORK_DISABILITY
from safetynet.registry.selectors import (
    asset_list,
    expense_list,
    household_members,
    income_list,
    supporter_list,
)

PERIOD_DAYS = 365
RECENT_DAYS = 90
# The days an explanation may be asked for: the registry's dates, and far enough ahead for a plan.
EARLIEST_DAY, LATEST_DAY = datetime.date(1950, 1, 1), datetime.date(2199, 12, 31)
FINANCIAL_ASSETS = {"101", "102", "103", "104", "105", "106"}
VEHICLE = "304"
FEN = Decimal("0.01")


def fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, ROUND_HALF_UP)


def _age(born: datetime.date, on: datetime.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def current_membership(membership, on: datetime.date) -> bool:
    return membership.joined_on <= on and (membership.left_on is None or membership.left_on > on)


def counted_membership(membership, on: datetime.date) -> bool:
    return current_membership(membership, on) and membership.co_living and not membership.exclusion


NORMAL_STATUS = "01"
WORKING_AGE = (18, 60)  # from 18, under 60


def work_disability(category, grade) -> int:
    return 1 if grade in WORK_DISABILITY.get(category, ()) else 0


def supporter_able(supporter, on: datetime.date, disposable_income: Decimal | None) -> bool:
    """特困人员认定办法 art. 8: a supporter is unable who is in extreme poverty; receives 低保 and is
    60 or more; is 70 or more, or severely disabled (grade 1–2, or intellectual or mental grade 3),
    with an income below the per-capita disposable income; has no civil capacity, is missing or in
    prison. (Their property is not recorded: the officer checks it.)"""
    age = _age(supporter.birth_date, on)
    poor = disposable_income is not None and supporter.income_year < disposable_income
    severe = supporter.disability_grade in (1, 2) or (
        supporter.disability_grade == 3 and supporter.disability_category in (5, 6))
    unable = (supporter.assistance == "tekun" or (supporter.assistance == "dibao" and age >= 60)
              or (age >= 70 and poor) or (severe and poor) or bool(supporter.incapacity))
    return not unable


def _share(item, start: datetime.date, on: datetime.date) -> tuple[Decimal, int, int]:
    """The income item's amount after its deduction for the part of its period inside start..on."""
    overlap = (min(item.period_end, on) - max(item.period_start, start)).days + 1
    length = (item.period_end - item.period_start).days + 1
    if item.excluded or overlap <= 0 or length <= 0:
        return Decimal(0), max(overlap, 0), length
    return fen((item.amount - item.deduction_amount) * overlap / length), overlap, length


def _standard_values(county: str, residence: str, on: datetime.date) -> dict:
    """The Standard rows the facts read, by fact name (None where none is in force)."""
    by_residence = {"standard": "dibao", "tekun_ratio": "tekun_basic_ratio",
                    "disposable_income": "disposable_income"}
    shared = {"edge_multiple": "edge_multiple", "asset_months": "asset_financial_months",
              "addon_elderly": "addon_elderly", "addon_minor": "addon_minor",
              "addon_severe_disability": "addon_severe_disability",
              "addon_serious_illness": "addon_serious_illness", "rigid_expense_ratio": "rigid_expense_ratio",
              "temp_cap_months": "temp_cap_months", "care_full": "tekun_care_full",
              "care_partial": "tekun_care_partial", "care_self": "tekun_care_self"}
    rows = {name: standard_at(kind=kind, county=county, urban_rural=residence, on=on)
            for name, kind in by_residence.items()}
    rows |= {name: standard_at(kind=kind, county=county, on=on) for name, kind in shared.items()}
    return rows


def household_facts(*, actor, household, on: datetime.date) -> dict:
    """{"facts": {name: value}, "members": [...], "income": [...], "standards": {name: Standard},
    "persons": [...]}: the facts the rules read, each member's for the rules decided per person, and
    what each came from, for the explanation."""
    start = on - datetime.timedelta(days=PERIOD_DAYS - 1)
    recent = on - datetime.timedelta(days=RECENT_DAYS - 1)
    memberships = list(household_members(household=household, include_past=True))
    counted = [m for m in memberships if counted_membership(m, on)]
    counted_ids = {m.person_id for m in counted}
    items = list(income_list(actor=actor, household=household))

    income_rows, total = [], Decimal(0)
    for item in items:
        share, days, length = _share(item, start, on)
        counts = (not item.excluded and days > 0 and length > 0
                  and (item.person_id is None or item.person_id in counted_ids))
        share = share if counts else Decimal(0)
        total += share
        income_rows.append({"item": item, "counted": share, "counts": counts, "days": days,
                            "of_days": length})
    income_month = fen(max(total, Decimal(0)) / 12)
    members = len(counted)

    county, residence = household.village_id[:6], household.urban_rural
    standards = _standard_values(county, residence, on)
    value = {name: (row.value if row else None) for name, row in standards.items()}

    all_assets = [a for a in asset_list(actor=actor, household=household) if not a.exempt]
    assets = [a for a in all_assets if a.person_id is None or a.person_id in counted_ids]
    financial = sum((a.value for a in assets if a.asset_type in FINANCIAL_ASSETS), Decimal(0))
    vehicles = sum(1 for a in assets if a.asset_type == VEHICLE)

    expenses = [e for e in expense_list(actor=actor, household=household)
                if start <= e.incurred_on <= on and (e.person_id is None or e.person_id in counted_ids)]
    rigid = sum((e.amount for e in expenses), Decimal(0))
    recent_rigid = sum((e.amount for e in expenses if e.incurred_on >= recent), Decimal(0))

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
        "disposable_income": value["disposable_income"],
        "rigid_expense_ratio": value["rigid_expense_ratio"],
        "rigid_expenses": rigid,
        "recent_rigid_expenses": recent_rigid,
        "temp_cap_months": value["temp_cap_months"],
    }
    persons = _person_facts(actor=actor, household=household, on=on, start=start, memberships=memberships,
                            items=items, assets=all_assets, value=value)
    return {"facts": facts, "members": member_rows, "income": income_rows, "standards": standards,
            "period": (start, on), "persons": persons}


def _person_facts(*, actor, household, on, start, memberships, items, assets, value) -> list[dict]:
    """Each member a per-person rule is decided for, with their facts and their supporters."""
    candidates = [m for m in memberships if current_membership(m, on) and not m.exclusion
                  and m.person.status == NORMAL_STATUS]
    sole = len(candidates) == 1
    supporters = list(supporter_list(actor=actor, household=household))
    # Members of working age living with the household, not disabled so, are taken as able to
    # support the others: the rule's presumption, which the investigation of an application checks
    # (their kinship and their means).
    working = [m for m in memberships if counted_membership(m, on) and m.person.status == NORMAL_STATUS
               and WORKING_AGE[0] <= _age(m.person.birth_date, on) < WORKING_AGE[1]
               and not work_disability(m.person.disability_category, m.person.disability_grade)]
    care = {3: value["care_full"], 2: value["care_partial"]}
    rows = []
    for membership in candidates:
        person = membership.person

        def own(item, person_id=person.pk):
            return item.person_id == person_id or (item.person_id is None and sole)

        total = sum((_share(item, start, on)[0] for item in items if own(item)), Decimal(0))
        mine = [a for a in assets if own(a)]
        theirs = [s for s in supporters if s.person_id == person.pk]
        able = [s for s in theirs if supporter_able(s, on, value["disposable_income"])]
        kin = [m.person for m in working if m.person_id != person.pk]
        facts = {
            "age": _age(person.birth_date, on),
            "work_disability": work_disability(person.disability_category, person.disability_grade),
            "own_income_month": fen(max(total, Decimal(0)) / 12),
            "own_financial_assets": sum((a.value for a in mine if a.asset_type in FINANCIAL_ASSETS),
                                        Decimal(0)),
            "own_vehicles": sum(1 for a in mine if a.asset_type == VEHICLE),
            "able_supporters": len(able) + len(kin),
            "standard": value["standard"],
            "asset_months": value["asset_months"],
            "tekun_ratio": value["tekun_ratio"],
            "care": care.get(person.self_care, value["care_self"]),
        }
        rows.append({"person": person, "facts": facts, "kin": kin,
                     "supporters": [{"supporter": s, "able": s in able} for s in theirs]})
    return rows


def household_explanation(*, actor, household, on: datetime.date) -> dict:
    """Each programme's rule over the household's facts: every condition and figure, and the versions."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from safetynet.programmes.rules import COVERED_BY, PROGRAMME_NAMES, RULES

    if not EARLIEST_DAY <= on <= LATEST_DAY:
        raise ValidationError({"on": _("Choose a day between %(first)s and %(last)s.")
                               % {"first": EARLIEST_DAY.isoformat(), "last": LATEST_DAY.isoformat()}})

    found = household_facts(actor=actor, household=household, on=on)
    enrolments = household_enrolments(household=household, on=on)
    receiving = {e.programme: e for e in enrolments if e.person_id is None}
    receiving_person = {(e.programme, e.person_id): e for e in enrolments if e.person_id is not None}
    counted_ids = {row["membership"].person_id for row in found["members"] if row["counted"]}
    results = []
    for rule in RULES.values():
        if rule.per_person:
            persons = [{**rule.explain(row["facts"]), "person": row["person"], "facts": row["facts"],
                        "supporters": row["supporters"], "kin": row["kin"],
                        "enrolment": receiving_person.get((rule.programme, row["person"].pk))}
                       for row in found["persons"]]
            qualifying = [p for p in persons if p["qualifies"]]
            amounts = [p["amount"] for p in qualifying]
            decided = {p["person"].pk for p in persons}
            result = {"programme": rule.programme, "version": rule.version, "conditions": [],
                      "qualifies": bool(qualifying), "persons": persons,
                      # unknown when a member's is (a standard it needs is not in force)
                      "amount": sum(amounts, Decimal(0)) if amounts and None not in amounts else None,
                      # each member who qualifies receives it (as the batch counts it)
                      "receiving": any(programme == rule.programme for programme, _pk in receiving_person)
                      and not any(p["qualifies"] and p["enrolment"] is None for p in persons),
                      # members no longer decided for (moved, deceased) still receiving it: to end
                      "others": [e for (programme, pk), e in receiving_person.items()
                                 if programme == rule.programme and pk not in decided]}
        else:
            result = rule.explain(found["facts"])
            other = COVERED_BY.get(rule.programme)
            if other and not receiving.get(rule.programme) and counted_ids and counted_ids <= {
                    person for programme, person in receiving_person if programme == other}:
                result["covered_by"] = PROGRAMME_NAMES[other]
            result["receiving"] = bool(receiving.get(rule.programme) or result.get("covered_by"))
        results.append({**result, "name": PROGRAMME_NAMES[rule.programme], "title": rule.title,
                        "once": rule.once,
                        "enrolment": receiving.get(rule.programme)})
    return {**found, "on": on, "results": results}


def explanation_data(explained: dict) -> dict:
    """A household's explanation as plain JSON values (the API's answer; what a decision freezes):
    amounts and facts as text, labels in the reader's language, persons by id and name."""
    standard = explained["standards"]["standard"]

    def text(values: dict) -> dict:
        return {name: None if value is None else str(value) for name, value in values.items()}

    def conditions(found: dict) -> list[dict]:
        return [{"code": c["code"], "label": str(c["label"]), "expression": c["expression"],
                 "readable": str(c["readable"]), "holds": c["holds"]} for c in found["conditions"]]

    def result(found: dict) -> dict:
        return {"programme": found["programme"], "version": found["version"], "qualifies": found["qualifies"],
                "amount": None if found["amount"] is None else str(found["amount"]),
                "receiving": found.get("receiving", found.get("enrolment") is not None),
                "conditions": conditions(found)}

    return {"on": explained["on"].isoformat() if hasattr(explained["on"], "isoformat") else explained["on"],
            "facts": text(explained["facts"]), "standard_id": standard.pk if standard else None,
            "results": [{**result(r), "name": str(r["name"]), "once": r["once"], "persons": [
                {**result(p), "person": p["person"].pk, "name": p["person"].name, "facts": text(p["facts"])}
                for p in r.get("persons", [])]} for r in explained["results"]]}
