"""The household list and page as a county officer and a grid worker see them: only their own
area, a search that updates the results in place, ID numbers masked unless the role may see them."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from conftest import user
from safetynet.core.masking import mask_id_number
from safetynet.core.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Lanshan-2022-winter"  # noqa: S105 — a test account
MASKED_ID = re.compile(r"^\d{4}\*{10}[\dX]{4}$")
BORN = datetime.date(1962, 3, 8)


def results(page):
    return page.locator("#results")


def test_county_officer_sees_only_own_county(page, live_server, make_household, lanshan_village,
                                             yinan_village, other_county_user, shot):
    officer = user(Role.COUNTY_BUREAU, "371302", username="lanshan.officer", password=PASSWORD)
    make_household(lanshan_village, officer, members=[("王兰山", 1, "02", BORN)])
    elsewhere = make_household(yinan_village, other_county_user, members=[("李沂南", 1, "02", BORN)])

    page.goto("/login/")
    page.locator("input[name=username]").fill("lanshan.officer")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")
    page.locator("nav.main-menu a[href='/registry/']").click()

    expect(page).to_have_url(f"{live_server.url}/registry/")
    expect(results(page).get_by_role("link", name="王兰山")).to_be_visible()
    expect(results(page).locator("tbody tr")).to_have_count(1)
    expect(page.locator("body")).not_to_contain_text("李沂南")
    shot(page, "desktop-household-list")

    response = page.goto(f"/registry/households/{elsewhere.pk}/")

    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("李沂南")
    expect(page.locator("main a[href='/']")).to_be_visible()  # the way back to the start page


def test_search_by_id_digits_and_name_updates_results_in_place(logged_in_page, live_server, county_user,
                                                               make_household, lanshan_village):
    wanted = make_household(lanshan_village, county_user, members=[("赵四海", 1, "02", BORN)])
    make_household(lanshan_village, county_user, members=[("钱五", 2, "02", BORN)])
    page = logged_in_page(county_user)
    page.goto("/registry/")
    expect(results(page).locator("tbody tr")).to_have_count(2)
    page.evaluate("window.stillTheSamePage = true")  # gone if the browser loads a new page

    last_digits = wanted.head.id_number[-6:]
    page.get_by_role("search").get_by_role("searchbox").fill(last_digits)

    expect(page).to_have_url(re.compile(rf"/registry/\?(.*&)?q={last_digits}(&|$)"))
    expect(results(page).locator("tbody tr")).to_have_count(1)
    expect(results(page).get_by_role("link", name="赵四海")).to_be_visible()
    expect(results(page)).not_to_contain_text("钱五")

    page.locator("#id_q").fill("钱五")

    expect(page).to_have_url(re.compile(r"/registry/\?(.*&)?q=%E9%92%B1%E4%BA%94(&|$)"))
    expect(results(page).locator("tbody tr")).to_have_count(1)
    expect(results(page).get_by_role("link", name="钱五")).to_be_visible()
    expect(results(page)).not_to_contain_text("赵四海")
    assert page.evaluate("window.stillTheSamePage") is True

    results(page).get_by_role("link", name="钱五").click()
    expect(page).to_have_url(re.compile(r"/registry/households/\d+/$"))


def test_id_numbers_masked_and_revealed_only_to_the_county(logged_in_page, county_user, make_household,
                                                          lanshan_village, shot):
    household = make_household(lanshan_village, county_user, members=[
        ("孙大明", 1, "02", BORN), ("周秀英", 2, "10", datetime.date(1965, 7, 1)),
    ])
    head = household.head
    grid_worker = user(Role.GRID_WORKER, lanshan_village.code)
    url = f"/registry/households/{household.pk}/"

    page = logged_in_page(county_user)
    page.goto(url)
    members = page.locator("#members")
    expect(members.locator("tbody tr")).to_have_count(2)
    expect(members).to_contain_text("孙大明")
    expect(members).to_contain_text("周秀英")
    shown = page.locator(f"#ids-{head.pk} .mono").first
    expect(shown).to_have_text(MASKED_ID)
    expect(shown).to_have_text(mask_id_number(head.id_number))
    expect(page.locator("body")).not_to_contain_text(head.id_number)
    shot(page, "desktop-household-page")

    page.locator(f"#ids-{head.pk}").get_by_role("button").click()

    expect(page.locator(f"#ids-{head.pk}")).to_contain_text(head.id_number)
    expect(page.locator(f"#ids-{head.pk}").get_by_role("button")).to_have_count(0)
    expect(page).to_have_url(re.compile(rf"{url}$"))  # revealed in place

    worker_page = logged_in_page(grid_worker)
    worker_page.goto(url)
    expect(worker_page.locator("#members")).to_contain_text("孙大明")
    expect(worker_page.locator(f"#ids-{head.pk} .mono").first).to_have_text(mask_id_number(head.id_number))
    expect(worker_page.locator("#members").get_by_role("button")).to_have_count(0)
    expect(worker_page.locator("form[action$='/reveal/']")).to_have_count(0)
    expect(worker_page.locator("body")).not_to_contain_text(head.id_number)


def test_city_user_sees_counties_the_member_who_matched_and_why_one_letter_finds_nothing(
        logged_in_page, make_household, lanshan_village, yinan_village, county_user, other_county_user, shot):
    make_household(lanshan_village, county_user, members=[
        ("吴长庚", 1, "02", BORN), ("郑春梅", 2, "31", datetime.date(1988, 4, 9)),
    ])
    make_household(yinan_village, other_county_user, members=[("冯沂水", 1, "02", BORN)])
    page = logged_in_page(user(Role.CITY_BUREAU, "3713"))
    page.goto("/registry/")
    table = results(page).locator("table")
    expect(table.locator("thead")).to_contain_text("县（区）")
    expect(table).to_contain_text("兰山区")
    expect(table).to_contain_text("沂南县")
    expect(page.locator("label[for=id_division]")).to_contain_text("县（区）")
    expect(page.locator("#id_q_helptext")).to_contain_text("拼音或拼音首字母")

    page.locator("#id_q").fill("郑春梅")
    expect(results(page).locator("tbody tr")).to_have_count(1)
    expect(results(page).get_by_role("link", name="吴长庚")).to_be_visible()
    expect(results(page)).to_contain_text("查到：郑春梅")
    shot(page, "desktop-search-member-found")

    page.locator("#id_q").fill("z")
    expect(results(page)).to_contain_text("请输入两个或更多字母")

    page.locator("#id_division").select_option("371321")
    page.locator("#id_q").fill("")
    expect(results(page).locator("tbody tr")).to_have_count(1)
    expect(results(page).get_by_role("link", name="冯沂水")).to_be_visible()


def test_grid_worker_guessing_a_whole_id_number_is_refused_past_the_limit(logged_in_page, settings,
                                                                          make_household, county_user,
                                                                          lanshan_village, shot):
    settings.SAFETYNET_NUMBER_LOOKUP_LIMIT = 2
    household = make_household(lanshan_village, county_user, members=[("褚守业", 1, "02", BORN)])
    number = household.head.id_number
    page = logged_in_page(user(Role.GRID_WORKER, lanshan_village.code))
    page.goto("/registry/")
    search = page.locator("#id_q")
    for wrong in ("110101199001011237", "110101199001011253"):
        search.fill(wrong)
        expect(page).to_have_url(re.compile(rf"q={wrong}"))
        expect(results(page)).to_contain_text("0 户")
    search.fill(number)
    expect(results(page)).to_contain_text("本次查询已被拒绝")
    expect(results(page)).not_to_contain_text("褚守业")
    shot(page, "phone-search-refused")
