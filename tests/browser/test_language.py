"""Switching the language: the pages come in Chinese, one click turns them English, and the choice
stays for the next pages. (Labels checked here are Django's own, translated whatever our catalog.)"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_login_page_switches_to_english(page, live_server):
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("label[for=id_username]")).to_contain_text("用户名")

    page.locator("form.language-switch button[value=en]").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.locator("label[for=id_username]")).to_contain_text("Username")
    expect(page.locator("h1")).to_have_text("Log in")

    page.locator("form.language-switch button[value=zh-hans]").click()

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("label[for=id_username]")).to_contain_text("用户名")


def test_header_switch_keeps_the_page_and_the_choice(logged_in_page, live_server, county_user):
    page = logged_in_page(county_user)
    page.goto("/registry/?q=371302")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.locator("header form.language-switch button[value=en]").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/registry/?q=371302")
    expect(page.locator("#id_q")).to_have_value("371302")
    expect(page.locator("h1")).to_have_text("Households")

    page.locator("nav.main-menu a[href='/']").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
