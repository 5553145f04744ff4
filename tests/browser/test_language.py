"""Switching the language: the pages come in Chinese, one click turns them English, and the choice
stays for the next pages. (Labels checked here are Django's own, translated whatever our catalog.)"""

import re

import pytest
from axes.models import AccessAttempt
from playwright.sync_api import expect

from conftest import user
from safetynet.core.models import Role

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


def test_login_page_switch_sends_no_password_and_keeps_next(page, live_server):
    user(Role.COUNTY_BUREAU, "371302", username="lanshan.officer", password="Lanshan-2022-winter")
    posts = []
    page.on("request", lambda r: posts.append((r.url, r.post_data or "")) if r.method == "POST" else None)
    page.goto("/registry/?q=1")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/registry/%3Fq%3D1")

    # A wrong password first: the page that comes back is the answer to a POST.
    page.locator("input[name=username]").fill("lanshan.officer")
    page.locator("input[name=password]").fill("not-the-password")
    page.locator("form:has(input[name=password]) [type=submit]").click()
    expect(page.locator("main [role=alert]")).to_be_visible()

    # The switch, with a password typed again but not sent.
    page.locator("input[name=password]").fill("Lanshan-2022-winter")
    posts.clear()
    page.locator("form.language-switch button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/registry/%3Fq%3D1")
    assert [url for url, _ in posts] == [f"{live_server.url}/i18n/setlang/"]
    assert "Lanshan-2022-winter" not in posts[0][1] and "lanshan.officer" not in posts[0][1]
    assert AccessAttempt.objects.get().failures_since_start == 1

    page.locator("input[name=username]").fill("lanshan.officer")
    page.locator("input[name=password]").fill("Lanshan-2022-winter")
    page.locator("form:has(input[name=password]) [type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/registry/?q=1")
    expect(page.locator("html")).to_have_attribute("lang", "en")
