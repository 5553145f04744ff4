"""Issue 10's "Done when", walked in the browser as the people named: the city bureau works out a
what-if and schedules a new standard, a second officer approves it; a county officer runs the
rules over the county and opens, per township, the households that qualify; the household page
explains the answer with every figure."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import Role
from safetynet.programmes.models import Standard
from safetynet.registry import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_what_if_then_a_new_standard_approved_by_a_second_officer_then_the_county_runs_the_rules(
        logged_in_page, make_household):
    clerk = user(Role.COUNTY_BUREAU, "371302", username="lanshan_officer")
    home = make_household(village(LANSHAN_TOWNSHIP + "201"), clerk, urban_rural="urban",
                          members=[("冯大爷", 1, "02", datetime.date(1948, 3, 1))])
    today = timezone.localdate()
    services.income_item_create(actor=clerk, household=home, data={
        "category": "transfer_net", "amount": Decimal("3600"),
        "period_start": today - datetime.timedelta(days=364), "period_end": today})

    maker = logged_in_page(user(Role.CITY_BUREAU, "3713", username="city_maker"))
    maker.goto("/programmes/what-if/")
    form = maker.locator("#what-if-form")
    form.locator("select[name=area]").select_option(label="兰山区")
    form.locator("select[name=residence]").select_option("urban")
    form.locator("input[name=value]").fill("800")
    form.get_by_role("button", name="测算").click()
    result = maker.locator("#what-if-result")
    expect(result).to_contain_text("兰山街道")
    # 800 − 730 for the one household already eligible, and his 10 % add-on for age grows by 7.
    expect(result).to_contain_text("每月变化 77 元")

    maker.goto("/programmes/standards/")
    schedule = maker.locator("#standard-schedule")
    schedule.locator("select[name=kind]").select_option("dibao")
    schedule.locator("select[name=division]").select_option(label="兰山区")
    schedule.locator("select[name=urban_rural]").select_option("urban")
    schedule.locator("input[name=value]").fill("800")
    schedule.get_by_role("button", name="安排").click()
    expect(maker.locator(".messages")).to_contain_text("新标准已安排")
    expect(maker.locator("#standards-awaiting")).to_contain_text("由另一名工作人员批准")

    checker = logged_in_page(user(Role.CITY_BUREAU, "3713", username="city_checker"))
    checker.goto("/programmes/standards/")
    checker.locator("#standards-awaiting").get_by_role("button", name="批准").click()
    expect(checker.locator(".messages")).to_contain_text("标准已批准")
    assert Standard.objects.filter(value=800, status=Standard.Status.APPROVED).count() == 1

    county = logged_in_page(clerk)
    county.goto("/programmes/eligibility/")
    county.get_by_role("button", name="开始测算").click()
    expect(county.locator("#eligibility-townships")).to_contain_text("兰山街道")
    county.locator(f"tr[data-township='{LANSHAN_TOWNSHIP}'] a").first.click()
    expect(county.locator("#eligibility-households")).to_contain_text("冯大爷")
    county.locator("#eligibility-households a", has_text="冯大爷").click()
    card = county.locator("#eligibility")
    expect(card.locator("[data-programme=dibao]")).to_have_attribute("data-qualifies", "yes")
    expect(card).to_contain_text("每月 503 元")  # (730 − 300) + 73 for his age
    card.get_by_text("计算明细").click()
    expect(card.locator("#eligibility-facts")).to_contain_text("300.00")


def test_a_county_officer_records_a_supporter_then_extreme_poverty_for_the_member_and_prints_it(
        logged_in_page, make_household):
    clerk = user(Role.COUNTY_BUREAU, "371302", username="lanshan_officer")
    home = make_household(village(LANSHAN_TOWNSHIP + "201"), clerk, members=[
        ("褚奶奶", 2, "02", datetime.date(1941, 5, 5))])
    page = logged_in_page(clerk)
    page.goto(f"/registry/households/{home.pk}/")
    person = page.locator(f"#eligibility [data-programme=tekun] [data-person='{home.head_id}']")
    expect(person).to_have_attribute("data-qualifies", "yes")  # alone, no income, no supporter

    page.locator("#supporters").get_by_role("link", name="添加义务人").click()
    form = page.locator("#supporter-form form")
    form.get_by_label("被赡养扶养的成员").select_option(str(home.head_id))
    form.get_by_label("义务人姓名").fill("褚建国")
    form.get_by_label("与该成员关系").select_option("child")
    form.get_by_label("义务人出生日期").fill("1968-08-08")
    form.get_by_label("义务人上年收入（元）").fill("52000")
    form.get_by_role("button", name="保存").click()
    expect(page.locator("#supporters")).to_contain_text("褚建国")
    expect(person).to_have_attribute("data-qualifies", "no")  # a working son able to support her
    expect(person).to_contain_text("有赡养扶养能力")

    # The son is in prison (特困人员认定办法 art. 8): he cannot support her.
    page.locator("#supporters").get_by_role("link", name="编辑").click()
    page.locator("#supporter-form form").get_by_label("其他无能力情形").select_option("in_prison")
    page.locator("#supporter-form form").get_by_role("button", name="保存").click()
    expect(person).to_have_attribute("data-qualifies", "yes")
    expect(person).to_contain_text("无赡养扶养能力")

    person.get_by_role("link", name="按审批决定登记享受").click()
    page.get_by_label("决定文号").fill("兰民特〔2026〕3号")
    page.get_by_role("button", name="保存").click()
    expect(person).to_have_attribute("data-qualifies", "yes")
    expect(person.locator("[data-enrolled=yes]")).to_contain_text("起享受")

    page.locator("#eligibility").get_by_role("link", name="打印测算说明").click()
    sheet = page.locator("#eligibility-print")
    expect(sheet).to_contain_text("褚奶奶")
    expect(page.locator("#eligibility-facts")).to_be_visible()  # the figures open, to be printed
    expect(page.locator("body")).to_contain_text("审核人")
