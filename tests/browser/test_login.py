"""Logging in through a real browser: the page loads in Chinese, the right password lands on the
home page, a wrong one explains itself and keeps the visitor out."""

import re

import pytest
from django.contrib.auth.forms import AuthenticationForm
from django.utils import translation
from playwright.sync_api import expect

from conftest import user
from safetynet.core.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Lanshan-2022-winter"  # noqa: S105 — a test account


@pytest.fixture
def county_officer():
    return user(Role.COUNTY_BUREAU, "371302", username="lanshan.officer", password=PASSWORD)


def fill_login(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form:has(input[name=password]) [type=submit]").click()


def test_login_page_loads_in_chinese(page):
    response = page.goto("/login/")

    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("登录")
    expect(page.locator("input[name=username]")).to_be_visible()
    expect(page.locator("input[name=password]")).to_have_attribute("type", "password")


def test_right_password_lands_on_the_home_page(page, live_server, county_officer):
    fill_login(page, "lanshan.officer", PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text("lanshan.officer").first).to_be_visible()


def test_wrong_password_shows_an_error_and_stays_out(page, live_server, county_officer):
    fill_login(page, "lanshan.officer", "not-the-password")

    expect(page).to_have_url(re.compile(r"/login/"))
    with translation.override("zh-hans"):
        form = AuthenticationForm()
        message = str(form.error_messages["invalid_login"] % {"username": form.username_field.verbose_name})
    expect(page.locator("main [role=alert]:visible")).to_contain_text(message)

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))


def test_logged_in_page_helper_opens_a_session(logged_in_page, live_server, county_officer):
    page = logged_in_page(county_officer)
    page.goto("/")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text("lanshan.officer").first).to_be_visible()
