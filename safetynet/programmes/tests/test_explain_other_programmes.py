"""特困 (decided per member, with their supporters), 刚性支出困难 and 临时救助 explained for one
household on the demo's 2022 standards (rural 低保 545, 特困 1.3 ×, care 165 / 440 / 770; disposable
income 43,000 urban; rigid-expense share 0.5; temporary aid at most 10 months of the standard per
person) — and the batch giving the same answer."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import Role
from safetynet.programmes.batch import eligibility_rows
from safetynet.programmes.facts import household_explanation
from safetynet.registry import services
from safetynet.registry.models import Person

pytestmark = pytest.mark.django_db
YEAR_AGO = datetime.timedelta(days=364)


def _explain(clerk, home, programme):
    explained = household_explanation(actor=clerk, household=home, on=timezone.localdate())
    return explained, next(r for r in explained["results"] if r["programme"] == programme)


def _batch(home, programme):
    columns, rows = eligibility_rows(area=home.village_id, on=timezone.localdate())
    row = dict(zip(columns, next(r for r in rows if r[0] == home.pk), strict=True))
    return bool(row[f"q_{programme}"]), row.get(f"amount_{programme}")


@pytest.fixture
def elder(make_household):
    """A rural widower of 86 in 兰山, alone, with a pension of 3,600 a year (300 a month)."""
    clerk = user(Role.COUNTY_BUREAU, "371302")
    home = make_household(village(LANSHAN_TOWNSHIP + "201"), clerk, members=[
        ("孤老张", 1, "02", datetime.date(1940, 2, 2))])
    today = timezone.localdate()
    services.income_item_create(actor=clerk, household=home, data={
        "category": "transfer_net", "amount": Decimal("3600"), "period_start": today - YEAR_AGO,
        "period_end": today, "person": home.head})
    return clerk, home


def _supporter(clerk, home, **data):
    return services.supporter_create(actor=clerk, household=home, data={
        "person": home.head, "name": "张儿", "relation": "child", "birth_date": datetime.date(1975, 1, 1),
        "income_year": Decimal("60000"), **data})


def test_an_elder_alone_without_supporters_is_in_extreme_poverty_with_basic_living_and_care(elder):
    clerk, home = elder
    explained, tekun = _explain(clerk, home, "tekun")
    person = tekun["persons"][0]
    assert person["facts"]["own_income_month"] == Decimal("300.00")
    assert person["facts"]["able_supporters"] == 0
    assert all(condition["holds"] for condition in person["conditions"])
    # 1.3 × 545 = 708.50, + 165 for a person who looks after themselves = 873.50 → 874
    assert tekun["qualifies"] and person["amount"] == Decimal(874) and tekun["amount"] == Decimal(874)
    assert _batch(home, "tekun") == (True, 874)

    Person.objects.filter(pk=home.head_id).update(self_care=3)  # unable to look after himself: care 770
    assert _explain(clerk, home, "tekun")[1]["amount"] == Decimal(1479)  # 708.50 + 770
    assert _batch(home, "tekun") == (True, 1479)


def test_a_supporter_able_to_support_keeps_the_elder_out_and_one_unable_does_not(elder):
    clerk, home = elder
    son = _supporter(clerk, home)
    _explained, tekun = _explain(clerk, home, "tekun")
    person = tekun["persons"][0]
    assert not tekun["qualifies"] and person["facts"]["able_supporters"] == 1
    assert [c["code"] for c in person["conditions"] if not c["holds"]] == ["supporters"]
    assert _batch(home, "tekun") == (False, None)

    # art. 8: in prison; or 70 and more with an income below the disposable income (rural 18,000)
    services.supporter_update(actor=clerk, item=son, version=son.version, data={"incapacity": "in_prison"})
    assert _explain(clerk, home, "tekun")[1]["qualifies"] and _batch(home, "tekun")[0]
    son.refresh_from_db()
    services.supporter_update(actor=clerk, item=son, version=son.version, data={
        "incapacity": "", "birth_date": datetime.date(1950, 1, 1), "income_year": Decimal("17999.99")})
    assert _explain(clerk, home, "tekun")[1]["qualifies"] and _batch(home, "tekun")[0]
    son.refresh_from_db()
    services.supporter_update(actor=clerk, item=son, version=son.version,
                              data={"income_year": Decimal("18000")})
    assert not _explain(clerk, home, "tekun")[1]["qualifies"] and not _batch(home, "tekun")[0]


def test_a_working_age_member_without_disability_is_not_in_extreme_poverty(make_household):
    clerk = user(Role.COUNTY_BUREAU, "371302")
    home = make_household(village(LANSHAN_TOWNSHIP + "201"), clerk, members=[
        ("李壮", 1, "02", datetime.date(1985, 1, 1))])
    _explained, tekun = _explain(clerk, home, "tekun")
    assert [c["code"] for c in tekun["persons"][0]["conditions"] if not c["holds"]] == ["labour"]
    # a physical disability of grade 2 takes the capacity to work; of grade 3 it does not
    Person.objects.filter(pk=home.head_id).update(disability_category=4, disability_grade=3)
    assert not _explain(clerk, home, "tekun")[1]["qualifies"]
    Person.objects.filter(pk=home.head_id).update(disability_grade=2)
    assert _explain(clerk, home, "tekun")[1]["qualifies"] and _batch(home, "tekun")[0]


def test_a_member_of_working_age_living_with_them_is_taken_as_able_to_support(make_household):
    """Found by hypothesis: an elder who does not live with the household, a son of working age who
    does — the son is taken as able to support him, in both executions."""
    clerk = user(Role.COUNTY_BUREAU, "371302")
    home = make_household(village(LANSHAN_TOWNSHIP + "201"), clerk, members=[
        ("周长", 1, "02", datetime.date(1975, 1, 1)), ("周老", 1, "30", datetime.date(1950, 1, 1))])
    elder = home.memberships.get(relation="30")
    elder.co_living = False
    elder.save()
    _explained, tekun = _explain(clerk, home, "tekun")
    old = next(p for p in tekun["persons"] if p["person"].pk == elder.person_id)
    assert old["facts"]["able_supporters"] == 1 and [k.name for k in old["kin"]] == ["周长"]
    assert not tekun["qualifies"] and _batch(home, "tekun") == (False, None)


@pytest.fixture
def couple(make_household):
    """An urban couple in 兰山 earning 30,000 a year (1,250 a person a month: above 1.5 × 730)."""
    clerk = user(Role.COUNTY_BUREAU, "371302")
    home = make_household(village(LANSHAN_TOWNSHIP + "201"), clerk, urban_rural="urban", members=[
        ("陈一", 1, "02", datetime.date(1975, 1, 1)), ("陈二", 2, "10", datetime.date(1976, 1, 1))])
    today = timezone.localdate()
    services.income_item_create(actor=clerk, household=home, data={
        "category": "wage", "amount": Decimal("30000"), "period_start": today - YEAR_AGO,
        "period_end": today})
    return clerk, home


def _expense(clerk, home, amount, days_ago):
    services.expense_create(actor=clerk, household=home, data={
        "expense_type": "medical", "amount": Decimal(amount),
        "incurred_on": timezone.localdate() - datetime.timedelta(days=days_ago)})


def test_rigid_expenses_above_half_the_years_income_make_a_rigid_expense_hardship(couple):
    clerk, home = couple
    _expense(clerk, home, "15000", 200)  # exactly half of 30,000: not above it
    explained, rigid = _explain(clerk, home, "rigid")
    assert explained["facts"]["rigid_expenses"] == Decimal("15000.00") and not rigid["qualifies"]
    assert not _batch(home, "rigid")[0]
    _expense(clerk, home, "0.01", 10)
    assert _explain(clerk, home, "rigid")[1]["qualifies"] and _batch(home, "rigid")[0]
    assert rigid["amount"] is None  # it opens the way to special help; there is no monthly amount


def test_a_sudden_expense_beyond_three_months_income_qualifies_for_temporary_aid_up_to_a_ceiling(couple):
    clerk, home = couple
    _expense(clerk, home, "8000", 100)  # too long ago to be sudden
    assert not _explain(clerk, home, "temporary")[1]["qualifies"]
    _expense(clerk, home, "7600", 5)  # 7,600 > 3 × 2,500
    explained, temporary = _explain(clerk, home, "temporary")
    assert explained["facts"]["recent_rigid_expenses"] == Decimal("7600.00")
    # at most 10 months of the standard per person: 10 × 730 × 2
    assert temporary["qualifies"] and temporary["once"] and temporary["amount"] == Decimal(14600)
    assert _batch(home, "temporary") == (True, 14600)


def test_the_household_page_shows_each_member_and_their_supporters(client, elder):
    clerk, home = elder
    _supporter(clerk, home, incapacity="missing")
    client.force_login(clerk)
    page = client.get(reverse("registry:household_detail", args=[home.pk])).content.decode()
    assert 'data-programme="tekun" data-qualifies="yes"' in page
    assert f'data-person="{home.head_id}" data-qualifies="yes"' in page
    assert "张儿（子女）" in page and "无赡养扶养能力" in page
