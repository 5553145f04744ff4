"""The 低保 rule explained for one household: SPEC §6.3's worked example on the demo's 2022 standard,
and the cases where a figure is easily got wrong."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import Role
from safetynet.programmes.facts import household_explanation
from safetynet.programmes.rules import DIBAO, Expression, RuleError
from safetynet.registry import services
from safetynet.registry.models import Person

pytestmark = pytest.mark.django_db
YEAR_AGO = datetime.timedelta(days=364)


@pytest.fixture
def family(make_household):
    """An urban household of three in 兰山 (standard 730 in 2022, synthetic), 900 yuan a month of
    wages, the second member disabled grade 1 (add-on 20 %)."""
    clerk = user(Role.COUNTY_BUREAU, "371302")
    home = make_household(village(LANSHAN_TOWNSHIP + "201"), clerk, urban_rural="urban", members=[
        ("王强", 1, "02", datetime.date(1980, 3, 1)),
        ("王芳", 2, "10", datetime.date(1982, 5, 1)),
        ("王小", 1, "20", datetime.date(2001, 7, 1)),
    ])
    today = timezone.localdate()
    services.income_item_create(actor=clerk, household=home, data={
        "category": "wage", "amount": Decimal("10800"), "period_start": today - YEAR_AGO,
        "period_end": today})
    second = home.memberships.get(relation="10").person
    Person.objects.filter(pk=second.pk).update(disability_category=4, disability_grade=1)
    return clerk, home


def _dibao(clerk, home):
    explained = household_explanation(actor=clerk, household=home, on=timezone.localdate())
    return explained, next(r for r in explained["results"] if r["programme"] == "dibao")


def test_the_worked_example_qualifies_with_every_figure(family):
    clerk, home = family
    explained, dibao = _dibao(clerk, home)
    facts = explained["facts"]
    assert facts["members"] == 3 and facts["income_month"] == Decimal("900.00")
    assert facts["per_capita_income"] == Decimal("300.00") and facts["standard"] == Decimal(730)
    assert facts["addons"] == Decimal("146.00")  # 20 % of 730 for the grade-1 member
    assert dibao["qualifies"] and dibao["amount"] == Decimal(1436)  # (730 − 300) × 3 + 146
    assert dibao["version"] == DIBAO.version
    assert explained["standards"]["standard"].source == "synthetic"


def test_excluded_income_and_a_member_who_left_are_not_counted(family):
    clerk, home = family
    today = timezone.localdate()
    services.income_item_create(actor=clerk, household=home, data={
        "category": "transfer_net", "amount": Decimal("3600"), "period_start": today - YEAR_AGO,
        "period_end": today, "excluded": True, "exclusion_reason": "pension_basic_central"})
    son = home.memberships.get(relation="20")
    services.income_item_create(actor=clerk, household=home, data={
        "category": "wage", "amount": Decimal("36000"), "period_start": today - YEAR_AGO,
        "period_end": today, "person": son.person})
    son.left_on, son.leave_reason = today, "split"  # gone today: no longer counted, nor his wages
    son.save(update_fields=["left_on", "leave_reason"])
    explained, dibao = _dibao(clerk, home)
    assert explained["facts"]["members"] == 2
    assert explained["facts"]["income_month"] == Decimal("900.00")
    assert explained["facts"]["per_capita_income"] == Decimal("450.00")
    assert dibao["amount"] == Decimal(706)  # (730 − 450) × 2 + 146


def test_income_exactly_at_the_standard_does_not_qualify_and_a_vehicle_bars(family):
    clerk, home = family
    today = timezone.localdate()
    services.income_item_create(actor=clerk, household=home, data={
        "category": "business_net", "amount": Decimal("15480"), "period_start": today - YEAR_AGO,
        "period_end": today})  # +1,290 a month: 2,190 / 3 = 730, the standard itself
    explained, dibao = _dibao(clerk, home)
    assert explained["facts"]["per_capita_income"] == Decimal("730.00")
    assert not dibao["qualifies"] and dibao["amount"] is None
    edge = next(r for r in explained["results"] if r["programme"] == "edge")
    assert edge["qualifies"]  # at the standard and below 1.5 × it


def test_the_household_page_shows_the_explanation_to_who_may_see_the_household(client, family):
    clerk, home = family
    client.force_login(clerk)
    page = client.get(f"/registry/households/{home.pk}/").content.decode()
    assert 'id="eligibility"' in page and "每月 1436 元" in page and "人均收入低于低保标准" in page
    client.force_login(user(Role.COUNTY_BUREAU, "371321"))  # another county: no household, no figures
    assert client.get(f"/registry/households/{home.pk}/").status_code == 404


@pytest.mark.parametrize("text", ["standard.__class__", "__import__('os')", "members < 'x'", "income > 1",
                                  "open(1)", "[1]", "members if 1 else 2"])
def test_a_rule_naming_an_unknown_fact_or_more_than_the_language_is_refused(text):
    with pytest.raises(RuleError):
        Expression.parse(text, {"members", "standard"})
