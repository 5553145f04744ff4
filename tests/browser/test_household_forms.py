"""Registering and editing households through the forms: a wrong ID number is refused beside its
field and saves nothing, the corrected form lands on the new household, an income item shows with its
exact amount, and of two people editing the same household the second is told, not overwriting."""

import datetime
import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from conftest import user
from safetynet.core.ids import make_id_number
from safetynet.core.models import Role
from safetynet.core.services import ConflictError
from safetynet.registry.models import Household, IncomeItem, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def wrong_check_character(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("1" if last != "1" else "2")


def test_register_household_with_new_head_then_add_income(logged_in_page, live_server, county_user,
                                                           lanshan_village):
    valid_id = make_id_number("371302", datetime.date(1958, 11, 23), 37)
    page = logged_in_page(county_user)
    page.goto("/registry/")
    page.locator("main a[href='/registry/households/new/']").click()

    expect(page).to_have_url(re.compile(r"/registry/households/new/$"))
    page.locator("#id_village").select_option(lanshan_village.code)
    page.locator("#id_address").fill("兰山街道幸福路8号")
    page.locator("#id_urban_rural").select_option("rural")
    page.locator("#id_person-id_number").fill(wrong_check_character(valid_id))
    page.locator("#id_person-name").fill("刘建国")
    submit = page.locator("form.choose-person .actions button[type=submit]")
    submit.click()

    id_field = page.locator("#id_person-id_number")
    expect(id_field).to_have_attribute("aria-invalid", "true")
    error = page.locator(".has-error:has(#id_person-id_number) .errorlist")
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    expect(page.locator(".has-error")).to_have_count(1)  # only the ID number is wrong
    expect(page.locator("#id_person-name")).to_have_value("刘建国")  # what was typed is kept
    assert not Household.objects.exists()
    assert not Person.objects.exists()

    id_field.fill(valid_id)
    submit.click()

    expect(page).to_have_url(re.compile(r"/registry/households/\d+/$"))
    expect(page.locator("h1")).to_contain_text("刘建国")
    expect(page.locator("#members")).to_contain_text("刘建国")
    household = Household.objects.get()
    assert household.head.id_number == valid_id
    assert page.url == f"{live_server.url}/registry/households/{household.pk}/"

    page.locator("#income a[href$='/income/add/']").click()
    form = page.locator("#income-form form")
    expect(form).to_be_visible()
    form.locator("select[name=category]").select_option(index=1)
    form.locator("input[name=amount]").fill("1234.50")
    form.locator("input[name=period_start]").fill("2025-01-01")
    form.locator("input[name=period_end]").fill("2025-12-31")
    form.locator("button[type=submit]").click()

    amount = page.locator("#income tbody td.num")
    expect(amount).to_have_text("1234.50")
    expect(page.locator("#income-form form")).to_have_count(0)
    assert str(IncomeItem.objects.get().amount) == "1234.50"


def test_second_editor_is_told_of_the_conflict(logged_in_page, county_user, make_household, lanshan_village):
    household = make_household(lanshan_village, county_user, address="幸福路1号")
    township_user = user(Role.TOWNSHIP_OFFICE, lanshan_village.parent_id)
    url = f"/registry/households/{household.pk}/edit/"
    first = logged_in_page(county_user)
    second = logged_in_page(township_user)
    first.goto(url)
    second.goto(url)
    expect(first.locator("#id_address")).to_have_value("幸福路1号")
    expect(second.locator("#id_address")).to_have_value("幸福路1号")

    first.locator("#id_address").fill("幸福路2号")
    first.locator("main form button[type=submit]").click()
    expect(first).to_have_url(re.compile(rf"/registry/households/{household.pk}/$"))
    expect(first.locator("#household")).to_contain_text("幸福路2号")

    second.locator("#id_address").fill("和平街9号")
    second.locator("main form button[type=submit]").click()

    with translation.override("zh-hans"):
        message = str(ConflictError())
    expect(second.locator("main .form-errors[role=alert]")).to_contain_text(message)
    expect(second).to_have_url(re.compile(rf"{url}$"))
    household.refresh_from_db()
    assert household.address == "幸福路2号"
    second.goto(f"/registry/households/{household.pk}/")
    expect(second.locator("#household")).to_contain_text("幸福路2号")
    expect(second.locator("#household")).not_to_contain_text("和平街9号")
