"""Issue 11's walk in a real browser: a village coordinator hands in a 低保 application from the
household's card on a phone; a township officer takes it through acceptance, the investigation and
the public notice; the county fills the data match and, as another user, approves it with benefit
from next month; the village's notice board opens without a login."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import Role
from safetynet.programmes.models import Application
from safetynet.programmes.selectors import first_of_next_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VILLAGE = LANSHAN_TOWNSHIP + "201"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
         "has_touch": True}


def take_step(page, code: str, reason: str = "") -> None:
    form = page.locator(f"form.case-move[data-step='{code}']")
    if reason:
        form.locator("textarea[name=reason]").fill(reason)
    form.get_by_role("button").click()
    expect(page.locator("div.messages")).to_contain_text("已办理")


def test_a_dibao_application_from_a_phone_to_the_countys_approval(logged_in_page, page, make_household, shot):
    home_village = village(VILLAGE)
    coordinator = user(Role.VILLAGE_COORDINATOR, VILLAGE)
    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    county = user(Role.COUNTY_BUREAU, "371302")
    household = make_household(home_village, county, urban_rural="urban",
                               members=[("韩一", 1, "02", datetime.date(1980, 1, 1))])

    phone = logged_in_page(coordinator, **PHONE)
    phone.goto(f"/registry/households/{household.pk}/")
    phone.locator("#eligibility [data-programme='dibao'] a[data-action='apply']").tap()
    phone.locator("select[name=channel]").select_option("found")
    phone.get_by_role("button", name="提交", exact=True).tap()
    expect(phone).to_have_url(re.compile(r"/programmes/applications/\d+/$"))
    expect(phone.locator("#case-state")).to_contain_text("待受理")
    width = phone.evaluate(
        "() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth")
    assert width <= 1, "the application page scrolls sideways on a phone"
    shot(phone, "application-handed-in-phone")
    application = Application.objects.get()

    desk = logged_in_page(township)
    desk.goto("/programmes/applications/")
    desk.get_by_role("link", name=str(application.pk), exact=True).click()
    for code in ("accept", "start", "request_match"):
        take_step(desk, code)

    office = logged_in_page(county)
    office.goto(f"/programmes/applications/{application.pk}/")
    office.locator("#match-form").get_by_role("button").click()
    expect(office.locator("#match")).to_be_visible()

    desk.goto(f"/programmes/applications/{application.pk}/")
    form = desk.locator("#investigation-form")
    form.locator("input[name=first]").fill("李明")
    form.locator("input[name=second]").fill("王芳")
    form.locator("textarea[name=findings]").fill("独居，无收入，房屋自有")
    form.get_by_role("button").click()
    expect(desk.locator("#investigation")).to_contain_text("李明、王芳")
    take_step(desk, "opinion", "符合低保条件，建议纳入")
    take_step(desk, "publish")
    expect(desk.locator("#notice-dates")).to_be_visible()

    page.goto(f"/programmes/notices/{VILLAGE}/")  # anyone, without a login
    expect(page.locator("#public-notice")).to_contain_text("韩一")
    expect(page.locator("#public-notice")).not_to_contain_text(household.head.id_number)

    # Seven days later the notice is over.
    Application.objects.filter(pk=application.pk).update(
        notice_from=timezone.localdate() - datetime.timedelta(days=7),
        notice_until=timezone.localdate() - datetime.timedelta(days=1))
    desk.reload()
    take_step(desk, "no_objection")

    office.goto(f"/programmes/applications/{application.pk}/")
    take_step(office, "approve")
    since = first_of_next_month(timezone.localdate())
    expect(office.locator("#decision-amount")).to_contain_text(since.isoformat())
    expect(office.locator("#decision-conditions")).to_be_visible()
    expect(office.locator("#documents")).to_contain_text("批准通知书")
    shot(office, "application-approved")
