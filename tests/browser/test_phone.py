"""On a phone (390×844, the size of a common handset) the household list and page fit the screen
width, and the menu and the households can be reached by tapping."""

import datetime
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
         "has_touch": True}


def assert_no_sideways_scrolling(page) -> None:
    widths = page.evaluate(
        "() => { const root = document.scrollingElement;"
        " return {scroll: root.scrollWidth, client: root.clientWidth}; }"
    )
    assert widths["scroll"] <= widths["client"] + 1, f"the page scrolls sideways on {page.url}: {widths}"


def assert_within_screen(locator, width: int = 390) -> None:
    box = locator.bounding_box()
    assert box is not None, "not rendered"
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"off the screen: {box}"


def test_household_list_and_page_fit_a_phone(logged_in_page, county_user, make_household, lanshan_village,
                                             shot):
    household = make_household(lanshan_village, county_user, members=[
        ("欧阳建华", 1, "02", datetime.date(1948, 5, 4)), ("欧阳秀兰", 2, "10", datetime.date(1950, 2, 9)),
    ], address="兰山街道金雀山路东段幸福小区十二号楼三单元五零二室")
    page = logged_in_page(county_user, **PHONE)
    page.goto("/")

    menu_link = page.locator("nav.main-menu a[href='/registry/']")
    expect(menu_link).to_be_visible()
    assert_within_screen(menu_link)
    menu_link.tap()

    expect(page).to_have_url(re.compile(r"/registry/$"))
    head_link = page.locator("#results").get_by_role("link", name="欧阳建华")
    expect(head_link).to_be_visible()
    assert_within_screen(head_link)
    assert_within_screen(page.locator("#id_q"))
    assert_no_sideways_scrolling(page)
    shot(page, "phone-household-list")

    head_link.tap()

    expect(page).to_have_url(re.compile(rf"/registry/households/{household.pk}/$"))
    expect(page.locator("#members")).to_contain_text("欧阳秀兰")
    assert_no_sideways_scrolling(page)
    assert_within_screen(page.locator(f"#ids-{household.head_id}").get_by_role("button"))
    expect(page.locator("nav.main-menu a[href='/registry/']")).to_be_visible()
    shot(page, "phone-household-page")
