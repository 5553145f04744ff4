"""Winter work in the browser: the city bureau starts a campaign and sets a county's target; the
county bureau enters a cold wave for its county, which a township clerk then reads, on a phone."""

import pytest
from playwright.sync_api import expect

from conftest import user
from safetynet.core.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_campaign_with_a_target_and_a_cold_wave_read_by_the_township(logged_in_page, shot):
    city = logged_in_page(user(Role.CITY_BUREAU, "3713"))
    city.goto("/")
    city.get_by_role("navigation", name="主菜单").get_by_role("link", name="专项行动").click()
    city.get_by_label("专项行动名称").fill("2022 年寒冬送温暖专项行动")
    city.get_by_label("类型").select_option("winter")
    city.get_by_label("开始日期").fill("2022-11-15")
    city.get_by_label("结束日期").fill("2023-03-15")
    city.get_by_role("button", name="启动").click()
    expect(city.get_by_text("专项行动已启动，请设定目标。")).to_be_visible()
    city.locator("select[name=form-0-county]").select_option("371302")
    city.locator("select[name=form-0-measure]").select_option("registry.co_alarms")
    city.locator("input[name=form-0-target]").fill("120")
    city.get_by_role("button", name="保存目标").click()
    expect(city.locator("#campaign-progress")).to_contain_text("120")
    expect(city.locator("#campaign-progress")).to_contain_text("兰山区")
    shot(city, "campaign-targets")

    county = logged_in_page(user(Role.COUNTY_BUREAU, "371302"))
    county.goto("/weather/")
    form = county.locator("#weather-enter")
    form.get_by_label("类型").select_option("cold_wave")
    form.get_by_label("等级").select_option("blue")
    form.get_by_label("开始时间").fill("2026-12-06T20:00")
    form.get_by_label("结束时间").fill("2026-12-09T08:00")
    form.get_by_label("说明").fill("临沂市气象台寒潮蓝色预警")
    form.get_by_role("button", name="录入").click()
    expect(county.get_by_text("已录入 1 条预警。")).to_be_visible()

    township = logged_in_page(user(Role.TOWNSHIP_OFFICE, "371302001"), viewport={"width": 390, "height": 844})
    township.goto("/weather/")
    expect(township.locator("#weather-warnings")).to_contain_text("临沂市气象台寒潮蓝色预警")
    expect(township.locator("#weather-enter")).to_have_count(0)
    shot(township, "weather-township")
