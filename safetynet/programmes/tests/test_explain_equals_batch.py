"""One rule, two executions: for households hypothesis makes up, the explanation (Python, Decimal,
one household), the batch (one SQL statement over the area) and the engine (the statement in DuckDB
over the rows moved out as Arrow) give the same answer — whether each
of the five programmes' conditions hold and the amount, to the yuan; for 特困, decided per member,
whether one member qualifies and their amounts added up. Run on SQLite and on PostgreSQL
(`make test-pg`)."""

import datetime
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import LANSHAN_TOWNSHIP, person_data, user, village
from safetynet.core.models import Role
from safetynet.programmes.batch import as_yuan, eligibility_rows
from safetynet.programmes.engine import eligibility_in_duckdb
from safetynet.programmes.facts import household_explanation
from safetynet.registry.models import (
    AssetItem,
    Household,
    IncomeItem,
    Membership,
    Person,
    RigidExpense,
    Supporter,
)

pytestmark = pytest.mark.django_db
ON = datetime.date(2023, 6, 30)
ADDRESSES = itertools.cycle(["371302", "371311", "371312", "371321", "371322", "371323", "371324",
                             "371325", "371326", "371327", "371328", "371329", "371371"])
DAY = datetime.timedelta(days=1)

members = st.lists(st.fixed_dictionaries({
    # around the ages that decide: 18 and 60 on the day itself, and 70 for a supporter
    "born": st.one_of(st.dates(datetime.date(1930, 1, 1), datetime.date(2023, 6, 1)),
                      st.sampled_from([datetime.date(1963, 6, 30), datetime.date(1963, 7, 1),
                                       datetime.date(2005, 6, 30), datetime.date(2005, 7, 1)])),
    "grade": st.sampled_from([None, 1, 2, 3, 4]),
    "category": st.sampled_from([1, 4, 5, 6, 7, 2]),
    "self_care": st.sampled_from([None, 1, 2, 3]),
    "status": st.sampled_from(["01", "01", "01", "03"]),
    "ill": st.booleans(),
    "co_living": st.booleans(),
    "excluded": st.sampled_from(["", "", "", "prison"]),
    # joined after the day, left before it, left on it, or still there
    "left": st.sampled_from([None, None, None, ON, ON - 40 * DAY, ON + 10 * DAY]),
    "joined": st.sampled_from([ON - 2000 * DAY, ON - 100 * DAY, ON, ON + DAY]),
}), min_size=1, max_size=4)
money = st.decimals(min_value=0, max_value=60000, places=2, allow_nan=False, allow_infinity=False)
incomes = st.lists(st.fixed_dictionaries({
    "amount": money,
    "deduction": st.sampled_from([Decimal(0), Decimal(0), Decimal("123.45"), Decimal("99999")]),
    "start": st.integers(-800, 30), "days": st.integers(1, 800),
    "excluded": st.booleans(), "member": st.integers(-1, 3),
}), max_size=5)
assets = st.lists(st.fixed_dictionaries({
    "type": st.sampled_from(["101", "105", "304", "501", "202"]), "value": money,
    "exempt": st.booleans(), "member": st.integers(-1, 3),
}), max_size=3)
supporters = st.lists(st.fixed_dictionaries({
    "member": st.integers(0, 3),
    "born": st.sampled_from([datetime.date(1950, 1, 1), datetime.date(1953, 6, 30), datetime.date(1953, 7, 1),
                             datetime.date(1963, 6, 30), datetime.date(1980, 5, 5)]),
    # around the urban (43,000) and rural (18,000) disposable incomes
    "income": st.sampled_from([Decimal(0), Decimal("17999.99"), Decimal("18000.00"), Decimal("42999.99"),
                               Decimal("43000.00"), Decimal(90000)]),
    "grade": st.sampled_from([None, None, 1, 3]), "category": st.sampled_from([4, 5]),
    "assistance": st.sampled_from(["", "", "dibao", "tekun"]),
    "incapacity": st.sampled_from(["", "", "", "in_prison"]),
}), max_size=3)
expenses = st.lists(st.fixed_dictionaries({
    "amount": st.decimals(min_value=Decimal("0.01"), max_value=80000, places=2),
    "days_before": st.sampled_from([0, 1, 89, 90, 200, 364, 365, 400]),
    "member": st.integers(-1, 3),
}), max_size=3)
# Incomes that land exactly on the standard (730 a month in 兰山, urban) are the edge that matters.
exact = st.sampled_from([None, Decimal("8760.00"), Decimal("17520.00"), Decimal("13140.00")])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(members=members, incomes=incomes, assets=assets, exact=exact, supporters=supporters,
       expenses=expenses, residence=st.sampled_from(["urban", "rural"]))
