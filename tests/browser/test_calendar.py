"""The official calendar in the browser: a township clerk reckons a deadline over National Day 2023
and one reaching into 2027 (marked provisional); the city bureau enters 2027 from the State
Council's schedule and the same deadline moves and is no longer provisional. On a phone's width."""

import pytest
from playwright.sync_api import expect

from conftest import user
from safetynet.core.models import Role

# serialized_rollback: the calendar the migration seeds survives the test's flush.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCHEDULE_2027 = "日期,类型,名称\n2027-01-01,休,元旦\n2027-02-14,班,春节\n"


def reckon(page, start: str, amount: int) -> None:
    page.get_by_label("起算日").fill(start)
    page.get_by_label("期限").fill(str(amount))
    page.get_by_label("计算单位").select_option("working_days")
    page.get_by_role("button", name="计算").click()


def test_deadlines_on_the_official_calendar_and_2027_entered_by_the_city_bureau(
    logged_in_page, shot, tmp_path,
):
    township = logged_in_page(user(Role.TOWNSHIP_OFFICE, "371302001"), viewport={"width": 390, "height": 844})
    township.goto("/")
    township.get_by_role("navigation", name="主菜单").get_by_role("link", name="工作日").click()
    reckon(township, "2023-09-28", 1)
    expect(township.locator("#reckoned")).to_contain_text("2023-10-07（星期六）")
    expect(township.locator("#reckoned")).not_to_contain_text("暂定")
    reckon(township, "2026-12-30", 5)
    expect(township.locator("#reckoned")).to_contain_text("2027-01-06")
    expect(township.locator("#reckoned")).to_contain_text("暂定")
    expect(township.locator("#calendar-upload")).to_have_count(0)
    shot(township, "calendar-township-provisional")

    city = logged_in_page(user(Role.CITY_BUREAU, "3713"))
    city.goto("/calendar/")
    schedule = tmp_path / "2027.csv"
    schedule.write_text(SCHEDULE_2027, encoding="utf-8")
    city.get_by_label("放假安排文件（CSV）").set_input_files(schedule)
    city.get_by_role("button", name="录入", exact=True).click()
    expect(city.get_by_text("已录入 2027 年：共 2 个放假或调休日。")).to_be_visible()
    expect(city.locator("#calendar-years")).to_contain_text("2027")
    shot(city, "calendar-city-entered")

    reckon(township, "2026-12-30", 5)
    expect(township.locator("#reckoned")).to_contain_text("2027-01-07")
    expect(township.locator("#reckoned")).not_to_contain_text("暂定")
