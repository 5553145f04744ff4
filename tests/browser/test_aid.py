"""Temporary aid in a real browser: a township clerk records an emergency for a traveller (not in
the registry), pays it first from the reserve fund, and sees it paid on the area's list; a county
officer decides an aid above the township's cap in monthly stages, which the payroll then pays."""

import datetime
import re

import pytest
from django.utils import timezone
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


def test_the_county_decides_an_aid_above_the_cap_in_stages_that_its_payroll_pays(
    logged_in_page, make_household, lanshan_village, shot
):
    from safetynet.payments import services as payments
    from safetynet.programmes.aid import services

    county = user(Role.COUNTY_BUREAU, "371302", "lanshan")
    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP, "lanshan-lanshan")
    household = make_household(
        lanshan_village, county, members=[("火灾户", 1, "02", datetime.date(1966, 6, 6))]
    )
    aid = services.emergency_report(
        actor=township,
        area_code=household.village_id,
        cause="fire",
        what="房屋烧毁",
        person_id=household.head_id,
    )
    services.aid_refer_county(
        actor=township, aid_id=aid.pk, version=aid.version, amount="9000", reason="超额"
    )
    payments.account_open(
        actor=township,
        holder_kind="person",
        holder_id=household.head_id,
        kind="one_card",
        bank="psbc",
        number="6228480000000000011",
    )

    officer = logged_in_page(county)
    officer.goto(f"/programmes/aid/{aid.pk}/")
    form = officer.locator("#county-form")
    form.locator("input[name=amount]").fill("9,000元")
    form.locator("input[name=stages]").fill("13")  # more than a year of stages: refused, nothing changed
    form.locator("textarea[name=reason]").fill("一事一议：分三个月发放")
    form.locator("button[type=submit]").click()
    expect(officer.locator("#county-form")).to_contain_text("12")
    aid.refresh_from_db()
    assert aid.case.state == "county_review" and not aid.instalments.exists()

    form = officer.locator("#county-form")
    form.locator("input[name=amount]").fill("9,000元")
    form.locator("input[name=stages]").fill("3")
    form.locator("textarea[name=reason]").fill("一事一议：分三个月发放")
    form.locator("button[type=submit]").click()
    expect(officer.locator("#aid-stages tbody tr")).to_have_count(3)
    expect(officer.locator("#aid-stages")).to_contain_text("3000.00")
    expect(officer.locator("#aid-stages")).to_contain_text("待发放名册发放")
    expect(officer.locator("#pay-form")).to_have_count(0)  # the payroll pays it, not a form here
    shot(officer, "temporary-aid-in-stages")

    run = payments.payroll_draft(actor=county, county="371302", month=timezone.localdate().replace(day=1))
    officer.goto(f"/payments/runs/{run.pk}/")
    expect(officer.locator("#run-changes")).to_contain_text("临时救助分期: 1")
    expect(officer.locator("body")).to_contain_text("县级决定的临时救助第 1 期")