def test_the_explanation_and_the_batch_agree_household_by_household(members, incomes, assets, exact,
                                                                    supporters, expenses, residence):
    place = village(LANSHAN_TOWNSHIP + "201")
    clerk = user(Role.COUNTY_BUREAU, "371302")
    people = []
    for number, member in enumerate(members):
        # The ID's address part changes by person: examples share one transaction and many share a
        # birthday, and person_data's sequence repeats every 500 people.
        data = person_data(place, name=f"测试{number}", born=member["born"], address_code=next(ADDRESSES),
                           disability_category=member["category"] if member["grade"] else None,
                           disability_grade=member["grade"], serious_illness="01" if member["ill"] else "",
                           self_care=member["self_care"], status=member["status"])
        people.append(Person.objects.create(**data, area=place))
    home = Household.objects.create(village=place, head=people[0], address="幸福路1号", urban_rural=residence)
    for number, (person, member) in enumerate(zip(people, members, strict=True)):
        left = member["left"] if member["left"] is None or member["left"] >= member["joined"] else None
        Membership.objects.create(household=home, person=person, relation="02" if number == 0 else "20",
                                  co_living=member["co_living"] and not member["excluded"],
                                  exclusion=member["excluded"],
                                  joined_on=member["joined"], left_on=left,
                                  leave_reason="split" if left else "")
    for income in incomes:
        start = ON + income["start"] * DAY
        IncomeItem.objects.create(
            household=home, category="wage", amount=income["amount"], deduction_amount=income["deduction"],
            deduction_kind="employment_cost" if income["deduction"] else "",
            period_start=start, period_end=start + (income["days"] - 1) * DAY, excluded=income["excluded"],
            exclusion_reason="scholarship" if income["excluded"] else "",
            person=people[income["member"]] if 0 <= income["member"] < len(people) else None)
    if exact is not None:
        IncomeItem.objects.create(household=home, category="wage", amount=exact,
                                  period_start=ON - 364 * DAY, period_end=ON)
    for asset in assets:
        AssetItem.objects.create(
            household=home, asset_type=asset["type"], value=asset["value"], exempt=asset["exempt"],
            exempt_reason="other" if asset["exempt"] else "",
            person=people[asset["member"]] if 0 <= asset["member"] < len(people) else None)

    for supporter in supporters:
        Supporter.objects.create(
            household=home, person=people[supporter["member"] % len(people)], name="赡养人", relation="child",
            birth_date=supporter["born"], income_year=supporter["income"],
            disability_category=supporter["category"] if supporter["grade"] else None,
            disability_grade=supporter["grade"], assistance=supporter["assistance"],
            incapacity=supporter["incapacity"])
    for expense in expenses:
        RigidExpense.objects.create(
            household=home, expense_type="medical", amount=expense["amount"],
            incurred_on=ON - expense["days_before"] * DAY,
            person=people[expense["member"]] if 0 <= expense["member"] < len(people) else None)

    explained = household_explanation(actor=clerk, household=home, on=ON)
    columns, rows = eligibility_rows(area=place.code, on=ON)
    batch = dict(zip(columns, next(row for row in rows if row[0] == home.pk), strict=True))
    # The third execution: the same statement in DuckDB over the rows moved out as Arrow.
    engine_columns, engine_rows = eligibility_in_duckdb(area=place.code, on=ON, through_django=True)
    assert engine_columns == columns
    assert [_plain(row) for row in engine_rows] == [_plain(row) for row in rows]
    for result in explained["results"]:
        programme = result["programme"]
        event(f"{programme} {'qualifies' if result['qualifies'] else 'does not'}")
        assert bool(batch[f"q_{programme}"]) == result["qualifies"], (
            programme, explained["facts"], [(p["person"].name, p["facts"], p["qualifies"])
                                            for p in result.get("persons", [])],
            members, supporters)
        if f"amount_{programme}" in batch:
            assert as_yuan(batch[f"amount_{programme}"]) == result["amount"], (programme, explained["facts"])


def _plain(row) -> tuple:
    """A row of answers with every number as an int (PostgreSQL gives some as Decimal)."""
    return tuple(value if value is None or isinstance(value, str) else int(value) for value in row)
