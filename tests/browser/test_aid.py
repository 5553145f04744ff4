"""Temporary aid in a real browser: a township clerk records an emergency for a traveller (not in
the registry), pays it first from the reserve fund, and sees it paid on the area's list."""

import re

import pytest
from playwright.sync_api import expect

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import Role
from safetynet.programmes.models import TemporaryAid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VILLAGE = LANSHAN_TOWNSHIP + "201"


def test_a_township_clerk_records_a_travellers_emergency_and_pays_it(logged_in_page, shot):
    village(VILLAGE)
    clerk = logged_in_page(user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP))
    clerk.goto("/programmes/aid/")
    clerk.locator("#record-emergency").click()
    expect(clerk).to_have_url(re.compile(r"/programmes/aid/emergency/$"))
    form = clerk.locator("#emergency-form")
    form.locator("select[name=area]").select_option(VILLAGE)
    form.locator("select[name=cause]").select_option("traffic")
    form.locator("textarea[name=what]").fill("途经本镇遭遇车祸，身无分文")
    form.locator("input[name=name]").fill("过路人")
    form.locator("input[name=home_place]").fill("河南省郑州市")
    form.locator("input[name=phone]").fill("13912345678")
    form.locator("button[type=submit]").click()
    expect(clerk).to_have_url(re.compile(r"/programmes/aid/\d+/$"))
    expect(clerk.locator("#aid-state")).to_be_visible()
    aid = TemporaryAid.objects.get()
    assert aid.person_id is None and aid.case.state == "reported"

    pay = clerk.locator("#pay-form")
    pay.locator("input[name=approved_amount]").fill("2,000元")
    pay.locator("input[name=amount]").fill("1500")
    pay.locator("select[name=means]").select_option("cash")
    pay.locator("button[type=submit]").click()
    expect(clerk.locator("#payments")).to_contain_text("1500.00")
    expect(clerk.locator("#aid-paid")).to_contain_text("1500.00")
    expect(clerk.locator("#paperwork-form")).to_be_visible()
    shot(clerk, "temporary-aid-paid-first")
    aid.refresh_from_db()
    assert aid.paid_total == 1500 and aid.case.state == "first_aid_paid"
    assert aid.payments.get().from_reserve

    clerk.goto("/programmes/aid/")
    expect(clerk.locator("#aid-list")).to_contain_text("过路人")
