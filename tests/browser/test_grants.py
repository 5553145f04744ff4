"""A county bureau opens a person from the household page and gives a service provider access; the
provider, on a phone, finds the person on its start page and sees them masked."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from conftest import user
from safetynet.core.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_county_gives_a_provider_a_person_and_the_provider_finds_them(logged_in_page, make_household,
                                                                        lanshan_village):
    county = user(Role.COUNTY_BUREAU, "371302")
    provider = user(Role.SERVICE_PROVIDER, "371302")
    provider.first_name = "康乐护理"
    provider.save()
    household = make_household(lanshan_village, county, members=[
        ("孤老甲某", 1, "02", datetime.date(1938, 3, 3)), ("孤老乙某", 2, "10", datetime.date(1940, 4, 4))])

    page = logged_in_page(county)
    page.goto(f"/registry/households/{household.pk}/")
    page.locator("#members").get_by_role("link", name="孤老甲某").click()
    expect(page).to_have_url(re.compile(rf"/registry/people/{household.head_id}/$"))
    page.locator("#grants").get_by_label("服务机构").select_option(str(provider.pk))
    page.locator("#grants").get_by_label("原因（如服务合同）").fill("2022 年助老服务合同")
    page.locator("#grants").get_by_role("button", name="授权查看").click()
    expect(page.locator(".messages")).to_contain_text("已授权 康乐护理 查看 孤老甲某")
    expect(page.locator("#grants")).to_contain_text("2022 年助老服务合同")

    phone = logged_in_page(provider, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto("/")
    served = phone.locator("#granted-people")
    expect(served).to_contain_text("孤老甲某")
    expect(served).not_to_contain_text("孤老乙某")
    served.get_by_role("link", name="孤老甲某").tap()
    expect(phone.locator("#person")).to_contain_text("3713**********")
    expect(phone.locator("#household")).to_contain_text("幸福路1号")
    expect(phone.locator("#household")).not_to_contain_text("孤老乙某")
